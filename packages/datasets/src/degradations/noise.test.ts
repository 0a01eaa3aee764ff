import { Rng } from '@ugpnet/tensor';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../image.js';
import { normalQuantile, PoissonGaussianNoise, PoissonTables } from './noise.js';

function constant(v: number, side = 64): RgbImage {
  return { width: side, height: side, data: new Float32Array(side * side * 3).fill(v) };
}

function meanVar(a: Float32Array): [number, number] {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let s = 0;
  for (const v of a) s += (v - m) ** 2;
  return [m, s / a.length];
}

describe('Poisson–Gaussian noise', () => {
  it('Poisson draws have mean and variance λ (table sampler, normal approximation above 1000)', () => {
    const tables = new PoissonTables();
    const rng = new Rng(3);
    for (const lambda of [0.5, 4, 30, 400, 5000]) {
      const draws = new Float32Array(40_000).map(() => tables.quantile(lambda, rng.uniform()));
      const [m, v] = meanVar(draws);
      // within 4 standard errors of the mean; variance within 5%
      expect(Math.abs(m - lambda)).toBeLessThan(4 * Math.sqrt(lambda / draws.length));
      expect(v / lambda).toBeGreaterThan(0.95);
      expect(v / lambda).toBeLessThan(1.05);
    }
  });

  it('normal quantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(0.8413447461)).toBeCloseTo(1, 8);
  });

  it.each([
    ['off the 8-bit grid', 0.5],
    ['an 8-bit level (guided tables)', 128 / 255],
    ['a dark 8-bit level', 3 / 255],
  ])('signal-dependent part on %s: mean x, Var = x/k (σ = 0, no quantisation)', (_name, x) => {
    const noise = new PoissonGaussianNoise({ k: 30, sigma: 0, quantise: false });
    const [m, v] = meanVar(noise.apply(constant(x, 128), new Rng(1)).data);
    expect(Math.abs(m - x)).toBeLessThan(4 * Math.sqrt(x / 30 / (128 * 128 * 3)));
    expect(v / (x / 30)).toBeGreaterThan(0.95);
    expect(v / (x / 30)).toBeLessThan(1.05);
  });

  it('Gaussian part: Var ≈ σ² when the Poisson part is negligible', () => {
    const noise = new PoissonGaussianNoise({ k: 1e7, sigma: 0.05, quantise: false });
    const [m, v] = meanVar(noise.apply(constant(0.5, 128), new Rng(2)).data);
    expect(m).toBeCloseTo(0.5, 2);
    expect(Math.sqrt(v)).toBeCloseTo(0.05, 3);
  });

  it('defaults (k 30, σ 0.3) clip to [0, 1] and quantise to 8 bits', () => {
    const noise = new PoissonGaussianNoise();
    expect([noise.k, noise.sigma, noise.quantise]).toEqual([30, 0.3, true]);
    const lq = noise.apply(constant(0.9), new Rng(5)).data;
    let clippedHigh = 0;
    for (const v of lq) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
      if (v === 1) clippedHigh++;
    }
    expect(clippedHigh).toBeGreaterThan(lq.length / 10);
  });

  it('is a pure function of the rng state; ranges draw k and σ per sample', () => {
    const noise = new PoissonGaussianNoise({ k: [10, 50], sigma: [0, 0.1] });
    const a = noise.apply(constant(0.3, 16), new Rng(9)).data;
    const b = noise.apply(constant(0.3, 16), new Rng(9)).data;
    const c = noise.apply(constant(0.3, 16), new Rng(10)).data;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(() => new PoissonGaussianNoise({ sigma: -1 })).toThrow(/noise.sigma/);
    expect(() => new PoissonGaussianNoise({ k: [5, 1] })).toThrow(/noise.k/);
  });
});
