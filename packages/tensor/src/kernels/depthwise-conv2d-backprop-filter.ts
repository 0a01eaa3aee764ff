// DepthwiseConv2dNativeBackpropFilter on wasm (missing there): one depthwise conv with the batch
// folded into the channels and dy as the filter.
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, depthwiseFilterGrad } from './conv-gradients.js';
import { wasmOpsKernel } from './ops-kernel.js';

export const depthwiseConv2dBackpropFilterConfig = wasmOpsKernel(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ({ x, dy }, attrs) => {
    const { filterShape, strides, dilations, pad, dimRoundingMode } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const g = convGeometry(x!.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
    return depthwiseFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, g, filterShape[3]);
  },
);
