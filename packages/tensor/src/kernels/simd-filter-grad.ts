// The filter gradients of wasm/filter-grad.wat, run on tfjs-backend-wasm's own heap: the module
// imports the backend's memory, so x, dy and the result are read and written where they lie.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-gradients.js';
import { type FilterGradKernel, FilterGradThreads } from './filter-grad-threads.js';
import type { WasmHeapBackend } from './slice.js';

/** The Emscripten module of the wasm backend: the threaded build exposes its (shared) memory. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

/** Arguments: (x, dy, out, h, w, ci[, co], ho, wo, kh, kw, sh, sw, dh, dw, pt, pl, row0, row1). */
interface FilterGradExports {
  convFilterGrad(...args: number[]): void;
  depthwiseFilterGrad(...args: number[]): void;
  addInto(dst: number, src: number, count: number): void;
}

interface HeapKernels {
  exports: FilterGradExports;
  /** Helper threads on the shared heap (threaded build with more than one thread). */
  threads?: FilterGradThreads;
}

const instances = new WeakMap<object, HeapKernels>();

/** The binary for the backend's heap: shared memory (threaded build) or plain. */
export function filterGradBinary(shared: boolean): Uint8Array<ArrayBuffer> {
  const name = shared ? 'filter-grad.shared.wasm' : 'filter-grad.wasm';
  // Two levels up from src/kernels or dist/kernels: the package's wasm/ folder.
  return new Uint8Array(readFileSync(new URL(`../../wasm/${name}`, import.meta.url)));
}

function heapMemory(wasm: EmscriptenModule): WebAssembly.Memory {
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!memory) throw new Error('tfjs-backend-wasm: its WebAssembly.Memory is not reachable');
  return memory;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Our kernels instantiated against this backend's heap (once per backend). */
function kernelsFor(backend: WasmHeapBackend): HeapKernels {
  const wasm = backend.wasm as unknown as EmscriptenModule;
  let kernels = instances.get(wasm);
  if (!kernels) {
    const memory = heapMemory(wasm);
    const module = new WebAssembly.Module(filterGradBinary(isShared(memory)));
    const exports = new WebAssembly.Instance(module, { env: { memory } })
      .exports as unknown as FilterGradExports;
    kernels = { exports };
    instances.set(wasm, kernels);
  }
  return kernels;
}

/**
 * Gives the filter gradients `threads` threads in all (the caller's and threads − 1 helpers) when
 * the backend's heap is shared; otherwise they stay on the calling thread. Call once the wasm
 * backend is set. Returns the number of threads they will use.
 */
export async function startFilterGradThreads(backend: WasmHeapBackend, threads: number): Promise<number> {
  const kernels = kernelsFor(backend);
  const memory = heapMemory(backend.wasm as unknown as EmscriptenModule);
  if (kernels.threads) return kernels.threads.helpers + 1;
  if (threads <= 1 || !isShared(memory)) return 1;
  const module = new WebAssembly.Module(filterGradBinary(true));
  kernels.threads = await FilterGradThreads.start(module, memory, threads - 1);
  return threads;
}

function offsetOf(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A zeroed float32 output on the heap. */
function zeroedOutput(backend: WasmHeapBackend, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const start = offsetOf(backend, out) / 4;
  new Float32Array(backend.wasm.HEAPU8.buffer).fill(0, start, start + tf.util.sizeFromShape(shape));
  return out;
}

/** Below this many multiply-adds, waking the helpers costs more than it saves. */
const THREADED_MIN_MACS = 1 << 20;

/**
 * Runs one gradient over all output rows: the calling thread takes the first range into `out`,
 * each helper the next ones into a zeroed partial filter, then the partials are added to `out`.
 */
function runRows(
  backend: WasmHeapBackend,
  kernel: FilterGradKernel,
  inputs: [x: number, dy: number],
  shape: number[],
  sizes: number[],
  rows: number,
  macs: number,
): tf.TensorInfo {
  const { exports, threads } = kernelsFor(backend);
  const run = kernel === 0 ? exports.convFilterGrad : exports.depthwiseFilterGrad;
  const out = zeroedOutput(backend, shape);
  const outAt = offsetOf(backend, out);
  const parts = threads && macs >= THREADED_MIN_MACS ? Math.min(threads.helpers + 1, rows) : 1;
  if (parts === 1) {
    run(...inputs, outAt, ...sizes, 0, rows);
    return out;
  }
  const size = tf.util.sizeFromShape(shape);
  const partials = zeroedOutput(backend, [parts - 1, size]);
  const partialsAt = offsetOf(backend, partials);
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

function geometryArgs(g: ConvGeometry): number[] {
  return [
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
  ];
}

/** dW [kh, kw, C, K] of a dense NHWC conv whose output channels K are a multiple of 4. */
export function convFilterGradSimd(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const k = dy.shape[3]!;
  const sizes = [g.inHeight, g.inWidth, g.inChannels, k, g.outHeight, g.outWidth, ...geometryArgs(g)];
  const macs = tf.util.sizeFromShape(dy.shape) * g.filterHeight * g.filterWidth * g.inChannels;
  const shape = [g.filterHeight, g.filterWidth, g.inChannels, k];
  const inputs: [number, number] = [offsetOf(backend, x), offsetOf(backend, dy)];
  return runRows(backend, 0, inputs, shape, sizes, g.batch * g.outHeight, macs);
}

/** dW [kh, kw, C, 1] of a depthwise NHWC conv with channel multiplier 1. */
export function depthwiseFilterGradSimd(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const sizes = [g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, ...geometryArgs(g)];
  const macs = tf.util.sizeFromShape(dy.shape) * g.filterHeight * g.filterWidth;
  const shape = [g.filterHeight, g.filterWidth, g.inChannels, 1];
  const inputs: [number, number] = [offsetOf(backend, x), offsetOf(backend, dy)];
  return runRows(backend, 1, inputs, shape, sizes, g.batch * g.outHeight, macs);
}
