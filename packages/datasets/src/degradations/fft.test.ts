import { describe, expect, it } from 'vitest';
import { FftPlan, nextFftSize } from './fft.js';

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      outRe[k]! += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      outIm[k]! += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

function signal(n: number, seed: number): [Float64Array, Float64Array] {
  const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) + ((i * seed) % 3));
  const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.3 * seed));
  return [re, im];
}

describe('FftPlan', () => {
  it.each([1, 2, 3, 4, 5, 6, 8, 9, 12, 15, 16, 25, 30, 48, 60, 100, 320])(
    'matches the DFT for n = %i',
    (n) => {
      const [re, im] = signal(n, 3);
      const [wantRe, wantIm] = naiveDft(re, im);
      const r = re.slice();
      const i = im.slice();
      new FftPlan(n).forward(r, i);
      for (let k = 0; k < n; k++) {
        expect(r[k]).toBeCloseTo(wantRe[k]!, 9);
        expect(i[k]).toBeCloseTo(wantIm[k]!, 9);
      }
    },
  );

  it('backward (forward with re and im swapped) is n × the inverse', () => {
    const n = 576;
    const plan = new FftPlan(n);
    const [re, im] = signal(n, 5);
    const r = re.slice();
    const i = im.slice();
    plan.forward(r, i);
    plan.backward(r, i);
    for (let k = 0; k < n; k++) {
      expect(r[k]! / n).toBeCloseTo(re[k]!, 12);
      expect(i[k]! / n).toBeCloseTo(im[k]!, 12);
    }
  });

  it('column transforms equal 1-D transforms of each column, and only touch the asked range', () => {
    const rows = 60;
    const cols = 7;
    const plan = new FftPlan(rows);
    const re = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37));
    const im = Float64Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.11));
    const r = re.slice();
    const i = im.slice();
    const scratch = [new Float64Array(rows * cols), new Float64Array(rows * cols)] as const;
    const [outRe, outIm] = plan.forwardColumnsInto(r, i, cols, scratch[0], scratch[1], 2, 6);
    for (let x = 0; x < cols; x++) {
      const cr = Float64Array.from({ length: rows }, (_, y) => re[y * cols + x]!);
      const ci = Float64Array.from({ length: rows }, (_, y) => im[y * cols + x]!);
      if (x >= 2 && x < 6) plan.forward(cr, ci);
      for (let y = 0; y < rows; y++) {
        if (x >= 2 && x < 6) {
          expect(outRe[y * cols + x]).toBeCloseTo(cr[y]!, 10);
          expect(outIm[y * cols + x]).toBeCloseTo(ci[y]!, 10);
        } else {
          expect(r[y * cols + x]).toBe(re[y * cols + x]);
          expect(scratch[0][y * cols + x]).toBe(0);
        }
      }
    }
  });

  it('row transforms equal 1-D transforms of each row', () => {
    const rows = 3;
    const n = 60;
    const plan = new FftPlan(n);
    const [re, im] = signal(rows * n, 2);
    const r = re.slice();
    const i = im.slice();
    plan.forwardRows(r, i, rows);
    for (let y = 0; y < rows; y++) {
      const [wantRe, wantIm] = naiveDft(re.slice(y * n, (y + 1) * n), im.slice(y * n, (y + 1) * n));
      for (let k = 0; k < n; k++) {
        expect(r[y * n + k]).toBeCloseTo(wantRe[k]!, 9);
        expect(i[y * n + k]).toBeCloseTo(wantIm[k]!, 9);
      }
    }
  });

  it('nextFftSize gives the smallest 5-smooth size', () => {
    expect(nextFftSize(562)).toBe(576);
    expect(nextFftSize(306)).toBe(320);
    expect(nextFftSize(512)).toBe(512);
    expect(nextFftSize(7)).toBe(8);
    expect(nextFftSize(1)).toBe(1);
    expect(() => new FftPlan(7)).toThrow(/5-smooth/);
  });
});
