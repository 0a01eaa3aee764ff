// Sum on wasm over leading axes (bias gradients: dy [N, H, W, C] → [C]) as column sums of an
// [M, C] matrix, streamed once by the SIMD kernel of wasm/simd-kernels.wat. wasm's own Sum first
// transposes the reduced axes to the end, then loops.
import * as tf from '@tensorflow/tfjs-core';
import { simdKernels } from './simd-module.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

export function sumConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Sum, 'wasm');
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.every((a, i) => a === i) && axes.length < x.shape.length;
      if (x.dtype !== 'float32' || !leading) return fallback!.kernelFunc(args);
      const backend = args.backend as unknown as WasmHeapBackend;
      const kept = x.shape.slice(axes.length);
      const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
      const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
      simdKernels(backend).exports.sumRows(
        heapOffset(backend, x),
        heapOffset(backend, out),
        rows,
        tf.util.sizeFromShape(kept),
      );
      return out;
    },
  };
}
