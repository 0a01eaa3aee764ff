import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentWorker, openStore, type TrackingStore } from '@ugpnet/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueGrid } from './queue.js';
import type { GridSpec } from './spec.js';
import { gridStatus } from './status.js';

describe('gridStatus', () => {
  let dir: string;
  let store: TrackingStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-status-'));
    store = openStore(join(dir, 'ugp.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports cells × stages with state and best metric', () => {
    const spec: GridSpec = { name: 'g', seeds: [1, 2, 3] };
    const { cells } = queueGrid(store, spec);
    const runs = store.listRuns({ gridId: 'g' });
    const w = currentWorker('w');
    // Cell 0 finished both stages; cell 1 is in fusion; cell 2 is still scheduled.
    const [a, b] = [store.claimNextRun('g', w)!, store.claimNextRun('g', w)!];
    for (const run of [a, b]) {
      store.logMetrics(run.id, 'synthesis', 0, { psnr: 20 }, 1000);
      store.logMetrics(run.id, 'synthesis', 10, { psnr: 22 }, 1001);
      store.saveCheckpoint({ runId: run.id, stage: 'synthesis', step: 10, path: 's', metrics: { psnr: 22 } });
      store.logMetrics(run.id, 'fusion', 5, { psnr: 24, lpips: 0.2 }, 2000);
      store.updateRun(run.id, { stage: 'fusion' });
    }
    store.saveCheckpoint({ runId: a.id, stage: 'fusion', step: 5, path: 'f', metrics: { psnr: 24 } });
    store.endRun(a.id, 'finished');
    const status = gridStatus(store, spec);
    expect(status.stages).toEqual(['synthesis', 'fusion']);
    expect(status.counts).toMatchObject({ finished: 1, running: 1, scheduled: 1, missing: 0 });
    expect(status.cells.map((c) => [c.name, c.status, c.stages.map((s) => s.state)])).toEqual([
      ['seed=1', 'finished', ['done', 'done']],
      ['seed=2', 'running', ['done', 'running']],
      ['seed=3', 'scheduled', ['pending', 'pending']],
    ]);
    expect(status.cells[0]!.stages[1]).toEqual({
      stage: 'fusion',
      state: 'done',
      step: 5,
      best: { metric: 'psnr', value: 24, step: 5 },
    });
    // No checkpoint in fusion for cell 1: the best logged value is used.
    expect(status.cells[1]!.stages[1]!.best).toEqual({ metric: 'psnr', value: 24, step: 5 });
    expect(status.cells[1]!.worker).toBe('w');
    expect(status.cells.map((c) => c.runId)).toEqual(
      cells.map((c) => runs.find((r) => r.cellId === c.id)!.id),
    );

    const byLpips = gridStatus(store, spec, { metric: 'lpips', mode: 'min', stages: ['fusion'] });
    expect(byLpips.cells[1]!.stages).toEqual([
      { stage: 'fusion', state: 'running', step: 5, best: { metric: 'lpips', value: 0.2, step: 5 } },
    ]);
    const extended = gridStatus(store, { name: 'g', seeds: [1, 2, 3, 4] });
    expect(extended.cells[3]).toMatchObject({ status: 'missing', runId: null });
  });
});
