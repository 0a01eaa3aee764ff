// Convolution filter gradients with the SIMD row kernels of wasm/simd-kernels.wat, split over
// output rows across the calling thread and the helper threads.
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, filterWindowArgs } from './conv-gradients.js';
import { simdKernels } from './simd-module.js';
import type { ThreadedExport } from './simd-threads.js';
import { heapOffset, type WasmHeapBackend, zeroedOutput } from './wasm-heap.js';

/** Below this many multiply-adds, waking the helpers costs more than it saves. */
const THREADED_MIN_MACS = 1 << 20;

/**
 * Runs one gradient over all output rows: the calling thread takes the first range into `out`,
 * each helper the next ones into a zeroed partial filter, then the partials are added to `out`.
 */
function runRows(
  backend: WasmHeapBackend,
  kernel: ThreadedExport,
  inputs: [x: number, dy: number],
  shape: number[],
  sizes: number[],
  rows: number,
  macs: number,
): tf.TensorInfo {
  const { exports, threads } = simdKernels(backend);
  const run = (...args: number[]) => exports[kernel](...args);
  const out = zeroedOutput(backend, shape);
  const outAt = heapOffset(backend, out);
  const parts = threads && macs >= THREADED_MIN_MACS ? Math.min(threads.helpers + 1, rows) : 1;
  if (parts === 1) {
    run(...inputs, outAt, ...sizes, 0, rows);
    return out;
  }
  const size = tf.util.sizeFromShape(shape);
  const partials = zeroedOutput(backend, [parts - 1, size]);
  const partialsAt = heapOffset(backend, partials);
  const bound = (part: number) => Math.round((rows * part) / parts);
  const helperArgs = Array.from({ length: parts - 1 }, (_, i) => [
    ...inputs,
    partialsAt + 4 * size * i,
    ...sizes,
    bound(i + 1),
    bound(i + 2),
  ]);
  threads!.run(kernel, helperArgs, () => run(...inputs, outAt, ...sizes, 0, bound(1)));
  for (let i = 0; i < parts - 1; i++) exports.addInto(outAt, partialsAt + 4 * size * i, size);
  backend.disposeData(partials.dataId);
  return out;
}

/** dW [kh, kw, C, K] of a dense NHWC conv whose output channels K are a multiple of 4. */
export function convFilterGradSimd(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const k = dy.shape[3]!;
  const sizes = [g.inHeight, g.inWidth, g.inChannels, k, g.outHeight, g.outWidth, ...filterWindowArgs(g)];
  const macs = tf.util.sizeFromShape(dy.shape) * g.filterHeight * g.filterWidth * g.inChannels;
  const shape = [g.filterHeight, g.filterWidth, g.inChannels, k];
  const inputs: [number, number] = [heapOffset(backend, x), heapOffset(backend, dy)];
  return runRows(backend, 'convFilterGrad', inputs, shape, sizes, g.batch * g.outHeight, macs);
}

/** dW [kh, kw, C, 1] of a depthwise NHWC conv with channel multiplier 1. */
export function depthwiseFilterGradSimd(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const sizes = [g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, ...filterWindowArgs(g)];
  const macs = tf.util.sizeFromShape(dy.shape) * g.filterHeight * g.filterWidth;
  const shape = [g.filterHeight, g.filterWidth, g.inChannels, 1];
  const inputs: [number, number] = [heapOffset(backend, x), heapOffset(backend, dy)];
  return runRows(backend, 'depthwiseFilterGrad', inputs, shape, sizes, g.batch * g.outHeight, macs);
}
