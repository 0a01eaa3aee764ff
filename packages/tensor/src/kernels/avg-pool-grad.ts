// AvgPoolGrad on wasm for non-overlapping windows (UGPNet's 2×2 average pools): dx is dy/(k·k)
// repeated over each window, one broadcast multiply. wasm's kernel loops per element (~25× the
// forward pool); other geometries keep it.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

export function avgPoolGradConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.AvgPoolGrad, 'wasm');
  const tiled = opsKernelFunc(({ dy, input }, attrs) => {
    const { filterSize } = attrs as unknown as tf.AvgPoolGradAttrs;
    const [kh, kw] = pair(filterSize);
    const [n, h, w, c] = input!.shape as [number, number, number, number];
    const [, ho, wo] = dy!.shape as [number, number, number, number];
    const spread = tf.mul(
      tf.reshape(dy!, [n, ho, 1, wo, 1, c]),
      tf.fill([1, 1, kh, 1, kw, 1], 1 / (kh * kw)),
    );
    const dx = tf.reshape(spread, [n, ho * kh, wo * kw, c]);
    // Rows and columns the 'valid' windows never reached get no gradient.
    return ho * kh === h && wo * kw === w
      ? dx
      : tf.pad(dx, [
          [0, 0],
          [0, h - ho * kh],
          [0, w - wo * kw],
          [0, 0],
        ]);
  });
  return {
    kernelName: tf.AvgPoolGrad,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
      const input = args.inputs.input as tf.TensorInfo;
      const info = tf.backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
      );
      const disjoint =
        info.strideHeight === info.filterHeight &&
        info.strideWidth === info.filterWidth &&
        info.padInfo.top === 0 &&
        info.padInfo.left === 0 &&
        info.outHeight * info.strideHeight <= info.inHeight &&
        info.outWidth * info.strideWidth <= info.inWidth;
      return disjoint ? tiled(args) : fallback!.kernelFunc(args);
    },
  };
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
