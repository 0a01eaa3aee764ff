import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import type { QueueCell } from './grids.js';
import { cellRunId } from './ids.js';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';

function cells(n: number): QueueCell[] {
  return Array.from({ length: n }, (_, i) => ({
    cellId: `cell${i}`,
    cellIndex: i,
    name: `seed=${i}`,
    params: { seed: i },
    seed: i,
  }));
}

describe('grids', () => {
  let f: FreshStore;
  beforeEach(() => {
    f = freshStore();
  });
  afterEach(() => f.cleanup());

  it('registers a grid by name with a hash of its canonical spec', () => {
    const a = f.store.registerGrid({
      name: 'ablation',
      specFile: 'experiments/a.yaml',
      spec: { b: 1, a: [1, 2] },
    });
    const same = f.store.registerGrid({ name: 'ablation', spec: { a: [1, 2], b: 1 } });
    expect(same.specHash).toBe(a.specHash);
    expect(same.specFile).toBe('experiments/a.yaml');
    expect(same.updatedAt).toBe(a.updatedAt);
    const changed = f.store.registerGrid({ name: 'ablation', spec: { a: [1, 2, 3], b: 1 } });
    expect(changed.specHash).not.toBe(a.specHash);
    expect(changed.spec).toEqual({ a: [1, 2, 3], b: 1 });
    expect(f.store.listGrids().map((g) => g.id)).toEqual(['ablation']);
  });

  it('queues each cell once with a run id derived from grid and cell', () => {
    f.store.registerGrid({ name: 'g', spec: {} });
    const first = f.store.queueGridCells('g', 'ablation', cells(3));
    expect(first.created).toEqual([0, 1, 2].map((i) => cellRunId('g', `cell${i}`)));
    const again = f.store.queueGridCells('g', 'ablation', cells(3));
    expect(again.created).toEqual([]);
    expect(again.kept.scheduled).toBe(3);
    const runs = f.store.listRuns({ gridId: 'g' });
    expect(runs.map((r) => [r.name, r.cellIndex, r.seed, r.status, r.experiment])).toEqual([
      ['seed=0', 0, 0, 'scheduled', 'ablation'],
      ['seed=1', 1, 1, 'scheduled', 'ablation'],
      ['seed=2', 2, 2, 'scheduled', 'ablation'],
    ]);
    expect(runs[1]!.cellParams).toEqual({ seed: 1 });
    expect(() => f.store.queueGridCells('nope', 'x', cells(1))).toThrow(StoreError);
  });

  it('re-queueing skips finished, keeps failed unless asked, requeues killed and dead-held cells', () => {
    f.store.registerGrid({ name: 'g', spec: {} });
    const ids = f.store.queueGridCells('g', 'e', cells(6)).created;
    const worker = { name: 'w', pid: 999_999_999, host: 'this-host' };
    f.store.endRun(f.store.startRun(ids[0]!, worker).id, 'finished');
    f.store.endRun(f.store.startRun(ids[1]!, worker).id, 'failed', 'NaN loss');
    f.store.endRun(f.store.startRun(ids[2]!, worker).id, 'killed', 'SIGTERM');
    f.store.startRun(ids[3]!, worker); // holder pid does not exist: dead
    f.store.startRun(ids[4]!, { ...worker, pid: process.pid }); // holder alive
    const report = f.store.queueGridCells('g', 'e', cells(6), { host: 'this-host' });
    expect(report.requeued.sort()).toEqual([ids[2], ids[3]].sort());
    expect(report.kept).toMatchObject({ finished: 1, failed: 1, running: 1, scheduled: 1 });
    expect(f.store.getRun(ids[1]!)?.status).toBe('failed');
    const retry = f.store.queueGridCells('g', 'e', cells(6), { retryFailed: true, host: 'this-host' });
    expect(retry.requeued).toEqual([ids[1]]);
    expect(f.store.getRun(ids[1]!)).toMatchObject({ status: 'scheduled', failure: null, worker: null });
    expect(f.store.gridProgress('g')).toEqual({
      gridId: 'g',
      total: 6,
      byStatus: { scheduled: 4, running: 1, finished: 1, failed: 0, killed: 0 },
    });
  });

  it('a running cell on another host is kept unless its heartbeat is older than staleAfterMs', () => {
    f.store.registerGrid({ name: 'g', spec: {} });
    const [id] = f.store.queueGridCells('g', 'e', cells(1)).created;
    f.store.startRun(id!, { name: 'remote', pid: 1, host: 'other-host' });
    expect(f.store.queueGridCells('g', 'e', cells(1)).requeued).toEqual([]);
    f.store.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE run_id = ?').run(Date.now() - 60_000, id);
    expect(f.store.queueGridCells('g', 'e', cells(1), { staleAfterMs: 30_000 }).requeued).toEqual([id]);
  });
});
