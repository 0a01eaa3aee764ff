import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SamplePipeline } from './loader/pipeline.js';
import { openPairedFolders } from './sources/paired-folders.js';
import { previewSheet, synthesizePairs } from './synth.js';
import { writeFixture } from './testing/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synthesised test sets', () => {
  it('writes gt/ and lq/ PNG pairs that read back as the paired-folders source, identical to the pipeline', async () => {
    const out = join(dir, 'sr');
    const source = { type: 'churches', size: 64, split: 'test' as const };
    const result = await synthesizePairs({
      source,
      degradation: 'sr8',
      count: 3,
      seed: 5,
      out,
      workers: 0,
      log: null,
    });
    expect(result.names).toEqual(['000000.png', '000001.png', '000002.png']);
    expect(readdirSync(join(out, 'gt')).sort()).toEqual(result.names);
    expect(readdirSync(join(out, 'lq')).sort()).toEqual(result.names);
    expect(JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8')).files[1].from).toBe(
      'churches/test/000001',
    );
    const paired = await openPairedFolders({ root: out });
    expect([paired.size, paired.lqSize, paired.length]).toEqual([64, 8, 3]);
    const pipeline = await SamplePipeline.open({
      source,
      degradation: 'sr8',
      seed: 5,
      shuffle: false,
      fixedDegradation: true,
    });
    for (let i = 0; i < 3; i++) {
      const want = await pipeline.sample(i);
      const got = await paired.load(i);
      expect(got.gt.data).toEqual(want.gt.data);
      expect(got.lq!.data).toEqual(want.lq.data);
    }
  });

  it('keeps unique source names and refuses more pairs than the split holds', async () => {
    const faces = join(dir, 'faces');
    for (const i of [3030, 3077, 3000]) await writeFixture(join(faces, `${i}.jpg`), 'jpeg', 40, i);
    const result = await synthesizePairs({
      source: { type: 'image-folder', root: faces, size: 32, split: 'all' },
      degradation: 'noise',
      count: 3,
      out: join(dir, 'noisy'),
      workers: 0,
      log: null,
    });
    expect(result.names).toEqual(['3000.png', '3030.png', '3077.png']);
    await expect(
      synthesizePairs({
        source: { type: 'image-folder', root: faces, size: 32, split: 'all' },
        degradation: 'noise',
        count: 4,
        out: join(dir, 'x'),
        workers: 0,
        log: null,
      }),
    ).rejects.toThrow(/has only 3 items/);
  });

  it('previews gt | lq side by side', async () => {
    const out = join(dir, 'sheet.png');
    const sheet = await previewSheet({
      source: { type: 'portraits', size: 64 },
      degradation: 'sr8',
      count: 2,
      out,
      log: null,
    });
    expect(sheet).toEqual({ out, width: 2 * 64 + 12, height: 2 * 64 + 12, rows: 2 });
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([140, 140]);
  });
});
