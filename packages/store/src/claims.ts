// Atomic run claiming: one owner per run, for grid workers, `ugp train`, `ugp resume` and prior runs
// alike. A claim is one IMMEDIATE transaction (SQLite's write lock), so two processes never get the
// same run. Runs held by a dead holder (same host, pid gone; or a heartbeat older than staleAfterMs)
// are taken over: they resume where they stopped.
import { hostname } from 'node:os';
import type { Db } from './database.js';
import { StoreError } from './errors.js';
import { type RunRow, toRun } from './runs.js';
import type { Run, WorkerInfo } from './types.js';

export interface ClaimOptions {
  /** Also reclaim runs whose holder's heartbeat is older than this (any host; off by default). */
  staleAfterMs?: number;
  /**
   * A dead holder's run that already had this many attempts is marked failed instead of taken over
   * (a cell that kills its worker every time, e.g. out of memory, must not loop all night). Default: no limit.
   */
  maxAttempts?: number;
}

export interface StaleCheck {
  host?: string;
  staleAfterMs?: number;
  now?: number;
}

/** Whether a process with this pid exists on this machine. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a running run's holder is gone: it runs on `host` (default this one) and its pid is not alive,
 * it has no holder at all, or its heartbeat is older than `staleAfterMs`.
 */
export function isStale(run: Run, check: StaleCheck = {}): boolean {
  if (run.status !== 'running') return false;
  const host = check.host ?? hostname();
  const now = check.now ?? Date.now();
  if (check.staleAfterMs !== undefined) {
    const beat = run.heartbeatAt ?? run.claimedAt ?? run.startTime ?? 0;
    if (now - beat > check.staleAfterMs) return true;
  }
  if (!run.worker) return run.host === host;
  return run.worker.host === host && !isPidAlive(run.worker.pid);
}

/**
 * How a single process came out of asking for a run: it now holds it (`claimed`; `attempt` false when
 * it already held it, e.g. a grid worker handing its run to the trainer), a live process holds it
 * (`held`), or it is already finished.
 */
export type Acquisition =
  | { status: 'claimed'; run: Run; attempt: boolean }
  | { status: 'held'; run: Run }
  | { status: 'finished'; run: Run };

/** A holder is dead when its pid is gone (same host) or, on another host, silent for this long. */
export const DEFAULT_STALE_AFTER_MS = 30 * 60_000;

/** Who holds a running run, for messages: "pid 123 on host gpu1 since 2026-12-03 18:40:02 UTC". */
export function describeHolder(run: Run): string {
  const since = run.claimedAt ?? run.startTime;
  const when = since ? ` since ${new Date(since).toISOString().replace('T', ' ').slice(0, 19)} UTC` : '';
  const beat = run.heartbeatAt
    ? `, last heartbeat ${Math.round((Date.now() - run.heartbeatAt) / 1000)} s ago`
    : '';
  if (!run.worker) return `an unknown process on host ${run.host ?? '?'}${when}`;
  return `pid ${run.worker.pid} on host ${run.worker.host}${when}${beat}`;
}

