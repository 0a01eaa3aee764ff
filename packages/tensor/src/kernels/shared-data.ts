// Identity, and Cast to the dtype a tensor already has, on wasm without a copy: the output shares
// the input's data, counted by the backend's reference count as Reshape does (tfjs' cpu backend
// does the same). wasm's own kernels copy the tensor, and gradients pass hundreds of activations
// through them per training step. Sharing is safe because tensors are immutable: Variable.assign
// swaps the data it points at rather than writing into it.
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

function share(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identityConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Identity, 'wasm');
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) =>
      (args.inputs.x as tf.TensorInfo).dtype === 'string' ? fallback!.kernelFunc(args) : share(args),
  };
}

export function castConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.Cast, 'wasm');
  return {
    kernelName: tf.Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { dtype } = args.attrs as unknown as tf.CastAttrs;
      return x.dtype === dtype && dtype !== 'string' ? share(args) : fallback!.kernelFunc(args);
    },
  };
}
