// Elementwise kernels in the addon (native/src/elementwise.cc), in place on the wasm heap and
// threaded: binary ops with broadcasting, and the unary ops a training step runs on whole
// activations. float32 only; other dtypes, and broadcasts that do not fit four merged dimensions,
// go to the wasm kernels.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';
import { nativeOrFallback } from './fallback.js';

/** Kernel name → the op number in elementwise.h. */
export const NATIVE_BINARY_OPS = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
} as const;

export const NATIVE_UNARY_OPS = {
  Square: 0,
  Sqrt: 1,
  Neg: 2,
  Step: 3,
  Rsqrt: 4,
  Exp: 5,
  Abs: 6,
  Reciprocal: 7,
} as const;

/** The implementation name our elementwise calls report. */
const IMPL = 'ugp:omp';

export interface BroadcastPlan {
  outShape: number[];
  /** Output dimensions, size-1 ones dropped and neighbours that walk both operands alike merged. */
  dims: number[];
  /** Element strides per dimension; 0 where the operand broadcasts. */
  aStrides: number[];
  bStrides: number[];
}

function stridesOf(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = shape[d] === 1 && outShape[d] !== 1 ? 0 : stride;
    stride *= shape[d]!;
  }
  return strides;
}

/** How out = a ∘ b walks its operands, in at most `maxRank` dimensions; undefined if more. */
export function broadcastPlan(aShape: number[], bShape: number[], maxRank = 4): BroadcastPlan | undefined {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = outShape.length;
  const pad = (shape: number[]) => [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const aAll = stridesOf(pad(aShape), outShape);
  const bAll = stridesOf(pad(bShape), outShape);
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    // The previous dimension folds into this one when each operand steps over it as one block.
    if (
      last >= 0 &&
      aStrides[last] === aAll[d]! * outShape[d]! &&
      bStrides[last] === bAll[d]! * outShape[d]!
    ) {
      dims[last]! *= outShape[d]!;
      aStrides[last] = aAll[d]!;
      bStrides[last] = bAll[d]!;
      continue;
    }
    dims.push(outShape[d]!);
    aStrides.push(aAll[d]!);
    bStrides.push(bAll[d]!);
  }
  if (dims.length === 0) {
    // Scalars: one element.
    dims.push(1);
    aStrides.push(1);
    bStrides.push(1);
  }
  if (dims.length > maxRank) return undefined;
  return { outShape, dims, aStrides, bStrides };
}

const binaryParams = new Float64Array(17);

function binaryConfig(kernelName: keyof typeof NATIVE_BINARY_OPS, addon: NativeAddon): tf.KernelConfig {
  const op = NATIVE_BINARY_OPS[kernelName];
  return nativeOrFallback(kernelName, (args) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (a?.dtype !== 'float32' || b?.dtype !== 'float32') return undefined;
    const plan = broadcastPlan([...a.shape], [...b.shape]);
    if (!plan || tf.util.sizeFromShape(plan.outShape) === 0) return undefined;
    const backend = args.backend as unknown as WasmHeapBackend;
    const y = backend.makeOutput(plan.outShape, 'float32');
    return {
      output: y,
      run: () => {
        const rank = plan.dims.length;
        binaryParams.fill(0);
        binaryParams.set([op, heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, y), rank]);
        binaryParams.set(plan.dims, 5);
        binaryParams.set(plan.aStrides, 9);
        binaryParams.set(plan.bStrides, 13);
        addon.binary(backend.wasm.HEAPU8, binaryParams);
        return IMPL;
      },
    };
  });
}

const unaryParams = new Float64Array(5);

function unaryConfig(kernelName: keyof typeof NATIVE_UNARY_OPS, addon: NativeAddon): tf.KernelConfig {
  const op = NATIVE_UNARY_OPS[kernelName];
  return nativeOrFallback(kernelName, (args) => {
    const { x } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (x?.dtype !== 'float32') return undefined;
    const count = tf.util.sizeFromShape([...x.shape]);
    if (count === 0) return undefined;
    const alpha = kernelName === 'Step' ? ((args.attrs as unknown as tf.StepAttrs).alpha ?? 0) : 0;
    const backend = args.backend as unknown as WasmHeapBackend;
    const y = backend.makeOutput([...x.shape], 'float32');
    return {
      output: y,
      run: () => {
        unaryParams.set([op, heapOffset(backend, x), heapOffset(backend, y), count, alpha]);
        addon.unary(backend.wasm.HEAPU8, unaryParams);
        return IMPL;
      },
    };
  });
}

export function nativeElementwiseConfigs(addon: NativeAddon): tf.KernelConfig[] {
  return [
    ...Object.keys(NATIVE_BINARY_OPS).map((name) =>
      binaryConfig(name as keyof typeof NATIVE_BINARY_OPS, addon),
    ),
    ...Object.keys(NATIVE_UNARY_OPS).map((name) => unaryConfig(name as keyof typeof NATIVE_UNARY_OPS, addon)),
  ];
}
