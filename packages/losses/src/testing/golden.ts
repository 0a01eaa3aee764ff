// Test helpers: locate ../shared/golden (beside the repo, as on dev machines and CI) and load
// its float32 .npy tensors (NCHW) into NHWC tensors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const here = dirname(fileURLToPath(import.meta.url));

/** The golden folder, or undefined when this checkout has none (tests then skip). */
export const GOLDEN_DIR: string | undefined = [
  process.env.UGP_GOLDEN,
  resolve(here, '../../../../../shared/golden'),
  resolve(here, '../../../../shared/golden'),
].find((p): p is string => !!p && existsSync(join(p, 'README.md')));

export function goldenPath(...parts: string[]): string {
  if (!GOLDEN_DIR) throw new Error('golden data not found (set UGP_GOLDEN)');
  return join(GOLDEN_DIR, ...parts);
}

export interface Npy {
  shape: number[];
  data: Float32Array;
}

/** Minimal little-endian float32 C-order .npy reader for the golden files. */
export function loadNpy(...parts: string[]): Npy {
  const buf = readFileSync(goldenPath(...parts));
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True")) throw new Error(`unsupported npy ${parts}`);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)![1]!.match(/\d+/g) ?? []).map(Number);
  const bytes = buf.subarray(start + headerLen);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { shape, data };
}

/** An NCHW golden tensor as NHWC; rank-2 tensors are returned as they are. */
export function loadNhwc(...parts: string[]): tf.Tensor {
  const t = loadNpy(...parts);
  const raw = tf.tensor(t.data, t.shape);
  if (t.shape.length !== 4) return raw;
  const out = tf.transpose(raw, [0, 2, 3, 1]);
  raw.dispose();
  return out;
}

export function goldenScalars(kase: string): Record<string, number> {
  return JSON.parse(readFileSync(goldenPath(kase, 'scalars.json'), 'utf8'));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
