// torch.optim.Adam's update of one parameter as one native kernel: it replaces thirteen float32
// kernels (and their scalar operands) per parameter per step with one pass, rounding exactly as they
// do (native/src/elementwise.cc). nn/adam.ts calls it when the backend has it.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';

export const ADAM_UPDATE = 'UgpAdamUpdate';

/** The scalars of one step, as Adam computes them (float64 here, rounded to float32 natively). */
export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** sqrt(1 − beta2^t) */
  sqrtBias2: number;
  /** lr / (1 − beta1^t) */
  stepSize: number;
}

const params = new Float64Array(15);

/** Inputs {param, grad, expAvg, expAvgSq}; outputs [param', expAvg', expAvgSq']. */
export function nativeAdamConfig(addon: NativeAddon): tf.KernelConfig {
  return {
    kernelName: ADAM_UPDATE,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { param, grad, expAvg, expAvgSq } = args.inputs as Record<string, tf.TensorInfo>;
      const a = args.attrs as unknown as AdamUpdateAttrs;
      const backend = args.backend as unknown as WasmHeapBackend;
      const count = tf.util.sizeFromShape([...param!.shape]);
      const outputs = [param!, expAvg!, expAvgSq!].map((t) => backend.makeOutput([...t.shape], 'float32'));
      params.set([
        ...[param!, grad!, expAvg!, expAvgSq!, ...outputs].map((t) => heapOffset(backend, t)),
        count,
        a.beta1,
        1 - a.beta1,
        a.beta2,
        1 - a.beta2,
        a.sqrtBias2,
        a.eps,
        a.stepSize,
      ]);
      addon.adam(backend.wasm.HEAPU8, params);
      return outputs;
    },
  };
}
