import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/golden.js';
import { runUgp } from '../testing/run-ugp.js';

const QUICK = join(REPO_ROOT, 'experiments', 'demo-quick.yaml');

/** `ugp bench step` of the quick demo's settings at batch 2, with JSON rows. */
const benchStep = (stage: string, ...flags: string[]) =>
  runUgp([
    'bench',
    'step',
    '--backend',
    'wasm',
    '--experiment',
    QUICK,
    '--stage',
    stage,
    '--batch',
    '2',
    '--json',
    ...flags,
  ]);

describe('ugp bench step', () => {
  it.each(['restoration', 'synthesis', 'fusion'])(
    '%s: JSON rows with time, memory, and no leaked tensors (tiny-32)',
    async (stage) => {
      const r = await benchStep(stage, '--repeats', '2', '--warmup', '1');
      expect(r.errors).not.toMatch(/error/);
      expect(r.code).toBe(0);
      const rows = JSON.parse(r.out) as Array<{ bench: string; case: string; metric: string; value: number }>;
      expect(rows.map((row) => row.metric)).toEqual([
        'step',
        'step_mean',
        'images_per_s',
        'resident_tensors',
        'peak_tensors',
        'rss_peak',
        'leaked_tensors',
      ]);
      for (const row of rows) {
        expect(row.bench).toBe('step');
        expect(row.case).toBe(`tiny-32 ${stage} b2`);
      }
      const value = (metric: string) => rows.find((row) => row.metric === metric)!.value;
      expect(value('step')).toBeGreaterThan(0);
      expect(value('peak_tensors')).toBeGreaterThan(0);
      expect(value('leaked_tensors')).toBe(0);
    },
  );

  it('--kernels N adds the N slowest kernels of a profiled step, slowest first', async () => {
    const r = await benchStep('restoration', '--repeats', '1', '--warmup', '0', '--kernels', '3');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<{ case: string; metric: string; value: number }>;
    const kernels = rows.filter((row) => row.metric === 'kernel_ms');
    expect(kernels).toHaveLength(3);
    const names = kernels.map((row) => row.case.replace('tiny-32 restoration b2 ', ''));
    expect(new Set(names).size).toBe(3);
    // Every name is a tfjs kernel (e.g. Conv2D), and the times are in descending order.
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    const times = kernels.map((row) => row.value);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[2]).toBeGreaterThan(0);
  });

  it('--pytorch-losses: the PyTorch comparison case, and synthesis times its R1 steps separately', async () => {
    const r = await benchStep('synthesis', '--repeats', '1', '--warmup', '0', '--pytorch-losses');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<{ case: string; metric: string; value: number }>;
    expect(rows.map((row) => row.metric)).toEqual(
      expect.arrayContaining(['step', 'step_with_r1', 'r1_extra']),
    );
    for (const row of rows) expect(row.case).toBe('tiny-32 synthesis b2 pytorch-losses');
    const value = (metric: string) => rows.find((row) => row.metric === metric)!.value;
    expect(value('r1_extra')).toBeCloseTo(value('step_with_r1') - value('step'), 6);
    expect(r.errors).not.toMatch(/error/);
  });

  it('needs --arch or --experiment', async () => {
    const r = await runUgp(['bench', 'step', '--stage', 'fusion']);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/give --arch or --experiment/);
  });
});
