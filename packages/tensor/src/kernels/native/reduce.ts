// Sum and Mean in the addon over one contiguous run of axes, seen as [outer, reduced, inner]: layer
// norms' channel means (inner 1) and bias gradients' sums over N, H, W (outer 1). wasm's Mean
// transposes the reduced axes to the end first. Other axis sets and dtypes go to the wasm kernels.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';
import { nativeOrFallback } from './fallback.js';

export interface ReductionPlan {
  outShape: number[];
  outer: number;
  reduced: number;
  inner: number;
}

/** [outer, reduced, inner] for reducing `axes` of `shape`, or undefined if they are not one run. */
export function reductionPlan(
  shape: readonly number[],
  axis: number | number[],
  keepDims: boolean,
): ReductionPlan | undefined {
  const axes = tf.util.parseAxisParam(axis, [...shape]);
  const reducedAxes = new Set(axes);
  // Size-1 axes walk nothing, so they neither break a run nor count.
  const walked = shape.map((size, d) => (size === 1 ? -1 : d)).filter((d) => d >= 0);
  const positions = walked.flatMap((d, i) => (reducedAxes.has(d) ? [i] : []));
  const first = positions.length > 0 ? positions[0]! : -1;
  const last = positions.length > 0 ? positions[positions.length - 1]! : -1;
  if (first >= 0 && walked.slice(first, last + 1).some((d) => !reducedAxes.has(d))) return undefined;
  const size = (ds: number[]) => ds.reduce((n, d) => n * shape[d]!, 1);
  const plan =
    first < 0
      ? { outer: size(walked), reduced: 1, inner: 1 }
      : {
          outer: size(walked.slice(0, first)),
          reduced: size(walked.slice(first, last + 1)),
          inner: size(walked.slice(last + 1)),
        };
  const outShape = keepDims
    ? shape.map((d, i) => (reducedAxes.has(i) ? 1 : d))
    : shape.filter((_, i) => !reducedAxes.has(i));
  return { ...plan, outShape };
}

const params = new Float64Array(6);

function reductionConfig(kernelName: 'Sum' | 'Mean', addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(kernelName, (args) => {
    const x = args.inputs.x as tf.TensorInfo | undefined;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    if (x?.dtype !== 'float32' || tf.util.sizeFromShape([...x.shape]) === 0) return undefined;
    const plan = reductionPlan(x.shape, axis, keepDims);
    if (!plan) return undefined;
    const backend = args.backend as unknown as WasmHeapBackend;
    const y = backend.makeOutput(plan.outShape, 'float32');
    return {
      output: y,
      run: () => {
        const divisor = kernelName === 'Mean' ? plan.reduced : 1;
        params.set([
          heapOffset(backend, x),
          heapOffset(backend, y),
          plan.outer,
          plan.reduced,
          plan.inner,
          divisor,
        ]);
        addon.reduceSum(backend.wasm.HEAPU8, params);
        return 'ugp:omp';
      },
    };
  });
}

export function nativeReductionConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [reductionConfig('Sum', addon), reductionConfig('Mean', addon)];
}
