// What every data source provides: a fixed, ordered list of items, each loadable as a
// ground-truth image at the source's size (and, for paired folders, its own lq).
import { UserError } from '@ugpnet/core';
import type { BadFile } from '../bad-files.js';
import type { RgbImage } from '../image.js';

export interface SourceItem {
  gt: RgbImage;
  /** Present when the source brings its own low-quality input (paired folders). */
  lq?: RgbImage;
  /** File path, LMDB key or procedural name of the item (the batch's `paths`). */
  path: string;
}

export interface LoadTarget {
  gt?: Float32Array;
  lq?: Float32Array;
}

export interface ImageSource {
  readonly type: string;
  /** Folder, LMDB directory or procedural name, for messages. */
  readonly root: string;
  /** One line: what was opened and how many items the split holds. */
  readonly description: string;
  /** gt side in pixels. */
  readonly size: number;
  /** lq side when the source brings its own lq (paired), else undefined. */
  readonly lqSize?: number;
  readonly length: number;
  /** Files found unusable while opening (empty files, a gt without its lq, …). */
  readonly badAtOpen: BadFile[];
  /** The path/key of item `index` without loading it. */
  key(index: number): string;
  /**
   * Loads item `index`; throws BadImageError when that file cannot be used. `into` lets the
   * loader decode straight into its batch memory (gt: size²·3 floats, lq: lqSize²·3).
   */
  load(index: number, into?: LoadTarget): Promise<SourceItem>;
  close(): void;
}

/** A config block naming a source: `type` plus that builder's options. */
export interface SourceSpec {
  type: string;
  [option: string]: unknown;
}

export const SPLITS = ['train', 'val', 'test', 'all'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitOptions {
  /** Which part of the data; default 'train'. */
  split?: Split;
  /** Items held out for validation (the reference validates on 1 000); default 1000. */
  valSize?: number;
  /** Items held out for testing after the validation items; default 1000. */
  testSize?: number;
}

export const SPLIT_DEFAULTS = { split: 'train' as Split, valSize: 1000, testSize: 1000 };

/** Natural order: digit runs compare as numbers, so 2.jpg < 10.jpg (CelebA-HQ's 0…29999). */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

/**
 * Deterministic split by position in natural name order: train | val (valSize) | test
 * (testSize), the held-out parts taken from the end. Returns the selected positions.
 */
export function splitByOrder(count: number, options: SplitOptions, where: string): number[] {
  const { split, valSize, testSize } = { ...SPLIT_DEFAULTS, ...stripUndefined(options) };
  checkCount(valSize, `${where}: valSize`);
  checkCount(testSize, `${where}: testSize`);
  const all = Array.from({ length: count }, (_, i) => i);
  if (split === 'all') return all;
  if (valSize + testSize >= count) {
    throw new UserError(
      `${where}: ${count} items cannot hold out valSize ${valSize} + testSize ${testSize} and keep a training set (use split 'all' or smaller sizes)`,
    );
  }
  const trainEnd = count - valSize - testSize;
  if (split === 'train') return all.slice(0, trainEnd);
  if (split === 'val') return all.slice(trainEnd, trainEnd + valSize);
  return all.slice(trainEnd + valSize);
}

export function checkSplit(value: unknown, where: string): Split {
  if (value === undefined) return SPLIT_DEFAULTS.split;
  if (typeof value === 'string' && (SPLITS as readonly string[]).includes(value)) return value as Split;
  throw new UserError(`${where}: split must be one of ${SPLITS.join(', ')}, got ${JSON.stringify(value)}`);
}

export function checkCount(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new UserError(`${where}: expected a whole number ≥ 0, got ${JSON.stringify(value)}`);
}

export function checkSize(value: unknown, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 8 && value <= 4096) return value;
  throw new UserError(
    `${where}: size must be a whole number of pixels in [8, 4096], got ${JSON.stringify(value)}`,
  );
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
