import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@ugpnet/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelBank, shakeTrajectory, trajectoryToKernel } from './motion-kernels.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-kernels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('camera-shake kernel bank', () => {
  it('trajectories move at constant speed and have the requested total length', () => {
    const xy = shakeTrajectory(new Rng(1), 2000, 30, 0.005);
    let length = 0;
    for (let t = 1; t < 2000; t++) {
      const step = Math.hypot(xy[2 * t]! - xy[2 * t - 2]!, xy[2 * t + 1]! - xy[2 * t - 1]!);
      expect(step).toBeCloseTo(30 / 1999, 9);
      length += step;
    }
    expect(length).toBeCloseTo(30, 6);
  });

  it('a straight trajectory gives a centred line kernel', () => {
    const xy = new Float64Array(2 * 101);
    for (let t = 0; t <= 100; t++) xy[2 * t] = t / 10; // 10 px to the right
    const k = trajectoryToKernel(xy, 15);
    let sum = 0;
    for (let y = 0; y < 15; y++) {
      for (let x = 0; x < 15; x++) {
        const v = k[y * 15 + x]!;
        sum += v;
        if (y !== 7) expect(v).toBe(0);
        if (y === 7 && (x < 2 || x > 12)) expect(v).toBe(0);
      }
    }
    expect(sum).toBeCloseTo(1, 6);
    expect(k[7 * 15 + 7]!).toBeGreaterThan(0.05);
  });

  it('kernels are non-negative, sum to 1, differ from each other and are deterministic', () => {
    const a = KernelBank.generate({ count: 40, seed: 7 });
    const b = KernelBank.generate({ count: 40, seed: 7 });
    expect(a.data).toEqual(b.data);
    expect(a.size).toBe(51);
    const distinct = new Set<string>();
    for (let i = 0; i < a.count; i++) {
      const k = a.kernel(i);
      let sum = 0;
      let nonzero = 0;
      for (const v of k) {
        expect(v).toBeGreaterThanOrEqual(0);
        sum += v;
        if (v > 0) nonzero++;
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(nonzero).toBeGreaterThan(4);
      distinct.add(k.slice(0, 2601).join(','));
    }
    expect(distinct.size).toBe(40);
    // each kernel has its own stream: kernel i does not depend on the bank size
    expect(KernelBank.generate({ count: 3, seed: 7 }).kernel(2)).toEqual(a.kernel(2));
    expect(KernelBank.generate({ count: 3, seed: 8 }).kernel(2)).not.toEqual(a.kernel(2));
  });

  it('caches the bank as float32 and loads the identical bank back', () => {
    const first = KernelBank.load({ count: 25, seed: 3, cacheDir: dir });
    expect(first.file).toBeDefined();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).size).toBe(25 * 51 * 51 * 4);
    const second = KernelBank.load({ count: 25, seed: 3, cacheDir: dir });
    expect(second.data).toEqual(first.data);
    expect(second.file).toBe(first.file);
    expect(() => KernelBank.generate({ size: 50 })).toThrow(/odd/);
  });

  it('generates the full 2000-kernel bank quickly enough to not need a cache in tests', () => {
    const t = performance.now();
    const bank = KernelBank.generate({ count: 200 });
    const perKernel = (performance.now() - t) / 200;
    expect(bank.count).toBe(200);
    // informative only: the whole default bank costs 2000 × this
    console.log(`kernel generation: ${perKernel.toFixed(2)} ms per kernel`);
  });
});
