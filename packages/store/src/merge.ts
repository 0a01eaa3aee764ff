// `ugp db merge A.db B.db --into ugp.db`: folds stores written elsewhere (one per SLURM task) into one.
// Runs are matched by id (grid cells have ids derived from their cell, so the same cell matches across
// stores). When both sides hold a run, the one further along wins whole (its run row and everything
// logged for it); merging the same file twice changes nothing.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { type Db, openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { refreshLatestMetrics } from './metrics.js';
import type { RunRow } from './runs.js';
import { openStore } from './tracking-store.js';

export interface MergeReport {
  into: string;
  sources: string[];
  runsAdded: number;
  runsReplaced: number;
  runsSkipped: number;
  /** Rows copied per table (metrics, checkpoints, ...). */
  rows: Record<string, number>;
}

/** Tables holding rows of one run, with the columns holding file paths. */
const RUN_TABLES: { table: string; pathColumn?: string }[] = [
  { table: 'params' },
  { table: 'metrics' },
  { table: 'checkpoints', pathColumn: 'path' },
  { table: 'artifacts', pathColumn: 'path' },
  { table: 'tags' },
  { table: 'notes' },
];

const STATUS_RANK: Record<string, number> = { scheduled: 0, running: 1, killed: 2, failed: 3, finished: 4 };

export function mergeStores(sources: string[], into: string): MergeReport {
  if (sources.length === 0) throw new StoreError('db merge: name at least one store to merge');
  const target = openStore(into);
  const report: MergeReport = { into, sources, runsAdded: 0, runsReplaced: 0, runsSkipped: 0, rows: {} };
  try {
    const intoReal = realpathSync(into);
    for (const source of sources) {
      let same = false;
      try {
        same = realpathSync(source) === intoReal;
      } catch {
        throw new StoreError(`db merge: store ${source} does not exist`);
      }
      if (same) throw new StoreError(`db merge: ${source} is the --into store itself`);
      const src = openDatabase(source, { readonly: true });
      try {
        target.transaction(() => mergeOne(src, target.db, pathRebaser(source, into), report));
      } finally {
        src.close();
      }
    }
  } finally {
    target.close();
  }
  return report;
}

function mergeOne(src: Db, dst: Db, rebase: (p: string) => string, report: MergeReport): void {
  for (const e of src.prepare('SELECT * FROM experiments').iterate() as Iterable<Record<string, unknown>>) {
    dst
      .prepare('INSERT OR IGNORE INTO experiments (name, spec_file, created_at) VALUES (?, ?, ?)')
      .run(e.name, e.spec_file, e.created_at);
  }
  for (const g of src.prepare('SELECT * FROM grids').iterate() as Iterable<Record<string, unknown>>) {
    // The most recently changed spec wins.
    dst
      .prepare(
        `INSERT INTO grids (grid_id, name, spec_file, spec_hash, spec_json, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (grid_id) DO UPDATE SET name = excluded.name, spec_file = excluded.spec_file,
           spec_hash = excluded.spec_hash, spec_json = excluded.spec_json,
           created_at = MIN(grids.created_at, excluded.created_at), updated_at = excluded.updated_at
         WHERE excluded.updated_at > grids.updated_at`,
      )
      .run(g.grid_id, g.name, g.spec_file, g.spec_hash, g.spec_json, g.created_at, g.updated_at);
  }
  const runs = src.prepare('SELECT * FROM runs ORDER BY created_at').all() as RunRow[];
  for (const run of runs) {
    const existing = (dst.prepare('SELECT * FROM runs WHERE run_id = ?').get(run.run_id) ??
      (run.grid_id !== null && run.cell_id !== null
        ? dst.prepare('SELECT * FROM runs WHERE grid_id = ? AND cell_id = ?').get(run.grid_id, run.cell_id)
        : undefined)) as RunRow | undefined;
    if (existing) {
      if (compareProgress(progress(src, run), progress(dst, existing)) <= 0) {
        report.runsSkipped += 1;
        continue;
      }
      dst.prepare('DELETE FROM runs WHERE run_id = ?').run(existing.run_id); // cascades to its rows
      report.runsReplaced += 1;
    } else {
      report.runsAdded += 1;
    }
    insertRow(dst, 'runs', run as unknown as Record<string, unknown>);
    for (const { table, pathColumn } of RUN_TABLES) {
      let n = 0;
      for (const row of src
        .prepare(`SELECT * FROM ${table} WHERE run_id = ?`)
        .iterate(run.run_id) as Iterable<Record<string, unknown>>) {
        if (pathColumn) row[pathColumn] = rebase(row[pathColumn] as string);
        insertRow(dst, table, row);
        n += 1;
      }
      report.rows[table] = (report.rows[table] ?? 0) + n;
    }
    refreshLatestMetrics(dst, run.run_id);
  }
}

type Progress = [number, number, number, number];

/** How far a run got: status, attempts, last sign of life, metric rows. */
function progress(db: Db, run: RunRow): Progress {
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(run.run_id) as {
    n: number;
  };
  const last = Math.max(run.end_time ?? 0, run.heartbeat_at ?? 0, run.start_time ?? 0, run.created_at);
  return [STATUS_RANK[run.status] ?? 0, run.attempts, last, n];
}

function compareProgress(a: Progress, b: Progress): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function insertRow(db: Db, table: string, row: Record<string, unknown>): void {
  // Column names come from our own schema (the source passed the same schema-version check).
  const columns = Object.keys(row);
  db.prepare(
    `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  ).run(...columns.map((c) => row[c]));
}

/** Relative paths are relative to their store's folder; keep them pointing at the same files. */
function pathRebaser(source: string, into: string): (p: string) => string {
  const from = dirname(resolve(source));
  const to = dirname(resolve(into));
  if (from === to) return (p) => p;
  return (p) => (isAbsolute(p) ? p : relative(to, resolve(from, p)));
}
