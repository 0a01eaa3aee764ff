import type { Json } from './types.js';

export function parseJson<T = Json>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}
