import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { mergeStores } from './merge.js';
import { openStore, type TrackingStore } from './tracking-store.js';

/** A SLURM task's store: the grid, one cell run, its metrics, a checkpoint, an artifact. */
function taskStore(path: string, cell: number, status: 'finished' | 'failed', steps: number): string {
  const s = openStore(path);
  s.registerGrid({ name: 'ablation', spec: { axes: { seed: [0, 1, 2] } } });
  const cells = [0, 1, 2].map((i) => ({
    cellId: `seed=${i}`,
    cellIndex: i,
    name: `seed=${i}`,
    params: { seed: i },
  }));
  s.queueGridCells('ablation', 'ablation', [cells[cell]!]);
  const run = s.claimNextRun('ablation', { name: `task${cell}`, pid: process.pid, host: 'node1' })!;
  s.logParams(run.id, { seed: cell });
  for (let step = 0; step < steps; step++)
    s.logMetrics(run.id, 'fusion', step, { psnr: 20 + step, loss: Number.NaN });
  s.saveCheckpoint({
    runId: run.id,
    stage: 'fusion',
    step: steps - 1,
    path: `ckpt/c${cell}.safetensors`,
    metrics: { psnr: 1 },
  });
  s.logArtifact({
    runId: run.id,
    stage: 'fusion',
    step: steps - 1,
    kind: 'samples',
    path: `/abs/s${cell}.png`,
  });
  s.setTag(run.id, 'slurm_task', String(cell));
  s.addNote(run.id, `task ${cell}`);
  s.endRun(run.id, status, status === 'failed' ? 'NaN loss' : null);
  s.close();
  return run.id;
}

function counts(s: TrackingStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of [
    'runs',
    'metrics',
    'latest_metrics',
    'checkpoints',
    'artifacts',
    'params',
    'tags',
    'notes',
  ]) {
    out[t] = (s.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}

describe('mergeStores', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-merge-'));
    mkdirSync(join(dir, 'slurm'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('folds task stores into one without duplicates, and merging again changes nothing', () => {
    const a = join(dir, 'slurm', 'cell-0.db');
    const b = join(dir, 'slurm', 'cell-1.db');
    const idA = taskStore(a, 0, 'finished', 5);
    const idB = taskStore(b, 1, 'failed', 3);
    const into = join(dir, 'ugp.db');
    const first = mergeStores([a, b], into);
    expect(first).toMatchObject({ runsAdded: 2, runsReplaced: 0, runsSkipped: 0 });
    expect(first.rows.metrics).toBe(5 * 2 + 3 * 2);
    const s = openStore(into);
    const before = counts(s);
    expect(before).toEqual({
      runs: 2,
      metrics: 16,
      latest_metrics: 4,
      checkpoints: 2,
      artifacts: 2,
      params: 2,
      tags: 2,
      notes: 2,
    });
    expect(s.getRun(idA)).toMatchObject({ status: 'finished', gridId: 'ablation', cellParams: { seed: 0 } });
    expect(s.getRun(idB)).toMatchObject({ status: 'failed', failure: 'NaN loss' });
    // Relative paths still point at the same files from the merged store's folder; absolute ones are kept.
    expect(s.listCheckpoints(idA)[0]!.path).toBe(join('slurm', 'ckpt', 'c0.safetensors'));
    expect(s.listArtifacts(idA)[0]!.path).toBe('/abs/s0.png');
    expect(s.latestMetrics([idA]).find((m) => m.key === 'psnr')).toMatchObject({ step: 4, value: 24 });
    expect(s.latestMetrics([idA]).find((m) => m.key === 'loss')?.value).toBeNaN();
    s.close();

    const again = mergeStores([a, b], into);
    expect(again).toMatchObject({ runsAdded: 0, runsReplaced: 0, runsSkipped: 2 });
    const after = openStore(into);
    expect(counts(after)).toEqual(before);
    after.close();
  });

  it('a cell present on both sides keeps the version that got further', () => {
    const into = join(dir, 'ugp.db');
    const local = openStore(into);
    local.registerGrid({ name: 'ablation', spec: { old: true } });
    local.queueGridCells('ablation', 'ablation', [
      { cellId: 'seed=0', cellIndex: 0, name: 'seed=0', params: { seed: 0 } },
    ]);
    local.close();
    const task = join(dir, 'slurm', 'cell-0.db');
    const id = taskStore(task, 0, 'finished', 4);
    expect(mergeStores([task], into)).toMatchObject({ runsAdded: 0, runsReplaced: 1 });
    const s = openStore(into);
    expect(s.listRuns()).toHaveLength(1);
    expect(s.getRun(id)?.status).toBe('finished');
    expect(s.metricHistory(id, { key: 'psnr' })).toHaveLength(4);
    s.close();
    // The scheduled copy in another store does not overwrite the finished one.
    const stale = join(dir, 'stale.db');
    const st = openStore(stale);
    st.registerGrid({ name: 'ablation', spec: {} });
    st.queueGridCells('ablation', 'ablation', [
      { cellId: 'seed=0', cellIndex: 0, name: 'seed=0', params: {} },
    ]);
    st.close();
    expect(mergeStores([stale], into)).toMatchObject({ runsSkipped: 1 });
    const s2 = openStore(into);
    expect(s2.getRun(id)?.status).toBe('finished');
    s2.close();
  });

  it('refuses to merge a store into itself or a missing file', () => {
    const into = join(dir, 'ugp.db');
    openStore(into).close();
    expect(() => mergeStores([into], into)).toThrow(StoreError);
    expect(() => mergeStores([join(dir, 'missing.db')], into)).toThrow(/does not exist/);
    expect(() => mergeStores([], into)).toThrow(StoreError);
  });
});
