import { beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.js';
import { convolveRgb, type FftEngine, reflectIndex } from './fft-convolve.js';
import { loadWasmFft, pffftSize } from './fft-wasm.js';

beforeAll(async () => {
  expect(await loadWasmFft()).toBeDefined();
});

function randomImage(w: number, h: number, seed: number): RgbImage {
  let s = seed;
  const data = new Float32Array(w * h * 3).map(() => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
  return { width: w, height: h, data };
}

/** Direct convolution with reflect-101 borders: the definition the FFT path must match. */
function directConvolve(img: RgbImage, k: Float32Array, ks: number): Float32Array {
  const { width: w, height: h, data } = img;
  const pad = (ks - 1) / 2;
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let dy = -pad; dy <= pad; dy++) {
          for (let dx = -pad; dx <= pad; dx++) {
            const sy = reflectIndex(y - dy, h);
            const sx = reflectIndex(x - dx, w);
            acc += k[(dy + pad) * ks + dx + pad]! * data[(sy * w + sx) * 3 + c]!;
          }
        }
        out[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  return out;
}

describe.each(['js', 'wasm'] as FftEngine[])('convolveRgb (%s transforms)', (engine) => {
  it('reflectIndex mirrors without repeating the edge (reflect-101), bouncing as often as needed', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflectIndex(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
    expect(reflectIndex(-9, 5)).toBe(1);
    expect(reflectIndex(13, 5)).toBe(3);
    expect(reflectIndex(4, 1)).toBe(0);
  });

  it.each([
    [20, 17, 7],
    [16, 12, 31],
    [33, 9, 5],
  ])('matches direct convolution on a %i×%i image with a %i² kernel', (w, h, ks) => {
    const img = randomImage(w, h, w * h + ks);
    const k = randomImage(ks, ks, 7).data.subarray(0, ks * ks);
    const got = convolveRgb(img, k, ks, undefined, engine).data;
    const want = directConvolve(img, k, ks);
    let maxErr = 0;
    let scale = 1;
    for (let i = 0; i < want.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    // float32 transforms (PFFFT): relative error ~1e-7 of the largest value
    expect(maxErr / scale).toBeLessThan(1e-6);
  });

  it('a centred delta is the identity and an off-centre delta shifts the image', () => {
    const img = randomImage(24, 18, 3);
    const ks = 9;
    const delta = new Float32Array(ks * ks);
    delta[4 * ks + 4] = 1;
    const same = convolveRgb(img, delta, ks, undefined, engine).data;
    for (let i = 0; i < same.length; i++) expect(same[i]).toBeCloseTo(img.data[i]!, 5);
    // k(dy = +2, dx = −1) moves content 2 rows down and 1 column left
    const shift = new Float32Array(ks * ks);
    shift[(4 + 2) * ks + 4 - 1] = 1;
    const moved = convolveRgb(img, shift, ks, undefined, engine).data;
    for (const [y, x] of [
      [5, 5],
      [10, 3],
      [17, 22],
    ] as const) {
      for (let c = 0; c < 3; c++) {
        expect(moved[(y * 24 + x) * 3 + c]).toBeCloseTo(img.data[((y - 2) * 24 + x + 1) * 3 + c]!, 5);
      }
    }
  });

  it('pads only as far as a sparse, off-centre kernel reaches, exactly at the borders too', () => {
    const img = randomImage(21, 14, 9);
    const ks = 15;
    const k = new Float32Array(ks * ks);
    for (const [y, x, v] of [
      [0, 9, 0.3],
      [2, 14, 0.2],
      [3, 11, 0.5],
    ] as const) {
      k[y * ks + x] = v;
    }
    const got = convolveRgb(img, k, ks, undefined, engine).data;
    const want = directConvolve(img, k, ks);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
    // writes into a given buffer when asked
    const out = new Float32Array(21 * 14 * 3);
    expect(convolveRgb(img, k, ks, out, engine).data).toBe(out);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(got[i]!, 5);
  });

  it('PFFFT sizes are multiples of 16 with factors 2, 3, 5', () => {
    expect([pffftSize(562), pffftSize(306), pffftSize(1), pffftSize(97)]).toEqual([576, 320, 16, 128]);
  });

  it('rejects even or mis-sized kernels', () => {
    const img = randomImage(8, 8, 1);
    expect(() => convolveRgb(img, new Float32Array(16), 4)).toThrow(/odd/);
    expect(() => convolveRgb(img, new Float32Array(10), 3)).toThrow(/3×3/);
  });
});
