import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { createLpips } from '@ugpnet/losses';
import { initBackend } from '@ugpnet/tensor';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFolders } from './evaluate-folders.js';
import { psnr } from './psnr.js';
import { readImage8 } from './read-image.js';

let root = '';

async function writePng(
  path: string,
  width: number,
  height: number,
  f: (x: number, y: number, c: number) => number,
) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = f(x, y, c);
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  root = mkdtempSync(join(tmpdir(), 'ugp-eval-'));
  for (const d of ['pred', 'gt', 'extra', 'small']) mkdirSync(join(root, d));
  const pattern = (x: number, y: number, c: number) => (x * 9 + y * 5 + c * 60) % 256;
  await writePng(join(root, 'gt', '0001.png'), 24, 20, pattern);
  await writePng(join(root, 'gt', '0002.png'), 24, 20, (x, y, c) => pattern(y, x, c));
  await writePng(join(root, 'pred', '0001.png'), 24, 20, (x, y, c) => pattern(x, y, c) ^ 2);
  await writePng(join(root, 'pred', '0002.png'), 24, 20, (x, y, c) => pattern(y, x, c));
  await writePng(join(root, 'extra', '0001.png'), 24, 20, pattern);
  await writePng(join(root, 'extra', '0003.png'), 24, 20, pattern);
  await writePng(join(root, 'small', '0001.png'), 20, 20, pattern);
  await writePng(join(root, 'small', '0002.png'), 24, 20, pattern);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('evaluateFolders', () => {
  it('scores matched files per image and as the mean, in bench-row shape', async () => {
    const lpips = createLpips({ weightsDir: null, proxyWidthDivisor: 8 });
    const result = await evaluateFolders({
      pred: join(root, 'pred'),
      gt: join(root, 'gt'),
      metrics: ['psnr', 'psnr_y', 'ssim', 'lpips'],
      lpips,
    });
    lpips.dispose();
    expect(result.count).toBe(2);
    const row = (kase: string, metric: string) =>
      result.rows.find((r) => r.case === kase && r.metric === metric)!;
    const a = await readImage8(join(root, 'pred', '0001.png'));
    const b = await readImage8(join(root, 'gt', '0001.png'));
    expect(row('0001.png', 'psnr').value).toBeCloseTo(psnr(a, b), 10);
    expect(row('0001.png', 'psnr').unit).toBe('dB');
    expect(row('0002.png', 'psnr').value).toBe(100);
    expect(row('0002.png', 'ssim').value).toBeCloseTo(1, 10);
    // LPIPS from the proxy is labelled as such, never as lpips.
    expect(result.rows.some((r) => r.metric === 'lpips')).toBe(false);
    expect(row('0002.png', 'lpips_proxy').value).toBeLessThan(1e-6);
    expect(row('mean', 'psnr').value).toBeCloseTo((psnr(a, b) + 100) / 2, 10);
    expect(result.mean.lpips_proxy).toBe(row('mean', 'lpips_proxy').value);
    expect(result.rows[0]).toMatchObject({ bench: 'eval', backend: 'wasm' });
  });

  it('names unmatched files and mismatched sizes as user errors', async () => {
    const run = (pred: string) =>
      evaluateFolders({ pred: join(root, pred), gt: join(root, 'gt'), metrics: ['psnr'] });
    await expect(run('extra')).rejects.toThrow(/only in --pred: 0003\.png; only in --gt: 0002\.png/);
    await expect(run('small')).rejects.toThrow(/0001\.png: prediction is 20×20, ground truth 24×20/);
    await expect(run('missing')).rejects.toBeInstanceOf(UserError);
  });
});
