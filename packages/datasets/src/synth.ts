// Exported degraded sets: `ugp data synth` writes paired gt/ and lq/ PNG folders (the
// reference's layout, read back by the paired-folders source) and `ugp data preview` a
// contact sheet (gt | lq per row) a person can look at.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { UserError } from '@ugpnet/core';
import type { BadFile } from './bad-files.js';
import { encodePng } from './decode.js';
import type { DegradationSpec } from './degradations/index.js';
import { type RgbImage, toUint8 } from './image.js';
import { DataLoader } from './loader/data-loader.js';
import type { SourceSpec } from './sources/source.js';

export interface SynthOptions {
  source: SourceSpec;
  degradation: DegradationSpec | string;
  /** Pairs to write (the first `count` items of the split, in order). */
  count: number;
  seed?: number;
  out: string;
  workers?: number;
  /** Called after each batch with the pairs written so far. */
  onProgress?: (done: number, total: number) => void;
  log?: ((line: string) => void) | null;
}

export interface SynthResult {
  out: string;
  count: number;
  gtSize: number;
  lqSize: number;
  description: string;
  names: string[];
  skipped: BadFile[];
}

function slice(data: Float32Array, i: number, side: number): RgbImage {
  const n = side * side * 3;
  return { width: side, height: side, data: data.subarray(i * n, (i + 1) * n) };
}

/** File stem for an item path; numbered when stems would collide (e.g. train/female/1 and male/1). */
function stemOf(path: string): string {
  const last = path.includes(':') && !path.includes('/') ? path.split(':').pop()! : basename(path);
  return last.slice(0, last.length - extname(last).length) || last;
}

async function openFixed(
  options: Pick<SynthOptions, 'source' | 'degradation' | 'seed' | 'workers' | 'log'>,
  batchSize: number,
) {
  return DataLoader.open({
    source: options.source,
    degradation: options.degradation,
    batchSize,
    seed: options.seed ?? 0,
    workers: options.workers ?? 1,
    shuffle: false,
    fixedDegradation: true,
    epochs: 1,
    log: options.log,
  });
}

export async function synthesizePairs(options: SynthOptions): Promise<SynthResult> {
  const { count, out } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new UserError(`--count: expected a whole number ≥ 1, got ${count}`);
  const loader = await openFixed(options, 4);
  try {
    if (loader.length < count) {
      throw new UserError(`--count ${count}: ${loader.description} has only ${loader.length} items`);
    }
    mkdirSync(join(out, 'gt'), { recursive: true });
    mkdirSync(join(out, 'lq'), { recursive: true });
    const paths: string[] = [];
    const writes: Promise<void>[] = [];
    while (paths.length < count) {
      const batch = await loader.nextHost();
      for (let i = 0; i < batch.paths.length && paths.length < count; i++) {
        const index = paths.length;
        paths.push(batch.paths[i]!);
        const gt = slice(batch.gt, i, loader.gtSize);
        const lq = slice(batch.lq, i, loader.lqSize);
        writes.push(
          (async () => {
            const [g, l] = await Promise.all([encodePng(gt), encodePng(lq)]);
            const name = `${String(index).padStart(5, '0')}.png`;
            writeFileSync(join(out, 'gt', name), g);
            writeFileSync(join(out, 'lq', name), l);
          })(),
        );
      }
      await Promise.all(writes.splice(0));
      options.onProgress?.(paths.length, count);
    }
    // keep the source's names when they are unique (the reference matches by name)
    const stems = paths.map(stemOf);
    const unique = new Set(stems).size === stems.length;
    const names = stems.map((s, i) => (unique ? `${s}.png` : `${String(i).padStart(5, '0')}.png`));
    if (unique) {
      for (let i = 0; i < names.length; i++) {
        const from = `${String(i).padStart(5, '0')}.png`;
        for (const d of ['gt', 'lq']) renameSync(join(out, d, from), join(out, d, `${names[i]}.tmp`));
      }
      for (const name of names)
        for (const d of ['gt', 'lq']) renameSync(join(out, d, `${name}.tmp`), join(out, d, name));
    }
    const result: SynthResult = {
      out,
      count,
      gtSize: loader.gtSize,
      lqSize: loader.lqSize,
      description: loader.description,
      names,
      skipped: loader.skipped(),
    };
    writeFileSync(
      join(out, 'synth.json'),
      `${JSON.stringify(
        {
          source: options.source,
          degradation: options.degradation,
          seed: options.seed ?? 0,
          count,
          gtSize: result.gtSize,
          lqSize: result.lqSize,
          files: names.map((n, i) => ({ name: n, from: paths[i] })),
        },
        null,
        2,
      )}\n`,
    );
    return result;
  } finally {
    await loader.close();
  }
}

export interface PreviewOptions {
  source: SourceSpec;
  degradation: DegradationSpec | string;
  /** Rows in the sheet; default 6. */
  count?: number;
  seed?: number;
  /** PNG path to write. */
  out: string;
  log?: ((line: string) => void) | null;
}

/** A contact sheet: one row per sample, gt on the left, lq (nearest-upscaled to gt size) on the right. */
export async function previewSheet(
  options: PreviewOptions,
): Promise<{ out: string; width: number; height: number; rows: number }> {
  const rows = options.count ?? 6;
  if (!Number.isInteger(rows) || rows < 1)
    throw new UserError(`--count: expected a whole number ≥ 1, got ${rows}`);
  const loader = await openFixed({ ...options, workers: 0 }, rows);
  try {
    const n = Math.min(rows, loader.length);
    const batch = await loader.nextHost();
    const side = loader.gtSize;
    const gap = 4;
    const width = 2 * side + 3 * gap;
    const height = n * side + (n + 1) * gap;
    const tiles: OverlayOptions[] = [];
    for (let i = 0; i < n; i++) {
      const gt = slice(batch.gt, i, side);
      const lq = slice(batch.lq, i, loader.lqSize);
      const lqBig = await sharp(toUint8(lq), { raw: { width: lq.width, height: lq.height, channels: 3 } })
        .resize(side, side, { kernel: 'nearest' })
        .png()
        .toBuffer();
      const top = gap + i * (side + gap);
      tiles.push(
        { input: Buffer.from(toUint8(gt)), raw: { width: side, height: side, channels: 3 }, left: gap, top },
        { input: lqBig, left: 2 * gap + side, top },
      );
    }
    mkdirSync(dirname(options.out), { recursive: true });
    await sharp({ create: { width, height, channels: 3, background: '#202020' } })
      .composite(tiles)
      .png()
      .toFile(options.out);
    return { out: options.out, width, height, rows: n };
  } finally {
    await loader.close();
  }
}
