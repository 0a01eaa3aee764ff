// A native kernel in front of the kernel registered before it: shapes or dtypes it does not take,
// and any oneDNN failure (reported once per kernel), go to the previous kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from '../wasm-heap.js';

/** What a native kernel will do for one call: its output, and the call that fills it. */
export interface NativePlan {
  output: tf.TensorInfo;
  /** Returns oneDNN's implementation name. */
  run(): string;
}

/** Per kernel name: calls run natively, failed calls, and the implementations oneDNN picked. */
export const nativeCalls = new Map<string, { calls: number; failures: number; impls: Set<string> }>();

function record(kernelName: string) {
  const seen = nativeCalls.get(kernelName) ?? { calls: 0, failures: 0, impls: new Set<string>() };
  nativeCalls.set(kernelName, seen);
  return seen;
}

export function nativeOrFallback(
  kernelName: string,
  plan: (args: Parameters<tf.KernelFunc>[0]) => NativePlan | undefined,
): tf.KernelConfig {
  const previous = tf.getKernel(kernelName, 'wasm');
  if (!previous) throw new Error(`native kernels: no wasm kernel ${kernelName} to fall back to`);
  let warned = false;
  return {
    kernelName,
    backendName: 'wasm',
    setupFunc: previous.setupFunc,
    disposeFunc: previous.disposeFunc,
    kernelFunc: (args) => {
      const native = plan(args);
      if (!native) return previous.kernelFunc(args);
      try {
        const impl = native.run();
        const seen = record(kernelName);
        seen.calls++;
        seen.impls.add(impl);
        return native.output;
      } catch (err) {
        (args.backend as unknown as WasmHeapBackend).disposeData(native.output.dataId);
        record(kernelName).failures++;
        if (!warned) {
          warned = true;
          process.emitWarning(
            `native ${kernelName} failed, using the wasm kernel for such calls: ${err instanceof Error ? err.message : err}`,
          );
        }
        return previous.kernelFunc(args);
      }
    },
  };
}
