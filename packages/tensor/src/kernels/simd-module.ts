// Our WebAssembly SIMD kernels (wasm/simd-kernels.wat), instantiated on tfjs-backend-wasm's own heap:
// the module imports the backend's memory, so tensors are read and written where they lie. With
// the threaded build (a shared heap) helper threads run the same instance's code too.
import { readFileSync } from 'node:fs';
import { SimdThreads } from './simd-threads.js';
import type { WasmHeapBackend } from './wasm-heap.js';

/** The Emscripten module of the wasm backend: the threaded build exposes its (shared) memory. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

/** The exports of wasm/simd-kernels.wat; every pointer is a byte offset into the heap. */
export interface SimdExports {
  /** (x, dy, out, h, w, ci, co, ho, wo, kh, kw, sh, sw, dh, dw, pt, pl, row0, row1) */
  convFilterGrad(...args: number[]): void;
  /** (x, dy, out, h, w, c, ho, wo, kh, kw, sh, sw, dh, dw, pt, pl, row0, row1) */
  depthwiseFilterGrad(...args: number[]): void;
  addInto(dst: number, src: number, count: number): void;
  sumRows(src: number, dst: number, rows: number, cols: number): void;
  copyRuns(
    src: number,
    srcStride: number,
    dst: number,
    dstStride: number,
    runBytes: number,
    count: number,
  ): void;
}

export interface SimdKernels {
  exports: SimdExports;
  /** Helper threads on the shared heap (threaded build with more than one thread). */
  threads?: SimdThreads;
}

const instances = new WeakMap<object, SimdKernels>();

/** The binary for the backend's heap: shared memory (threaded build) or plain. */
export function simdKernelsBinary(shared: boolean): Uint8Array<ArrayBuffer> {
  const name = shared ? 'simd-kernels.shared.wasm' : 'simd-kernels.wasm';
  // Two levels up from src/kernels or dist/kernels: the package's wasm/ folder.
  return new Uint8Array(readFileSync(new URL(`../../wasm/${name}`, import.meta.url)));
}

function heapMemory(backend: WasmHeapBackend): WebAssembly.Memory {
  const wasm = backend.wasm as unknown as EmscriptenModule;
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!memory) throw new Error('tfjs-backend-wasm: its WebAssembly.Memory is not reachable');
  return memory;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Our kernels instantiated against this backend's heap (once per backend). */
export function simdKernels(backend: WasmHeapBackend): SimdKernels {
  let kernels = instances.get(backend.wasm);
  if (!kernels) {
    const memory = heapMemory(backend);
    const module = new WebAssembly.Module(simdKernelsBinary(isShared(memory)));
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports;
    kernels = { exports };
    instances.set(backend.wasm, kernels);
  }
  return kernels;
}

/**
 * Gives the kernels `threads` threads in all (the caller's and threads − 1 helpers) when the
 * backend's heap is shared; otherwise they stay on the calling thread. Call once the wasm backend
 * is set. Returns the number of threads they will use.
 */
export async function startSimdThreads(backend: WasmHeapBackend, threads: number): Promise<number> {
  const kernels = simdKernels(backend);
  const memory = heapMemory(backend);
  if (kernels.threads) return kernels.threads.helpers + 1;
  if (threads <= 1 || !isShared(memory)) return 1;
  const module = new WebAssembly.Module(simdKernelsBinary(true));
  kernels.threads = await SimdThreads.start(module, memory, threads - 1);
  return threads;
}
