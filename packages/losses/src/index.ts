export { type BenchLossesOptions, benchLosses } from './bench-losses.js';
export {
  type LazyR1Options,
  lazyR1Loss,
  logisticDLoss,
  nonSaturatingGLoss,
  type R1Result,
  r1Penalty,
  r1PenaltyFromGradient,
} from './adversarial.js';
export {
  type ContextualOptions,
  type ContextualVariant,
  contextualLoss,
  makePatches,
  PatchContextualLoss,
  type PatchContextualOptions,
} from './contextual.js';
export { type DownloadOptions, type DownloadResult, downloadFile, sha256File } from './download.js';
export {
  createLpips,
  createPatchContextualLoss,
  createVgg,
  type FeatureNetOptions,
  lpipsFromStateDicts,
} from './feature-nets.js';
export { l1Loss } from './l1.js';
export {
  Lpips,
  LpipsHeads,
  type LpipsKind,
  type LpipsLossOptions,
  type LpipsResult,
  LPIPS_TAPS,
  lpipsLoss,
  lpipsMetric,
} from './lpips.js';
export { PROXY_SEED, proxyLpipsHeads, proxyVgg } from './proxy.js';
export { type PsnrLossOptions, psnrLoss, toY } from './psnr-loss.js';
export { bicubicMatrix, resizeBicubic } from './resize-bicubic.js';
export {
  freeze,
  IMAGENET_MEAN,
  IMAGENET_STD,
  imagenetNormalize,
  Vgg,
  type VggKind,
  type VggOptions,
  vggFeatureStateDict,
  vggFromStateDict,
  vggLayers,
  vggWidths,
} from './vgg.js';
export {
  cachedWeightsPath,
  defaultWeightsDir,
  type FetchOptions,
  type FetchResult,
  fetchWeights,
  hasCachedWeights,
  type ImportResult,
  importWeights,
  loadCachedWeights,
  WEIGHT_NAMES,
  WEIGHT_SOURCES,
  type WeightName,
  type WeightSource,
} from './weights.js';
