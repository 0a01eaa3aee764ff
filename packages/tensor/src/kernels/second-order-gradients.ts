// The gradient of DepthwiseConv2dNativeBackpropInput, which tfjs-core does not register but double
// backprop through the StyleGAN2 discriminator needs (the R1 penalty ∂/∂θ ‖∂D/∂x‖²): D's first
// backward pass emits it for the blur, the second pass differentiates it. (LeakyRelu's gradient
// mask, the other op of that pass, is covered by the comparison fill-ins in gradients.ts.)
import * as tf from '@tensorflow/tfjs-core';

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// y = depthwise_backprop_input(dy, f) is linear in dy (a transposed depthwise conv): its adjoint is
// the forward depthwise conv; with respect to f it is the usual filter gradient.
export const depthwiseBackpropInputGrad: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (grad, saved, attrs) => {
    const ddx = grad as tf.Tensor4D;
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    return {
      dy: () => tf.depthwiseConv2d(ddx, filter, a.strides, a.pad, 'NHWC', a.dilations, a.dimRoundingMode),
      filter: () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: ddx, dy }, {
          strides: a.strides,
          pad: a.pad,
          dilations: a.dilations,
          dimRoundingMode: a.dimRoundingMode,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  },
};
