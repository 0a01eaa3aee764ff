// DepthwiseConv2dNativeBackpropFilter on wasm (missing there): the SIMD row kernel of
// wasm/simd-kernels.wat for channel multiplier 1 (NAFNet's depthwise 3×3), else per-tap products
// reduced by pooling.
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, depthwiseFilterGrad } from './conv-gradients.js';
import { opsKernelFunc } from './ops-kernel.js';
import { depthwiseFilterGradSimd } from './simd-filter-grad.js';
import type { WasmHeapBackend } from './wasm-heap.js';

function geometry(x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined) {
  const { filterShape, strides, dilations, pad, dimRoundingMode } =
    attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
}

const byProducts = opsKernelFunc(({ x, dy }, attrs) => {
  const { filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return depthwiseFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, geometry(x!, attrs), filterShape[3]);
});

export const depthwiseConv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { filterShape } = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    if (x.dtype === 'float32' && dy.dtype === 'float32' && filterShape[3] === 1) {
      return depthwiseFilterGradSimd(
        args.backend as unknown as WasmHeapBackend,
        x,
        dy,
        geometry(x, args.attrs),
      );
    }
    return byProducts(args);
  },
};
