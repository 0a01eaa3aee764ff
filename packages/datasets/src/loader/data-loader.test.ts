import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { initBackend } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../testing/fixtures.js';
import { DataLoader } from './data-loader.js';
import { SampleOrder } from './order.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-loader-'));
const folder = join(dir, 'faces');
const kernels = join(dir, 'kernels');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  for (let i = 0; i < 10; i++) await writeFixture(join(folder, `${i}.png`), 'png', 48, i);
  await writeFixture(join(folder, '10.jpg'), 'truncated', 48);
  await writeFixture(join(folder, '11.jpg'), 'empty', 48);
  await writeFixture(join(folder, '12.png'), 'text', 48);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = { type: 'image-folder', root: folder, size: 32, split: 'all' };

async function collect(loader: DataLoader, n: number): Promise<{ paths: string[][]; lq: Float32Array[] }> {
  const paths: string[][] = [];
  const lq: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const b = await loader.nextHost();
    paths.push(b.paths);
    lq.push(b.lq);
  }
  return { paths, lq };
}

describe('SampleOrder', () => {
  it('is a seeded permutation per epoch and reproducible from any position', () => {
    const order = new SampleOrder(7, 5, true);
    const epoch0 = Array.from({ length: 7 }, (_, p) => order.indexAt(p));
    const epoch1 = Array.from({ length: 7 }, (_, p) => order.indexAt(7 + p));
    expect([...epoch0].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...epoch1].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(epoch1).not.toEqual(epoch0);
    expect(new SampleOrder(7, 5, true).indexAt(9)).toBe(epoch1[2]);
    expect(new SampleOrder(7, 6, true).permutation(0)).not.toEqual(order.permutation(0));
    expect(Array.from({ length: 9 }, (_, p) => new SampleOrder(7, 5, false).indexAt(p))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 0, 1,
    ]);
  });
});

describe('DataLoader', () => {
  it('gives NHWC float32 tensors in [0, 1] with a {lq, gt, paths} shape and leaks nothing', async () => {
    const loader = await DataLoader.open({ source, degradation: 'sr8', batchSize: 3, workers: 0, log: null });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const batch = await loader.next();
      expect(batch.gt.shape).toEqual([3, 32, 32, 3]);
      expect(batch.lq.shape).toEqual([3, 4, 4, 3]);
      expect(batch.gt.dtype).toBe('float32');
      expect(batch.paths).toHaveLength(3);
      const values = await batch.gt.data();
      expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
      tf.dispose([batch.lq, batch.gt]);
    }
    expect(tf.memory().numTensors).toBe(before);
    await loader.close();
  });

  it('is deterministic for a seed, differs across seeds, and resumes at iteration N exactly', async () => {
    const opts = { source, degradation: 'noise', batchSize: 4, workers: 0, seed: 3, log: null } as const;
    const a = await DataLoader.open(opts);
    const full = await collect(a, 6);
    await a.close();
    const b = await DataLoader.open({ ...opts, startIteration: 4 });
    expect(b.iteration).toBe(4);
    const resumed = await collect(b, 2);
    await b.close();
    expect(resumed.paths).toEqual(full.paths.slice(4));
    expect(resumed.lq).toEqual(full.lq.slice(4));
    const c = await DataLoader.open({ ...opts, seed: 4 });
    const other = await collect(c, 3);
    await c.close();
    expect(other.paths).not.toEqual(full.paths.slice(0, 3));
  });

  it('worker threads produce exactly the in-process batches, in order', async () => {
    const opts = {
      source,
      degradation: { type: 'blur', count: 8, cacheDir: kernels },
      batchSize: 3,
      seed: 11,
      log: null,
    } as const;
    const inline = await DataLoader.open({ ...opts, workers: 0 });
    const want = await collect(inline, 5);
    await inline.close();
    const threaded = await DataLoader.open({ ...opts, workers: 2, prefetch: 3 });
    const got = await collect(threaded, 5);
    await threaded.close();
    expect(got.paths).toEqual(want.paths);
    expect(got.lq).toEqual(want.lq);
  });

  it('skips unusable files, counts them and reports each once', async () => {
    const lines: string[] = [];
    const loader = await DataLoader.open({
      source,
      batchSize: 5,
      workers: 1,
      seed: 1,
      log: (l) => lines.push(l),
    });
    expect(loader.length).toBe(12); // 13 files, the empty one set aside at open
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) for (const p of (await loader.nextHost()).paths) seen.add(p);
    await loader.close();
    expect([...seen].every((p) => /\/\d\.png$/.test(p))).toBe(true);
    const skipped = loader
      .skipped()
      .map((f) => f.path.split('/').pop())
      .sort();
    expect(skipped).toEqual(['10.jpg', '11.jpg', '12.png']);
    expect(lines.filter((l) => l.includes('skipped'))).toHaveLength(3);
    expect(loader.skippedSummary()).toMatch(/skipped 3 unusable files/);
  });

  it('a finite loader walks the split once in order with a short last batch', async () => {
    const loader = await DataLoader.open({
      source: { type: 'portraits', size: 32, split: 'val', valSize: 5 },
      batchSize: 2,
      shuffle: false,
      epochs: 1,
      workers: 0,
      log: null,
    });
    const sizes: number[] = [];
    const paths: string[] = [];
    for await (const batch of loader) {
      sizes.push(batch.gt.shape[0]);
      paths.push(...batch.paths);
      tf.dispose([batch.lq, batch.gt]);
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(paths).toEqual([0, 1, 2, 3, 4].map((i) => `portraits/val/00000${i}`));
    expect(loader.batchesPerEpoch).toBe(3);
    await expect(loader.next()).rejects.toThrow(/finished/);
    await loader.close();
  });

  it('a source without a usable image is a UserError naming the path, also from workers', async () => {
    const bad = join(dir, 'all-bad');
    await writeFixture(join(bad, 'a.jpg'), 'truncated', 32);
    await writeFixture(join(bad, 'b.png'), 'text', 32);
    const loader = await DataLoader.open({
      source: { type: 'image-folder', root: bad, size: 16, split: 'all' },
      batchSize: 1,
      workers: 1,
      log: null,
    });
    const err = await loader.nextHost().catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(bad);
    expect(err.message).toMatch(/no usable image/);
    await loader.close();
    await expect(
      DataLoader.open({ source: { type: 'image-folder', root: join(dir, 'nope') }, batchSize: 1, log: null }),
    ).rejects.toThrow(/nope: not a folder/);
  });
});
