// ResizeNearestNeighborGrad on wasm for integer upscales (RRDBNet's nearest ×2): every input pixel
// owns an f×f block of the output, so its gradient is a sum pool, i.e. f²·avgPool (XNNPACK).
// wasm's own kernel (~20× slower) handles the other cases.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

export function resizeNearestNeighborGradConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.ResizeNearestNeighborGrad, 'wasm');
  const pooled = opsKernelFunc(({ images, dy }) => {
    const f = dy!.shape[1]! / images!.shape[1]!;
    return tf.mul(tf.avgPool(dy as tf.Tensor4D, f, f, 'valid'), f * f);
  });
  return {
    kernelName: tf.ResizeNearestNeighborGrad,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { alignCorners } = args.attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
      const images = args.inputs.images as tf.TensorInfo;
      const dy = args.inputs.dy as tf.TensorInfo;
      const [, h, w] = images.shape;
      const [, oh, ow] = dy.shape;
      const f = oh! / h!;
      const integer = Number.isInteger(f) && f > 1 && ow === w! * f;
      // With align_corners the source index rounds instead of floors; only f = 1 would match.
      return integer && !alignCorners && dy.dtype === 'float32' ? pooled(args) : fallback!.kernelFunc(args);
    },
  };
}
