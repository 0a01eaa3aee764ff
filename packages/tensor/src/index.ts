export * from './backend.js';
export * from './bench.js';
export * from './errors.js';
export { registerWasmKernels } from './kernels/index.js';
export * from './nn/module.js';
export * from './rng.js';
export { benchKernels } from './bench-kernels.js';
export * from './nn/layers.js';
export * from './nn/adam.js';
