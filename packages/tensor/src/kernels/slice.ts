// Slice on wasm without the full copy: tfjs-backend-wasm's Slice first copies the whole input out
// of the wasm heap (readSync) and then picks rows from the copy, so every slice costs a fresh
// allocation of the input's size (the pad gradient and every crop pay it). This one moves only the
// selected runs, inside the heap (heap-copy.ts).
import * as tf from '@tensorflow/tfjs-core';
import { copyBoxOnHeap } from './heap-copy.js';
import { heapOffset } from './simd-module.js';

export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** A view of the whole wasm heap with `t`'s element size, and `t`'s first element in it. */
export function heapElements(backend: WasmHeapBackend, t: tf.TensorInfo) {
  const buffer = backend.wasm.HEAPU8.buffer;
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
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

const original = () => tf.getKernel(tf.Slice, 'wasm');

export function sliceConfig(): tf.KernelConfig {
  // Strings (not on the heap) keep tfjs' own kernel.
  const fallback = original();
  return {
    kernelName: tf.Slice,
    backendName: 'wasm',
    setupFunc: fallback?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' || x.dtype === 'complex64') return fallback!.kernelFunc(args);
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      const heapBackend = backend as unknown as WasmHeapBackend;
      const out = heapBackend.makeOutput(extent, x.dtype);
      if (tf.util.sizeFromShape(extent) === 0) return out;
      copyBoxOnHeap(heapBackend, x, start, extent, heapOffset(heapBackend, out));
      return out;
    },
  };
}
