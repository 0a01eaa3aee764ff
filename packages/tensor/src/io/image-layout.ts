// PyTorch images and feature maps are NCHW; our networks run NHWC. These convert between a
// file-side TorchTensor and a tfjs tensor at the boundary.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import type { TorchTensor } from '../nn/module.js';

/** NCHW TorchTensor → NHWC tf.Tensor4D (the caller disposes it). */
export function nchwToNhwc(t: TorchTensor): tf.Tensor4D {
  if (t.shape.length !== 4) throw new UserError(`expected an NCHW tensor of rank 4, got shape [${t.shape}]`);
  return tf.tidy(() =>
    tf.transpose(tf.tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]),
  );
}

/** NHWC tf.Tensor4D → NCHW TorchTensor (reads the data synchronously; `x` is not disposed). */
export function nhwcToNchw(x: tf.Tensor4D): TorchTensor {
  const [n, h, w, c] = x.shape;
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  try {
    return { shape: [n, c, h, w], data: new Float32Array(nchw.dataSync()) };
  } finally {
    nchw.dispose();
  }
}
