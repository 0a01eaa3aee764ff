// Runs: one training run (all its stages), its lifecycle and who holds it.
import type { Db } from './database.js';
import { StoreError } from './errors.js';
import { newRunId } from './ids.js';
import { canonicalJson } from '@ugpnet/core';
import { parseJson } from './json.js';
import {
  type CreateRunInput,
  type Json,
  RUN_STATUSES,
  type Run,
  type RunFilter,
  type RunStatus,
  type RunUpdate,
  type WorkerInfo,
} from './types.js';

export interface RunRow {
  run_id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  cell_params: string;
  grid_id: string | null;
  cell_id: string | null;
  cell_index: number | null;
  seed: number | null;
  backend: string | null;
  git_commit: string | null;
  host: string | null;
  created_at: number;
  start_time: number | null;
  end_time: number | null;
  stage: string | null;
  worker_name: string | null;
  worker_pid: number | null;
  worker_host: string | null;
  claimed_at: number | null;
  heartbeat_at: number | null;
  attempts: number;
  failure: string | null;
}

export function toRun(row: RunRow): Run {
  const worker: WorkerInfo | null =
    row.worker_name === null
      ? null
      : { name: row.worker_name, pid: row.worker_pid ?? 0, host: row.worker_host ?? '' };
  return {
    id: row.run_id,
    name: row.name,
    experiment: row.experiment,
    status: row.status,
    cellParams: parseJson<Record<string, Json>>(row.cell_params, {}),
    gridId: row.grid_id,
    cellId: row.cell_id,
    cellIndex: row.cell_index,
    seed: row.seed,
    backend: row.backend,
    gitCommit: row.git_commit,
    host: row.host,
    createdAt: row.created_at,
    startTime: row.start_time,
    endTime: row.end_time,
    stage: row.stage,
    worker,
    claimedAt: row.claimed_at,
    heartbeatAt: row.heartbeat_at,
    attempts: row.attempts,
    failure: row.failure,
  };
}

export function checkStatus(status: string, what: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new StoreError(`${what}: unknown run status '${status}' (expected ${RUN_STATUSES.join(' | ')})`);
  }
  return status as RunStatus;
}

export class RunStore {
  constructor(private readonly db: Db) {}

