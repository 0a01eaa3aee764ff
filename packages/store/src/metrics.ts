// Metrics: one row per (run, stage, key, step), so logging the same step again (a resumed run replaying
// an iteration) overwrites instead of duplicating. latest_metrics keeps the value at the highest step for
// cheap run listings. NaN is stored as NULL with is_nan = 1; ±Infinity as SQLite's infinite REALs.
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import type { Metric, MetricSummary } from './types.js';

interface MetricRow {
  run_id: string;
  stage: string;
  key: string;
  step: number;
  value: number | null;
  is_nan: number;
  timestamp: number;
}

function toMetric(row: MetricRow): Metric {
  return {
    runId: row.run_id,
    stage: row.stage,
    key: row.key,
    step: row.step,
    value: row.is_nan ? Number.NaN : (row.value as number),
    timestamp: row.timestamp,
  };
}

export interface MetricQuery {
  stage?: string;
  key?: string;
  /** Inclusive step range. */
  fromStep?: number;
  toStep?: number;
}

export class MetricStore {
  private upsertMetric?: Statement;
  private upsertLatest?: Statement;

  constructor(private readonly db: Db) {}

  /** Logs several metrics of one step in one transaction (idempotent per (run, stage, key, step)). */
  log(
    runId: string,
    stage: string,
    step: number,
    values: Record<string, number>,
    timestamp = Date.now(),
  ): void {
    checkStep(step);
    this.upsertMetric ??= this.db.prepare(
      `INSERT INTO metrics (run_id, stage, key, step, value, is_nan, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, stage, key, step)
       DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp`,
    );
    this.upsertLatest ??= this.db.prepare(
      `INSERT INTO latest_metrics (run_id, stage, key, step, value, is_nan, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, stage, key) DO UPDATE SET step = excluded.step, value = excluded.value,
         is_nan = excluded.is_nan, timestamp = excluded.timestamp
       WHERE excluded.step >= latest_metrics.step`,
    );
    const metric = this.upsertMetric;
    const latest = this.upsertLatest;
    this.db
      .transaction(() => {
        for (const [key, value] of Object.entries(values)) {
          const nan = Number.isNaN(value);
          const args = [runId, stage, key, step, nan ? null : value, nan ? 1 : 0, timestamp];
          metric.run(...args);
          latest.run(...args);
        }
      })
      .immediate();
  }

  /** History in step order (for charts). */
  history(runId: string, query: MetricQuery = {}): Metric[] {
    const where = ['run_id = ?'];
    const args: unknown[] = [runId];
    if (query.stage !== undefined) {
      where.push('stage = ?');
      args.push(query.stage);
    }
    if (query.key !== undefined) {
      where.push('key = ?');
      args.push(query.key);
    }
    if (query.fromStep !== undefined) {
      where.push('step >= ?');
      args.push(query.fromStep);
    }
    if (query.toStep !== undefined) {
      where.push('step <= ?');
      args.push(query.toStep);
    }
    const sql = `SELECT * FROM metrics WHERE ${where.join(' AND ')} ORDER BY stage, key, step`;
    return (this.db.prepare(sql).all(...args) as MetricRow[]).map(toMetric);
  }

  /** Value at the highest step of each (stage, key) of the given runs (all runs when omitted). */
  latest(runIds?: string[]): Metric[] {
    const rows = runIds
      ? runIds.flatMap(
          (id) =>
            this.db
              .prepare('SELECT * FROM latest_metrics WHERE run_id = ? ORDER BY stage, key')
              .all(id) as MetricRow[],
        )
      : (this.db.prepare('SELECT * FROM latest_metrics ORDER BY run_id, stage, key').all() as MetricRow[]);
    return rows.map(toMetric);
  }

  /** Latest, min and max per (run, stage, key), optionally only for some keys (e.g. ['psnr', 'lpips']). */
  summaries(runIds?: string[], keys?: string[]): MetricSummary[] {
    const out: MetricSummary[] = [];
    const keyFilter = keys?.length ? ` AND l.key IN (${keys.map(() => '?').join(', ')})` : '';
    const statement = this.db.prepare(
      `SELECT l.run_id, l.stage, l.key, l.step AS latest_step, l.value AS latest, l.is_nan AS latest_nan,
         (SELECT MIN(value) FROM metrics WHERE run_id = l.run_id AND stage = l.stage AND key = l.key
            AND is_nan = 0 AND value BETWEEN -1e308 AND 1e308) AS min,
         (SELECT MAX(value) FROM metrics WHERE run_id = l.run_id AND stage = l.stage AND key = l.key
            AND is_nan = 0 AND value BETWEEN -1e308 AND 1e308) AS max,
         (SELECT COUNT(*) FROM metrics WHERE run_id = l.run_id AND stage = l.stage AND key = l.key) AS count
       FROM latest_metrics l WHERE l.run_id = ?${keyFilter}
       ORDER BY l.stage, l.key`,
    );
    const ids =
      runIds ??
      (
        this.db.prepare('SELECT DISTINCT run_id FROM latest_metrics ORDER BY run_id').all() as {
          run_id: string;
        }[]
      ).map((r) => r.run_id);
    for (const id of ids) {
      const rows = statement.all(id, ...(keys ?? [])) as {
        run_id: string;
        stage: string;
        key: string;
        latest_step: number;
        latest: number | null;
        latest_nan: number;
        min: number | null;
        max: number | null;
        count: number;
      }[];
      for (const r of rows) {
        out.push({
          runId: r.run_id,
          stage: r.stage,
          key: r.key,
          latest: r.latest_nan ? Number.NaN : (r.latest as number),
          latestStep: r.latest_step,
          min: r.min,
          max: r.max,
          count: r.count,
        });
      }
    }
    return out;
  }

  /** Distinct (stage, key) pairs logged for a run. */
  keys(runId: string): { stage: string; key: string }[] {
    return this.db
      .prepare('SELECT stage, key FROM latest_metrics WHERE run_id = ? ORDER BY stage, key')
      .all(runId) as { stage: string; key: string }[];
  }

  /**
   * Deletes rows of (run, stage) with step > `step` (a resume from the checkpoint at `step` replays
   * them) and recomputes latest_metrics for that stage. Returns the number of rows deleted.
   */
  deleteAfter(runId: string, stage: string, step: number): number {
    return this.db
      .transaction(() => {
        const { changes } = this.db
          .prepare('DELETE FROM metrics WHERE run_id = ? AND stage = ? AND step > ?')
          .run(runId, stage, step);
        if (changes > 0) refreshLatestMetrics(this.db, runId, stage);
        return changes;
      })
      .immediate();
  }
}

/** Rebuilds latest_metrics of a run (of one stage if given) from the metrics table. */
export function refreshLatestMetrics(db: Db, runId: string, stage?: string): void {
  const stageFilter = stage === undefined ? '' : ' AND stage = ?';
  const args = stage === undefined ? [runId] : [runId, stage];
  db.prepare(`DELETE FROM latest_metrics WHERE run_id = ?${stageFilter}`).run(...args);
  db.prepare(
    `INSERT INTO latest_metrics (run_id, stage, key, step, value, is_nan, timestamp)
     SELECT m.run_id, m.stage, m.key, m.step, m.value, m.is_nan, m.timestamp FROM metrics m
     WHERE m.run_id = ?${stageFilter.replace('stage', 'm.stage')} AND m.step = (
       SELECT MAX(step) FROM metrics WHERE run_id = m.run_id AND stage = m.stage AND key = m.key)`,
  ).run(...args);
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0)
    throw new RangeError(`metric step must be an integer >= 0, got ${step}`);
}
