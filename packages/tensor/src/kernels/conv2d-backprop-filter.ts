// Conv2DBackpropFilter on wasm (missing there): the SIMD row kernel of wasm/simd-kernels.wat when the
// output channels come in fours, else a convolution with batch and channels swapped.
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFilterGrad, convGeometry, requireNhwc } from './conv-gradients.js';
import { opsKernelFunc } from './ops-kernel.js';
import { convFilterGradSimd } from './simd-filter-grad.js';
import type { WasmHeapBackend } from './wasm-heap.js';

const attrsOf = (attrs: tf.NamedAttrMap | undefined) => attrs as unknown as tf.Conv2DBackpropFilterAttrs;

function geometry(x: tf.TensorInfo, attrs: tf.Conv2DBackpropFilterAttrs) {
  const { filterShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  requireNhwc(tf.Conv2DBackpropFilter, dataFormat);
  return convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
}

const byConvolution = opsKernelFunc(({ x, dy }, attrs) =>
  conv2dFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, geometry(x!, attrsOf(attrs))),
);

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const g = geometry(x, attrsOf(args.attrs));
    if (x.dtype === 'float32' && dy.dtype === 'float32' && dy.shape[3]! % 4 === 0) {
      return convFilterGradSimd(args.backend as unknown as WasmHeapBackend, x, dy, g);
    }
    return byConvolution(args);
  },
};
