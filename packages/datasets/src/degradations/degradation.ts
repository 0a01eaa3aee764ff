// A degradation maps a ground-truth image to its low-quality observation, drawing all its
// randomness from the per-sample Rng it is given (so a sample is reproducible from its seed).
import { UserError } from '@ugpnet/core';
import type { Rng } from '@ugpnet/tensor';
import type { RgbImage } from '../image.js';

export interface Degradation {
  /** Registry name (noise, blur, sr8, none). */
  readonly name: string;
  /** Side of the lq image for a gt of side `size` (sr8: size / 8). */
  lqSize(size: number): number;
  /** Degrades gt; when `out` is given (lqSize²·3 values) the lq pixels are written there. */
  apply(gt: RgbImage, rng: Rng, out?: Float32Array): RgbImage;
}

/** A scalar option that may also be a [low, high] range drawn uniformly per sample. */
export type ValueOrRange = number | [number, number];

export function drawValue(value: ValueOrRange, rng: Rng): number {
  return typeof value === 'number' ? value : rng.range(value[0], value[1]);
}

export function checkValueOrRange(value: unknown, field: string, min: number): ValueOrRange {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min;
  if (ok(value)) return value;
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1]) && value[0] <= value[1]) {
    return [value[0], value[1]];
  }
  throw new UserError(
    `${field}: expected a number ≥ ${min} or a [low, high] range, got ${JSON.stringify(value)}`,
  );
}
