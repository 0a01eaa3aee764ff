import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { bundleScript, runNode } from '@ugpnet/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPidAlive, isStale } from './claims.js';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';
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

describe('claiming one run and giving up on cells that kill their worker', () => {
  let f: FreshStore;
  beforeEach(() => {
    f = freshStore();
  });
  afterEach(() => f.cleanup());

  it('claimRun takes a scheduled or dead-held run, never a live-held or ended one', () => {
    const ids = queue(f, 4);
    const w = currentWorker('w');
    expect(f.store.claimRun(ids[2]!, w)).toMatchObject({ id: ids[2], status: 'running', attempts: 1 });
    expect(f.store.claimRun(ids[2]!, currentWorker('other'))).toBeUndefined();
    f.store.startRun(ids[1]!, { name: 'dead', pid: deadPid(), host: hostname() });
    expect(f.store.claimRun(ids[1]!, w)?.attempts).toBe(2);
    f.store.endRun(ids[0]!, 'finished');
    expect(f.store.claimRun(ids[0]!, w)).toBeUndefined();
    expect(f.store.claimRun('no-such-run', w)).toBeUndefined();
  });

  it('with maxAttempts, a run whose worker died that often is failed and the next one is claimed', () => {
    const ids = queue(f, 2);
    const dead = { name: 'oom', pid: deadPid(), host: hostname() };
    f.store.startRun(ids[0]!, dead);
    f.store.startRun(ids[0]!, dead);
    const next = f.store.claimNextRun('g', currentWorker('w'), { maxAttempts: 2 });
    expect(next?.id).toBe(ids[1]);
    expect(f.store.getRun(ids[0]!)).toMatchObject({ status: 'failed', worker: null });
    expect(f.store.getRun(ids[0]!)?.failure).toMatch(/worker died during each of 2 attempts/);
  });
});
