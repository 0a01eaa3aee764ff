// L1 (mean absolute error) between a prediction and its target, as torch.nn.L1Loss('mean').
import * as tf from '@tensorflow/tfjs-core';

export function l1Loss(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(pred, target))) as tf.Scalar);
}
