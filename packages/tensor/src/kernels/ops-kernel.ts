// Builds a wasm kernel out of tfjs ops. The ops run on the active (wasm) backend through the engine,
// so every step is one of wasm's own XNNPACK-backed kernels; no data leaves the wasm heap.
import * as tf from '@tensorflow/tfjs-core';

type Attrs = tf.NamedAttrMap;
type Inputs = Record<string, tf.Tensor>;

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * Wraps `compute` (pure tensor math on its named inputs) as a kernel function. Inside a kernel the
 * tape is off, so the inner ops are not recorded; the inputs are borrowed (their data is ref-counted,
 * not copied) and the result's data is handed to the engine's output tensor.
 */
export function opsKernelFunc(compute: (inputs: Inputs, attrs: Attrs) => tf.Tensor): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const engine = tf.engine();
    const owner = backend as unknown as RefCountingBackend;
    const borrowed: Inputs = {};
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      owner.incRef(info.dataId);
      borrowed[name] = engine.makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
    }
    try {
      const out = tf.tidy(() => compute(borrowed, attrs ?? {}));
      // The engine wraps the returned info in a fresh tensor without taking a reference; keep one.
      owner.incRef(out.dataId);
      out.dispose();
      return { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    } finally {
      for (const t of Object.values(borrowed)) t.dispose();
    }
  };
}

/** Kernel config for the wasm backend built from tfjs ops. */
export function wasmOpsKernel(
  kernelName: string,
  compute: (inputs: Inputs, attrs: Attrs) => tf.Tensor,
): tf.KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: opsKernelFunc(compute) };
}

/** Replaces (or adds) a kernel on a backend; tfjs would warn about a duplicate registration. */
export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}
