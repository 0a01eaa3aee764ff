// Conv2DBackpropInput on wasm: the input gradient as forward convolutions (wasm's own kernel for this
// is a scalar loop, several times slower than the forward conv).
import * as tf from '@tensorflow/tfjs-core';
import { conv2dInputGrad, convGeometry, requireNhwc } from './conv-gradients.js';
import { wasmOpsKernel } from './ops-kernel.js';

export const conv2dBackpropInputConfig = wasmOpsKernel(tf.Conv2DBackpropInput, ({ dy, filter }, attrs) => {
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
    attrs as unknown as tf.Conv2DBackpropInputAttrs;
  requireNhwc(tf.Conv2DBackpropInput, dataFormat);
  const g = convGeometry(inputShape, filter!.shape, strides, 1, pad, dimRoundingMode, false);
  return conv2dInputGrad(dy as tf.Tensor4D, filter as tf.Tensor4D, g);
});
