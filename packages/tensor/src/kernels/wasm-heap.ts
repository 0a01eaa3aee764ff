// tfjs-backend-wasm's heap as our kernels see it: where a tensor's data lies (a byte offset) and
// how to make an output there. Views are taken after any allocation, which may grow the heap.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs' BackendWasm our kernels use. */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** Where `t`'s data starts, in bytes. */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A view of the whole wasm heap with `t`'s element size, and `t`'s first element in it. */
export function heapElements(backend: WasmHeapBackend, t: tf.TensorInfo) {
  const buffer = backend.wasm.HEAPU8.buffer;
  const offset = heapOffset(backend, t);
  switch (t.dtype) {
    // One 4-byte view type for both keeps the copy loops monomorphic (only bits move).
    case 'float32':
    case 'int32':
      return { heap: new Int32Array(buffer), start: offset / 4 };
    case 'bool':
      return { heap: new Uint8Array(buffer), start: offset };
    default:
      throw new Error(`wasm heap view: unsupported dtype ${t.dtype}`);
  }
}

/** A zeroed float32 output on the heap. */
export function zeroedOutput(backend: WasmHeapBackend, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const start = heapOffset(backend, out) / 4;
  new Float32Array(backend.wasm.HEAPU8.buffer).fill(0, start, start + tf.util.sizeFromShape(shape));
  return out;
}
