// A grid's status while its Slurm array runs: the grid's store (merged so far) plus every per-task
// store in the grid's Slurm folder, read-only, combined cell by cell.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { expandGrid } from './expand.js';
import type { GridSpec } from './spec.js';
import { combineGridStatus, type GridStatus, type GridStatusOptions, gridStatus } from './status.js';

export interface StoresStatus {
  status: GridStatus;
  /** The stores read, the grid's store first. */
  stores: string[];
}

/** The per-task stores (`cell-<i>.db`) in a Slurm folder, by cell index. */
export function taskStores(storeDir: string): string[] {
  if (!existsSync(storeDir)) return [];
  return readdirSync(storeDir)
    .map((name) => /^cell-(\d+)\.db$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(storeDir, m[0]));
}

/** Status from `db` (when it exists) and the task stores in `storeDir` (when any). */
export function gridStatusAcrossStores(
  spec: GridSpec,
  db: string,
  storeDir: string | undefined,
  options: GridStatusOptions & { noStoreYet?: 'error' | 'empty' } = {},
): StoresStatus {
  const paths = [...(existsSync(db) ? [db] : []), ...(storeDir ? taskStores(storeDir) : [])];
  const statuses: GridStatus[] = [];
  for (const path of paths) {
    const store = openStore(path, { readonly: true });
    try {
      statuses.push(gridStatus(store, spec, options));
    } finally {
      store.close();
    }
  }
  if (statuses.length === 0 && options.noStoreYet === 'empty') {
    // Nothing submitted yet: every cell missing.
    const cells = expandGrid(spec).map((cell) => ({
      index: cell.index,
      cellId: cell.id,
      name: cell.name,
      params: cell.params,
      runId: null,
      status: 'missing' as const,
      attempts: 0,
      worker: null,
      failure: null,
      stages: [],
    }));
    const counts = { scheduled: 0, running: 0, finished: 0, failed: 0, killed: 0, missing: cells.length };
    const status = {
      grid: spec.name,
      stages: [],
      metric: options.metric ?? 'psnr',
      mode: options.mode ?? 'max',
    };
    return { status: { ...status, counts, cells }, stores: [] };
  }
  if (statuses.length === 0) {
    // Nothing anywhere yet: the store the user named is opened to say it does not exist.
    const store = openStore(db, { readonly: true });
    try {
      return { status: gridStatus(store, spec, options), stores: [db] };
    } finally {
      store.close();
    }
  }
  return { status: combineGridStatus(statuses), stores: paths };
}
