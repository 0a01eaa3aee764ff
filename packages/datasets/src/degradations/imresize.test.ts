import { Rng } from '@ugpnet/tensor';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.js';
import { cubic, imresize, resizeWeights } from './imresize.js';
import { BicubicDownsample } from './sr-bicubic.js';

function image(w: number, h: number, f: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = f(x, y, c);
  return { width: w, height: h, data };
}

describe('MATLAB-style bicubic imresize (BasicSR port)', () => {
  it('Keys cubic (a = −0.5): 1 at 0, 0 at integers, support [−2, 2]', () => {
    expect(cubic(0)).toBe(1);
    expect(cubic(1)).toBe(0);
    expect(cubic(-2)).toBe(0);
    expect(cubic(2.5)).toBe(0);
    expect(cubic(0.5)).toBeCloseTo(0.5625, 12);
    expect(cubic(1.5)).toBeCloseTo(-0.0625, 12);
  });

  it('×1/8 weights: 32 taps, w_j ∝ cubic((15.5 − j)/8), inputs 8i − 12 … 8i + 19', () => {
    const { taps, weights, indices } = resizeWeights(512, 64, 1 / 8);
    expect(taps).toBe(32);
    // by hand: u = 8x − 3.5 (1-based), left = 8x − 20, first tap dropped (|d| = 16.5 → 0)
    const raw = Array.from({ length: 32 }, (_, j) => cubic((15.5 - j) / 8) / 8);
    const sum = raw.reduce((a, b) => a + b, 0);
    const row = 10;
    for (let j = 0; j < 32; j++) {
      expect(weights[row * 32 + j]).toBeCloseTo(raw[j]! / sum, 12);
      expect(indices[row * 32 + j]).toBe(8 * row - 12 + j);
    }
    // row 0 reaches before the image: half-sample symmetric (…, 1, 0 | 0, 1, …)
    expect(Array.from(indices.subarray(0, 13))).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0]);
    expect(indices[63 * 32 + 31]).toBe(512 - 1 - (8 * 63 + 19 - 512));
  });

  it('keeps a constant image constant and gives ceil(size/8) pixels', () => {
    const out = imresize(
      image(100, 77, (_x, _y, c) => 0.25 + 0.25 * c),
      1 / 8,
    );
    expect([out.width, out.height]).toEqual([13, 10]);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBeCloseTo(0.25 + 0.25 * (i % 3), 6);
  });

  it('maps a linear ramp to its value at the output pixel centre away from the borders', () => {
    // symmetric weights around u reproduce linear functions: out(i) = ramp(8i + 3.5)
    const out = imresize(
      image(256, 32, (x) => x / 256),
      1 / 8,
    );
    for (let i = 2; i < 30; i++) expect(out.data[(2 * 32 + i) * 3]).toBeCloseTo((8 * i + 3.5) / 256, 5);
  });

  it('a single bright pixel spreads into the normalised kernel weights', () => {
    const img = image(64, 64, (x, y) => (x === 35 && y === 35 ? 1 : 0));
    const out = imresize(img, 1 / 8);
    const { weights, indices } = resizeWeights(64, 8, 1 / 8);
    const w = (i: number) => {
      let v = 0;
      for (let j = 0; j < 32; j++) if (indices[i * 32 + j] === 35) v += weights[i * 32 + j]!;
      return v;
    };
    for (const [oy, ox] of [
      [4, 4],
      [3, 5],
      [5, 2],
    ] as const) {
      expect(out.data[(oy * 8 + ox) * 3]).toBeCloseTo(w(oy) * w(ox), 6);
    }
  });

  it('upscaling uses the plain cubic (4 taps) and keeps constants', () => {
    const { taps } = resizeWeights(10, 20, 2);
    expect(taps).toBe(4);
    expect(
      imresize(
        image(8, 6, () => 0),
        4,
      ).width,
    ).toBe(32);
    const flat = imresize(
      image(8, 8, () => 0.4),
      4,
    );
    for (const v of flat.data) expect(v).toBeCloseTo(0.4, 6);
  });

  it('sr8 degradation: 512 → 64, clipped and on the 8-bit grid', () => {
    const gt = image(512, 512, (x, y, c) => ((x ^ y) % 256) / 255 + (c === 0 ? 0.2 : 0));
    const lq = new BicubicDownsample().apply(gt, new Rng(1));
    expect([lq.width, lq.height]).toEqual([64, 64]);
    for (const v of lq.data) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
    }
    expect(new BicubicDownsample().lqSize(512)).toBe(64);
    expect(() => new BicubicDownsample({ factor: 2.5 })).toThrow(/factor/);
  });
});
