import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '@ugpnet/core';
import { BadImageError } from '../bad-files.js';
import { type FixtureKind, writeFixture } from '../testing/fixtures.js';
import { openImageFolder } from './image-folder.js';
import { naturalCompare, splitByOrder } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds: [string, FixtureKind][] = [
  ['a/0.jpg', 'jpeg'],
  ['a/1.png', 'png'],
  ['a/2.webp', 'webp'],
  ['a/3.png', 'png16'],
  ['a/4.png', 'gray'],
  ['a/5.jpg', 'cmyk'],
  ['a/6.png', 'alpha'],
  ['b/7.jpg', 'truncated'],
  ['b/8.jpg', 'empty'],
  ['b/9.jpg', 'text'],
  ['b/10.png', 'small'],
];

beforeAll(async () => {
  for (const [name, kind] of kinds) await writeFixture(join(dir, 'mixed', name), kind, 40);
  writeFileSync(join(dir, 'mixed', 'notes.txt'), 'not an image, ignored');
  for (let i = 0; i < 12; i++)
    await writeFixture(join(dir, 'celeba', 'CelebA-HQ-img', `${i}.jpg`), 'jpeg', 24, i);
  for (const split of ['train', 'val'])
    for (const g of ['female', 'male'])
      for (let i = 0; i < 3; i++)
        await writeFixture(join(dir, 'celeba_hq', split, g, `${split}${g}${i}.jpg`), 'jpeg', 24, i);
});

