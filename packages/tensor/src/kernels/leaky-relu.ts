// LeakyRelu on wasm as max(x, αx) (two XNNPACK elementwise ops); wasm's scalar kernel is ~8× slower.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

export function leakyReluConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.LeakyRelu, 'wasm');
  const fast = opsKernelFunc(({ x }, attrs) => {
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    return tf.maximum(x!, tf.mul(x!, alpha));
  });
  return {
    kernelName: tf.LeakyRelu,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs;
      const x = args.inputs.x as tf.TensorInfo;
      // max(x, αx) is leakyRelu only for 0 ≤ α ≤ 1.
      return x.dtype === 'float32' && alpha >= 0 && alpha <= 1 ? fast(args) : fallback!.kernelFunc(args);
    },
  };
}
