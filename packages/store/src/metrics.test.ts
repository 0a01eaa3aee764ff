import { join } from 'node:path';
import { bundleScript, runNode } from '@ugpnet/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';

describe('metrics', () => {
  let f: FreshStore;
  let runId: string;
  beforeEach(() => {
    f = freshStore();
    runId = f.store.createRun({ name: 'r', experiment: 'e', status: 'running' }).id;
  });
  afterEach(() => f.cleanup());

  it('logs history in step order with NaN and ±Infinity preserved', () => {
    f.store.logMetrics(runId, 'fusion', 0, { loss: 2, psnr: 10 }, 1000);
    f.store.logMetrics(runId, 'fusion', 1, { loss: Number.NaN, psnr: Number.POSITIVE_INFINITY }, 1001);
    f.store.logMetric(runId, 'fusion', 'loss', Number.NEGATIVE_INFINITY, 2, 1002);
    const loss = f.store.metricHistory(runId, { stage: 'fusion', key: 'loss' });
    expect(loss.map((m) => [m.step, m.value, m.timestamp])).toEqual([
      [0, 2, 1000],
      [1, Number.NaN, 1001],
      [2, Number.NEGATIVE_INFINITY, 1002],
    ]);
    expect(f.store.metricHistory(runId, { key: 'psnr', fromStep: 1 }).map((m) => m.value)).toEqual([
      Number.POSITIVE_INFINITY,
    ]);
    expect(f.store.metricKeys(runId)).toEqual([
      { stage: 'fusion', key: 'loss' },
      { stage: 'fusion', key: 'psnr' },
    ]);
  });

  it('logging the same (run, stage, key, step) again overwrites instead of duplicating', () => {
    f.store.logMetrics(runId, 'synthesis', 5, { loss: 1 });
    f.store.logMetrics(runId, 'synthesis', 5, { loss: 3 });
    f.store.logMetrics(runId, 'fusion', 5, { loss: 7 });
    const rows = f.store.metricHistory(runId, { key: 'loss' });
    expect(rows.map((m) => [m.stage, m.step, m.value])).toEqual([
      ['fusion', 5, 7],
      ['synthesis', 5, 3],
    ]);
  });

  it('latest_metrics follows the highest step, even when an older step is logged late', () => {
    f.store.logMetrics(runId, 'fusion', 10, { psnr: 25 });
    f.store.logMetrics(runId, 'fusion', 3, { psnr: 21 });
    const other = f.store.createRun({ name: 'o', experiment: 'e' }).id;
    f.store.logMetrics(other, 'fusion', 1, { psnr: 30, lpips: Number.NaN });
    expect(f.store.latestMetrics([runId]).map((m) => [m.key, m.step, m.value])).toEqual([['psnr', 10, 25]]);
    expect(f.store.latestMetrics()).toHaveLength(3);
    const [s] = f.store.metricSummaries([runId], ['psnr']);
    expect(s).toMatchObject({ latest: 25, latestStep: 10, min: 21, max: 25, count: 2 });
    const lp = f.store.metricSummaries([other]).find((m) => m.key === 'lpips')!;
    expect(lp.latest).toBeNaN();
    expect(lp.min).toBeNull();
  });

  it('deleteMetricsAfter truncates one stage for a resume and recomputes the latest values', () => {
    for (let step = 0; step < 10; step++) {
      f.store.logMetrics(runId, 'fusion', step, { loss: step });
      f.store.logMetrics(runId, 'synthesis', step, { loss: -step });
    }
    expect(f.store.deleteMetricsAfter(runId, 'fusion', 4)).toBe(5);
    expect(f.store.metricHistory(runId, { stage: 'fusion' }).map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    expect(f.store.metricHistory(runId, { stage: 'synthesis' })).toHaveLength(10);
    const latest = f.store.latestMetrics([runId]);
    expect(latest.find((m) => m.stage === 'fusion')).toMatchObject({ step: 4, value: 4 });
    expect(latest.find((m) => m.stage === 'synthesis')).toMatchObject({ step: 9, value: -9 });
    // Replaying steps 5..6 after the truncation gives exactly one row per step.
    for (let step = 5; step < 7; step++) f.store.logMetrics(runId, 'fusion', step, { loss: step });
    expect(f.store.metricHistory(runId, { stage: 'fusion' }).map((m) => m.step)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(f.store.deleteMetricsAfter(runId, 'fusion', 100)).toBe(0);
  });

  it('rejects negative or fractional steps', () => {
    expect(() => f.store.logMetrics(runId, 'fusion', -1, { loss: 1 })).toThrow(RangeError);
    expect(() => f.store.logMetrics(runId, 'fusion', 1.5, { loss: 1 })).toThrow(RangeError);
  });

  it('4 processes logging at once lose nothing and duplicate nothing', async () => {
    const script = await bundleScript(join(import.meta.dirname, 'test-support/log-metrics-child.ts'), f.dir);
    const processes = 4;
    const steps = 150;
    const results = await Promise.all(
      Array.from({ length: processes }, (_, i) => runNode(script, [f.path, runId, String(i), String(steps)])),
    );
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, stdout: 'done\n' });
    for (let i = 0; i < processes; i++) {
      const own = f.store.metricHistory(runId, { stage: `worker-${i}` });
      expect(own).toHaveLength(steps * 3);
      expect(own.filter((m) => m.key === 'lpips').every((m) => Number.isNaN(m.value))).toBe(true);
      expect(f.store.metricHistory(runId, { stage: 'shared', key: `only-${i}` })).toHaveLength(steps);
    }
    const shared = f.store.metricHistory(runId, { stage: 'shared', key: 'loss' });
    expect(shared.map((m) => m.step)).toEqual(Array.from({ length: steps }, (_, s) => s));
    expect(f.store.latestMetrics([runId]).filter((m) => m.stage === 'shared')).toHaveLength(1 + processes);
  });
});
