// Slice on wasm without the full copy: tfjs-backend-wasm's Slice first copies the whole input out
// of the wasm heap (readSync) and then picks rows from the copy, so every slice costs a fresh
// allocation of the input's size (the pad gradient and every crop pay it). This one moves only the
// selected runs, inside the heap (heap-copy.ts).
import * as tf from '@tensorflow/tfjs-core';
import { copyBoxOnHeap } from './heap-copy.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

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
