// Validation on a fixed set: PSNR / SSIM (on 8-bit-rounded images, as the reference scores)
// and LPIPS (or lpips_proxy) for every output the stage produces, plus a sample strip
// (lq | I_R | I_G | I_F | gt) saved as an artifact.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Lpips } from '@ugpnet/losses';
import { lpipsMetric } from '@ugpnet/losses';
import { type Image8, psnr, ssim, tensorToImages8 } from '@ugpnet/metrics';
import type { TrackingStore } from '@ugpnet/store';
import sharp from 'sharp';
import type { Validator } from './loop.js';
import type { OutputName, StageBatch, StageOutputs, StageTrainer } from './stage.js';

const OUTPUT_ORDER: OutputName[] = ['I_R', 'I_G', 'I_F'];

export interface ValidatorOptions {
  batches: StageBatch[];
  lpips: Lpips;
  store: TrackingStore;
  runId: string;
  stage: string;
  artifactDir: string;
  /** Rows in the sample strip (0: none). */
  samples: number;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Nearest-neighbour upscale so an SR input lines up with the outputs in a strip. */
function toSize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  return x.shape[1] === height && x.shape[2] === width
    ? x.clone()
    : tf.image.resizeNearestNeighbor(x, [height, width]);
}

export async function writeSampleStrip(path: string, columns: Image8[][]): Promise<void> {
  const rows = columns[0]!.length;
  const { width, height } = columns[0]![0]!;
  const canvas = Buffer.alloc(rows * height * columns.length * width * 3);
  const stride = columns.length * width * 3;
  columns.forEach((column, c) => {
    column.forEach((img, r) => {
      for (let y = 0; y < height; y++) {
        const src = img.data.subarray(y * width * 3, (y + 1) * width * 3);
        canvas.set(src, (r * height + y) * stride + c * width * 3);
      }
    });
  });
  await sharp(canvas, { raw: { width: columns.length * width, height: rows * height, channels: 3 } })
    .png()
    .toFile(path);
}

/** Mean PSNR / SSIM / LPIPS of every output the trainer produces on `batches`, keyed `I_X/metric`. */
export async function scoreOutputs(
  trainer: StageTrainer,
  batches: StageBatch[],
  lpips: Lpips,
  onFirstBatch?: (batch: StageBatch, outputs: StageOutputs, gt8: Image8[]) => Promise<void>,
): Promise<Record<string, number>> {
  const scores = new Map<string, number[]>();
  const add = (key: string, values: number[]) => scores.set(key, [...(scores.get(key) ?? []), ...values]);
  for (const [index, batch] of batches.entries()) {
    const outputs = trainer.infer(batch.lq);
    try {
      const gt8 = await tensorToImages8(batch.gt);
      for (const name of OUTPUT_ORDER.filter((n) => outputs[n])) {
        const out = outputs[name]!;
        const out8 = await tensorToImages8(out);
        add(
          `${name}/psnr`,
          out8.map((img, i) => psnr(img, gt8[i]!)),
        );
        add(
          `${name}/ssim`,
          out8.map((img, i) => ssim(img, gt8[i]!)),
        );
        const clipped = tf.tidy(() => tf.clipByValue(out, 0, 1) as tf.Tensor4D);
        add(`${name}/${lpips.kind}`, Array.from(await lpipsMetric(lpips, clipped, batch.gt)));
        clipped.dispose();
      }
      if (index === 0) await onFirstBatch?.(batch, outputs, gt8);
    } finally {
      tf.dispose(Object.values(outputs));
    }
  }
  const metrics: Record<string, number> = {};
  for (const [key, values] of scores) metrics[key] = mean(values);
  // The stage's own output also under the plain names that pick the best checkpoint.
  for (const key of Object.keys(metrics)) {
    const [output, name] = key.split('/');
    if (output === trainer.primaryOutput) metrics[name!] = metrics[key]!;
  }
  return metrics;
}

export function createValidator(options: ValidatorOptions): Validator {
  return async (trainer: StageTrainer, iteration: number) => {
    let strip: Image8[][] | undefined;
    const metrics = await scoreOutputs(
      trainer,
      options.batches,
      options.lpips,
      async (batch, outputs, gt8) => {
        if (options.samples <= 0) return;
        const [, h, w] = batch.gt.shape;
        const take = Math.min(options.samples, batch.gt.shape[0]);
        const lq = tf.tidy(() => toSize(batch.lq, h, w).slice(0, take) as tf.Tensor4D);
        strip = [await tensorToImages8(lq)];
        lq.dispose();
        for (const name of OUTPUT_ORDER.filter((n) => outputs[n])) {
          strip.push((await tensorToImages8(outputs[name]!)).slice(0, take));
        }
        strip.push(gt8.slice(0, take));
      },
    );
    if (strip) {
      const dir = join(options.artifactDir, options.stage);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `samples-${String(iteration).padStart(7, '0')}.png`);
      await writeSampleStrip(file, strip);
      options.store.logArtifact({
        runId: options.runId,
        stage: options.stage,
        step: iteration,
        kind: 'samples',
        path: relative(options.store.resolvePath('.'), file),
      });
    }
    return metrics;
  };
}
