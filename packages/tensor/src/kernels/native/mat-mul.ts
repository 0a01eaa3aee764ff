// BatchMatMul on oneDNN, in place on the wasm heap: transposed operands are read through strides
// (no transpose pass) and a batch of 1 on either side broadcasts.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';
import { nativeOrFallback } from './fallback.js';

const params = new Float64Array(10);

export function nativeBatchMatMulConfig(addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(tf.BatchMatMul, (args) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const sameBatch = tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (!sameBatch && batchA !== 1 && batchB !== 1) return undefined;
    const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
    const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
    const m = transposeA ? colsA : rowsA;
    const k = transposeA ? rowsA : colsA;
    const n = transposeB ? rowsB : colsB;
    if ((transposeB ? colsB : rowsB) !== k || m * k * n === 0) return undefined;
    const batchShape = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const backend = args.backend as unknown as WasmHeapBackend;
    const c = backend.makeOutput([...batchShape, m, n], 'float32');
    return {
      output: c,
      run: () => {
        params.set([
          heapOffset(backend, a),
          heapOffset(backend, b),
          heapOffset(backend, c),
          batchA,
          batchB,
          m,
          k,
          n,
          transposeA ? 1 : 0,
          transposeB ? 1 : 0,
        ]);
        return addon.matMul(backend.wasm.HEAPU8, params);
      },
    };
  });
}
