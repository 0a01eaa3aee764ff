import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPidAlive, isStale } from './claims.js';
import { bundleScript, type FreshStore, freshStore, runNode } from './test-support/fresh-store.js';
import { currentWorker } from './tracking-store.js';

function queue(f: FreshStore, n: number): string[] {
  f.store.registerGrid({ name: 'g', spec: {} });
  const cells = Array.from({ length: n }, (_, i) => ({
    cellId: `c${i}`,
    cellIndex: i,
    name: `c${i}`,
    params: {},
  }));
  return f.store.queueGridCells('g', 'e', cells).created;
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('claiming runs', () => {
  let f: FreshStore;
  beforeEach(() => {
    f = freshStore();
  });
  afterEach(() => f.cleanup());

  it('claims scheduled runs in cell order, then nothing', () => {
    const ids = queue(f, 3);
    const w = currentWorker('w0');
    const claimed = [
      f.store.claimNextRun('g', w),
      f.store.claimNextRun('g', w),
      f.store.claimNextRun('g', w),
    ];
    expect(claimed.map((r) => r?.id)).toEqual(ids);
    expect(claimed[0]).toMatchObject({ status: 'running', worker: w, attempts: 1, host: w.host });
    expect(f.store.claimNextRun('g', w)).toBeUndefined();
    expect(f.store.claimNextRun('other-grid', w)).toBeUndefined();
  });

  it('takes over a run whose worker died on this host before new ones; live or remote holders keep theirs', () => {
    const ids = queue(f, 4);
    const host = hostname();
    const dead = deadPid();
    expect(isPidAlive(dead)).toBe(false);
    expect(isPidAlive(process.pid)).toBe(true);
    f.store.startRun(ids[1]!, { name: 'alive', pid: process.pid, host });
    f.store.startRun(ids[2]!, { name: 'remote', pid: dead, host: 'elsewhere' });
    f.store.startRun(ids[3]!, { name: 'dead', pid: dead, host });
    f.store.logMetrics(ids[3]!, 'fusion', 7, { loss: 1 });
    expect(f.store.staleRuns().map((r) => r.id)).toEqual([ids[3]]);
    const w = currentWorker('new');
    const resumed = f.store.claimNextRun('g', w)!;
    expect(resumed.id).toBe(ids[3]);
    expect(resumed).toMatchObject({ status: 'running', attempts: 2, worker: w });
    expect(f.store.metricHistory(resumed.id)).toHaveLength(1);
    expect(f.store.claimNextRun('g', w)?.id).toBe(ids[0]);
    expect(f.store.claimNextRun('g', w)).toBeUndefined();
    // A remote holder whose heartbeat is old counts as dead only with staleAfterMs.
    f.store.db.prepare('UPDATE runs SET heartbeat_at = 0 WHERE run_id = ?').run(ids[2]);
    expect(isStale(f.store.getRun(ids[2]!)!)).toBe(false);
    expect(f.store.claimNextRun('g', w, { staleAfterMs: 60_000 })?.id).toBe(ids[2]);
  });

  it('4 processes claiming at once get every run exactly once', async () => {
    const ids = queue(f, 48);
    const script = await bundleScript(join(import.meta.dirname, 'test-support/claim-child.ts'), f.dir);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => runNode(script, [f.path, 'g', `worker-${i}`, '25'])),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const claims = results.map((r) => JSON.parse(r.stdout) as string[]);
    const all = claims.flat();
    expect(all).toHaveLength(ids.length);
    expect(new Set(all)).toEqual(new Set(ids));
    const runs = f.store.listRuns({ gridId: 'g' });
    expect(runs.every((r) => r.status === 'finished' && r.attempts === 1 && r.worker === null)).toBe(true);
    expect(f.store.latestMetrics()).toHaveLength(ids.length);
    // With 25 ms of work per run, several processes get a share (the claims really contend).
    expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1);
  });
});