describe('image-folder source', () => {
  it('converts 16-bit, grey, CMYK, alpha and webp to 8-bit RGB; rejects truncated, non-image and too-small files', async () => {
    const src = await openImageFolder({ root: join(dir, 'mixed'), size: 32, split: 'all' });
    expect(src.badAtOpen.map((f) => f.path.split('/').pop())).toEqual(['8.jpg']);
    expect(src.description).toMatch(/1 non-image files ignored/);
    expect(src.length).toBe(10);
    const outcome = new Map<string, string>();
    for (let i = 0; i < src.length; i++) {
      const name = src.key(i).split('/').pop()!;
      try {
        const { gt } = await src.load(i);
        expect([gt.width, gt.height, gt.data.length]).toEqual([32, 32, 32 * 32 * 3]);
        expect(gt.data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(
          true,
        );
        outcome.set(name, 'ok');
      } catch (err) {
        expect(err).toBeInstanceOf(BadImageError);
        outcome.set(name, (err as BadImageError).reason.split(' ')[0]!);
      }
    }
    expect(Object.fromEntries(outcome)).toEqual({
      '0.jpg': 'ok',
      '1.png': 'ok',
      '2.webp': 'ok',
      '3.png': 'ok',
      '4.png': 'ok',
      '5.jpg': 'ok',
      '6.png': 'ok',
      '7.jpg': 'cannot',
      '9.jpg': 'not',
      '10.png': 'too',
    });
    // grey stays grey: R = G = B
    const grey = await src.load([...Array(src.length).keys()].find((i) => src.key(i).endsWith('4.png'))!);
    for (let p = 0; p < 32 * 32; p++) expect(grey.gt.data[3 * p]).toBe(grey.gt.data[3 * p + 2]);
    // upscale: true accepts the small image
    const up = await openImageFolder({ root: join(dir, 'mixed'), size: 32, split: 'all', upscale: true });
    const small = [...Array(up.length).keys()].find((i) => up.key(i).endsWith('10.png'))!;
    expect((await up.load(small)).gt.width).toBe(32);
  });

  it('splits by natural file-name order: train | val | test from the end', async () => {
    const root = join(dir, 'celeba');
    const names = async (split: 'train' | 'val' | 'test' | 'all') => {
      const src = await openImageFolder({ root, size: 16, split, valSize: 3, testSize: 2 });
      return Array.from({ length: src.length }, (_, i) => src.key(i).split('/').pop());
    };
    expect(await names('train')).toEqual(['0.jpg', '1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg', '6.jpg']);
    expect(await names('val')).toEqual(['7.jpg', '8.jpg', '9.jpg']);
    expect(await names('test')).toEqual(['10.jpg', '11.jpg']);
    expect(await names('all')).toHaveLength(12);
    await expect(openImageFolder({ root, size: 16, valSize: 10, testSize: 5 })).rejects.toThrow(UserError);
  });

  it('uses train/ val/ folders when present, with the validation subset capped at valSize', async () => {
    const root = join(dir, 'celeba_hq');
    const train = await openImageFolder({ root, size: 16, split: 'train' });
    expect(train.length).toBe(6);
    const val = await openImageFolder({ root, size: 16, split: 'val', valSize: 4 });
    expect(val.length).toBe(4);
    expect(val.key(0)).toMatch(/val\/female\/valfemale0\.jpg$/);
    await expect(openImageFolder({ root, size: 16, split: 'test' })).rejects.toThrow(/no test\//);
  });

  it('follows a split file (CelebA list_eval_partition style)', async () => {
    const file = join(dir, 'partition.txt');
    writeFileSync(file, '# name label\n0.jpg 0\n1.jpg 0\n2.jpg 1\n3.jpg 2\n4.jpg train\n11.jpg val\n');
    const src = (split: 'train' | 'val' | 'test') =>
      openImageFolder({ root: join(dir, 'celeba'), size: 16, split, splitFile: file });
    const keys = async (split: 'train' | 'val' | 'test') => {
      const s = await src(split);
      return Array.from({ length: s.length }, (_, i) => s.key(i).split('/').pop());
    };
    expect(await keys('train')).toEqual(['0.jpg', '1.jpg', '4.jpg']);
    expect(await keys('val')).toEqual(['2.jpg', '11.jpg']);
    expect(await keys('test')).toEqual(['3.jpg']);
    writeFileSync(file, '0.jpg maybe\n');
    await expect(src('train')).rejects.toThrow(/partition.txt:1/);
  });

  it('a folder without usable images is a UserError naming it', async () => {
    const empty = join(dir, 'empty');
    await writeFixture(join(empty, 'x.jpg'), 'empty', 8);
    await expect(openImageFolder({ root: empty, split: 'all' })).rejects.toThrow(
      new RegExp(`${empty}: no usable images`),
    );
    await expect(openImageFolder({ root: join(dir, 'missing') })).rejects.toThrow(/not a folder/);
  });

  it('natural order and order splits', () => {
    expect(['10.jpg', '2.jpg', '1.jpg', 'a/3.jpg', '01.jpg'].sort(naturalCompare)).toEqual([
      '1.jpg',
      '01.jpg',
      '2.jpg',
      '10.jpg',
      'a/3.jpg',
    ]);
    expect(splitByOrder(10, { split: 'val', valSize: 2, testSize: 3 }, 'x')).toEqual([5, 6]);
    expect(splitByOrder(10, { split: 'test', valSize: 2, testSize: 3 }, 'x')).toEqual([7, 8, 9]);
  });
});

describe('image-folder source with symbolic links (issue 13 §1)', () => {
  it('walks each real folder once: a loop (loop -> .) and aliases never multiply the pictures', async () => {
    const root = join(dir, 'links');
    for (let i = 0; i < 25; i++) await writeFixture(join(root, `${i}.jpg`), 'jpeg', 24, i);
    for (let i = 0; i < 3; i++) await writeFixture(join(root, 'sub', `s${i}.jpg`), 'jpeg', 24, 100 + i);
    symlinkSync('.', join(root, 'loop'));
    symlinkSync('sub', join(root, 'alias'));
    symlinkSync('0.jpg', join(root, 'copy-of-0.jpg'));
    const all = await openImageFolder({ root, size: 16, split: 'all' });
    expect(all.length).toBe(28);
    const reals = Array.from({ length: all.length }, (_, i) => realpathSync(all.key(i)));
    expect(new Set(reals).size).toBe(28);
    // Held-out splits never share a picture with the training split.
    const opts = { root, size: 16, valSize: 4, testSize: 4 };
    const real = async (split: 'train' | 'val' | 'test') => {
      const src = await openImageFolder({ ...opts, split });
      return Array.from({ length: src.length }, (_, i) => realpathSync(src.key(i)));
    };
    const [train, val, test] = [await real('train'), await real('val'), await real('test')];
    expect(train.length + val.length + test.length).toBe(28);
    expect(new Set([...train, ...val, ...test]).size).toBe(28);
  });
});
