// A grid's status while its Slurm array runs: the grid's store (merged so far) plus every per-task
// store in the grid's Slurm folder, read-only, combined cell by cell.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
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
  options: GridStatusOptions = {},
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
  if (statuses.length === 0) {
    // Nothing anywhere yet: every cell missing, from the store the user named (opened to say so).
    const store = openStore(db, { readonly: true });
    try {
      return { status: gridStatus(store, spec, options), stores: [db] };
    } finally {
      store.close();
    }
  }
  return { status: combineGridStatus(statuses), stores: paths };
}
