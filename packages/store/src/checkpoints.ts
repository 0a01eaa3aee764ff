// Checkpoints: one row per (run, stage, step) with the validation metrics at save time; the best one per
// stage (by a metric and mode) carries is_best.
import type { Db } from './database.js';
import { StoreError } from './errors.js';
import type { BestMode, Checkpoint } from './types.js';

interface CheckpointRow {
  run_id: string;
  stage: string;
  step: number;
  path: string;
  metrics: string;
  is_best: number;
  created_at: number;
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    runId: row.run_id,
    stage: row.stage,
    step: row.step,
    path: row.path,
    metrics: JSON.parse(row.metrics) as Record<string, number | null>,
    isBest: row.is_best === 1,
    createdAt: row.created_at,
  };
}

/** Default selection of the best checkpoint: validation PSNR, higher is better. */
export const DEFAULT_BEST_METRIC = 'psnr';
export const DEFAULT_BEST_MODE: BestMode = 'max';

export interface SaveCheckpointInput {
  runId: string;
  stage: string;
  step: number;
  path: string;
  metrics?: Record<string, number>;
}

export interface BestBy {
  metric: string;
  mode: BestMode;
}

export class CheckpointStore {
  constructor(private readonly db: Db) {}

  /**
   * Records a checkpoint (saving the same step again replaces it). With `best`, the is_best flags of the
   * stage are recomputed in the same transaction. Returns the saved checkpoint.
   */
  save(input: SaveCheckpointInput, best?: BestBy): Checkpoint {
    return this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO checkpoints (run_id, stage, step, path, metrics, is_best, created_at)
             VALUES (?, ?, ?, ?, ?, 0, ?)
             ON CONFLICT (run_id, stage, step) DO UPDATE SET path = excluded.path, metrics = excluded.metrics,
               created_at = excluded.created_at`,
          )
          .run(
            input.runId,
            input.stage,
            input.step,
            input.path,
            metricsJson(input.metrics ?? {}),
            Date.now(),
          );
        if (best) this.markBest(input.runId, input.stage, best.metric, best.mode);
        return this.get(input.runId, input.stage, input.step)!;
      })
      .immediate();
  }

  get(runId: string, stage: string, step: number): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT * FROM checkpoints WHERE run_id = ? AND stage = ? AND step = ?')
      .get(runId, stage, step) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }

  /** Checkpoints of a run (of one stage if given) in stage, step order. */
  list(runId: string, stage?: string): Checkpoint[] {
    const rows =
      stage === undefined
        ? this.db.prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY stage, step').all(runId)
        : this.db
            .prepare('SELECT * FROM checkpoints WHERE run_id = ? AND stage = ? ORDER BY step')
            .all(runId, stage);
    return (rows as CheckpointRow[]).map(toCheckpoint);
  }

  /** The checkpoint at the highest step of a stage (where a resume starts). */
  latest(runId: string, stage: string): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT * FROM checkpoints WHERE run_id = ? AND stage = ? ORDER BY step DESC LIMIT 1')
      .get(runId, stage) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }

  /**
   * The best checkpoint of a stage by `metric` (a key of the metrics saved with it) and mode. Checkpoints
   * without a finite value of the metric are ignored; ties go to the earliest step.
   */
  best(runId: string, stage: string, metric = DEFAULT_BEST_METRIC, mode: BestMode = DEFAULT_BEST_MODE) {
    if (mode !== 'max' && mode !== 'min') throw new StoreError(`--mode must be max or min, got '${mode}'`);
    let best: Checkpoint | undefined;
    for (const c of this.list(runId, stage)) {
      const v = c.metrics[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const b = best?.metrics[metric] as number | undefined;
      if (b === undefined || (mode === 'max' ? v > b : v < b)) best = c;
    }
    return best;
  }

  /** Sets is_best on the best checkpoint of the stage and clears it on the others. */
  markBest(runId: string, stage: string, metric = DEFAULT_BEST_METRIC, mode: BestMode = DEFAULT_BEST_MODE) {
    return this.db
      .transaction(() => {
        const best = this.best(runId, stage, metric, mode);
        this.db
          .prepare('UPDATE checkpoints SET is_best = (step = ?) WHERE run_id = ? AND stage = ?')
          .run(best?.step ?? -1, runId, stage);
        return best && { ...best, isBest: true };
      })
      .immediate();
  }

  /** Forgets checkpoints after `step` (their files are the caller's business). Returns rows deleted. */
  deleteAfter(runId: string, stage: string, step: number): number {
    return this.db
      .prepare('DELETE FROM checkpoints WHERE run_id = ? AND stage = ? AND step > ?')
      .run(runId, stage, step).changes;
  }
}

function metricsJson(metrics: Record<string, number>): string {
  // JSON has no NaN/Infinity: they become null (and never win a best-checkpoint comparison).
  const clean: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(metrics)) clean[k] = Number.isFinite(v) ? v : null;
  return JSON.stringify(clean);
}
