// Test helpers: locate ../shared/golden (beside the repo, as on dev machines and CI) and load
// its float32 .npy tensors (NCHW) as NHWC tensors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readNpy, type TorchTensor } from '@ugpnet/tensor';

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

/** A golden float32 .npy (PyTorch layout). */
export function loadNpy(...parts: string[]): TorchTensor {
  return readNpy(goldenPath(...parts));
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
