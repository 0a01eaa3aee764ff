// `ugp grid export FILE --slurm`: an sbatch array script with one task per cell. Each task writes its
// own store file (SQLite must never be shared between hosts over a network file system);
// `ugp db merge` folds them back into one store afterwards.
import type { GridCell } from './expand.js';

export interface SlurmOptions {
  /** The grid file as the tasks should name it (relative to `workdir` or absolute). */
  specFile: string;
  gridName: string;
  cells: GridCell[];
  /** Folder for the per-task stores (default experiments/slurm/<grid>). */
  storeDir?: string;
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
  /** More `#SBATCH` lines, e.g. `--constraint=a100`. */
  extra?: string[];
}

/** Quotes a string for bash (single quotes). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function defaultSlurmStoreDir(gridName: string): string {
  return `experiments/slurm/${gridName}`;
}

export function slurmScript(options: SlurmOptions): string {
  const n = options.cells.length;
  if (n === 0) throw new RangeError('the grid has no cells');
  const storeDir = options.storeDir ?? defaultSlurmStoreDir(options.gridName);
  const ugp = options.ugp ?? 'npx ugp';
  const gpus = options.gpusPerTask ?? 1;
  const sbatch = [
    `--job-name=ugp-${options.gridName}`,
    `--array=0-${n - 1}${options.maxParallel ? `%${options.maxParallel}` : ''}`,
    `--output=${storeDir}/logs/%x-%A_%a.out`,
    ...(gpus > 0 ? [`--gres=gpu:${gpus}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.account ? [`--account=${options.account}`] : []),
    ...(options.extra ?? []).map((e) => e.replace(/^#SBATCH\s+/, '')),
  ];
  for (const line of sbatch) {
    if (/[\n\r]/.test(line))
      throw new RangeError(`#SBATCH option contains a line break: ${JSON.stringify(line)}`);
  }
  const backend = options.backend ? ` --backend ${shellQuote(options.backend)}` : '';
  return [
    '#!/bin/bash',
    ...sbatch.map((s) => `#SBATCH ${s}`),
    `# ugpnet grid "${options.gridName}": ${n} cells, one array task each, each writing its own store`,
    `# ${storeDir}/cell-<index>.db. Submit from ${options.workdir ?? 'the repository root'}, then merge:`,
    `#   ${ugp} db merge ${storeDir}/cell-*.db --into experiments/ugp.db`,
    `# Requeueing a task (or resubmitting) resumes its cell from the last checkpoint.`,
    // sbatch needs the log folder to exist before the job starts.
    `# (sbatch needs ${storeDir}/logs to exist: mkdir -p ${storeDir}/logs)`,
    'set -euo pipefail',
    ...(options.workdir ? [`cd ${shellQuote(options.workdir)}`] : []),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
    'CELL="${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}"',
    'CELLS=(',
    ...options.cells.map((c) => `  ${shellQuote(c.name)}`),
    ')',
    `STORE_DIR=${shellQuote(storeDir)}`,
    'mkdir -p "$STORE_DIR"',
    // SLURM sets CUDA_VISIBLE_DEVICES to the task's GPU; ugp leaves it as it is.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion, not a template.
    'echo "cell ${CELL}: ${CELLS[$CELL]} on $(hostname) CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-unset}"',
    `exec ${ugp} grid run ${shellQuote(options.specFile)} --cell "$CELL" --db "$STORE_DIR/cell-$CELL.db"${backend}`,
    '',
  ].join('\n');
}
