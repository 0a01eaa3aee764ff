// Data movement inside the wasm heap: boxes of a row-major tensor copied as strided runs by the
// SIMD module's copyRuns, so a slice of short runs (e.g. half the channels of every pixel) costs
// one call instead of one JavaScript copy per run.
import * as tf from '@tensorflow/tfjs-core';
import { simdKernels } from './simd-module.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

/** Bytes per element of the dtypes that live on the heap. */
export function elementBytes(dtype: tf.DataType): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    default:
      throw new Error(`wasm heap copy: unsupported dtype ${dtype}`);
  }
}

/** One axis of a copy: how many steps, and the bytes each step advances in source and destination. */
interface Axis {
  count: number;
  srcStride: number;
  dstStride: number;
}

/**
 * Copies the box [start, start + extent) of `x` into `dst` (a byte offset), densely: trailing axes
 * taken whole become one run, whole axes merge with the axis before them, the innermost remaining
 * axis runs in wasm and the rest are counted here.
 */
export function copyBoxOnHeap(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  start: number[],
  extent: number[],
  dst: number,
): void {
  const bytes = elementBytes(x.dtype);
  const rank = x.shape.length;
  const strides = [...tf.util.computeStrides(x.shape), 1].map((s) => s * bytes);
  let inner = rank;
  let run = bytes;
  while (inner > 0) {
    run *= extent[inner - 1]!;
    inner--;
    if (extent[inner] !== x.shape[inner]) break;
  }
  let src = heapOffset(backend, x) + start.reduce((acc, s, i) => acc + s * strides[i]!, 0);
  const axes: Axis[] = [];
  let dstStride = run;
  for (let i = inner - 1; i >= 0; i--) {
    const axis = { count: extent[i]!, srcStride: strides[i]!, dstStride };
    const last = axes[axes.length - 1];
    if (last && last.srcStride * last.count === axis.srcStride) last.count *= axis.count;
    else axes.push(axis);
    dstStride *= extent[i]!;
  }
  const copyRuns = simdKernels(backend).exports.copyRuns;
  const [innermost, ...outer] = axes.length ? axes : [{ count: 1, srcStride: 0, dstStride: 0 }];
  const index = new Array<number>(outer.length).fill(0);
  const total = outer.reduce((n, a) => n * a.count, 1);
  for (let r = 0; r < total; r++) {
    copyRuns(src, innermost!.srcStride, dst, innermost!.dstStride, run, innermost!.count);
    dst += innermost!.count * run;
    for (let i = 0; i < outer.length; i++) {
      src += outer[i]!.srcStride;
      if (++index[i]! < outer[i]!.count) break;
      src -= outer[i]!.count * outer[i]!.srcStride;
      index[i] = 0;
    }
  }
}
