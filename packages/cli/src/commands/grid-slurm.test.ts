// `ugp grid submit --slurm` against Slurm itself: a single-node cluster started here (when slurm-wlm and
// munge are installed and we are root), jobs running the built `ugp` binary on a tiny grid.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';
import {
  jobRunTimes,
  type SlurmCluster,
  slurmUnavailable,
  startSlurmCluster,
  waitForJobs,
} from '../testing/slurm-cluster.js';

const BIN = fileURLToPath(new URL('../../bin/ugp.js', import.meta.url));
const DEMO_QUICK = resolve(
  fileURLToPath(new URL('../../../../experiments/demo-quick.yaml', import.meta.url)),
);
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`grid submit --slurm tests skipped: ${unavailable}`);

// The demo-quick architecture (tiny-32) with a handful of iterations per stage.
const TINY = `extends: ${DEMO_QUICK}
name: slurm-tiny
data: { train_count: 24, val_count: 4, test_count: 4 }
stages:
  pretrain-regression: { iterations: 4, val_every: 2 }
  pretrain-gan: { iterations: 4, val_every: 2 }
  restoration: { iterations: 4, val_every: 2 }
  synthesis: { iterations: 4, val_every: 2 }
  fusion: { iterations: 4, val_every: 2, lr_decay_steps: [3] }
`;

