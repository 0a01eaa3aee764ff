import { describe, expect, it } from 'vitest';
import type { Image8 } from './image.js';
import { psnr, psnrY } from './psnr.js';
import { ssim } from './ssim.js';

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): Image8 {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = f(x, y, c);
  return { width, height, channels: 3, data };
}

describe('psnr', () => {
  it('is −10·log10(MSE) on [0,1]-scaled 8-bit RGB and 100 for identical images', () => {
    const a = image(8, 6, (x, y, c) => (x * 20 + y * 7 + c * 50) % 256);
    const b = image(8, 6, (x, y, c) => ((x * 20 + y * 7 + c * 50) % 256) ^ 4); // every value off by ±4
    expect(psnr(a, b)).toBeCloseTo(-10 * Math.log10((4 / 255) ** 2), 10);
    expect(psnr(a, a)).toBe(100);
  });

  it('psnr_y compares BT.601 luma and ignores the cropped border', () => {
    const a = image(10, 10, () => 100);
    // Differences only in the 2-pixel border, and a pure-blue change of 10 inside.
    const b = image(10, 10, (x, y, c) => (x < 2 || y < 2 || x > 7 || y > 7 ? 0 : c === 2 ? 110 : 100));
    const dy = (10 * 24.966) / 255;
    expect(psnrY(a, b, { crop: 2 })).toBeCloseTo(10 * Math.log10((255 * 255) / (dy * dy)), 10);
    expect(psnrY(a, a, { crop: 2 })).toBe(Number.POSITIVE_INFINITY);
    expect(() =>
      psnr(
        a,
        image(9, 10, () => 0),
      ),
    ).toThrow(/differ in size/);
  });
});

describe('ssim', () => {
  it('matches the closed form for flat images and is 1 for identical ones', () => {
    const p = 100;
    const q = 140;
    const c1 = (0.01 * 255) ** 2;
    const flatP = image(16, 16, () => p);
    const flatQ = image(16, 16, () => q);
    expect(ssim(flatP, flatQ)).toBeCloseTo((2 * p * q + c1) / (p * p + q * q + c1), 12);
    const textured = image(20, 18, (x, y, c) => (x * 37 + y * y * 11 + c * 90) % 256);
    expect(ssim(textured, textured)).toBeCloseTo(1, 12);
  });

  it('agrees with a direct (non-separable) 11×11 window', () => {
    const a = image(15, 13, (x, y, c) => (x * 37 + y * y * 11 + c * 90) % 256);
    const b = image(15, 13, (x, y, c) => (x * 29 + y * 13 + c * 40 + ((x * y) % 7) * 9) % 256);
    const g: number[] = [];
    for (let i = -5; i <= 5; i++) g.push(Math.exp(-(i * i) / 4.5));
    const s = g.reduce((u, v) => u + v, 0);
    const w = g.map((v) => v / s);
    let total = 0;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let count = 0;
      for (let y = 5; y < 13 - 5; y++)
        for (let x = 5; x < 15 - 5; x++) {
          let m1 = 0;
          let m2 = 0;
          let s11 = 0;
          let s22 = 0;
          let s12 = 0;
          for (let dy = -5; dy <= 5; dy++)
            for (let dx = -5; dx <= 5; dx++) {
              const k = w[dy + 5]! * w[dx + 5]!;
              const u = a.data[((y + dy) * 15 + x + dx) * 3 + c]!;
              const v = b.data[((y + dy) * 15 + x + dx) * 3 + c]!;
              m1 += k * u;
              m2 += k * v;
              s11 += k * u * u;
              s22 += k * v * v;
              s12 += k * u * v;
            }
          const c1 = (0.01 * 255) ** 2;
          const c2 = (0.03 * 255) ** 2;
          sum +=
            ((2 * m1 * m2 + c1) * (2 * (s12 - m1 * m2) + c2)) /
            ((m1 * m1 + m2 * m2 + c1) * (s11 - m1 * m1 + s22 - m2 * m2 + c2));
          count++;
        }
      total += sum / count;
    }
    expect(ssim(a, b)).toBeCloseTo(total / 3, 10);
  });
});
