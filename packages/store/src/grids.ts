// Grids: an ablation grid spec and the queue of its cells (one run per cell, run id derived from the
// cell id). Queueing is idempotent: re-running a grid skips finished cells and requeues unfinished ones.
import { hostname } from 'node:os';
import { canonicalJson, sha256 } from '@ugpnet/core';
import { isStale } from './claims.js';
import type { Db } from './database.js';
import { StoreError } from './errors.js';
import { cellRunId } from './ids.js';
import { type RunRow, toRun } from './runs.js';
import { type Grid, type GridProgress, type Json, RUN_STATUSES, type RunStatus } from './types.js';

interface GridRow {
  grid_id: string;
  name: string;
  spec_file: string | null;
  spec_hash: string;
  spec_json: string;
  created_at: number;
  updated_at: number;
}

function toGrid(row: GridRow): Grid {
  return {
    id: row.grid_id,
    name: row.name,
    specFile: row.spec_file,
    specHash: row.spec_hash,
    spec: JSON.parse(row.spec_json) as Json,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface RegisterGridInput {
  /** Defaults to the name. */
  id?: string;
  name: string;
  specFile?: string | null;
  spec: Json;
}

/** One cell to queue: the grid expansion's output (see runner/src/grid). */
export interface QueueCell {
  /** Stable id of the cell (hash of its params). */
  cellId: string;
  /** Position in the expansion (the claim order). */
  cellIndex: number;
  name: string;
  params: Record<string, Json>;
  seed?: number | null;
}

export interface QueueOptions {
  /** Requeue failed cells too (default: leave them failed). */
  retryFailed?: boolean;
  /** Host name used to judge whether a running cell's worker is dead (default: this host). */
  host?: string;
  /** Also treat running cells whose heartbeat is older than this as dead (any host). */
  staleAfterMs?: number;
}

export interface QueueReport {
  gridId: string;
  /** Run ids of cells queued for the first time. */
  created: string[];
  /** Run ids put back to 'scheduled' (killed, failed with retryFailed, or held by a dead worker). */
  requeued: string[];
  /** Cells left as they were, by status. */
  kept: Record<RunStatus, number>;
}

export class GridStore {
  constructor(private readonly db: Db) {}

  /** Creates or updates the grid (a changed spec updates its hash; existing cells stay). */
  register(input: RegisterGridInput): Grid {
    const id = input.id ?? input.name;
    if (!id) throw new StoreError('grid name must not be empty');
    const json = canonicalJson(input.spec);
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO grids (grid_id, name, spec_file, spec_hash, spec_json, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (grid_id) DO UPDATE SET name = excluded.name,
           spec_file = COALESCE(excluded.spec_file, grids.spec_file), spec_hash = excluded.spec_hash,
           spec_json = excluded.spec_json,
           updated_at = CASE WHEN grids.spec_hash = excluded.spec_hash THEN grids.updated_at ELSE excluded.updated_at END`,
      )
      .run(id, input.name, input.specFile ?? null, sha256(json), json, now, now);
    return this.get(id)!;
  }

  get(id: string): Grid | undefined {
    const row = this.db.prepare('SELECT * FROM grids WHERE grid_id = ?').get(id) as GridRow | undefined;
    return row && toGrid(row);
  }

  list(): Grid[] {
    return (this.db.prepare('SELECT * FROM grids ORDER BY created_at, grid_id').all() as GridRow[]).map(
      toGrid,
    );
  }

  /**
   * Queues the cells of a grid as runs of `experiment` in one transaction: a new cell becomes a
   * 'scheduled' run; finished cells are kept; killed cells, cells held by a dead worker and (with
   * retryFailed) failed cells are requeued; scheduled, live running and failed cells are kept.
   */
  queue(gridId: string, experiment: string, cells: QueueCell[], options: QueueOptions = {}): QueueReport {
    if (!this.get(gridId)) throw new StoreError(`grid '${gridId}' is not registered`);
    const host = options.host ?? hostname();
    const report: QueueReport = {
      gridId,
      created: [],
      requeued: [],
      kept: Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>,
    };
    const find = this.db.prepare('SELECT * FROM runs WHERE grid_id = ? AND cell_id = ?');
    const insert = this.db.prepare(
      `INSERT INTO runs (run_id, name, experiment, status, cell_params, grid_id, cell_id, cell_index, seed,
         created_at) VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?)`,
    );
    const requeue = this.db.prepare(
      `UPDATE runs SET status = 'scheduled', end_time = NULL, failure = NULL, worker_name = NULL,
         worker_pid = NULL, worker_host = NULL, claimed_at = NULL, cell_index = ? WHERE run_id = ?`,
    );
    // --retry-failed gives a failed cell a fresh attempt budget (claims fail a cell at maxAttempts).
    const retry = this.db.prepare('UPDATE runs SET attempts = 0 WHERE run_id = ?');
    const reindex = this.db.prepare('UPDATE runs SET cell_index = ? WHERE run_id = ?');
    this.db
      .transaction(() => {
        this.db
          .prepare('INSERT OR IGNORE INTO experiments (name, spec_file, created_at) VALUES (?, NULL, ?)')
          .run(experiment, Date.now());
        const now = Date.now();
        for (const cell of cells) {
          const row = find.get(gridId, cell.cellId) as RunRow | undefined;
          if (!row) {
            const id = cellRunId(gridId, cell.cellId);
            insert.run(
              id,
              cell.name,
              experiment,
              canonicalJson(cell.params),
              gridId,
              cell.cellId,
              cell.cellIndex,
              cell.seed ?? null,
              now,
            );
            report.created.push(id);
            continue;
          }
          const run = toRun(row);
          const dead =
            run.status === 'running' && isStale(run, { host, staleAfterMs: options.staleAfterMs, now });
          if (
            run.status === 'killed' ||
            (run.status === 'failed' && options.retryFailed) ||
            (run.status === 'running' && dead)
          ) {
            requeue.run(cell.cellIndex, run.id);
            if (run.status === 'failed') retry.run(run.id);
            report.requeued.push(run.id);
          } else {
            if (run.cellIndex !== cell.cellIndex) reindex.run(cell.cellIndex, run.id);
            report.kept[run.status] += 1;
          }
        }
      })
      .immediate();
    return report;
  }

  /** Run counts of a grid by status. */
  progress(gridId: string): GridProgress {
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM runs WHERE grid_id = ? GROUP BY status')
      .all(gridId) as { status: RunStatus; n: number }[];
    const byStatus = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    let total = 0;
    for (const r of rows) {
      byStatus[r.status] = r.n;
      total += r.n;
    }
    return { gridId, total, byStatus };
  }
}
