export * from './backend.js';
export * from './bench.js';
export * from './heap-guard.js';
export { registerWasmKernels } from './kernels/index.js';
export {
  nativeKernelStatus,
  type NativeKernelStatus,
  nativeCalls,
  NATIVE_KERNELS,
  withPortableKernels,
} from './kernels/native/index.js';
export * from './nn/module.js';
export * from './rng.js';
export { benchKernels } from './bench-kernels.js';
export * from './nn/layers.js';
export * from './nn/adam.js';
export { readNpy, writeNpy, decodeNpy, encodeNpy, checkShape, type ReadNpyOptions } from './io/npy.js';
export { nchwToNhwc, nhwcToNchw } from './io/image-layout.js';
export * from './io/pth.js';
export * from './io/safetensors.js';
export {
  kernelCoverage,
  TENSORFLOW_FALLBACK_KERNELS,
  tfjsNodeKernels,
  trainingKernels,
  type KernelCoverage,
} from './doctor/kernel-coverage.js';
export {
  type DoctorOptions,
  type DoctorReport,
  diagnoseGpuPath,
  type Finding,
  formatDoctor,
  formatFinding,
  runDoctor,
} from './doctor/report.js';
