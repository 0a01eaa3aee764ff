// loss/PSNRloss.py PSNRLoss (from HINet): 10/ln10 · mean_n log(MSE_n + 1e-8) — MINUS the PSNR
// in dB for [0,1] images, so minimising it maximises PSNR. Inputs are NHWC.
import * as tf from '@tensorflow/tfjs-core';

export interface PsnrLossOptions {
  /** Compare BT.601 luma Y = (65.481 R + 128.553 G + 24.966 B + 16)/255 instead of RGB. */
  toY?: boolean;
}

const SCALE = 10 / Math.LN10;

export function toY(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const coef = tf.tensor1d([65.481, 128.553, 24.966]);
    return tf.div(tf.add(tf.sum(tf.mul(x, coef), -1, true), 16), 255) as tf.Tensor4D;
  });
}

export function psnrLoss(pred: tf.Tensor4D, target: tf.Tensor4D, options: PsnrLossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const p = options.toY ? toY(pred) : pred;
    const t = options.toY ? toY(target) : target;
    const mse = tf.mean(tf.squaredDifference(p, t), [1, 2, 3]);
    return tf.mul(SCALE, tf.mean(tf.log(tf.add(mse, 1e-8)))) as tf.Scalar;
  });
}
