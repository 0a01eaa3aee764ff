import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { currentWorker } from '@ugpnet/store';
import { describe, expect, it } from 'vitest';
import { queueGrid } from './queue.js';
import { runGrid } from './run-grid.js';
import { fakeCell } from './test-support/fake-cell.js';
import { workerFixture } from './test-support/worker-fixture.js';

const quiet = () => {};

describe('runGrid', () => {
  const fx = workerFixture('ugp-rungrid');

  it('workers killed again and again: every cell stops at --max-attempts, the grid exits 1 saying why', async () => {
    const maxAttempts = 3;
    const spec = { name: 'dying', seeds: [1, 2, 3, 4] };
    // SIGKILL whichever worker holds a run as soon as that run has logged a step, for as long as it lasts.
    const kills = new Map<string, number>();
    const poll = setInterval(() => {
      for (const run of fx.store.listRuns({ gridId: 'dying', status: 'running' })) {
        const pid = run.worker?.pid;
        if (!pid || fx.store.metricHistory(run.id, { key: 'loss' }).length === 0) continue;
        try {
          process.kill(pid, 'SIGKILL');
          kills.set(run.id, (kills.get(run.id) ?? 0) + 1);
        } catch {
          // already gone
        }
      }
    }, 10);
    const result = await runGrid({
      store: fx.store,
      spec,
      specFile: join(fx.dir, 'dying.json'),
      workers: 2,
      maxAttempts,
      cellRunner: async () => fakeCell(1000, 10),
      workerCommand: () => fx.workerChild('dying', '1000', '10', String(maxAttempts)),
      workerOutput: quiet,
      log: quiet,
    }).finally(() => clearInterval(poll));

    const runs = fx.store.listRuns({ gridId: 'dying' });
    expect(runs.map((r) => [r.status, r.attempts])).toEqual(Array(4).fill(['failed', maxAttempts]));
    for (const run of runs) expect(run.failure).toMatch(/worker died during each of 3 attempts/);
    expect(Math.max(...runs.map((r) => r.attempts))).toBeLessThanOrEqual(maxAttempts);
    expect([...kills.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4 * maxAttempts);
    expect(result.exitCode).toBe(1);
    expect(result.interrupted).toBe(false);
    expect(result.progress).toMatchObject({ total: 4, finished: 0, failed: 4 });
    expect(result.unfinished).toMatch(/^4 of 4 cells unfinished: cell 0 \(seed=1\) failed: its worker died/);
  }, 60_000);

  it('a requeued cell that has used its attempts is failed, never started a 4th time', async () => {
    const spec = { name: 'requeued', seeds: [1] };
    const { report } = queueGrid(fx.store, spec);
    const id = report.created[0]!;
    // Three starts, each interrupted (killed): queueing again requeues killed cells.
    for (let i = 0; i < 3; i++) {
      if (i > 0) queueGrid(fx.store, spec);
      expect(fx.store.claimRun(id, currentWorker('w'), { maxAttempts: 3 })?.attempts).toBe(i + 1);
      fx.store.endRun(id, 'killed', 'interrupted (SIGTERM)');
    }
    const result = await runGrid({
      store: fx.store,
      spec,
      specFile: join(fx.dir, 'requeued.json'),
      cellRunner: async () => fakeCell(5, 0),
      log: quiet,
    });
    expect(fx.store.getRun(id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(fx.store.getRun(id)?.failure).toMatch(/started 3 times without finishing \(--max-attempts 3/);
    expect(result.exitCode).toBe(1);
    // --retry-failed gives it a fresh budget.
    const retried = await runGrid({
      store: fx.store,
      spec,
      specFile: join(fx.dir, 'requeued.json'),
      retryFailed: true,
      cellRunner: async () => fakeCell(5, 0),
      log: quiet,
    });
    expect(retried.exitCode).toBe(0);
    expect(fx.store.getRun(id)).toMatchObject({ status: 'finished', attempts: 1 });
  });

  it('bad --workers, --max-attempts or --cell are user errors naming the flag', async () => {
    const spec = { name: 'flags', seeds: [1, 2] };
    const base = {
      store: fx.store,
      spec,
      specFile: 'g.json',
      cellRunner: async () => fakeCell(1, 0),
      log: quiet,
    };
    await expect(runGrid({ ...base, workers: 0 })).rejects.toThrow(UserError);
    await expect(runGrid({ ...base, workers: 1.5 })).rejects.toThrow(
      /--workers must be a whole number >= 1, got 1.5/,
    );
    await expect(runGrid({ ...base, maxAttempts: 0 })).rejects.toThrow(/--max-attempts/);
    await expect(runGrid({ ...base, cell: 5 })).rejects.toThrow(/--cell 5: g\.json has cells 0\.\.1/);
    expect(fx.store.getGrid('flags')).toBeUndefined();
  });
});
