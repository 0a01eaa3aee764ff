// Experiments: named groups of runs (the experiment file's name, or the grid's).
import type { Db } from './database.js';
import type { Experiment } from './types.js';

interface ExperimentRow {
  name: string;
  spec_file: string | null;
  created_at: number;
}

function toExperiment(row: ExperimentRow): Experiment {
  return { name: row.name, specFile: row.spec_file, createdAt: row.created_at };
}

export class ExperimentStore {
  constructor(private readonly db: Db) {}

  /** Creates the experiment if new; a known one keeps its spec file unless it had none. */
  ensure(name: string, specFile: string | null = null): Experiment {
    this.db
      .prepare(
        `INSERT INTO experiments (name, spec_file, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET spec_file = COALESCE(experiments.spec_file, excluded.spec_file)`,
      )
      .run(name, specFile, Date.now());
    return this.get(name)!;
  }

  get(name: string): Experiment | undefined {
    const row = this.db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as
      | ExperimentRow
      | undefined;
    return row && toExperiment(row);
  }

  list(): Experiment[] {
    const rows = this.db
      .prepare('SELECT * FROM experiments ORDER BY created_at, name')
      .all() as ExperimentRow[];
    return rows.map(toExperiment);
  }
}
