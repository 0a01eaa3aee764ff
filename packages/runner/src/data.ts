// The data a run trains and validates on, built from the experiment's data block:
// a source (procedural portraits/churches, an image folder or an LSUN LMDB), the degradation,
// deterministic batches per iteration (so a resume sees exactly the batches it would have),
// a fixed validation set, and the synthesis-stage pair augmentation.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import {
  BadImageError,
  createDegradation,
  type Degradation,
  type ImageSource,
  openSource,
  PairAugmentation,
  type RgbImage,
  resolveDataset,
  type SourceItem,
  type Split,
} from '@ugpnet/datasets';
import { Rng } from '@ugpnet/tensor';
import type { DataConfig, DegradationConfig, Experiment } from './experiment/schema.js';
import { type SkipHooks, SkippedFiles } from './skipped-files.js';
import type { StageData } from './stages/loop.js';
import type { StageBatch } from './stages/stage.js';
import type { PairAugment } from './stages/synthesis.js';

export interface RunData {
  train: StageData;
  /** Kept tensors; disposed by dispose(). */
  validation: StageBatch[];
  augment: PairAugment;
  /** Unusable files skipped so far (train and validation). */
  skipped: SkippedFiles;
  dispose(): void;
}

/** Our experiment's degradation block → the datasets registry's spec. */
export function degradationSpec(config: DegradationConfig): { type: string; [key: string]: unknown } {
  switch (config.type) {
    case 'noise':
      return { type: 'noise', k: config.k, sigma: config.sigma, quantise: config.quantise };
    case 'blur':
      return {
        type: 'blur',
        count: config.bank_size,
        kernelSize: config.kernel_size,
        seed: config.bank_seed,
      };
    case 'sr8':
      return { type: 'sr8', factor: config.scale };
  }
}

