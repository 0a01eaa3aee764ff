// The data a run trains and validates on, built from the experiment's data block:
// a source (procedural portraits/churches, an image folder or an LSUN LMDB), the degradation,
// deterministic batches per iteration (so a resume sees exactly the batches it would have),
// a fixed validation set, and the synthesis-stage pair augmentation.
import * as tf from '@tensorflow/tfjs-core';
import {
  createDegradation,
  type Degradation,
  type ImageSource,
  openSource,
  PairAugmentation,
  type RgbImage,
  resolveDataset,
  type Split,
} from '@ugpnet/datasets';
import { Rng } from '@ugpnet/tensor';
import type { DataConfig, DegradationConfig, Experiment } from './experiment/schema.js';
import type { StageData } from './stages/loop.js';
import type { StageBatch } from './stages/stage.js';
import type { PairAugment } from './stages/synthesis.js';

export interface RunData {
  train: StageData;
  /** Kept tensors; disposed by dispose(). */
  validation: StageBatch[];
  augment: PairAugment;
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

/** gt and its lq: the source's own (paired folders) or the degradation applied with the sample's Rng. */
async function samplePair(source: ImageSource, degradation: Degradation, index: number, rng: Rng) {
  const item = await source.load(index);
  return { gt: item.gt, lq: item.lq ?? degradation.apply(item.gt, rng) };
}

async function makeBatch(
  source: ImageSource,
  degradation: Degradation,
  indices: number[],
  rngOf: (slot: number) => Rng,
): Promise<StageBatch> {
  const pairs = await Promise.all(
    indices.map((index, slot) => samplePair(source, degradation, index, rngOf(slot))),
  );
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

/** A fixed set of batches of `split` whose degradations depend only on the image index. */
async function fixedBatches(
  experiment: Experiment,
  split: 'val' | 'test',
  count: number,
): Promise<StageBatch[]> {
  const data = experiment.data;
  const degradation = await createDegradation(degradationSpec(data.degradation), 'data.degradation');
  const source = await openSplit(experiment, split);
  const total = Math.min(count, source.length);
  const batches: StageBatch[] = [];
  for (let start = 0; start < total; start += data.batch_size) {
    const indices = Array.from({ length: Math.min(data.batch_size, total - start) }, (_, k) => start + k);
    const rngOf = (slot: number) => new Rng(data.seed).fork(split).fork(indices[slot]!);
    batches.push(await makeBatch(source, degradation, indices, rngOf));
  }
  return batches;
}

/** The held-out test set (data.test_count images of the `test` split). */
export function createTestBatches(experiment: Experiment): Promise<StageBatch[]> {
  return fixedBatches(experiment, 'test', experiment.data.test_count);
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

export async function createRunData(experiment: Experiment): Promise<RunData> {
  const data: DataConfig = experiment.data;
  const degradation = await createDegradation(degradationSpec(data.degradation), 'data.degradation');
  const train = await openSplit(experiment, 'train');
  const seed = experiment.seed;
  const dataRng = new Rng(seed).fork('degradation');
  const validation = await fixedBatches(experiment, 'val', data.val_count);

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
        makeBatch(train, degradation, batchIndices(train.length, data.batch_size, iteration, seed), (slot) =>
          dataRng.fork(iteration).fork(slot),
        ),
    },
    validation,
    augment: (xReg, gt, iteration) => {
      const [a, b] = augmentation.augmentPair(xReg, gt, iteration, augmentRng.fork(iteration));
      return [a, b];
    },
    dispose: () => tf.dispose(validation.flatMap((b) => [b.lq, b.gt])),
  };
}
