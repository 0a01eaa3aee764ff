import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandGrid } from './expand.js';
import { shellQuote, slurmScripts } from './slurm.js';

const slurmScript = (o: Parameters<typeof slurmScripts>[0]) => slurmScripts(o).cells;

describe('slurm scripts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ugp-slurm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cells = expandGrid({
    name: 'ablation',
    axes: { 'init.regression': ['pretrained', 'random'], note: ["it's"] },
    seeds: [1, 2],
  });

  it('writes one array task per cell with its own store file and the sbatch options', () => {
    const script = slurmScript({
      specFile: 'experiments/ablation init.yaml',
      gridName: 'ablation',
      cells,
      partition: 'gpu',
      time: '12:00:00',
      cpusPerTask: 8,
      mem: '64G',
      maxParallel: 2,
      backend: 'node-gpu',
      extra: ['#SBATCH --constraint=a100'],
    });
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    for (const line of [
      '#SBATCH --array=0-3%2',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=12:00:00',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=64G',
      '#SBATCH --constraint=a100',
      '#SBATCH --job-name=ugp-ablation-cells',
      '#SBATCH --output=experiments/slurm/ablation/logs/%x-%A_%a.out',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:TERM@120',
    ]) {
      expect(script).toContain(`${line}\n`);
    }
    expect(script).not.toMatch(/^\s*(export\s+)?CUDA_VISIBLE_DEVICES=/m);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(slurmScript({ specFile: 'g.yaml', gridName: 'g', cells, gpusPerTask: 0 })).not.toContain('--gres');
  });

  it('each task runs `ugp grid run FILE --cell I --db STORE_DIR/cell-I.db --priors-dir …` with CUDA_VISIBLE_DEVICES untouched', () => {
    const path = join(dir, 'job.sh');
    writeFileSync(
      path,
      slurmScript({
        specFile: 'experiments/ablation init.yaml',
        gridName: 'ablation',
        cells,
        storeDir: join(dir, 'stores'),
        workdir: dir,
        ugp: 'printf %s\\\\n',
        backend: 'node-gpu',
      }),
    );
    const run = spawnSync('bash', [path], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '2', CUDA_VISIBLE_DEVICES: '5' },
    });
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^cell 2: ${cells[2]!.name.replace(/[.]/g, '\\.')} on .* CUDA_VISIBLE_DEVICES=5$`),
    );
    expect(lines.slice(1)).toEqual([
      'grid',
      'run',
      'experiments/ablation init.yaml',
      '--cell',
      '2',
      '--db',
      join(dir, 'stores', 'cell-2.db'),
      '--priors-dir',
      join(dir, 'stores', 'priors'),
      '--stale-after',
      '0',
      '--max-attempts',
      '3',
      '--backend',
      'node-gpu',
    ]);
    const retry = spawnSync('bash', [path], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '2', UGP_RETRY_FAILED: '1' },
    });
    expect(retry.stdout.trim().split('\n').at(-1)).toBe('--retry-failed');
    const missing = spawnSync('bash', [path], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/submit this script with sbatch/);
  });

  it('the priors job writes the priors as files; the merge job folds every store that exists', () => {
    const storeDir = join(dir, 'stores');
    const scripts = slurmScripts({
      specFile: 'g.yaml',
      gridName: 'g',
      cells,
      storeDir,
      db: join(dir, 'ugp.db'),
      ugp: 'printf %s\\\\n',
      gpusPerTask: 0,
      cpusPerTask: 2,
    });
    expect(scripts.priors).toContain('#SBATCH --job-name=ugp-g-priors\n');
    expect(scripts.priors).toContain('#SBATCH --cpus-per-task=2\n');
    const priors = spawnSync('bash', ['-c', scripts.priors], { encoding: 'utf8' });
    expect(priors.stdout.trim().split('\n')).toEqual([
      'grid',
      'priors',
      'g.yaml',
      '--db',
      join(storeDir, 'priors.db'),
      '--out',
      join(storeDir, 'priors'),
    ]);
    const merge = (env = {}) =>
      spawnSync('bash', ['-c', scripts.merge], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    expect(merge().stdout).toBe('nothing to merge yet\n');
    mkdirSync(storeDir);
    for (const f of ['cell-0.db', 'cell-3.db']) writeFileSync(join(storeDir, f), '');
    const args = merge().stdout.trim().split('\n');
    expect(args.slice(0, 6)).toEqual([
      'db',
      'merge',
      join(storeDir, 'cell-0.db'),
      join(storeDir, 'cell-3.db'),
      '--into',
      join(dir, 'ugp.db'),
    ]);
    expect(args.slice(6, 9)).toEqual(['grid', 'status', 'g.yaml']);
  });

  it('quotes for bash', () => {
    expect(shellQuote('plain/path.yaml')).toBe('plain/path.yaml');
    const tricky = `a b'c"$(rm -rf x)`;
    expect(spawnSync('bash', ['-c', `printf %s ${shellQuote(tricky)}`], { encoding: 'utf8' }).stdout).toBe(
      tricky,
    );
    expect(() => slurmScript({ specFile: 'g', gridName: 'g', cells: [] })).toThrow(RangeError);
    expect(() => slurmScript({ specFile: 'g', gridName: 'g', cells, extra: ['--x\n rm -rf /'] })).toThrow(
      /line break/,
    );
  });
});