function toBatch(images: RgbImage[]): tf.Tensor4D {
  const { width, height } = images[0]!;
  const size = width * height * 3;
  const data = new Float32Array(images.length * size);
  images.forEach((img, i) => {
    data.set(img.data, i * size);
  });
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

/**
 * Item `index`, or when its file is unusable the next usable one after it (wrapping), so the
 * batch at an iteration stays a pure function of the files: a resume sees the same batches.
 */
async function loadUsable(source: ImageSource, index: number, skipped: SkippedFiles): Promise<SourceItem> {
  const n = source.length;
  for (let attempt = 0; attempt < n; attempt++) {
    const i = (index + attempt) % n;
    const key = source.key(i);
    if (skipped.isBad(key)) continue;
    try {
      const item = await source.load(i);
      skipped.markUsable(key);
      return item;
    } catch (err) {
      if (!(err instanceof BadImageError)) throw err;
      skipped.add({ path: key, reason: err.reason });
    }
  }
  throw new UserError(
    `${source.root}: no usable image (all ${n} files are unusable; ${skipped.list()[0]?.reason})`,
  );
}

/** gt and its lq: the source's own (paired folders) or the degradation applied with the sample's Rng. */
async function samplePair(
  source: ImageSource,
  degradation: Degradation,
  index: number,
  rng: Rng,
  skipped: SkippedFiles,
) {
  const item = await loadUsable(source, index, skipped);
  return { gt: item.gt, lq: item.lq ?? degradation.apply(item.gt, rng) };
}

async function makeBatch(
  source: ImageSource,
  degradation: Degradation,
  indices: number[],
  rngOf: (slot: number) => Rng,
  skipped: SkippedFiles,
): Promise<StageBatch> {
  const pairs = await Promise.all(
    indices.map((index, slot) => samplePair(source, degradation, index, rngOf(slot), skipped)),
  );
  skipped.checkMostlyUsable(source.root, source.length);
  return { gt: toBatch(pairs.map((p) => p.gt)), lq: toBatch(pairs.map((p) => p.lq)) };
}

/**
 * Indices of the batch at `iteration` (1-based): an epoch-wise shuffle drawn from the seed, so
 * the data position is a pure function of the iteration.
 */
export function batchIndices(count: number, batchSize: number, iteration: number, seed: number): number[] {
  const order = new Map<number, number[]>();
  const epochOrder = (epoch: number) => {
    let o = order.get(epoch);
    if (!o) {
      o = new Rng(seed)
        .fork('order')
        .fork(epoch)
        .shuffle(Array.from({ length: count }, (_, i) => i));
      order.set(epoch, o);
    }
    return o;
  };
  const first = (iteration - 1) * batchSize;
  return Array.from({ length: batchSize }, (_, k) => {
    const position = first + k;
    return epochOrder(Math.floor(position / count))[position % count]!;
  });
}

/**
 * A fixed set of batches of `split` whose degradations depend only on the image index: the
 * first `count` usable items (unusable files are skipped, never replaced by a duplicate).
 */
async function fixedBatches(
  experiment: Experiment,
  split: 'val' | 'test',
  count: number,
  skipped: SkippedFiles,
): Promise<StageBatch[]> {
  const data = experiment.data;
  const degradation = await createDegradation(degradationSpec(data.degradation), 'data.degradation');
  const source = await openSplit(experiment, split);
  const batches: StageBatch[] = [];
  let pending: Array<{ gt: RgbImage; lq: RgbImage }> = [];
  const flush = () => {
    if (pending.length === 0) return;
    batches.push({ gt: toBatch(pending.map((p) => p.gt)), lq: toBatch(pending.map((p) => p.lq)) });
    pending = [];
  };
  let usable = 0;
  for (let i = 0; i < source.length && usable < count; i++) {
    const key = source.key(i);
    let item: SourceItem;
    try {
      item = await source.load(i);
    } catch (err) {
      if (!(err instanceof BadImageError)) throw err;
      skipped.add({ path: key, reason: err.reason });
      continue;
    }
    skipped.markUsable(key);
    usable++;
    const rng = new Rng(data.seed).fork(split).fork(i);
    pending.push({ gt: item.gt, lq: item.lq ?? degradation.apply(item.gt, rng) });
    if (pending.length === data.batch_size) flush();
  }
  flush();
  skipped.checkMostlyUsable(source.root, source.length);
  if (usable === 0) {
    throw new UserError(
      `${source.root}: no usable image in the ${split} split (${source.length} files tried)`,
    );
  }
  return batches;
}

/** The held-out test set (data.test_count usable images of the `test` split). */
export function createTestBatches(experiment: Experiment, hooks: SkipHooks = {}): Promise<StageBatch[]> {
  return fixedBatches(experiment, 'test', experiment.data.test_count, new SkippedFiles(hooks));
}

/** Opens one split of the experiment's dataset (a procedural name, an image folder, an LMDB). */
export function openSplit(experiment: Experiment, split: Split): Promise<ImageSource> {
  const data = experiment.data;
  const procedural = !data.dataset.includes('/') && !data.dataset.includes('\\');
  const options: Record<string, unknown> = {
    size: data.size,
    split,
    valSize: data.val_count,
    testSize: data.test_count,
    ...(procedural ? { seed: data.seed, count: data.train_count } : {}),
    ...(data.split_file ? { splitFile: data.split_file } : {}),
  };
  return openSource(resolveDataset(data.dataset, options, 'data.dataset'), 'data.dataset');
}

/** `hooks.onSkip` sees each unusable file once (the run logs it and updates its tag). */
export async function createRunData(experiment: Experiment, hooks: SkipHooks = {}): Promise<RunData> {
  const data: DataConfig = experiment.data;
  const degradation = await createDegradation(degradationSpec(data.degradation), 'data.degradation');
  const train = await openSplit(experiment, 'train');
  const seed = experiment.seed;
  const dataRng = new Rng(seed).fork('degradation');
  const skipped = new SkippedFiles(hooks);
  const validation = await fixedBatches(experiment, 'val', data.val_count, skipped);

  const a = experiment.stages.synthesis.augment;
  const augmentation = new PairAugmentation({
    scale: a.scale,
    translate: [a.translate[0] * 512, a.translate[1] * 512],
    rotate: a.rotate_degrees,
    referenceSize: 512,
  });
  const augmentRng = new Rng(seed).fork('augment');
  return {
    train: {
      batchAt: (iteration) =>
        makeBatch(
          train,
          degradation,
          batchIndices(train.length, data.batch_size, iteration, seed),
          (slot) => dataRng.fork(iteration).fork(slot),
          skipped,
        ),
    },
    skipped,
    validation,
    augment: (xReg, gt, iteration) => {
      const [a, b] = augmentation.augmentPair(xReg, gt, iteration, augmentRng.fork(iteration));
      return [a, b];
    },
    dispose: () => tf.dispose(validation.flatMap((b) => [b.lq, b.gt])),
  };
}