export class ClaimStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims the next run of a grid for `worker`: first a run whose holder died, then the scheduled run
   * with the lowest cell index. Returns the run (now 'running', attempts counted) or undefined when
   * nothing is left to claim.
   */
  claimNext(gridId: string, worker: WorkerInfo, options: ClaimOptions = {}): Run | undefined {
    return this.db
      .transaction(() => {
        const now = Date.now();
        // Only runs that could be stale: held on this host (pid check below), unheld, or silent too long.
        const silentSince = options.staleAfterMs === undefined ? null : now - options.staleAfterMs;
        const running = (
          this.db
            .prepare(
              `SELECT * FROM runs WHERE grid_id = ? AND status = 'running' AND (worker_host = ? OR worker_name IS NULL
                 OR COALESCE(heartbeat_at, claimed_at, start_time, 0) < ?) ORDER BY cell_index`,
            )
            .all(gridId, worker.host, silentSince) as RunRow[]
        ).map(toRun);
        const stale = running.filter((r) =>
          isStale(r, { host: worker.host, staleAfterMs: options.staleAfterMs, now }),
        );
        let target = stale.find((r) => !this.giveUp(r, options, now));
        if (!target) {
          // A requeued cell (killed, or found dead-held when the grid was queued) that has used all its
          // attempts is failed here too: no cell ever gets attempt maxAttempts + 1.
          const scheduled = this.db.prepare(
            "SELECT * FROM runs WHERE grid_id = ? AND status = 'scheduled' ORDER BY cell_index, created_at",
          );
          for (const row of scheduled.iterate(gridId) as Iterable<RunRow>) {
            const run = toRun(row);
            if (this.exhausted(run, options)) continue;
            target = run;
            break;
          }
          if (target === undefined) this.failExhausted(gridId, options, now);
        }
        return target && this.take(target.id, worker, now);
      })
      .immediate();
  }

  /**
   * Claims one given run if it is scheduled, or running under a dead holder (`ugp grid run --cell`,
   * `ugp resume`). Returns undefined when it is finished, failed, killed or held by a live worker.
   */
  claim(runId: string, worker: WorkerInfo, options: ClaimOptions = {}): Run | undefined {
    return this.db
      .transaction(() => {
        const now = Date.now();
        const row = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
        if (!row) return undefined;
        const run = toRun(row);
        const free =
          (run.status === 'scheduled' && !this.giveUp(run, options, now)) ||
          (isStale(run, { host: worker.host, staleAfterMs: options.staleAfterMs, now }) &&
            !this.giveUp(run, options, now));
        return free ? this.take(run.id, worker, now) : undefined;
      })
      .immediate();
  }

  private exhausted(run: Run, options: ClaimOptions): boolean {
    return options.maxAttempts !== undefined && run.attempts >= options.maxAttempts;
  }

  /** Marks a run that has used all its attempts failed (with why); false when it may be claimed. */
  /**
   * Makes `worker` the one owner of a run it asked for by id (`ugp train`, `ugp resume`, a prior run):
   * anything not finished is taken unless a live process holds it. Same host: the holder is dead when
   * its pid is gone; another host: when its heartbeat is older than staleAfterMs (default 30 min).
   */
  acquire(runId: string, worker: WorkerInfo, options: { staleAfterMs?: number } = {}): Acquisition {
    return this.db
      .transaction((): Acquisition => {
        const now = Date.now();
        const row = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
        if (!row) throw new StoreError(`no run with id '${runId}' in the store`);
        const run = toRun(row);
        if (run.status === 'finished') return { status: 'finished', run };
        if (run.status === 'running') {
          if (run.worker?.pid === worker.pid && run.worker.host === worker.host)
            return { status: 'claimed', run, attempt: false };
          const remote = run.worker !== null && run.worker.host !== worker.host;
          const staleAfterMs = remote ? (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS) : undefined;
          if (!isStale(run, { host: worker.host, staleAfterMs, now })) return { status: 'held', run };
        }
        return { status: 'claimed', run: this.take(run.id, worker, now), attempt: true };
      })
      .immediate();
  }

  /** The holder's heartbeat; false when `worker` no longer holds the run (someone took it over). */
  renew(runId: string, worker: WorkerInfo, stage?: string): boolean {
    const result = this.db
      .prepare(
        `UPDATE runs SET heartbeat_at = ?, stage = COALESCE(?, stage)
         WHERE run_id = ? AND status = 'running' AND worker_pid = ? AND worker_host = ?`,
      )
      .run(Date.now(), stage ?? null, runId, worker.pid, worker.host);
    return result.changes > 0;
  }

  private giveUp(run: Run, options: ClaimOptions, now: number): boolean {
    if (!this.exhausted(run, options)) return false;
    const why =
      run.status === 'running'
        ? `its worker died during each of ${run.attempts} attempts (last: ${run.worker?.name ?? 'unknown'})`
        : `it was started ${run.attempts} times without finishing (--max-attempts ${options.maxAttempts}; --retry-failed starts it afresh)`;
    this.db
      .prepare(
        `UPDATE runs SET status = 'failed', end_time = ?, failure = ?, worker_name = NULL, worker_pid = NULL,
           worker_host = NULL WHERE run_id = ?`,
      )
      .run(now, why, run.id);
    return true;
  }

  private failExhausted(gridId: string, options: ClaimOptions, now: number): void {
    if (options.maxAttempts === undefined) return;
    const rows = this.db
      .prepare("SELECT * FROM runs WHERE grid_id = ? AND status = 'scheduled' AND attempts >= ?")
      .all(gridId, options.maxAttempts) as RunRow[];
    for (const row of rows) this.giveUp(toRun(row), options, now);
  }

  private take(runId: string, worker: WorkerInfo, now: number): Run {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', start_time = COALESCE(start_time, ?), end_time = NULL,
           failure = NULL, attempts = attempts + 1, worker_name = ?, worker_pid = ?, worker_host = ?,
           host = ?, claimed_at = ?, heartbeat_at = ?
         WHERE run_id = ?`,
      )
      .run(now, worker.name, worker.pid, worker.host, worker.host, now, now, runId);
    return toRun(this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow);
  }

  /** Running runs whose holder is gone (for `ugp resume` and status displays). */
  staleRuns(check: StaleCheck & { gridId?: string } = {}): Run[] {
    const rows = (
      check.gridId === undefined
        ? this.db.prepare("SELECT * FROM runs WHERE status = 'running'").all()
        : this.db.prepare("SELECT * FROM runs WHERE status = 'running' AND grid_id = ?").all(check.gridId)
    ) as RunRow[];
    return rows.map(toRun).filter((r) => isStale(r, check));
  }
}
