// The fixed test images the dashboard compares across runs: for the first few images of the
// held-out test set, LQ | I_R | I_G | I_F | GT as separate PNGs. They are written once, by the
// test pass (which loads the checkpoint the pipeline selected for each stage — priors.ts'
// selectedCheckpoint: restoration's best, synthesis's final by default, fusion's best), and recorded
// under each stage at that checkpoint's step with the outputs the stage produces — so a page can
// show "each run at its synthesis checkpoint" side by side. The dashboard reads the column and image
// index from the file name.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type Image8, tensorToImages8 } from '@ugpnet/metrics';
import type { TrackingStore } from '@ugpnet/store';
import sharp from 'sharp';
import type { OutputName, StageBatch, StageOutputs } from './stages/stage.js';
import type { Experiment } from './experiment/schema.js';
import { selectedCheckpoint } from './priors.js';

/** Artifact kind of these images (validation strips are `samples`). */
export const TEST_IMAGES_KIND = 'test-images';

/** How many test images (from the front of the fixed test set) are kept. */
export const TEST_IMAGE_COUNT = 4;

export type ComparisonColumn = 'LQ' | OutputName | 'GT';

/** What each stage's best checkpoint produces; LQ and GT belong to every stage's row. */
export const STAGE_OUTPUTS: Record<string, OutputName[]> = {
  restoration: ['I_R'],
  synthesis: ['I_R', 'I_G'],
  fusion: ['I_R', 'I_G', 'I_F'],
};

/** `test-00-I_F.png`: image index, then column (the dashboard parses this). */
export function testImageFileName(index: number, column: ComparisonColumn): string {
  return `test-${String(index).padStart(2, '0')}-${column}.png`;
}

export interface SaveTestImagesOptions {
  store: TrackingStore;
  runId: string;
  /** The run's artifact folder; images go to `<dir>/test-images/`. */
  dir: string;
  /** The first test batch and what the test pass made of it. */
  batch: StageBatch;
  outputs: StageOutputs;
  count?: number;
  /** The run's experiment: which checkpoint of each stage the images belong to (selectedCheckpoint). */
  experiment?: Experiment;
}

async function writePng(file: string, image: Image8): Promise<void> {
  await sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 },
  })
    .png()
    .toFile(file);
}

/** Writes the images and records them per stage; returns the number of files written. */
export async function saveTestImages(options: SaveTestImagesOptions): Promise<number> {
  const { store, runId, batch, outputs } = options;
  const count = Math.min(options.count ?? TEST_IMAGE_COUNT, batch.gt.shape[0]);
  const [, height, width] = batch.gt.shape;
  // An SR input is smaller: nearest-neighbour upscaled, so every column lines up pixel for pixel.
  const lq = tf.tidy(() => {
    const x = batch.lq.slice(0, count) as tf.Tensor4D;
    return x.shape[1] === height && x.shape[2] === width
      ? x
      : tf.image.resizeNearestNeighbor(x, [height, width]);
  });
  const columns = new Map<ComparisonColumn, Image8[]>();
  try {
    columns.set('LQ', await tensorToImages8(lq));
  } finally {
    lq.dispose();
  }
  for (const name of ['I_R', 'I_G', 'I_F'] as const) {
    const out = outputs[name];
    if (out) columns.set(name, (await tensorToImages8(out)).slice(0, count));
  }
  columns.set('GT', (await tensorToImages8(batch.gt)).slice(0, count));

  const folder = join(options.dir, TEST_IMAGES_KIND);
  mkdirSync(folder, { recursive: true });
  const files = new Map<ComparisonColumn, string[]>();
  for (const [column, images] of columns) {
    const paths: string[] = [];
    for (const [index, image] of images.entries()) {
      const file = join(folder, testImageFileName(index, column));
      await writePng(file, image);
      paths.push(relative(store.resolvePath('.'), file));
    }
    files.set(column, paths);
  }

  for (const [stage, produced] of Object.entries(STAGE_OUTPUTS)) {
    // The checkpoint the pipeline used for this stage (synthesis: its final one by default).
    const best = options.experiment
      ? selectedCheckpoint(store, runId, stage, options.experiment)
      : (store.bestCheckpoint(runId, stage) ?? store.latestCheckpoint(runId, stage));
    if (!best) continue;
    for (const column of ['LQ', ...produced, 'GT'] as ComparisonColumn[]) {
      for (const path of files.get(column) ?? []) {
        store.logArtifact({ runId, stage, step: best.step, kind: TEST_IMAGES_KIND, path });
      }
    }
  }
  return [...files.values()].reduce((n, paths) => n + paths.length, 0);
}
