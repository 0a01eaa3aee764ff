// `ugp eval`: scores a folder of predictions against a folder of ground truths, matched by
// file name (extension ignored), per image and as the mean, in bench-row shape.
import { readdirSync, statSync } from 'node:fs';
import { extname, join, parse } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_EXTENSIONS, UserError } from '@ugpnet/core';
import type { Lpips } from '@ugpnet/losses';
import type { BenchRow } from '@ugpnet/tensor';
import { type Image8, images8ToTensor } from './image.js';
import { psnr, psnrY } from './psnr.js';
import { readImage8 } from './read-image.js';
import { ssim } from './ssim.js';

export const METRIC_NAMES = ['psnr', 'psnr_y', 'ssim', 'ssim_y', 'lpips'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface EvaluateFoldersOptions {
  pred: string;
  gt: string;
  metrics: MetricName[];
  /** Border pixels left out of psnr, psnr_y, ssim (BasicSR crop_border). */
  crop?: number;
  /** Needed when metrics include lpips; its kind names the rows (lpips or lpips_proxy). */
  lpips?: Lpips;
  backend?: string;
  onImage?: (done: number, total: number) => void;
}

export interface EvaluateResult {
  rows: BenchRow[];
  /** Mean per metric name as it appears in the rows (lpips may be lpips_proxy). */
  mean: Record<string, number>;
  count: number;
}

const UNITS: Record<string, string> = { psnr: 'dB', psnr_y: 'dB' };

function listImages(dir: string, flag: string): Map<string, string> {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch {
    throw new UserError(`${flag} ${dir}: not a readable directory`);
  }
  const byStem = new Map<string, string>();
  for (const name of names.sort()) {
    if (!IMAGE_EXTENSIONS.includes(extname(name).toLowerCase())) continue;
    const stem = parse(name).name;
    if (byStem.has(stem)) {
      throw new UserError(`${flag} ${dir}: both ${byStem.get(stem)} and ${name} match the name '${stem}'`);
    }
    byStem.set(stem, name);
  }
  if (byStem.size === 0) throw new UserError(`${flag} ${dir}: no images (${IMAGE_EXTENSIONS.join(' ')})`);
  return byStem;
}

/** Pairs the two folders by file stem; any image without a partner is an error. */
export function pairFolders(pred: string, gt: string): Array<{ name: string; pred: string; gt: string }> {
  const p = listImages(pred, '--pred');
  const g = listImages(gt, '--gt');
  const onlyPred = [...p.keys()].filter((k) => !g.has(k));
  const onlyGt = [...g.keys()].filter((k) => !p.has(k));
  if (onlyPred.length || onlyGt.length) {
    const show = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? `, … (${xs.length})` : '');
    const parts = [];
    if (onlyPred.length) parts.push(`only in --pred: ${show(onlyPred.map((k) => p.get(k)!))}`);
    if (onlyGt.length) parts.push(`only in --gt: ${show(onlyGt.map((k) => g.get(k)!))}`);
    throw new UserError(`image names do not match (${parts.join('; ')})`);
  }
  return [...p.keys()].map((stem) => ({
    name: p.get(stem)!,
    pred: join(pred, p.get(stem)!),
    gt: join(gt, g.get(stem)!),
  }));
}

async function lpipsOf(lpips: Lpips, a: Image8, b: Image8): Promise<number> {
  const d = tf.tidy(() => lpips.distance01(images8ToTensor([a]), images8ToTensor([b])));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

export async function evaluateFolders(options: EvaluateFoldersOptions): Promise<EvaluateResult> {
  const pairs = pairFolders(options.pred, options.gt);
  if (options.metrics.includes('lpips') && !options.lpips)
    throw new Error('evaluateFolders: lpips metric needs an Lpips');
  const crop = options.crop ?? 0;
  const backend = options.backend ?? tf.getBackend() ?? 'none';
  const rows: BenchRow[] = [];
  const sums = new Map<string, number>();
  let done = 0;
  for (const pair of pairs) {
    const [a, b] = await Promise.all([readImage8(pair.pred), readImage8(pair.gt)]);
    if (a.width !== b.width || a.height !== b.height) {
      throw new UserError(
        `${pair.name}: prediction is ${a.width}×${a.height}, ground truth ${b.width}×${b.height}`,
      );
    }
    for (const metric of options.metrics) {
      let value: number;
      let name: string = metric;
      try {
        if (metric === 'psnr') value = psnr(a, b, { crop });
        else if (metric === 'psnr_y') value = psnrY(a, b, { crop });
        else if (metric === 'ssim') value = ssim(a, b, { crop });
        else if (metric === 'ssim_y') value = ssim(a, b, { crop, y: true });
        else {
          value = await lpipsOf(options.lpips!, a, b);
          name = options.lpips!.kind;
        }
      } catch (err) {
        if (err instanceof RangeError) throw new UserError(`${pair.name}: ${err.message}`);
        throw err;
      }
      rows.push({ bench: 'eval', backend, case: pair.name, metric: name, value, unit: UNITS[metric] ?? '' });
      sums.set(name, (sums.get(name) ?? 0) + value);
    }
    options.onImage?.(++done, pairs.length);
  }
  const mean: Record<string, number> = {};
  for (const [name, sum] of sums) {
    mean[name] = sum / pairs.length;
    const unit = rows.find((r) => r.metric === name)!.unit;
    rows.push({ bench: 'eval', backend, case: 'mean', metric: name, value: mean[name]!, unit });
  }
  return { rows, mean, count: pairs.length };
}
