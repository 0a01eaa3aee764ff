// DepthwiseConv2dNativeBackpropInput on wasm (missing there): depthwise correlations of dy with the
// flipped filter (NAFNet's depthwise 3×3 needs it).
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, depthwiseInputGrad } from './conv-gradients.js';
import { wasmOpsKernel } from './ops-kernel.js';

export const depthwiseConv2dBackpropInputConfig = wasmOpsKernel(
  tf.DepthwiseConv2dNativeBackpropInput,
  ({ dy, filter }, attrs) => {
    const { inputShape, strides, dilations, pad, dimRoundingMode } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const g = convGeometry(inputShape, filter!.shape, strides, dilations, pad, dimRoundingMode, true);
    return depthwiseInputGrad(dy as tf.Tensor4D, filter as tf.Tensor4D, g);
  },
);
