// Gradient and helper kernels that tfjs-backend-wasm lacks (or has only as slow scalar loops), built
// from wasm's own ops. Registered once, before the wasm backend is set.
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { replaceKernel } from './ops-kernel.js';
import { makeSliceConfig } from './slice.js';
import { makeTransposeConfig } from './transpose.js';

let registered = false;

/** Kernel names this module (re)registers on the wasm backend. */
export const WASM_KERNELS = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  depthwiseConv2dBackpropFilterConfig,
]
  .map((k) => k.kernelName)
  .concat(['Slice', 'Transpose']);

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  replaceKernel(conv2dBackpropInputConfig);
  replaceKernel(conv2dBackpropFilterConfig);
  replaceKernel(depthwiseConv2dBackpropInputConfig);
  replaceKernel(depthwiseConv2dBackpropFilterConfig);
  replaceKernel(makeSliceConfig());
  replaceKernel(makeTransposeConfig());
}
