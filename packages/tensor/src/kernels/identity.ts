// Identity on wasm without a copy: the output shares the input's data, counted by the backend's
// reference count as Reshape does (tfjs' cpu backend does the same). wasm's own Identity copies the
// tensor, and gradients pass hundreds of activations through it per training step. Sharing is safe
// because tensors are immutable: Variable.assign swaps the data it points at rather than writing.
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

export function identityConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Identity, 'wasm');
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return fallback!.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
