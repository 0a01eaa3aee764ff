// SplitV on wasm: each piece is a box copied inside the heap (heap-copy.ts). tfjs-backend-wasm's
// SplitV calls its own Slice, which first copies the whole input out of the heap for every piece.
// NAFNet's SimpleGate splits every pixel's channels in two.
import * as tf from '@tensorflow/tfjs-core';
import { copyBoxOnHeap } from './heap-copy.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

export function splitVConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.SplitV, 'wasm');
  return {
    kernelName: tf.SplitV,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string' || x.dtype === 'complex64') return fallback!.kernelFunc(args);
      const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
      const splitAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, splitAxis);
      const backend = args.backend as unknown as WasmHeapBackend;
      const start = x.shape.map(() => 0);
      return sizes.map((size) => {
        const extent = [...x.shape];
        extent[splitAxis] = size;
        const out = backend.makeOutput(extent, x.dtype);
        if (size > 0) copyBoxOnHeap(backend, x, start, extent, heapOffset(backend, out));
        start[splitAxis]! += size;
        return out;
      });
    },
  };
}
