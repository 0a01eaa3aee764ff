// A grid on a Slurm cluster as three sbatch scripts (`ugp grid export --slurm` writes them, `ugp grid
// submit --slurm` also submits them):
//   priors.sbatch  trains the priors the grid needs once, into priors.db, and writes them as files;
//   cells.sbatch   an array, one task per cell, each writing its own store cell-<i>.db (SQLite must
//                  never be shared between hosts over a network file system) and reading the priors;
//   merge.sbatch   folds priors.db and every cell-<i>.db into the grid's store (`ugp db merge`).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import type { GridCell } from './expand.js';

export interface SlurmOptions {
  /** The grid file as the tasks should name it (relative to `workdir` or absolute). */
  specFile: string;
  gridName: string;
  cells: GridCell[];
  /** Folder for the per-task stores, the priors, the logs and the scripts (default experiments/slurm/<grid>). */
  storeDir?: string;
  /** The store the merge job folds everything into (default experiments/ugp.db). */
  db?: string;
  /** The folder tasks `cd` into (default: the current one). */
  workdir?: string;
  /** How tasks call ugp (default `npx ugp`). */
  ugp?: string;
  /** GPUs per task (default 1; 0 for CPU-only). */
  gpusPerTask?: number;
  cpusPerTask?: number;
  mem?: string;
  time?: string;
  partition?: string;
  account?: string;
  /** At most this many tasks at once (`--array=0-N%max`). */
  maxParallel?: number;
  /** Backend passed to every task (`--backend`). */
  backend?: string;
  /** A cell is started at most this many times (requeues included). */
  maxAttempts?: number;
  /** Seconds before the time limit at which Slurm sends SIGTERM (the task checkpoints and exits). */
  signalSeconds?: number;
  /** More `#SBATCH` lines, e.g. `--constraint=a100`. */
  extra?: string[];
}

export interface SlurmScripts {
  priors: string;
  cells: string;
  merge: string;
}

export const SLURM_SCRIPT_NAMES = {
  priors: 'priors.sbatch',
  cells: 'cells.sbatch',
  merge: 'merge.sbatch',
} as const;

/** Quotes a string for bash (single quotes). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function defaultSlurmStoreDir(gridName: string): string {
  return `experiments/slurm/${gridName}`;
}

/** The files of a grid's Slurm folder. */
export function slurmLayout(storeDir: string) {
  return {
    logs: join(storeDir, 'logs'),
    priorsDir: join(storeDir, 'priors'),
    priorsDb: join(storeDir, 'priors.db'),
    cellDb: (index: number) => join(storeDir, `cell-${index}.db`),
  };
}

/** Job names: `squeue --name` finds a grid's jobs by them. */
export function slurmJobName(gridName: string, job: keyof SlurmScripts): string {
  return `ugp-${gridName}-${job}`;
}

