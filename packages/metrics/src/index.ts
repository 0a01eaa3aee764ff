export { evaluateFolders, METRIC_NAMES, pairFolders } from './evaluate-folders.js';
export type { EvaluateFoldersOptions, EvaluateResult, MetricName } from './evaluate-folders.js';
export { type Image8, images8ToTensor, tensorToImages8 } from './image.js';
export { psnr, psnrY } from './psnr.js';
export { readImage8 } from './read-image.js';
export { ssim } from './ssim.js';
export { createLpips, type Lpips, lpipsMetric } from '@ugpnet/losses';
