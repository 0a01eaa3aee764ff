import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import type { BadFile } from '@ugpnet/datasets';
import { openStore } from '@ugpnet/store';
import { initBackend } from '@ugpnet/tensor';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunData } from './data.js';
import { validateExperiment } from './experiment/load.js';
import { executeRun } from './run.js';
import { createTrackedRun } from './session.js';
import { SKIPPED_FILES_TAG } from './skipped-files.js';

let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 64×64 JPEG of a seeded pattern; `truncated` keeps its first 60 % (premature end of JPEG). */
async function jpeg(seed: number, truncated = false): Promise<Buffer> {
  const pixels = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + seed * 31 + (i >> 6) * 13 * seed) & 0xff;
  const bytes = await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } })
    .jpeg()
    .toBuffer();
  return truncated ? bytes.subarray(0, Math.floor(bytes.length * 0.6)) : bytes;
}

/** A folder of `good` images named good1.jpg … plus the named truncated ones. */
async function folder(name: string, good: number, bad: string[]): Promise<string> {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (let i = 1; i <= good; i++) writeFileSync(join(root, `good${i}.jpg`), await jpeg(i));
  for (const [k, file] of bad.entries()) writeFileSync(join(root, file), await jpeg(100 + k, true));
  return root;
}

/** tiny-32, restoration only, on an image folder (2 validation and 2 test images held out). */
function experiment(dataset: string, iterations = 4) {
  return validateExperiment(
    {
      name: 'bad-data',
      arch: 'tiny-32',
      seed: 5,
      stages_to_run: ['restoration'],
      data: {
        dataset,
        size: 32,
        degradation: { type: 'blur', bank_size: 4, kernel_size: 5 },
        batch_size: 4,
        val_count: 2,
        test_count: 2,
      },
      perceptual: { allow_proxy: true, proxy_width_divisor: 16 },
      validation: { samples: 1 },
      init: { regression: 'random', generator: 'random' },
      stages: { restoration: { iterations, val_every: iterations } },
    },
    'test',
  );
}

describe('one bad image among good ones (issue 13 §1)', () => {
  it('is skipped once, replaced by the next usable image, and the batches stay deterministic', async () => {
    const root = await folder('one-bad', 20, ['good3b.jpg']);
    const skips: Array<[BadFile, number]> = [];
    const data = await createRunData(experiment(root), { onSkip: (f, n) => skips.push([f, n]) });
    const again = await createRunData(experiment(root));
    try {
      // 17 training images, 4 per batch: iterations 1–10 cover every image twice.
      for (let iteration = 1; iteration <= 10; iteration++) {
        const a = await data.train.batchAt(iteration);
        const b = await again.train.batchAt(iteration);
        expect(a.gt.shape).toEqual([4, 32, 32, 3]);
        expect(Array.from(await a.gt.data())).toEqual(Array.from(await b.gt.data()));
        expect(Array.from(await a.lq.data())).toEqual(Array.from(await b.lq.data()));
        a.gt.dispose();
        a.lq.dispose();
        b.gt.dispose();
        b.lq.dispose();
      }
      expect(skips).toHaveLength(1);
      expect(skips[0]![0].path).toBe(join(root, 'good3b.jpg'));
      expect(skips[0]![0].reason).toMatch(/premature end of JPEG|cannot decode|not a readable image/);
      expect(skips[0]![1]).toBe(1);
      expect(data.skipped.count).toBe(1);
    } finally {
      data.dispose();
      again.dispose();
    }
  });

  it('training continues: the real trainer finishes, logs the file once and tags the run', async () => {
    const root = await folder('train-one-bad', 20, ['good3b.jpg']);
    const store = openStore(join(dir, 'one-bad.db'));
    const exp = experiment(root, 6);
    const run = createTrackedRun(store, exp, { backend: 'wasm', name: 'one bad' });
    const lines: string[] = [];
    const outcome = await executeRun({ store, experiment: exp, runId: run.id, log: (l) => lines.push(l) });
    expect(outcome).toBe('finished');
    expect(lines.filter((l) => l.startsWith('[data] skipped'))).toEqual([
      expect.stringMatching(new RegExp(`^\\[data\\] skipped ${join(root, 'good3b.jpg')}: `)),
    ]);
    expect(store.getTags(run.id)[SKIPPED_FILES_TAG]).toBe('1');
    store.close();
  });

  it('a dataset where most files are bad stops with one clear error and a failed run', async () => {
    const bad = Array.from({ length: 14 }, (_, i) => `good${i}x.jpg`);
    const root = await folder('mostly-bad', 8, bad);
    const store = openStore(join(dir, 'mostly-bad.db'));
    const exp = experiment(root);
    const run = createTrackedRun(store, exp, { backend: 'wasm', name: 'mostly bad' });
    const error = await executeRun({ store, experiment: exp, runId: run.id, log: () => {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${root}: \\d+ of the \\d+ files tried are unusable \\(more than half\\)`),
    );
    expect(store.getRun(run.id)?.status).toBe('failed');
    store.close();
  });
});
