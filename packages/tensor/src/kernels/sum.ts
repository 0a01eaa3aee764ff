// Sum on wasm over leading axes (bias gradients: dy [N, H, W, C] → [C]) as ones[1, M] · x[M, C], an
// XNNPACK matrix product. wasm's Sum first transposes the reduced axes to the end, then loops.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

export function sumConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Sum, 'wasm');
  const viaMatMul = opsKernelFunc(({ x }, attrs) => {
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x!.shape);
    const reduced = tf.util.sizeFromShape(axes.map((a) => x!.shape[a]!));
    const kept = x!.shape.slice(axes.length);
    const sums = tf.matMul(tf.ones([1, reduced]), tf.reshape(x!, [reduced, -1]));
    const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    return tf.reshape(sums, shape);
  });
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis } = args.attrs as unknown as tf.SumAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.every((a, i) => a === i) && axes.length < x.shape.length;
      const worth = tf.util.sizeFromShape(x.shape) >= 4096;
      return x.dtype === 'float32' && leading && worth ? viaMatMul(args) : fallback!.kernelFunc(args);
    },
  };
}
