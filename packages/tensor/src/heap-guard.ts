// The wasm backend's heap is one wasm32 linear memory: at most 4 GiB, whatever the machine has.
// tfjs-backend-wasm 4.22 declares that maximum (65536 pages of 64 KiB; 4 GiB − 64 KiB usable without
// threads), and when an allocation does not fit, its C++ side aborts the whole module (`Aborted()`).
// The guard sits in front of the backend's tensor allocations: an allocation that would not fit
// becomes a user error saying what was needed, the limit and what to do, before the abort. It also
// keeps high-water marks (heap size, live tensor bytes) for `ugp train --smoke`'s memory report.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';

/** The most a wasm32 heap can address (tfjs-backend-wasm's declared maximum memory). */
export const WASM_HEAP_MAX_BYTES = 4 * 1024 ** 3;

const GiB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(2)} GiB`;

/** What to do when a step does not fit the wasm heap. */
export const HEAP_ADVICE =
  'use a smaller batch (--set data.batch_size=N) or image size, or a backend without this limit (--backend node or node-gpu; see ugp doctor)';

/** A tensor allocation that does not fit the wasm heap. */
export class WasmHeapError extends UserError {
  constructor(
    readonly requestedBytes: number,
    readonly heapBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `the wasm heap is full: this needs more than ${gib(heapBytes + requestedBytes)} (${(requestedBytes / 1024 ** 2).toFixed(requestedBytes < 10 * 1024 ** 2 ? 1 : 0)} MB more on a heap of ${gib(heapBytes)}), over the wasm backend's limit of ${gib(limitBytes)}; ${HEAP_ADVICE}`,
    );
  }
}

interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

interface HeapState {
  limitBytes: number;
  /** Current heap size (bytes of linear memory). */
  heapBytes(): number;
  peakHeapBytes: number;
  peakTensorBytes: number;
  /** heapAbortMessage, for readers that do not import this module. */
  describeAbort(err: unknown): string | undefined;
}

// Shared through the global symbol registry so that `ugp`'s failure report can read it without
// importing tfjs (and a second copy of this module sees the same guard).
const STATE = Symbol.for('@ugpnet/tensor.wasmHeap');
type Global = typeof globalThis & { [STATE]?: HeapState };

/** The heap limit: UGP_WASM_HEAP_LIMIT_MB (to check a configuration against a smaller machine), else 4 GiB. */
export function wasmHeapLimit(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.UGP_WASM_HEAP_LIMIT_MB);
  if (env.UGP_WASM_HEAP_LIMIT_MB === undefined || env.UGP_WASM_HEAP_LIMIT_MB === '')
    return WASM_HEAP_MAX_BYTES;
  if (!Number.isFinite(mb) || mb <= 0)
    throw new UserError(`UGP_WASM_HEAP_LIMIT_MB=${env.UGP_WASM_HEAP_LIMIT_MB}: expected a number of MB > 0`);
  return Math.min(WASM_HEAP_MAX_BYTES, mb * 1024 ** 2);
}

/** Puts the guard in front of the active wasm backend's allocations (once). */
export function guardWasmHeap(limitBytes: number = wasmHeapLimit()): void {
  const backend = tf.backend() as unknown as { wasm?: WasmModule };
  const wasm = backend.wasm;
  if (!wasm || (globalThis as Global)[STATE]) return;
  const state: HeapState = {
    limitBytes,
    heapBytes: () => wasm.HEAPU8.length,
    peakHeapBytes: wasm.HEAPU8.length,
    peakTensorBytes: 0,
    describeAbort: (err) => heapAbortMessage(err),
  };
  // Emscripten's `_malloc` replaces itself with the real export on its first call: make that call
  // now, or it would replace this wrapper.
  wasm._free(wasm._malloc(8));
  const malloc = wasm._malloc;
  wasm._malloc = (bytes: number) => {
    const before = wasm.HEAPU8.length;
    const ptr = malloc(bytes) >>> 0;
    if (bytes > 0 && (ptr === 0 || ptr + bytes > limitBytes)) {
      if (ptr !== 0) wasm._free(ptr);
      throw new WasmHeapError(bytes, before, limitBytes);
    }
    state.peakHeapBytes = Math.max(state.peakHeapBytes, wasm.HEAPU8.length);
    state.peakTensorBytes = Math.max(state.peakTensorBytes, tf.memory().numBytes + bytes);
    return ptr;
  };
  (globalThis as Global)[STATE] = state;
}

export interface HeapUse {
  limitBytes: number;
  heapBytes: number;
  peakHeapBytes: number;
  /** Most bytes of live tensors at once since the last reset. */
  peakTensorBytes: number;
}

/** The guarded wasm heap's size and high-water marks; undefined on other backends. */
export function wasmHeapUse(): HeapUse | undefined {
  const state = (globalThis as Global)[STATE];
  if (!state) return undefined;
  return {
    limitBytes: state.limitBytes,
    heapBytes: state.heapBytes(),
    peakHeapBytes: state.peakHeapBytes,
    peakTensorBytes: state.peakTensorBytes,
  };
}

/** Starts new high-water marks of live tensor bytes (e.g. per stage). */
export function resetPeakTensorBytes(): void {
  const state = (globalThis as Global)[STATE];
  if (state) state.peakTensorBytes = tf.memory().numBytes;
}

/**
 * The one-line user error for tfjs-wasm's `Aborted()` when the heap is (nearly) full, an allocation
 * inside its C++ code that the guard could not see; undefined for anything else.
 */
export function heapAbortMessage(err: unknown): string | undefined {
  const state = (globalThis as Global)[STATE];
  if (!state || !(err instanceof Error) || !/^Aborted\(/.test(err.message)) return undefined;
  const heap = state.heapBytes();
  if (heap < 0.75 * state.limitBytes) return undefined;
  return `the wasm backend aborted with its heap at ${gib(heap)} of its ${gib(state.limitBytes)} limit (out of memory); ${HEAP_ADVICE}`;
}
