// Loaders for the parity tests against ../shared/golden (reference outputs of the official PyTorch
// code); the folder is located by @ugpnet/test-support (UGP_GOLDEN_DIR).
import * as tf from '@tensorflow/tfjs-core';
import { nchwToNhwc, pthStateDict, readNpy, readPth, type TorchTensor } from '@ugpnet/tensor';
import { goldenPath } from '@ugpnet/test-support';

export { goldenPath } from '@ugpnet/test-support';

/** A golden checkpoint's state dict (params/params_ema wrappers unwrapped, or one `section`). */
export async function goldenStateDict(
  caseName: string,
  file: string,
  section?: string,
): Promise<Map<string, TorchTensor>> {
  const path = goldenPath(caseName, file);
  return pthStateDict(await readPth(path), { section, source: path });
}

/** A golden .npy tensor (NCHW) as an NHWC tf tensor. */
export function goldenImage(caseName: string, name: string): tf.Tensor4D {
  return nchwToNhwc(readNpy(goldenPath(caseName, `${name}.npy`)));
}

export interface Parity {
  maxAbs: number;
  tolerance: number;
  refMaxAbs: number;
}

/** max|ours − ref| against the suggested tolerance 1e-4 · max(1, max|ref|). */
export function compareToGolden(caseName: string, name: string, ours: tf.Tensor4D): Parity {
  const ref = goldenImage(caseName, name);
  try {
    if (ref.shape.join() !== ours.shape.join()) {
      throw new Error(`${caseName}/${name}: shape [${ours.shape}] vs golden [${ref.shape}]`);
    }
    const stats = tf.tidy(() => tf.stack([tf.max(tf.abs(tf.sub(ours, ref))), tf.max(tf.abs(ref))]));
    const [maxAbs, refMaxAbs] = stats.dataSync() as Float32Array;
    stats.dispose();
    return { maxAbs: maxAbs!, refMaxAbs: refMaxAbs!, tolerance: 1e-4 * Math.max(1, refMaxAbs!) };
  } finally {
    ref.dispose();
  }
}
