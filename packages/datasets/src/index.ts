// @ugpnet/datasets: everything between image files on disk and (lq, gt) batches on the
// tensor backend — sources, degradations, augmentation and the prefetching loader.
export { type BadFile, BadFileLog, BadImageError } from './bad-files.js';
export { benchData, type BenchDataOptions } from './bench-data.js';
export { type DecodeOptions, decodeImage, encodePng } from './decode.js';
export {
  type AffineParams,
  AUGMENTATION_DEFAULTS,
  type AugmentationOptions,
  affineTransform,
  PairAugmentation,
} from './degradations/augmentation.js';
export type { ValueOrRange } from './degradations/degradation.js';
export { convolveRgb } from './degradations/fft-convolve.js';
export { imresize, resizeWeights } from './degradations/imresize.js';
export {
  createDegradation,
  type Degradation,
  type DegradationEntry,
  type DegradationSpec,
  degradations,
  NoDegradation,
} from './degradations/index.js';
export { MotionBlur, type MotionBlurOptions } from './degradations/motion-blur.js';
export { defaultDataDir, KernelBank, type KernelBankOptions } from './degradations/motion-kernels.js';
export { NOISE_DEFAULTS, type NoiseOptions, PoissonGaussianNoise } from './degradations/noise.js';
export { BicubicDownsample, type BicubicDownsampleOptions } from './degradations/sr-bicubic.js';
export { clipAndQuantise, createImage, fromUint8, type RgbImage, toUint8 } from './image.js';
export { type Batch, DataLoader, type DataLoaderOptions } from './loader/data-loader.js';
export { SampleOrder } from './loader/order.js';
export { type HostBatch, type PipelineSpec, type Sample, SamplePipeline } from './loader/pipeline.js';
export { openSource, resolveDataset, type SourceEntry, sources } from './sources/index.js';
export { type LmdbEntry, LmdbReader } from './sources/lmdb-reader.js';
export { writeLmdb } from './sources/lmdb-writer.js';
export { renderChurch } from './sources/procedural-churches.js';
export { renderPortrait } from './sources/procedural-portraits.js';
export {
  type PreviewOptions,
  previewSheet,
  type SynthOptions,
  type SynthResult,
  synthesizePairs,
} from './synth.js';
export type { ImageSource, SourceItem, SourceSpec, Split } from './sources/source.js';
