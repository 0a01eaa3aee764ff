// Artifacts: files produced by a run (validation sample strips, exported images), by stage and step.
import type { Db } from './database.js';
import type { Artifact } from './types.js';

interface ArtifactRow {
  run_id: string;
  stage: string;
  step: number;
  kind: string;
  path: string;
  created_at: number;
}

function toArtifact(row: ArtifactRow): Artifact {
  return {
    runId: row.run_id,
    stage: row.stage,
    step: row.step,
    kind: row.kind,
    path: row.path,
    createdAt: row.created_at,
  };
}

export interface LogArtifactInput {
  runId: string;
  stage: string;
  step: number;
  kind: string;
  path: string;
}

export interface ArtifactQuery {
  stage?: string;
  kind?: string;
  step?: number;
}

export class ArtifactStore {
  constructor(private readonly db: Db) {}

  /** Records an artifact; the same (run, stage, step, kind, path) twice is one row. */
  log(input: LogArtifactInput): Artifact {
    const createdAt = Date.now();
    this.db
      .prepare(
        `INSERT INTO artifacts (run_id, stage, step, kind, path, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, stage, step, kind, path) DO UPDATE SET created_at = excluded.created_at`,
      )
      .run(input.runId, input.stage, input.step, input.kind, input.path, createdAt);
    return { ...input, createdAt };
  }

  list(runId: string, query: ArtifactQuery = {}): Artifact[] {
    const where = ['run_id = ?'];
    const args: unknown[] = [runId];
    const columns: [keyof ArtifactQuery, string][] = [
      ['stage', 'stage'],
      ['kind', 'kind'],
      ['step', 'step'],
    ];
    for (const [field, column] of columns) {
      if (query[field] === undefined) continue;
      where.push(`${column} = ?`);
      args.push(query[field]);
    }
    const sql = `SELECT * FROM artifacts WHERE ${where.join(' AND ')} ORDER BY stage, step, kind, path`;
    return (this.db.prepare(sql).all(...args) as ArtifactRow[]).map(toArtifact);
  }

  /** Forgets artifacts after `step` (a resume replays them). Returns rows deleted. */
  deleteAfter(runId: string, stage: string, step: number): number {
    return this.db
      .prepare('DELETE FROM artifacts WHERE run_id = ? AND stage = ? AND step > ?')
      .run(runId, stage, step).changes;
  }
}
