// Kernels that tfjs-backend-wasm lacks, or has only as slow scalar loops, built from wasm's own ops
// (XNNPACK convolutions, matrix products, pooling) or as SIMD kernels and run copies inside the wasm
// heap (wasm/simd-kernels.wat); and the gradients tfjs lacks for every backend. Registered once,
// before the wasm backend is set.
import { avgPoolGradConfig } from './avg-pool-grad.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { concatConfig } from './concat.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthToSpaceConfig } from './depth-to-space.js';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { registerGradients } from './gradients.js';
import { leakyReluConfig } from './leaky-relu.js';
import { replaceKernel } from './ops-kernel.js';
import { resizeNearestNeighborGradConfig } from './resize-nearest-neighbor-grad.js';
import { castConfig, identityConfig } from './shared-data.js';
import { sliceConfig } from './slice.js';
import { splitVConfig } from './split-v.js';
import { sumConfig } from './sum.js';
import { transposeConfig } from './transpose.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { registerGradients } from './gradients.js';

/** Each entry builds its config at registration time (some wrap wasm's own kernel as a fallback). */
const KERNELS = [
  () => conv2dBackpropInputConfig,
  () => conv2dBackpropFilterConfig,
  () => depthwiseConv2dBackpropInputConfig,
  () => depthwiseConv2dBackpropFilterConfig,
  () => unsortedSegmentSumConfig,
  () => depthToSpaceConfig,
  avgPoolGradConfig,
  resizeNearestNeighborGradConfig,
  leakyReluConfig,
  sumConfig,
  sliceConfig,
  splitVConfig,
  concatConfig,
  transposeConfig,
  batchMatMulConfig,
  identityConfig,
  castConfig,
];

/** Kernel names (re)registered on the wasm backend. */
export const WASM_KERNELS = [
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'UnsortedSegmentSum',
  'DepthToSpace',
  'AvgPoolGrad',
  'ResizeNearestNeighborGrad',
  'LeakyRelu',
  'Sum',
  'Slice',
  'SplitV',
  'Concat',
  'Transpose',
  'BatchMatMul',
  'Identity',
  'Cast',
];

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerGradients();
  for (const make of KERNELS) replaceKernel(make());
}
