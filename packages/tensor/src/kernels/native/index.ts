// oneDNN kernels on the wasm backend (the optional addon in packages/tensor/native). Registered
// after our wasm kernels and before the wasm backend is set, each in front of the kernel it
// replaces, which still serves what the native one does not take.
import * as tf from '@tensorflow/tfjs-core';
import { replaceKernel } from '../ops-kernel.js';
import { ADAM_UPDATE, nativeAdamConfig } from './adam.js';
import { loadNativeAddon, setNativeThreads } from './addon.js';
import { nativeConvConfigs } from './conv.js';
import { NATIVE_BINARY_OPS, NATIVE_UNARY_OPS, nativeElementwiseConfigs } from './elementwise.js';
import { nativeLeakyReluConfig } from './leaky-relu.js';
import { nativeBatchMatMulConfig } from './mat-mul.js';
import { nativeReductionConfigs } from './reduce.js';

export {
  describeNativeKernels,
  NATIVE_ADDON_PATH,
  type NativeKernelStatus,
  nativeKernelStatus,
} from './addon.js';
export { nativeCalls } from './fallback.js';

/** Kernel names the native addon serves on wasm. */
export const NATIVE_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'BatchMatMul',
  'LeakyRelu',
  ...Object.keys(NATIVE_BINARY_OPS),
  ...Object.keys(NATIVE_UNARY_OPS),
  'Sum',
  'Mean',
  ADAM_UPDATE,
];

/**
 * Kernels our code dispatches only where the backend registers them, taking a portable path of
 * standard kernels otherwise (tfjs-node, webgl, cpu).
 */
export const OPTIONAL_KERNELS = [ADAM_UPDATE];

/**
 * Runs `body` with OPTIONAL_KERNELS unregistered on the current backend, so it dispatches what a
 * backend without them would (the GPU-readiness recording of a training step).
 */
export async function withPortableKernels<T>(body: () => Promise<T>): Promise<T> {
  const backend = tf.getBackend();
  const removed = OPTIONAL_KERNELS.map((name) => tf.getKernel(name, backend)).filter(
    (config): config is tf.KernelConfig => config !== undefined,
  );
  for (const config of removed) tf.unregisterKernel(config.kernelName, backend);
  try {
    return await body();
  } finally {
    for (const config of removed) tf.registerKernel(config);
  }
}

let registered = false;

/** Registers the native kernels when the addon loads; returns whether they are in use. */
export function registerNativeKernels(threads: number): boolean {
  const addon = loadNativeAddon();
  if (!addon) return false;
  setNativeThreads(threads);
  if (!registered) {
    registered = true;
    for (const config of [
      ...nativeConvConfigs(addon),
      nativeBatchMatMulConfig(addon),
      nativeLeakyReluConfig(addon),
      ...nativeElementwiseConfigs(addon),
      ...nativeReductionConfigs(addon),
      nativeAdamConfig(addon),
    ])
      if (!(process.env.UGP_NATIVE_SKIP ?? '').split(',').includes(config.kernelName)) replaceKernel(config);
  }
  return true;
}
