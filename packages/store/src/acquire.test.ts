// One owner per run for single processes (`ugp train`, `ugp resume`, prior runs): acquire takes any
// unfinished run unless a live process holds it; renew is the holder's heartbeat.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeHolder } from './claims.js';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';
import { currentWorker } from './tracking-store.js';

const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('acquiring a run', () => {
  let f: FreshStore;
  beforeEach(() => {
    f = freshStore();
  });
  afterEach(() => f.cleanup());

  it('takes scheduled, killed and failed runs, counting an attempt; not a finished one', () => {
    const me = currentWorker();
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    const first = f.store.acquireRun(run.id, me);
    expect(first).toMatchObject({
      status: 'claimed',
      attempt: true,
      run: { attempts: 1, status: 'running' },
    });
    // The holder asking again (a grid worker handing its run to the trainer) is no new attempt.
    expect(f.store.acquireRun(run.id, me)).toMatchObject({ status: 'claimed', attempt: false });
    for (const end of ['killed', 'failed'] as const) {
      f.store.endRun(run.id, end, 'x');
      expect(f.store.acquireRun(run.id, me).status).toBe('claimed');
    }
    expect(f.store.getRun(run.id)!.attempts).toBe(3);
    f.store.endRun(run.id, 'finished');
    expect(f.store.acquireRun(run.id, me).status).toBe('finished');
  });

  it('refuses a run a live process holds, naming it; takes over a dead or silent holder', () => {
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    const live = { name: 'parent', pid: process.ppid, host: hostname() };
    f.store.acquireRun(run.id, live);
    const held = f.store.acquireRun(run.id, currentWorker());
    expect(held.status).toBe('held');
    expect(describeHolder(held.run)).toMatch(
      new RegExp(
        `^pid ${process.ppid} on host ${hostname()} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`,
      ),
    );
    // The holder's heartbeat works; another process's does not.
    expect(f.store.renewClaim(run.id, live)).toBe(true);
    expect(f.store.renewClaim(run.id, currentWorker())).toBe(false);

    // A holder whose pid is gone (same host) is taken over.
    const dead = f.store.createRun({ name: 'd', experiment: 'e' });
    f.store.acquireRun(dead.id, { name: 'dead', pid: deadPid(), host: hostname() });
    expect(f.store.acquireRun(dead.id, currentWorker())).toMatchObject({ status: 'claimed', attempt: true });
    expect(f.store.renewClaim(dead.id, currentWorker())).toBe(true);

    // Another host: alive until its heartbeat is older than staleAfterMs.
    const remote = f.store.createRun({ name: 'x', experiment: 'e' });
    f.store.acquireRun(remote.id, { name: 'far', pid: 1, host: 'elsewhere' });
    expect(f.store.acquireRun(remote.id, currentWorker(), { staleAfterMs: 60_000 }).status).toBe('held');
    f.store.db
      .prepare('UPDATE runs SET heartbeat_at = ? WHERE run_id = ?')
      .run(Date.now() - 120_000, remote.id);
    expect(f.store.acquireRun(remote.id, currentWorker(), { staleAfterMs: 60_000 }).status).toBe('claimed');
  });
});
