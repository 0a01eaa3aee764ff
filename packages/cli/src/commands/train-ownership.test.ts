// One owner per run, through the real binary: processes started together train each run (and the
// prior run they share) once; `ugp resume` of a run a live process holds exits 1 naming the holder;
// a run whose holder died is taken over.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrackedRun, loadExperiment } from '@ugpnet/runner';
import { openStore } from '@ugpnet/store';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ugp.js', import.meta.url));

interface Exit {
  code: number | null;
  stderr: string;
}

function ugp(args: string[]): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, UGP_BACKEND: 'wasm', UGP_THREADS: '1', CI: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** A tiny restoration-only experiment; `prior` makes it start from a pretrain-regression run. */
function writeExperiment(dir: string, name: string, prior: boolean): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      arch: 'tiny-32',
      seed: 3,
      stages_to_run: ['restoration'],
      init: { regression: prior ? 'pretrained' : 'random', generator: 'random' },
      data: {
        dataset: 'portraits',
        size: 32,
        batch_size: 2,
        train_count: 8,
        val_count: 2,
        test_count: 2,
        degradation: { type: 'noise' },
      },
      perceptual: { allow_proxy: true, proxy_width_divisor: 8 },
      validation: { samples: 1 },
      stages: {
        'pretrain-regression': { iterations: 6, val_every: 3, log_every: 2 },
        restoration: { iterations: 12, val_every: 6, log_every: 2 },
      },
    }),
  );
  return path;
}

/** A process that stays alive (a stand-in holder) until killed. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}

describe('one owner per run', () => {
  it('four trains of the same config started together make one run, trained once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-own-'));
    const db = join(dir, 'same.db');
    const same = writeExperiment(dir, 'same', true);
    // A fifth process with another experiment needs the same prior run: it waits for it, not retrains it.
    const other = writeExperiment(dir, 'other', true);
    const exits = await Promise.all([
      ...[0, 1, 2, 3].map(() => ugp(['train', same, '--db', db])),
      ugp(['train', other, '--db', db]),
    ]);
    const sameExits = exits.slice(0, 4);
    const log = exits.map((e) => `[${e.code}] ${e.stderr}`).join('\n---\n');
    expect(sameExits.filter((e) => /starting run/.test(e.stderr)), log).toHaveLength(1);
    for (const e of sameExits) {
      if (/starting run/.test(e.stderr)) expect(e.code, log).toBe(0);
      else if (e.code === 1)
        expect(e.stderr, log).toMatch(
          new RegExp(`is being trained by pid \\d+ on host ${hostname()} since \\d{4}-\\d\\d-\\d\\d`),
        );
      else expect(e.stderr, log).toMatch(/already finished/);
    }
    expect(exits[4]!.code, log).toBe(0);

    const store = openStore(db, { readonly: true });
    const runs = store.listRuns({ experiment: 'same' });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('finished');
    expect(runs[0]!.attempts).toBe(1);
    const priors = store.listRuns({ experiment: 'priors' });
    expect(priors).toHaveLength(1);
    expect(priors[0]!.attempts).toBe(1);
    expect(priors[0]!.status).toBe('finished');
    // Every logged step once, none deleted by a late joiner.
    for (const run of [runs[0]!, store.listRuns({ experiment: 'other' })[0]!]) {
      const losses = store.metricHistory(run.id, { stage: 'restoration' }).filter((m) => m.key === 'loss/psnr');
      expect(losses.map((m) => m.step)).toEqual([2, 4, 6, 8, 10, 12]);
      expect(store.listCheckpoints(run.id, 'restoration').map((c) => c.step)).toEqual([6, 12]);
    }
    const priorLosses = store
      .metricHistory(priors[0]!.id, { stage: 'pretrain-regression' })
      .filter((m) => m.key.startsWith('loss/'));
    expect(priorLosses.map((m) => m.step)).toEqual([2, 4, 6]);
    store.close();
  }, 300_000);

  it('resume of a run a live process holds exits 1 naming it; a dead holder is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ugp-own-'));
    const db = join(dir, 'ugp.db');
    const experiment = writeExperiment(dir, 'held', false);
    // A scheduled run claimed by a stand-in holder: exactly what a grid worker's claim writes.
    const holder = sleeper();
    try {
      let store = openStore(db);
      const run = createTrackedRun(store, loadExperiment(experiment), { backend: 'wasm' });
      store.claimRun(run.id, { name: 'grid-worker', pid: holder.pid!, host: hostname() });
      const metricsBefore = store.metricHistory(run.id).length;
      store.close();

      const held = await ugp(['resume', run.id.slice(0, 8), '--db', db]);
      expect(held.code, held.stderr).toBe(1);
      expect(held.stderr).toMatch(new RegExp(`is being trained by pid ${holder.pid} on host ${hostname()}`));
      expect(held.stderr.trim().split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1);
      store = openStore(db, { readonly: true });
      expect(store.getRun(run.id)!.worker?.pid).toBe(holder.pid);
      expect(store.metricHistory(run.id)).toHaveLength(metricsBefore);
      store.close();

      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.on('exit', resolve));
      const taken = await ugp(['resume', run.id.slice(0, 8), '--db', db]);
      expect(taken.code, taken.stderr).toBe(0);
      store = openStore(db, { readonly: true });
      expect(store.getRun(run.id)!.status).toBe('finished');
      expect(store.getRun(run.id)!.worker).toBeNull();
      expect(store.getRun(run.id)!.attempts).toBe(2);
      store.close();
    } finally {
      holder.kill('SIGKILL');
    }
  }, 300_000);
});
