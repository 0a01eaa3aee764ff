import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gpusFromEnv, runWorkerPool } from './pool.js';
import { queueGrid } from './queue.js';
import { workerFixture } from './test-support/worker-fixture.js';

const STEPS = 20;

describe('worker pool (child processes running the fake cell)', () => {
  const fx = workerFixture('ugp-pool');

  const hasWork = (gridId: string) => () =>
    fx.store.gridProgress(gridId).byStatus.scheduled > 0 || fx.store.staleRuns({ gridId }).length > 0;

  it('N workers drain the grid, each cell once, each pinned to its GPU', async () => {
    queueGrid(fx.store, { name: 'g', axes: { lr: [1, 2, 3] }, seeds: [1, 2] });
    const lines: string[] = [];
    const exits = await runWorkerPool({
      workers: 3,
      gpus: ['0', '1'],
      command: () => fx.workerChild('g', String(STEPS), '2'),
      env: { UGP_TEST_ECHO_GPU: '1' },
      hasWork: hasWork('g'),
      output: (i, line) => lines.push(`${i}|${line}`),
      forwardSignals: false,
    });
    expect(exits.map((e) => [e.index, e.code, e.restarts])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
    ]);
    const runs = fx.store.listRuns({ gridId: 'g' });
    expect(runs.map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(['finished', 1]));
    for (const r of runs) expect(fx.store.metricHistory(r.id, { key: 'loss' })).toHaveLength(STEPS);
    expect(new Set(runs.map((r) => r.worker))).toEqual(new Set([null]));
    expect(lines.some((l) => /^\d\|.*starting/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('gpu=')).sort()).toEqual(['0|gpu=0', '1|gpu=1', '2|gpu=0']);
  });

  it('a worker killed with SIGKILL mid-cell is restarted and its cell resumes with no missing or duplicate rows', async () => {
    queueGrid(fx.store, { name: 'k', seeds: [1, 2, 3] });
    const children = new Map<number, ChildProcess>();
    let victim: string | undefined;
    // Kill worker 0 as soon as the run it holds has logged a few steps.
    const poll = setInterval(() => {
      const pid = children.get(0)?.pid;
      if (victim || pid === undefined) return;
      const held = fx.store.listRuns({ gridId: 'k', status: 'running' }).find((r) => r.worker?.pid === pid);
      if (held && fx.store.metricHistory(held.id, { key: 'loss' }).length >= 2) {
        victim = held.id;
        children.get(0)!.kill('SIGKILL');
      }
    }, 5);
    const exits = await runWorkerPool({
      workers: 2,
      command: () => fx.workerChild('k', String(STEPS), '15'),
      hasWork: hasWork('k'),
      onSpawn: (i, child) => children.set(i, child),
      output: () => {},
      forwardSignals: false,
    }).finally(() => clearInterval(poll));
    expect(victim).toBeDefined();
    expect(exits.find((e) => e.index === 0)?.restarts).toBe(1);
    expect(exits.every((e) => e.code === 0)).toBe(true);
    const runs = fx.store.listRuns({ gridId: 'k' });
    expect(runs.every((r) => r.status === 'finished')).toBe(true);
    expect(fx.store.getRun(victim!)?.attempts).toBe(2);
    for (const r of runs) {
      expect(fx.store.metricHistory(r.id, { key: 'loss' }).map((m) => m.step)).toEqual([
        ...Array(STEPS).keys(),
      ]);
    }
  });

  it('SIGTERM to a worker marks its run killed; it exits 143', async () => {
    queueGrid(fx.store, { name: 't', seeds: [1] });
    const children = new Map<number, ChildProcess>();
    let sent = false;
    const exits = await runWorkerPool({
      workers: 1,
      command: () => fx.workerChild('t', '1000', '10'),
      onSpawn: (i, child) => children.set(i, child),
      output: (i, line) => {
        if (!sent && line.includes('starting')) {
          sent = true;
          setTimeout(() => children.get(i)?.kill('SIGTERM'), 100);
        }
      },
      forwardSignals: false,
    });
    expect(exits[0]).toMatchObject({ code: 143, restarts: 0 });
    const [run] = fx.store.listRuns({ gridId: 't' });
    expect(run).toMatchObject({ status: 'killed', failure: 'interrupted (SIGTERM)' });
  });

  it('reads GPU ids from CUDA_VISIBLE_DEVICES', () => {
    expect(gpusFromEnv({ CUDA_VISIBLE_DEVICES: '2, 3' })).toEqual(['2', '3']);
    expect(gpusFromEnv({ CUDA_VISIBLE_DEVICES: '' })).toBeUndefined();
    expect(gpusFromEnv({ CUDA_VISIBLE_DEVICES: '-1' })).toBeUndefined();
    expect(gpusFromEnv({})).toBeUndefined();
    expect(() => runWorkerPool({ workers: 0, command: () => ({ file: 'x', args: [] }) })).toThrow(RangeError);
  });
});
