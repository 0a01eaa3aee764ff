import { describe, expect, it } from 'vitest';
import { Rng, type RngState } from './rng.js';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

function moments(values: ArrayLike<number>): { mean: number; variance: number; kurtosis: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    m4 += d ** 4;
  }
  m2 /= values.length;
  m4 /= values.length;
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

function correlation(a: number[], b: number[]): number {
  const ma = moments(a);
  const mb = moments(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma.mean) * (b[i]! - mb.mean);
  return c / a.length / Math.sqrt(ma.variance * mb.variance);
}

describe('Rng', () => {
  it('is xoshiro128** (reference outputs for state [1, 2, 3, 4])', () => {
    expect(draw(new Rng([1, 2, 3, 4]), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is deterministic per seed, and different seeds give different streams', () => {
    expect(draw(new Rng(42), 100)).toEqual(draw(new Rng(42), 100));
    expect(draw(new Rng(42), 100)).not.toEqual(draw(new Rng(43), 100));
    expect(new Rng(0).getState().some((w) => w !== 0)).toBe(true);
    expect(new Rng([0, 0, 0, 0]).getState()).not.toEqual([0, 0, 0, 0]);
  });

  it('forks stable, independent streams without advancing the parent', () => {
    const parent = new Rng(7);
    const twin = new Rng(7);
    const a = parent.fork('init');
    const b = parent.fork('init');
    const data = parent.fork('data');
    expect(draw(a, 50)).toEqual(draw(b, 50));
    expect(parent.getState()).toEqual(twin.getState()); // forking does not consume
    expect(draw(parent.fork('data'), 50)).toEqual(draw(data, 50));
    expect(draw(new Rng(7).fork('init'), 50)).not.toEqual(draw(new Rng(7).fork('data'), 50));
    expect(draw(new Rng(7).fork(1), 50)).not.toEqual(draw(new Rng(7).fork(2), 50));
    // a fork of a later state is a different stream
    const later = new Rng(7);
    later.nextUint32();
    expect(draw(later.fork('init'), 50)).not.toEqual(draw(new Rng(7).fork('init'), 50));
    // and neither correlates with the parent or its sibling
    const p = Array.from({ length: 20000 }, () => twin.uniform());
    const f = new Rng(7).fork('init');
    const g = new Rng(7).fork('data');
    const fs = Array.from({ length: 20000 }, () => f.uniform());
    const gs = Array.from({ length: 20000 }, () => g.uniform());
    expect(Math.abs(correlation(p, fs))).toBeLessThan(0.03);
    expect(Math.abs(correlation(fs, gs))).toBeLessThan(0.03);
  });

  it('resumes exactly from getState/setState, and the state is a copy', () => {
    const rng = new Rng(99);
    rng.normalArray(37);
    const state: RngState = rng.getState();
    const expected = [draw(rng, 20), Array.from(rng.normalArray(5)), rng.poisson(3)];
    const resumed = new Rng(1);
    resumed.setState(state);
    expect([draw(resumed, 20), Array.from(resumed.normalArray(5)), resumed.poisson(3)]).toEqual(expected);
    const rebuilt = new Rng(state);
    expect(draw(rebuilt, 20)).toEqual(expected[0]);
    state[0] ^= 1; // mutating a returned state does not touch the generator
    expect(draw(new Rng(state), 20)).not.toEqual(expected[0]);
    expect(JSON.parse(JSON.stringify(rebuilt.getState()))).toEqual(rebuilt.getState());
  });

  it('draws uniforms in range with the right moments', () => {
    const rng = new Rng(3);
    const u = Array.from({ length: 100000 }, () => rng.uniform());
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = moments(u);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 3);
    const r = rng.uniformArray(10000, -2, 5);
    expect(r.every((x) => x >= -2 && x < 5)).toBe(true);
    expect(moments(r).mean).toBeCloseTo(1.5, 1);
    for (let i = 0; i < 1000; i++) {
      const x = rng.range(10, 11);
      expect(x >= 10 && x < 11).toBe(true);
      const s = rng.seed();
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    }
  });

  it('draws integers uniformly (chi-square over 10 bins)', () => {
    const rng = new Rng(11);
    const counts = new Array<number>(10).fill(0);
    const n = 50000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
  });

  it('draws normals with mean, variance and kurtosis of N(mean, std²)', () => {
    const rng = new Rng(5);
    const z = moments(rng.normalArray(200000));
    expect(Math.abs(z.mean)).toBeLessThan(0.01);
    expect(Math.abs(z.variance - 1)).toBeLessThan(0.015);
    expect(Math.abs(z.kurtosis - 3)).toBeLessThan(0.06);
    const shifted = moments(rng.normalArray(100000, 0.5, -3));
    expect(Math.abs(shifted.mean + 3)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(shifted.variance) - 0.5)).toBeLessThan(0.01);
    expect(Number.isFinite(rng.normal())).toBe(true);
  });

  it('draws Poisson counts with mean and variance lambda (small, moderate and large lambda)', () => {
    const rng = new Rng(8);
    expect(rng.poisson(0)).toBe(0);
    for (const lambda of [0.3, 4, 60, 2000]) {
      const n = 20000;
      const xs = Array.from({ length: n }, () => rng.poisson(lambda));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      const m = moments(xs);
      // 5 standard errors of the mean, and 10% on the variance
      expect(Math.abs(m.mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs(m.variance / lambda - 1)).toBeLessThan(0.1);
    }
  });

  it('shuffles into a permutation, deterministically per seed and evenly over positions', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = new Rng(21).shuffle([...items]);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(new Rng(21).shuffle([...items])).toEqual(a);
    expect(new Rng(22).shuffle([...items])).not.toEqual(a);
    const list = [1, 2, 3];
    expect(new Rng(1).shuffle(list)).toBe(list); // in place
    // element 0 lands in each of 5 positions about equally often
    const rng = new Rng(4);
    const where = new Array<number>(5).fill(0);
    for (let i = 0; i < 20000; i++) where[rng.shuffle([0, 1, 2, 3, 4]).indexOf(0)]!++;
    for (const c of where) expect(Math.abs(c - 4000)).toBeLessThan(250);
    expect(new Rng(1).shuffle([])).toEqual([]);
  });
});
