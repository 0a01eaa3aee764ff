// Golden reference data for the synthesis-side parity tests (../shared/golden: synmodule,
// discriminator, losses), read through the checkpoint IO of @ugpnet/tensor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pthStateDict, readNpy, readPth, type TorchTensor } from '@ugpnet/tensor';
import { GOLDEN_DIR } from '@ugpnet/test-support';

/** One checkpoint (or one section of the synmodule dict) as official key → tensor. */
export async function goldenSection(
  caseName: string,
  file: string,
  section?: string,
): Promise<Map<string, TorchTensor>> {
  const value = await readPth(join(GOLDEN_DIR, caseName, file));
  return pthStateDict(value, { section, source: `golden/${caseName}/${file}` });
}

/** A golden .npy: images/features NCHW → NHWC; other ranks as stored. */
export function goldenNhwc<T extends tf.Tensor = tf.Tensor4D>(caseName: string, name: string): T {
  const t = readNpy(join(GOLDEN_DIR, caseName, `${name}.npy`));
  return tf.tidy(() => {
    const x = tf.tensor(t.data, t.shape);
    return (t.shape.length === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x) as T;
  });
}

interface ManifestTensor {
  name: string;
  tolerance_max_abs?: number;
}

/** The manifest's suggested max-abs tolerance (1e-4·max(1, max|ref|), 1e-6 for r1_grad_real). */
export function tolerance(caseName: string, name: string): number {
  const manifest = JSON.parse(readFileSync(join(GOLDEN_DIR, caseName, 'manifest.json'), 'utf8')) as {
    outputs?: ManifestTensor[];
    tensors?: ManifestTensor[];
  };
  const entry = [...(manifest.outputs ?? []), ...(manifest.tensors ?? [])].find((t) => t.name === name);
  if (entry?.tolerance_max_abs === undefined)
    throw new Error(`${caseName}/manifest.json: no tolerance for '${name}'`);
  return entry.tolerance_max_abs;
}

/** max|ours − ref| (same shape required); disposes `ref`. */
export function maxAbsDiff(ours: tf.Tensor, ref: tf.Tensor): number {
  try {
    if (ours.shape.join(',') !== ref.shape.join(','))
      throw new Error(`shape [${ours.shape}] vs reference [${ref.shape}]`);
    return tf.tidy(() => tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]!);
  } finally {
    ref.dispose();
  }
}
