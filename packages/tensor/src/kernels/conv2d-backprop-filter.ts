// Conv2DBackpropFilter on wasm (missing there): a convolution with batch and channels swapped.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, convGeometry, requireNhwc } from './conv-gradients.js';
import { wasmOpsKernel } from './ops-kernel.js';

export const conv2dBackpropFilterConfig = wasmOpsKernel(tf.Conv2DBackpropFilter, ({ x, dy }, attrs) => {
  const { filterShape, strides, pad, dataFormat, dimRoundingMode } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  requireNhwc(tf.Conv2DBackpropFilter, dataFormat);
  const g = convGeometry(x!.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
  return conv2dFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, g);
});