export function slurmScripts(options: SlurmOptions): SlurmScripts {
  const n = options.cells.length;
  if (n === 0) throw new RangeError('the grid has no cells');
  const storeDir = options.storeDir ?? defaultSlurmStoreDir(options.gridName);
  const layout = slurmLayout(storeDir);
  const ugp = options.ugp ?? 'npx ugp';
  const gpus = options.gpusPerTask ?? 1;
  const db = options.db ?? DEFAULT_STORE_PATH;
  const resources = [
    ...(gpus > 0 ? [`--gres=gpu:${gpus}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
  ];
  const placement = [
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.account ? [`--account=${options.account}`] : []),
    ...(options.extra ?? []).map((e) => e.replace(/^#SBATCH\s+/, '')),
  ];
  const log = (job: string) => `--output=${layout.logs}/%x-${job === 'cells' ? '%A_%a' : '%j'}.out`;
  const backend = options.backend ? ` --backend ${shellQuote(options.backend)}` : '';
  const q = shellQuote;
  const header = (job: keyof SlurmScripts, sbatch: string[], about: string[]) => {
    for (const line of sbatch) {
      if (/[\n\r]/.test(line))
        throw new RangeError(`#SBATCH option contains a line break: ${JSON.stringify(line)}`);
    }
    return [
      '#!/bin/bash',
      `#SBATCH --job-name=${slurmJobName(options.gridName, job)}`,
      ...sbatch.map((s) => `#SBATCH ${s}`),
      ...about.map((line) => `# ${line}`),
      'set -euo pipefail',
      ...(options.workdir ? [`cd ${q(options.workdir)}`] : []),
    ];
  };

  const priors = [
    ...header(
      'priors',
      [log('priors'), ...resources, ...placement],
      [
        `ugpnet grid "${options.gridName}": trains each prior the cells need once, into ${layout.priorsDb},`,
        `and writes it as a file in ${layout.priorsDir}/ for the array tasks (already made priors are kept).`,
      ],
    ),
    `exec ${ugp} grid priors ${q(options.specFile)} --db ${q(layout.priorsDb)} --out ${q(layout.priorsDir)}${backend}`,
    '',
  ].join('\n');

  const cells = [
    ...header(
      'cells',
      [
        `--array=0-${n - 1}${options.maxParallel ? `%${options.maxParallel}` : ''}`,
        log('cells'),
        // Preemption and requeue: Slurm sends SIGTERM, the task checkpoints and exits, the requeued
        // task resumes its cell from that checkpoint.
        '--requeue',
        `--signal=B:TERM@${options.signalSeconds ?? 120}`,
        ...resources,
        ...placement,
      ],
      [
        `ugpnet grid "${options.gridName}": ${n} cells, one array task each, each writing its own store`,
        `${storeDir}/cell-<index>.db and reading its priors from ${layout.priorsDir}/ (it never trains one).`,
        'Re-running a task resumes its cell; UGP_RETRY_FAILED=1 (sbatch --export) retries a failed one.',
      ],
    ),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
    'CELL="${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}"',
    'CELLS=(',
    ...options.cells.map((c) => `  ${q(c.name)}`),
    ')',
    `STORE_DIR=${q(storeDir)}`,
    // Slurm sets CUDA_VISIBLE_DEVICES to the task's GPU and SLURM_CPUS_PER_TASK to its CPUs; ugp uses both.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
    'echo "cell ${CELL}: ${CELLS[$CELL]} on $(hostname), job ${SLURM_JOB_ID:-?}, cpus ${SLURM_CPUS_PER_TASK:-all}, CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-unset}"',
    // A task owns its store: a 'running' cell found there is a previous (killed, requeued) try of this task.
    `exec ${ugp} grid run ${q(options.specFile)} --cell "$CELL" --db "$STORE_DIR/cell-$CELL.db" ` +
      `--priors-dir ${q(layout.priorsDir)} --stale-after 0 --max-attempts ${options.maxAttempts ?? 3}${backend}` +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
      ' ${UGP_RETRY_FAILED:+--retry-failed}',
    '',
  ].join('\n');

  const merge = [
    ...header(
      'merge',
      [log('merge'), '--cpus-per-task=1', ...(options.time ? [`--time=${options.time}`] : []), ...placement],
      [
        `ugpnet grid "${options.gridName}": folds ${layout.priorsDb} and every ${storeDir}/cell-<index>.db into`,
        `${db} (idempotent: merging again changes nothing), then prints the grid's status.`,
      ],
    ),
    'shopt -s nullglob',
    // Globs, so that stores not made yet (no priors needed, a task that never started) drop out.
    `SOURCES=(${q(storeDir)}/priors.d[b] ${q(storeDir)}/cell-*.db)`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
    'if [ ${#SOURCES[@]} -eq 0 ]; then echo "nothing to merge yet"; exit 0; fi',
    `${ugp} db merge "\${SOURCES[@]}" --into ${q(db)}`,
    `exec ${ugp} grid status ${q(options.specFile)} --db ${q(db)}`,
    '',
  ].join('\n');

  return { priors, cells, merge };
}

/** Writes the three scripts into their folder (with its logs/ folder); returns the folder and the script paths. */
export function writeSlurmScripts(options: SlurmOptions): {
  storeDir: string;
  scripts: Record<keyof SlurmScripts, string>;
} {
  const storeDir = options.storeDir ?? defaultSlurmStoreDir(options.gridName);
  const text = slurmScripts({ ...options, storeDir });
  mkdirSync(slurmLayout(storeDir).logs, { recursive: true }); // sbatch does not create the --output folder
  const scripts = {} as Record<keyof SlurmScripts, string>;
  for (const job of ['priors', 'cells', 'merge'] as const) {
    scripts[job] = join(storeDir, SLURM_SCRIPT_NAMES[job]);
    writeFileSync(scripts[job], text[job]);
    chmodSync(scripts[job], 0o755);
  }
  return { storeDir, scripts };
}
