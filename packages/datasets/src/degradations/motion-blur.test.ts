import { Rng } from '@ugpnet/tensor';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.js';
import { MotionBlur } from './motion-blur.js';
import { KernelBank } from './motion-kernels.js';

function stripes(side: number): RgbImage {
  const data = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) data[(y * side + x) * 3 + c] = (x >> 2) % 2;
  return { width: side, height: side, data };
}

function energy(img: RgbImage): number {
  let e = 0;
  for (let i = 3; i < img.data.length; i++) e += (img.data[i]! - img.data[i - 3]!) ** 2;
  return e;
}

describe('motion blur', () => {
  const blur = new MotionBlur(KernelBank.generate({ count: 20, seed: 1 }));

  it('keeps constants constant, smooths edges and stays on the 8-bit grid', () => {
    const flat: RgbImage = { width: 64, height: 64, data: new Float32Array(64 * 64 * 3).fill(0.6) };
    const lq = blur.apply(flat, new Rng(1));
    for (const v of lq.data) expect(v).toBeCloseTo(Math.round(0.6 * 255) / 255, 6);
    const gt = stripes(64);
    const blurred = blur.apply(gt, new Rng(2));
    expect(energy(blurred)).toBeLessThan(0.5 * energy(gt));
    for (const v of blurred.data) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
  });

  it('one kernel per sample, picked by the sample stream', () => {
    const gt = stripes(48);
    const a = blur.apply(gt, new Rng(5));
    expect(blur.apply(gt, new Rng(5)).data).toEqual(a.data);
    const picks = new Set(Array.from({ length: 50 }, (_, i) => blur.pickKernel(new Rng(i))));
    expect(picks.size).toBeGreaterThan(10);
    expect(blur.lqSize(256)).toBe(256);
  });
});
