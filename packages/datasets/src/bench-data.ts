// `ugp bench data`: samples/s of each source × degradation at 256 and 512 px with 1 and 2
// worker threads, plus the motion-blur floor (a 512 blurred sample vs a plain decode + resize
// of the same 1024 JPEG, measured in one run, interleaved). Numbers, never assertions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, median, Rng } from '@ugpnet/tensor';
import sharp from 'sharp';
import { decodeImage } from './decode.js';
import { MotionBlur } from './degradations/motion-blur.js';
import { toUint8 } from './image.js';
import { DataLoader } from './loader/data-loader.js';
import { writeLmdb } from './sources/lmdb-writer.js';
import { churchSvg } from './sources/procedural-churches.js';
import { portraitSvg } from './sources/procedural-portraits.js';
import type { SourceSpec } from './sources/source.js';
import { renderSvg } from './sources/svg.js';

export interface BenchDataOptions {
  sources?: string[];
  degradations?: string[];
  sizes?: number[];
  workers?: number[];
  /** Timed batches per case (after `warmup` untimed ones); default 10. */
  batches?: number;
  warmup?: number;
  batchSize?: number;
  /** Files in the generated image-folder and LMDB fixtures; default 12. */
  files?: number;
  /** Progress lines (one per case); null for silence. */
  log?: ((line: string) => void) | null;
}

export const BENCH_SOURCES = ['portraits', 'churches', 'image-folder', 'lsun-lmdb'];
export const BENCH_DEGRADATIONS = ['none', 'noise', 'blur', 'sr8'];

async function render1024(svgBody: string, name: string, format: 'jpeg' | 'webp', side: [number, number]) {
  // SVG drawn at 1024 (CelebA-HQ's size); LSUN-like files keep their aspect (short side fixed)
  const image = await renderSvg(svgBody, 1024, name);
  const base = sharp(toUint8(image), { raw: { width: 1024, height: 1024, channels: 3 } }).resize(
    side[0],
    side[1],
    {
      fit: 'cover',
    },
  );
  return format === 'jpeg' ? base.jpeg({ quality: 95 }).toBuffer() : base.webp({ quality: 90 }).toBuffer();
}

/** CelebA-HQ-like 1024 JPEG folder and an LSUN-like LMDB of webp images (short side 512). */
async function makeFixtures(
  dir: string,
  files: number,
): Promise<{ folder: string; lmdb: string; jpeg: Buffer }> {
  const folder = join(dir, 'CelebA-HQ-img');
  const lmdb = join(dir, 'church_outdoor_train_lmdb');
  mkdirSync(folder, { recursive: true });
  let first: Buffer | undefined;
  const entries: [string, Buffer][] = [];
  for (let i = 0; i < files; i++) {
    const jpeg = await render1024(portraitSvg(new Rng(1).fork(i)), `bench/${i}`, 'jpeg', [1024, 1024]);
    first ??= jpeg;
    writeFileSync(join(folder, `${i}.jpg`), jpeg);
    const webp = await render1024(churchSvg(new Rng(2).fork(i)), `bench/church/${i}`, 'webp', [683, 512]);
    entries.push([new Rng(3).fork(i).nextUint32().toString(16).padStart(40, '0'), webp]);
  }
  writeLmdb(lmdb, entries);
  return { folder, lmdb, jpeg: first! };
}

function sourceSpec(name: string, size: number, fixtures: { folder: string; lmdb: string }): SourceSpec {
  if (name === 'image-folder') return { type: 'image-folder', root: fixtures.folder, size, split: 'all' };
  if (name === 'lsun-lmdb') return { type: 'lsun-lmdb', root: fixtures.lmdb, size, split: 'all' };
  return { type: name, size, count: 1000 };
}

/**
 * The blur floor: decode + resize of a 1024 JPEG to 512, with and without the blur, both
 * writing into reused buffers as the loader does (decoding straight into batch memory).
 */
async function blurFloor(jpeg: Buffer, repeats: number): Promise<BenchRow[]> {
  const blur = await MotionBlur.open();
  const gt = new Float32Array(512 * 512 * 3);
  const lq = new Float32Array(512 * 512 * 3);
  const plain: number[] = [];
  const blurred: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    let t = performance.now();
    await decodeImage(jpeg, 'floor.jpg', { size: 512, into: gt });
    const a = performance.now() - t;
    t = performance.now();
    const image = await decodeImage(jpeg, 'floor.jpg', { size: 512, into: gt });
    blur.apply(image, new Rng(i), lq);
    const b = performance.now() - t;
    if (i >= 2) {
      plain.push(a);
      blurred.push(b);
    }
  }
  const row = (metric: string, value: number, unit: string): BenchRow => ({
    bench: 'data',
    backend: 'host',
    case: 'floor: 1024 jpeg → 512',
    metric,
    value,
    unit,
  });
  const p = median(plain);
  const q = median(blurred);
  return [
    row('decode+resize', p, 'ms'),
    row('decode+resize+blur', q, 'ms'),
    row('blur/decode (≤ 3)', q / p, '×'),
  ];
}

export async function benchData(options: BenchDataOptions = {}): Promise<BenchRow[]> {
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const sizes = options.sizes ?? [256, 512];
  const workerCounts = options.workers ?? [1, 2];
  const batches = options.batches ?? 10;
  const warmup = options.warmup ?? 2;
  const batchSize = options.batchSize ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'ugp-bench-data-'));
  const rows: BenchRow[] = [];
  try {
    log?.('[bench data] generating fixtures (1024 jpeg folder, webp LMDB) …');
    const fixtures = await makeFixtures(dir, options.files ?? 12);
    rows.push(...(await blurFloor(fixtures.jpeg, Math.max(10, batches))));
    log?.(`[bench data] floor: blur/decode = ${rows.at(-1)!.value.toFixed(2)}×`);
    for (const source of options.sources ?? BENCH_SOURCES) {
      for (const degradation of options.degradations ?? BENCH_DEGRADATIONS) {
        for (const size of sizes) {
          for (const workers of workerCounts) {
            const loader = await DataLoader.open({
              source: sourceSpec(source, size, fixtures),
              degradation,
              batchSize,
              workers,
              seed: 1,
              log: null,
            });
            try {
              for (let i = 0; i < warmup; i++) await loader.nextHost();
              const intervals: number[] = [];
              let t = performance.now();
              for (let i = 0; i < batches; i++) {
                await loader.nextHost();
                const now = performance.now();
                intervals.push(now - t);
                t = now;
              }
              const perSecond = (batchSize * 1000) / median(intervals);
              const name = `${source}/${degradation} @${size} ×${workers}w`;
              rows.push({
                bench: 'data',
                backend: 'host',
                case: name,
                metric: 'samples/s',
                value: perSecond,
                unit: '1/s',
              });
              log?.(`[bench data] ${name}: ${perSecond.toFixed(1)} samples/s`);
            } finally {
              await loader.close();
            }
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
