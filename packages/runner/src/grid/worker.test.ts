import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentWorker, openStore, type TrackingStore } from '@ugpnet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueGrid } from './queue.js';
import type { GridSpec } from './spec.js';
import { fakeCell } from './test-support/fake-cell.js';
import { runWorker } from './worker.js';

const spec: GridSpec = { name: 'ablation', axes: { fail: [false, true] }, seeds: [1, 2] };
const quiet = () => {};

describe('queueGrid and runWorker (one in-process worker, fake cell)', () => {
  let dir: string;
  let store: TrackingStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-worker-'));
    store = openStore(join(dir, 'ugp.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every cell; a throwing cell fails with its message; re-running skips finished cells', async () => {
    const { report, cells } = queueGrid(store, spec, { specFile: 'experiments/ablation.yaml' });
    expect(report.created).toHaveLength(4);
    expect(store.getGrid('ablation')?.specFile).toBe('experiments/ablation.yaml');
    const result = await runWorker({ store, gridId: 'ablation', runCell: fakeCell(8, 0), log: quiet });
    expect(result.runs.map((r) => [r.name, r.status])).toEqual(
      cells.map((c) => [c.name, c.params.fail ? 'failed' : 'finished']),
    );
    expect(result.runs.find((r) => r.status === 'failed')?.failure).toBe('RangeError: loss is NaN at step 3');
    for (const run of store.listRuns({ gridId: 'ablation', status: 'finished' })) {
      expect(store.metricHistory(run.id, { key: 'loss' })).toHaveLength(8);
      expect(store.bestCheckpoint(run.id, 'fusion')?.step).toBe(4);
      expect(run.experiment).toBe('ablation');
    }

    const again = queueGrid(store, spec);
    expect(again.report).toMatchObject({ created: [], requeued: [] });
    expect(again.report.kept).toMatchObject({ finished: 2, failed: 2 });
    expect(
      (await runWorker({ store, gridId: 'ablation', runCell: fakeCell(8, 0), log: quiet })).runs,
    ).toEqual([]);

    const retry = queueGrid(store, spec, { retryFailed: true });
    expect(retry.report.requeued).toHaveLength(2);
    const rerun = await runWorker({ store, gridId: 'ablation', runCell: fakeCell(8, 0), log: quiet });
    expect(rerun.runs.map((r) => r.status)).toEqual(['failed', 'failed']);
    // --retry-failed starts a failed cell afresh: a new attempt budget.
    expect(store.listRuns({ gridId: 'ablation', status: 'failed' }).map((r) => r.attempts)).toEqual([1, 1]);
  });

  it('an interrupted worker marks its run killed; queueing again resumes it from its checkpoint', async () => {
    const one: GridSpec = { name: 'one', seeds: [7] };
    queueGrid(store, one);
    const controller = new AbortController();
    const slow = fakeCell(20, 5);
    const interrupted = await runWorker({
      store,
      gridId: 'one',
      signal: controller.signal,
      log: quiet,
      runCell: async (ctx) => {
        setTimeout(() => controller.abort('SIGTERM'), 60);
        await slow(ctx);
      },
    });
    expect(interrupted.interrupted).toBe(true);
    const [killed] = store.listRuns({ gridId: 'one' });
    expect(killed).toMatchObject({ status: 'killed', failure: 'interrupted (SIGTERM)', worker: null });
    const stepsBefore = store.metricHistory(killed!.id, { key: 'loss' }).length;
    expect(stepsBefore).toBeGreaterThan(0);
    expect(stepsBefore).toBeLessThan(20);

    expect(queueGrid(store, one).report.requeued).toEqual([killed!.id]);
    const resumed = await runWorker({ store, gridId: 'one', runCell: fakeCell(20, 0), log: quiet });
    expect(resumed.runs).toEqual([{ runId: killed!.id, name: 'seed=7', status: 'finished', failure: null }]);
    const rows = store.metricHistory(killed!.id, { key: 'loss' });
    expect(rows.map((m) => m.step)).toEqual([...Array(20).keys()]);
    expect(store.getRun(killed!.id)?.attempts).toBe(2);
  });

  it('a cell runner that ends its run itself is left alone; runIds restricts the worker', async () => {
    const { cells } = queueGrid(store, { name: 'g', seeds: [1, 2, 3] });
    const only = store.listRuns({ gridId: 'g' }).find((r) => r.cellId === cells[2]!.id)!;
    const result = await runWorker({
      store,
      gridId: 'g',
      runIds: [only.id],
      worker: currentWorker('w'),
      log: quiet,
      runCell: async ({ store: s, run }) => {
        s.endRun(run.id, 'failed', 'non-finite loss in fusion at step 0');
      },
    });
    expect(result.runs).toEqual([
      { runId: only.id, name: 'seed=3', status: 'failed', failure: 'non-finite loss in fusion at step 0' },
    ]);
    expect(store.gridProgress('g').byStatus).toMatchObject({ scheduled: 2, failed: 1 });
  });
});
