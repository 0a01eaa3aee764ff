// The first and the second 3×3 convolution on the running backend: the first includes the
// backend's one-time work (on a GPU: cuDNN set-up and any JIT compilation from PTX), the second is
// the steady state. Plus the memory the backend reports.
import * as tf from '@tensorflow/tfjs-core';

export interface ConvTiming {
  backend: string;
  /** NHWC input and HWIO filter of the timed convolution. */
  input: number[];
  filter: number[];
  firstMs: number;
  secondMs: number;
  /** tf.memory() after the two convolutions (tensors kept by this process). */
  tensorBytes: number;
  numTensors: number;
  /** The wasm heap's current size (wasm backend only). */
  wasmHeapBytes?: number;
  /** tf.memory().unreliable / reasons, as the backend says. */
  note?: string;
}

async function timeOnce(x: tf.Tensor4D, w: tf.Tensor4D): Promise<number> {
  const t0 = performance.now();
  const y = tf.conv2d(x, w, 1, 'same');
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

export async function timeConvolutions(): Promise<ConvTiming> {
  const input: [number, number, number, number] = [4, 64, 64, 32];
  const filter: [number, number, number, number] = [3, 3, 32, 32];
  const x = tf.randomUniform(input, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(filter, -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  try {
    const firstMs = await timeOnce(x, w);
    const secondMs = await timeOnce(x, w);
    const memory = tf.memory() as tf.MemoryInfo & { unreliable?: boolean; reasons?: string[] };
    const backend = tf.getBackend();
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
    return {
      backend,
      input,
      filter,
      firstMs,
      secondMs,
      tensorBytes: memory.numBytes,
      numTensors: memory.numTensors,
      ...(heap ? { wasmHeapBytes: heap.buffer.byteLength } : {}),
      ...(memory.unreliable ? { note: (memory.reasons ?? []).join('; ') } : {}),
    };
  } finally {
    tf.dispose([x, w]);
  }
}
