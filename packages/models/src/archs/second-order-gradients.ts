// Gradients tfjs-core does not register but double backprop through the StyleGAN2 discriminator
// needs (the R1 penalty: ∂/∂θ ‖∂D/∂x‖²). The first backward pass of D emits
// DepthwiseConv2dNativeBackpropInput (the blur) and Greater (LeakyRelu's gradient mask); the
// second pass differentiates those. Registered once, globally, when this module loads.
import * as tf from '@tensorflow/tfjs-core';

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let registered = false;

export function registerSecondOrderGradients(): void {
  if (registered) return;
  registered = true;

  // y = depthwise_backprop_input(dy, f) is linear in dy (a transposed depthwise conv): its
  // adjoint is the forward depthwise conv; with respect to f it is the usual filter gradient.
  tf.registerGradient({
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (grad, saved, attrs) => {
      const ddx = grad as tf.Tensor4D;
      const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as ConvAttrs;
      return {
        dy: () => tf.depthwiseConv2d(ddx, filter, a.strides, a.pad, 'NHWC', a.dilations, a.dimRoundingMode),
        filter: () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: ddx, dy }, {
            strides: a.strides,
            pad: a.pad,
            dilations: a.dilations,
            dimRoundingMode: a.dimRoundingMode,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  });

  // Comparisons are piecewise constant: zero gradient almost everywhere (as GreaterEqual in tfjs).
  for (const kernelName of ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual']) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}

registerSecondOrderGradients();
