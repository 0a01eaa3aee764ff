// The filter gradients of wasm/filter-grad.wat, run on tfjs-backend-wasm's own heap: the module
// imports the backend's memory, so x, dy and the result are read and written where they lie.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-gradients.js';
import type { WasmHeapBackend } from './slice.js';

/** The Emscripten module of the wasm backend: the threaded build exposes its (shared) memory. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

type FilterGradExport = (
  x: number,
  dy: number,
  out: number,
  h: number,
  w: number,
  ci: number,
  co: number,
  ho: number,
  wo: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  dh: number,
  dw: number,
  pt: number,
  pl: number,
  row0: number,
  row1: number,
) => void;

interface FilterGradExports {
  convFilterGrad: FilterGradExport;
  /** Takes c once: (x, dy, out, h, w, c, ho, wo, …). */
  depthwiseFilterGrad: (...args: number[]) => void;
  addInto(dst: number, src: number, count: number): void;
}

const instances = new WeakMap<object, FilterGradExports>();

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

/** Our kernels instantiated against this backend's heap (once per backend). */
function kernelsFor(backend: WasmHeapBackend): FilterGradExports {
  const wasm = backend.wasm as unknown as EmscriptenModule;
  let kernels = instances.get(wasm);
  if (!kernels) {
    const memory = heapMemory(wasm);
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(filterGradBinary(shared));
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as FilterGradExports;
    instances.set(wasm, kernels);
  }
  return kernels;
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
  const outChannels = dy.shape[3]!;
  const out = zeroedOutput(backend, [g.filterHeight, g.filterWidth, g.inChannels, outChannels]);
  const rows = g.batch * g.outHeight;
  kernelsFor(backend).convFilterGrad(
    offsetOf(backend, x),
    offsetOf(backend, dy),
    offsetOf(backend, out),
    g.inHeight,
    g.inWidth,
    g.inChannels,
    outChannels,
    g.outHeight,
    g.outWidth,
    ...(geometryArgs(g) as [number, number, number, number, number, number, number, number]),
    0,
    rows,
  );
  return out;
}

/** dW [kh, kw, C, 1] of a depthwise NHWC conv with channel multiplier 1. */
export function depthwiseFilterGradSimd(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const out = zeroedOutput(backend, [g.filterHeight, g.filterWidth, g.inChannels, 1]);
  const rows = g.batch * g.outHeight;
  kernelsFor(backend).depthwiseFilterGrad(
    offsetOf(backend, x),
    offsetOf(backend, dy),
    offsetOf(backend, out),
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    ...geometryArgs(g),
    0,
    rows,
  );
  return out;
}
