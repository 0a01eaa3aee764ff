// LeakyRelu on oneDNN: one pass over the tensor, in place on the wasm heap (the wasm path makes
// two XNNPACK passes, max(x, αx), and an intermediate tensor).
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from '../wasm-heap.js';
import type { NativeAddon } from './addon.js';
import { nativeOrFallback } from './fallback.js';

const params = new Float64Array(4);

export function nativeLeakyReluConfig(addon: NativeAddon): tf.KernelConfig {
  return nativeOrFallback(tf.LeakyRelu, (args) => {
    const x = args.inputs.x as tf.TensorInfo | undefined;
    const { alpha } = args.attrs as unknown as tf.LeakyReluAttrs;
    if (x?.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return undefined;
    const size = tf.util.sizeFromShape(x.shape);
    const backend = args.backend as unknown as WasmHeapBackend;
    const y = backend.makeOutput([...x.shape], 'float32');
    return {
      output: y,
      run: () => {
        params.set([heapOffset(backend, x), heapOffset(backend, y), size, alpha]);
        return addon.leakyRelu(backend.wasm.HEAPU8, params);
      },
    };
  });
}
