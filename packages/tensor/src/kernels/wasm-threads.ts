// Multi-threaded wasm under Node. tfjs-backend-wasm ships a threaded SIMD build (Emscripten
// pthreads on worker_threads) but never uses it in Node, for three reasons this works around
// while the backend initialises:
//  1. its WASM_HAS_MULTITHREAD_SUPPORT flag answers false whenever it runs in Node;
//  2. it starts each pthread worker from a Blob URL, which worker_threads cannot load, so the
//     worker URL is redirected to wasm-pthread-worker.cjs (which also loads the glue from disk);
//  3. its C++ caps the thread pool at emscripten_num_logical_cores() / 2 (it assumes two
//     hyper-threads per core), which Emscripten reads from os.cpus(); on a 2-core machine that
//     leaves one thread, so os.cpus() reports 2 × threads entries until the pool exists.
// Emscripten keeps its workers referenced, which would keep Node alive after the work is done, so
// they are unref'd once the pool is up.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

interface PThreadPool {
  runningWorkers?: Array<{ unref?: () => void }>;
  unusedWorkers?: Array<{ unref?: () => void }>;
}

/** The worker entry file, at the package root (two levels up from src/kernels or dist/kernels). */
export function pthreadWorkerPath(): string {
  return fileURLToPath(new URL('../../wasm-pthread-worker.cjs', import.meta.url));
}

/**
 * Prepares the threaded build for `threads` threads; call before tf.setBackend('wasm') and call
 * the returned function once it has resolved (it undoes the temporary patches).
 */
export function prepareWasmThreads(threads: number): () => void {
  if (threads <= 1) return () => {};
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const workerPath = pthreadWorkerPath();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (object: Blob) =>
    object instanceof Blob && object.type === 'application/javascript' ? workerPath : createObjectURL(object);
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]!);
  };
  return () => {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    const backend = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: PThreadPool } } | null;
    const pool = backend?.wasm?.PThread;
    for (const worker of [...(pool?.runningWorkers ?? []), ...(pool?.unusedWorkers ?? [])]) worker.unref?.();
  };
}
