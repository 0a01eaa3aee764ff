// Test helpers: load golden/losses' float32 .npy tensors (NCHW) as NHWC tensors. The folder is
// located by @ugpnet/test-support (UGP_GOLDEN_DIR).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { readNpy, type TorchTensor } from '@ugpnet/tensor';
import { goldenPath } from '@ugpnet/test-support';

export { goldenPath } from '@ugpnet/test-support';

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