  /** Inserts a run (its experiment must exist: `ensureExperiment` first). */
  create(input: CreateRunInput): Run {
    const id = input.id ?? newRunId();
    const status = checkStatus(input.status ?? 'scheduled', 'createRun');
    const now = Date.now();
    const running = status === 'running';
    const worker = input.worker ?? null;
    this.db
      .prepare(
        `INSERT INTO runs (run_id, name, experiment, status, cell_params, grid_id, cell_id, cell_index, seed,
           backend, git_commit, host, created_at, start_time, worker_name, worker_pid, worker_host,
           claimed_at, heartbeat_at, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.experiment,
        status,
        canonicalJson(input.cellParams ?? {}),
        input.gridId ?? null,
        input.cellId ?? null,
        input.cellIndex ?? null,
        input.seed ?? null,
        input.backend ?? null,
        input.gitCommit ?? null,
        input.host ?? worker?.host ?? null,
        now,
        running ? now : null,
        worker?.name ?? null,
        worker?.pid ?? null,
        worker?.host ?? null,
        worker ? now : null,
        worker ? now : null,
        running ? 1 : 0,
      );
    return this.get(id)!;
  }

  get(id: string): Run | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  /** The run with this id, or the only run whose id starts with it (>= 4 characters). */
  find(idOrPrefix: string): Run {
    const exact = this.get(idOrPrefix);
    if (exact) return exact;
    if (idOrPrefix.length >= 4) {
      // Bound LIKE pattern with the wildcard characters escaped.
      const pattern = `${idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = this.db
        .prepare("SELECT * FROM runs WHERE run_id LIKE ? ESCAPE '\\' LIMIT 2")
        .all(pattern) as RunRow[];
      if (rows.length === 1) return toRun(rows[0]!);
      if (rows.length > 1)
        throw new StoreError(`run id prefix '${idOrPrefix}' is ambiguous; give more characters`);
    }
    throw new StoreError(`no run with id '${idOrPrefix}' in the store`);
  }

  list(filter: RunFilter = {}): Run[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.experiment !== undefined) {
      where.push('experiment = ?');
      args.push(filter.experiment);
    }
    if (filter.gridId !== undefined) {
      where.push('grid_id = ?');
      args.push(filter.gridId);
    }
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      for (const s of statuses) checkStatus(s, 'listRuns');
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      args.push(...statuses);
    }
    const order =
      filter.gridId !== undefined ? 'cell_index, created_at, run_id' : 'created_at DESC, run_id DESC';
    let sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      args.push(Math.max(0, Math.floor(filter.limit)));
    }
    return (this.db.prepare(sql).all(...args) as RunRow[]).map(toRun);
  }

  update(id: string, update: RunUpdate): Run {
    const sets: string[] = [];
    const args: unknown[] = [];
    const columns: [keyof RunUpdate, string][] = [
      ['name', 'name'],
      ['seed', 'seed'],
      ['backend', 'backend'],
      ['gitCommit', 'git_commit'],
      ['host', 'host'],
      ['stage', 'stage'],
    ];
    for (const [field, column] of columns) {
      if (update[field] === undefined) continue;
      sets.push(`${column} = ?`);
      args.push(update[field]);
    }
    if (sets.length > 0)
      this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`).run(...args, id);
    return this.require(id);
  }

  /**
   * Marks the run running under `worker` (a new start or a resume): counts an attempt, keeps the first
   * start time, clears the end time and failure.
   */
  start(id: string, worker: WorkerInfo | null = null): Run {
    const now = Date.now();
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', start_time = COALESCE(start_time, ?), end_time = NULL,
           failure = NULL, attempts = attempts + 1, worker_name = ?, worker_pid = ?, worker_host = ?,
           host = COALESCE(?, host), claimed_at = ?, heartbeat_at = ?
         WHERE run_id = ?`,
      )
      .run(
        now,
        worker?.name ?? null,
        worker?.pid ?? null,
        worker?.host ?? null,
        worker?.host ?? null,
        now,
        now,
        id,
      );
    return this.require(id);
  }

  /** Ends the run: finished, failed (with the reason) or killed. The holder is released. */
  end(id: string, status: 'finished' | 'failed' | 'killed', failure: string | null = null): Run {
    if (!['finished', 'failed', 'killed'].includes(status)) {
      throw new StoreError(`endRun: '${status}' is not an end status (finished | failed | killed)`);
    }
    this.db
      .prepare(
        `UPDATE runs SET status = ?, end_time = ?, failure = ?, worker_name = NULL, worker_pid = NULL,
           worker_host = NULL WHERE run_id = ?`,
      )
      .run(status, Date.now(), failure, id);
    return this.require(id);
  }

  /** Back to 'scheduled' so that a worker claims it again (its metrics and checkpoints are kept). */
  requeue(id: string): Run {
    this.db
      .prepare(
        `UPDATE runs SET status = 'scheduled', end_time = NULL, failure = NULL, worker_name = NULL,
           worker_pid = NULL, worker_host = NULL, claimed_at = NULL WHERE run_id = ?`,
      )
      .run(id);
    return this.require(id);
  }

  /** Shows the holder is alive (used to reclaim runs of workers on other hosts). */
  heartbeat(id: string, stage?: string): void {
    if (stage === undefined)
      this.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE run_id = ?').run(Date.now(), id);
    else
      this.db
        .prepare('UPDATE runs SET heartbeat_at = ?, stage = ? WHERE run_id = ?')
        .run(Date.now(), stage, id);
  }

  /** Deletes the run and everything logged for it. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM runs WHERE run_id = ?').run(id);
  }

  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw new StoreError(`no run with id '${id}' in the store`);
    return run;
  }
}