describe.skipIf(unavailable !== undefined)('ugp grid submit --slurm (a real single-node Slurm)', () => {
  let cluster: SlurmCluster;
  let dir: string;
  let savedConf: string | undefined;
  const submitArgs = (grid: string, db: string) => [
    'grid',
    'submit',
    grid,
    '--slurm',
    '--db',
    db,
    '--store-dir',
    join(
      dir,
      'slurm',
      grid
        .replace(/\.yaml$/, '')
        .split('/')
        .at(-1)!,
    ),
    '--ugp',
    `${process.execPath} ${BIN}`,
    '--workdir',
    dir,
    '--gpus-per-task',
    '0',
    '--cpus',
    '1',
    '--backend',
    'wasm',
    '--json',
  ];

  beforeAll(async () => {
    cluster = await startSlurmCluster(Math.max(2, cpus().length));
    dir = cluster.dir;
    savedConf = process.env.SLURM_CONF;
    process.env.SLURM_CONF = cluster.env.SLURM_CONF;
    writeFileSync(join(dir, 'tiny.yaml'), TINY);
  }, 60_000);
  afterAll(() => {
    if (savedConf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = savedConf;
    cluster?.stop();
  });

  it(
    'a 2×2 grid: priors job once, the cell array after it, the merge job; re-submitting submits nothing',
    async () => {
      const grid = join(dir, 'tiny-grid.yaml');
      writeFileSync(
        grid,
        'name: tiny-grid\nextends: tiny.yaml\naxes:\n  init.generator: [pretrained, random]\n  init.regression: [pretrained, random]\n',
      );
      const db = join(dir, 'ugp.db');
      const started = Date.now();
      const first = await runUgp(submitArgs(grid, db));
      expect(first.code, first.errors).toBe(0);
      const submitted = JSON.parse(first.out);
      expect(submitted.priors.map((p: { kind: string }) => p.kind).sort()).toEqual([
        'pretrain-gan',
        'pretrain-regression',
      ]);
      expect(submitted.jobs.priors).toMatch(/^\d+$/);
      expect(submitted.cells).toEqual([0, 1, 2, 3]);
      const jobs = [submitted.jobs.priors, submitted.jobs.cells, submitted.jobs.merge];
      await waitForJobs(cluster.env, jobs, 9 * 60_000);
      console.info(
        `tiny 2×2 grid on Slurm: jobs ${jobs.join(' → ')} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n` +
          jobRunTimes(cluster.env, jobs).join('\n'),
      );

      const store = openStore(db, { readonly: true });
      try {
        const cells = store.listRuns({ gridId: 'tiny-grid' });
        expect(cells.map((r) => r.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
        // Each prior trained once: one prior run per kind, made by the priors job.
        const priors = store.listRuns().filter((r) => r.experiment === 'priors');
        expect(priors.map((r) => [r.name.split(' ')[0], r.status, r.attempts]).sort()).toEqual([
          ['pretrain-gan', 'finished', 1],
          ['pretrain-regression', 'finished', 1],
        ]);
        // No duplicate metric rows anywhere.
        for (const run of [...cells, ...priors]) {
          const rows = store.metricHistory(run.id);
          const keys = rows.map((m) => `${m.stage}|${m.step}|${m.key}`);
          expect(new Set(keys).size).toBe(keys.length);
        }
      } finally {
        store.close();
      }
      const logs = join(dir, 'slurm', 'tiny-grid', 'logs');
      const cellLogs = readdirSync(logs).filter((f) => f.startsWith('ugp-tiny-grid-cells-'));
      expect(cellLogs).toHaveLength(4);
      for (const f of cellLogs) {
        const text = readFileSync(join(logs, f), 'utf8');
        expect(text, f).not.toMatch(/pretrain-(regression|gan)/); // no cell trained a prior
        expect(text, f).toMatch(/backend wasm \(1 thread\)/); // sized from --cpus-per-task=1
      }
      expect(
        readFileSync(join(logs, readdirSync(logs).find((f) => f.includes('-priors-'))!), 'utf8'),
      ).toMatch(/prior pretrain-gan/);

      const again = await runUgp(submitArgs(grid, db));
      expect(again.code, again.errors).toBe(0);
      expect(JSON.parse(again.out)).toMatchObject({ cells: [], jobs: {}, skipped: { finished: 4 } });
      const status = await runUgp(['grid', 'status', grid, '--db', db, '--json']);
      expect(JSON.parse(status.out).counts).toMatchObject({ finished: 4 });
    },
    10 * 60_000,
  );

  it(
    'a task cancelled mid-training (scancel) checkpoints; re-submitting resumes it from there',
    async () => {
      writeFileSync(
        join(dir, 'long.yaml'),
        `extends: tiny.yaml\nstages_to_run: [restoration]\ninit: { regression: random, generator: random }\n` +
          'stages:\n  restoration: { iterations: 30, val_every: 30, log_every: 1, checkpoint_every: 10 }\n',
      );
      const grid = join(dir, 'cancel-grid.yaml');
      writeFileSync(grid, 'name: cancel-grid\nextends: long.yaml\nseeds: [1]\n');
      const db = join(dir, 'cancel.db');
      const first = JSON.parse((await runUgp(submitArgs(grid, db))).out);
      expect(first.jobs.priors).toBeUndefined(); // random init: no priors, no priors job
      const taskDb = join(dir, 'slurm', 'cancel-grid', 'cell-0.db');
      // Cancel once the task has trained a few iterations.
      const until = Date.now() + 5 * 60_000;
      for (;;) {
        if (Date.now() > until) throw new Error('the task never started training');
        await new Promise((r) => setTimeout(r, 500));
        try {
          const s = openStore(taskDb, { readonly: true });
          const steps = s.listRuns().flatMap((r) => s.metricHistory(r.id, { stage: 'restoration' }));
          s.close();
          if (steps.some((m) => m.step >= 3)) break;
        } catch {
          // not created yet
        }
      }
      expect(spawnSync('scancel', [first.jobs.cells], { env: cluster.env }).status).toBe(0);
      await waitForJobs(cluster.env, [first.jobs.cells, first.jobs.merge], 3 * 60_000);
      let store = openStore(db, { readonly: true });
      const [killed] = store.listRuns({ gridId: 'cancel-grid' });
      store.close();
      expect(killed).toMatchObject({ status: 'killed', attempts: 1 });

      const second = JSON.parse((await runUgp(submitArgs(grid, db))).out);
      expect(second.cells).toEqual([0]);
      await waitForJobs(cluster.env, [second.jobs.cells, second.jobs.merge], 6 * 60_000);
      store = openStore(db, { readonly: true });
      try {
        const [run] = store.listRuns({ gridId: 'cancel-grid' });
        expect(run).toMatchObject({ status: 'finished', attempts: 2 });
        const rows = store.metricHistory(run!.id, { stage: 'restoration' });
        const keys = rows.map((m) => `${m.step}|${m.key}`);
        expect(new Set(keys).size).toBe(keys.length);
        // Resumed, not restarted: the early iterations were logged by the first (cancelled) task.
        const early = rows.filter((m) => m.step <= 3);
        expect(early.length).toBeGreaterThan(0);
        expect(Math.max(...early.map((m) => m.timestamp))).toBeLessThan(run!.claimedAt!);
      } finally {
        store.close();
      }
    },
    10 * 60_000,
  );
});
