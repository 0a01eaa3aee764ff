import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';
import { workerCommand } from './grid-run.js';

let dir: string;
let gridFile: string;
let cellRunner: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-cli-grid-'));
  gridFile = join(dir, 'ablation.json');
  writeFileSync(
    gridFile,
    JSON.stringify({
      name: 'ablation',
      axes: { 'init.regression': ['pretrained', 'random'] },
      seeds: [1, 2],
    }),
  );
  // A test double for the trainer: logs a few validation rows and a checkpoint; seed 2 of random diverges.
  cellRunner = join(dir, 'fake-cell.mjs');
  writeFileSync(
    cellRunner,
    `export async function runCell({ store, run }) {
  for (let step = 0; step < 5; step++) store.logMetrics(run.id, 'fusion', step, { psnr: 20 + step, lpips: 0.5 - step / 100 });
  store.saveCheckpoint({ runId: run.id, stage: 'fusion', step: 4, path: 'ckpt/' + run.id + '.safetensors', metrics: { psnr: 24, lpips: 0.46 } }, { metric: 'psnr', mode: 'max' });
  if (run.cellParams['init.regression'] === 'random' && run.cellParams.seed === 2) throw new Error('loss diverged');
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ugp grid', () => {
  it('run queues and trains every cell in this process; re-running skips finished, --retry-failed retries', async () => {
    const db = join(dir, 'run.db');
    const first = await runUgp(['grid', 'run', gridFile, '--db', db, '--cell-runner', cellRunner, '--json']);
    expect(first.code).toBe(1);
    const report = JSON.parse(first.out);
    expect(report.queued.created).toHaveLength(4);
    expect(report.progress).toMatchObject({ finished: 3, failed: 1 });
    const again = await runUgp(['grid', 'run', gridFile, '--db', db, '--cell-runner', cellRunner]);
    expect(again.errorLines[0]).toMatch(
      /4 cells; 0 new, 0 requeued, 3 finished, .*1 failed \(--retry-failed to rerun\)/,
    );
    const retry = await runUgp([
      'grid',
      'run',
      gridFile,
      '--db',
      db,
      '--cell-runner',
      cellRunner,
      '--retry-failed',
    ]);
    expect(retry.errorLines[0]).toMatch(/1 requeued/);
    const store = openStore(db, { readonly: true });
    const failed = store.listRuns({ status: 'failed' });
    expect(failed.map((r) => [r.name, r.attempts, r.failure])).toEqual([
      ['init.regression=random,seed=2', 1, 'loss diverged'],
    ]);
    store.close();
  });

  it('--cell trains one cell into its own store (a SLURM task)', async () => {
    const db = join(dir, 'slurm', 'cell-1.db');
    const { code } = await runUgp([
      'grid',
      'run',
      gridFile,
      '--cell',
      '1',
      '--db',
      db,
      '--cell-runner',
      cellRunner,
    ]);
    expect(code).toBe(0);
    const store = openStore(db, { readonly: true });
    expect(store.listRuns().map((r) => [r.name, r.status, r.cellIndex])).toEqual([
      ['init.regression=pretrained,seed=2', 'finished', 1],
    ]);
    store.close();
    const bad = await runUgp([
      'grid',
      'run',
      gridFile,
      '--cell',
      '9',
      '--db',
      db,
      '--cell-runner',
      cellRunner,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.errors).toMatch(/--cell 9: .* has cells 0\.\.3/);
    // While an array runs, status reads the per-task stores (the grid's own store may not exist yet).
    const status = await runUgp([
      'grid',
      'status',
      gridFile,
      '--db',
      join(dir, 'not-merged-yet.db'),
      '--store-dir',
      join(dir, 'slurm'),
      '--json',
    ]);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.out);
    expect(view.stores).toEqual([db]);
    expect(view.cells.map((c: { status: string }) => c.status)).toEqual([
      'missing',
      'finished',
      'missing',
      'missing',
    ]);
  });

  it('status shows cells × stages with the best metric', async () => {
    const db = join(dir, 'status.db');
    await runUgp(['grid', 'run', gridFile, '--db', db, '--cell-runner', cellRunner]);
    const json = await runUgp(['grid', 'status', gridFile, '--db', db, '--json']);
    const status = JSON.parse(json.out);
    expect(status.stages).toEqual(['fusion']);
    expect(status.cells[0].stages[0]).toEqual({
      stage: 'fusion',
      state: 'done',
      step: 4,
      best: { metric: 'psnr', value: 24, step: 4 },
    });
    const lpips = JSON.parse(
      (await runUgp(['grid', 'status', gridFile, '--db', db, '--metric', 'lpips', '--json'])).out,
    );
    expect(lpips.mode).toBe('min');
    const table = await runUgp(['grid', 'status', gridFile, '--db', db]);
    expect(table.out).toMatch(/cell\s+status\s+fusion \(psnr\)/);
    expect(table.out).toMatch(/init\.regression=random,seed=2\s+failed\s+failed 24\.00@4/);
    expect(table.out).toMatch(/3\/4 finished/);
    expect(table.out).toMatch(/cell 3 failed: loss diverged/);
  });

  it('export --slurm writes the priors, cells and merge scripts and the log folder', async () => {
    const storeDir = join(dir, 'stores');
    const { code, out: stdout } = await runUgp([
      'grid',
      'export',
      gridFile,
      '--slurm',
      '--store-dir',
      storeDir,
      '--time',
      '4:00:00',
      '--json',
    ]);
    expect(code).toBe(0);
    const written = JSON.parse(stdout);
    expect(written).toMatchObject({ cells: 4, storeDir });
    const script = readFileSync(written.scripts.cells, 'utf8');
    expect(script).toContain('#SBATCH --array=0-3\n');
    expect(script).toContain('#SBATCH --time=4:00:00\n');
    expect(existsSync(join(storeDir, 'logs'))).toBe(true);
    for (const job of ['priors', 'cells', 'merge']) {
      expect(spawnSync('bash', ['-n', written.scripts[job]]).status).toBe(0);
    }
    const missing = await runUgp(['grid', 'export', gridFile]);
    expect(missing.code).toBe(1);
  });

  it('bad --workers is a user error naming the flag (exit 1), before anything is queued', async () => {
    const db = join(dir, 'workers.db');
    const r = await runUgp([
      'grid',
      'run',
      gridFile,
      '--db',
      db,
      '--workers',
      '0',
      '--cell-runner',
      cellRunner,
    ]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/^error: --workers must be a whole number >= 1, got 0$/m);
  });

  it('a bad grid file is a user error naming the file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', axes: { a: [] } }));
    const r = await runUgp(['grid', 'status', bad, '--db', join(dir, 'run.db')]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/bad\.json: invalid grid spec — axes\.a/);
  });

  it('starts pool workers as `ugp grid worker FILE` with the same store, backend and cell runner', () => {
    const { file, args } = workerCommand({
      file: 'g.yaml',
      db: 'x.db',
      'max-attempts': 2,
      backend: 'wasm',
      'cell-runner': 'fake.mjs',
    });
    expect(file).toBe(process.execPath);
    expect(args.slice(-11)).toEqual([
      'grid',
      'worker',
      'g.yaml',
      '--db',
      'x.db',
      '--max-attempts',
      '2',
      '--backend',
      'wasm',
      '--cell-runner',
      join(process.cwd(), 'fake.mjs'),
    ]);
  });
});
