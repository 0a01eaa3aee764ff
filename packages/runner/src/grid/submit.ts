// `ugp grid submit FILE --slurm`: writes the three scripts (slurm.ts) and submits what is left to do —
// the priors job only when a prior the cells need is neither a file yet nor made in a store, the cell
// array (only unfinished cells) after it, and the merge job after the array. Re-submitting resumes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { UserError } from '@ugpnet/core';
import { mergeStores, openStore } from '@ugpnet/store';
import { expandGrid } from './expand.js';
import { exportPriorFiles, type GridPrior, gridPriors } from './prior-files.js';
import {
  defaultSlurmStoreDir,
  type SlurmOptions,
  type SlurmScripts,
  slurmJobName,
  slurmLayout,
  writeSlurmScripts,
} from './slurm.js';
import { gridStatusAcrossStores } from './slurm-status.js';
import type { GridSpec } from './spec.js';

/** Runs a Slurm command and returns its stdout (tests and dry runs replace it). */
export type SlurmCommand = (command: 'sbatch' | 'squeue', args: string[]) => string;

export const runSlurmCommand: SlurmCommand = (command, args) => {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      missing
        ? `${command} not found: run grid submit on a Slurm login node`
        : `${command}: ${r.error.message}`,
    );
  }
  if (r.status !== 0)
    throw new UserError(`${command} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
};

export interface SubmitOptions extends Omit<SlurmOptions, 'cells' | 'gridName'> {
  spec: GridSpec;
  /** The grid file as this process reads it. */
  specPath: string;
  db: string;
  retryFailed?: boolean;
  slurm?: SlurmCommand;
  log?: (line: string) => void;
}

export interface SubmitResult {
  storeDir: string;
  scripts: Record<keyof SlurmScripts, string>;
  priors: GridPrior[];
  /** Job ids (undefined: not submitted). */
  jobs: { priors?: string; cells?: string; merge?: string };
  /** Cell indices submitted as array tasks. */
  cells: number[];
  skipped: { finished: number; failed: number };
  /** When nothing was left to train but the grid's store lacked results: merged here. */
  mergedHere: boolean;
}

/** `1,3-5` from [1, 3, 4, 5]. */
export function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j;
  }
  return parts.join(',');
}

function jobId(parsable: string): string {
  const id = parsable.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id))
    throw new Error(`sbatch --parsable printed ${JSON.stringify(parsable)}, not a job id`);
  return id;
}

export function submitGrid(options: SubmitOptions): SubmitResult {
  const { spec, db } = options;
  const slurm = options.slurm ?? runSlurmCommand;
  const log = options.log ?? (() => {});
  const storeDir = options.storeDir ?? defaultSlurmStoreDir(spec.name);
  const layout = slurmLayout(storeDir);
  const cells = expandGrid(spec);

  // A grid whose jobs are still queued or running is not submitted twice.
  const names = (['priors', 'cells', 'merge'] as const).map((j) => slurmJobName(spec.name, j)).join(',');
  const queued = slurm('squeue', ['--noheader', '--name', names, '--format', '%i %j %T'])
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (queued.length > 0) {
    throw new UserError(
      `grid ${spec.name} still has jobs in Slurm (${queued.join('; ')}): wait for them or scancel them, then submit again`,
    );
  }

  const { status } = gridStatusAcrossStores(spec, db, storeDir, { noStoreYet: 'empty' });
  const todo = status.cells.filter(
    (c) => c.status !== 'finished' && (c.status !== 'failed' || options.retryFailed),
  );
  const skipped = {
    finished: status.counts.finished,
    failed: options.retryFailed ? 0 : status.counts.failed,
  };

  // Priors the remaining cells need: files already there, or made in a store (copied out now), or a job.
  const wanted = new Set(todo.map((c) => c.index));
  const priors = gridPriors(spec, options.specPath).filter((p) => p.cells.some((i) => wanted.has(i)));
  let missing = priors;
  for (const path of [db, layout.priorsDb]) {
    if (missing.length === 0 || !existsSync(path)) continue;
    const store = openStore(path, { readonly: true });
    try {
      missing = exportPriorFiles(store, missing, layout.priorsDir);
    } finally {
      store.close();
    }
  }

  const { scripts } = writeSlurmScripts({ ...options, storeDir, db, gridName: spec.name, cells });

  const result: SubmitResult = {
    storeDir,
    scripts,
    priors,
    jobs: {},
    cells: todo.map((c) => c.index),
    skipped,
    mergedHere: false,
  };
  if (todo.length === 0) {
    // Nothing to train. Results still only in task stores (the merge job never ran): merge them here.
    const merged = existsSync(db) ? gridStatusAcrossStores(spec, db, undefined).status.counts.finished : 0;
    if (merged < status.counts.finished) {
      const sources = [layout.priorsDb, ...cells.map((c) => layout.cellDb(c.index))].filter(existsSync);
      mergeStores(sources, db);
      result.mergedHere = true;
      log(`merged ${sources.length} store(s) from ${storeDir} into ${db}`);
    }
    return result;
  }

  const sbatch = (args: string[]) => jobId(slurm('sbatch', ['--parsable', ...args]));
  if (missing.length > 0) result.jobs.priors = sbatch([scripts.priors]);
  const arrayArgs = [
    `--array=${arraySpec(result.cells)}${options.maxParallel ? `%${options.maxParallel}` : ''}`,
    // If the priors job fails, the array is cancelled (not left pending forever); the merge still runs.
    ...(result.jobs.priors
      ? [`--dependency=afterok:${result.jobs.priors}`, '--kill-on-invalid-dep=yes']
      : []),
    ...(options.retryFailed ? ['--export=ALL,UGP_RETRY_FAILED=1'] : []),
  ];
  result.jobs.cells = sbatch([...arrayArgs, scripts.cells]);
  result.jobs.merge = sbatch([`--dependency=afterany:${result.jobs.cells}`, scripts.merge]);
  return result;
}
