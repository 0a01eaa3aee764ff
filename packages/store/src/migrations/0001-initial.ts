// 0001: the initial schema, modelled on MLflow's tracking tables. Times are integer milliseconds since
// the epoch; JSON columns hold canonical JSON text; NaN metric values are stored as NULL with is_nan = 1.
import type { Migration } from './migration.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE experiments (
  name        TEXT PRIMARY KEY,
  spec_file   TEXT,
  created_at  INTEGER NOT NULL
);

CREATE TABLE grids (
  grid_id     TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  spec_file   TEXT,
  spec_hash   TEXT NOT NULL,
  spec_json   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE runs (
  run_id        TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  experiment    TEXT NOT NULL REFERENCES experiments(name),
  status        TEXT NOT NULL CHECK (status IN ('scheduled', 'running', 'finished', 'failed', 'killed')),
  cell_params   TEXT NOT NULL DEFAULT '{}',
  grid_id       TEXT REFERENCES grids(grid_id),
  cell_id       TEXT,
  cell_index    INTEGER,
  seed          INTEGER,
  backend       TEXT,
  git_commit    TEXT,
  host          TEXT,
  created_at    INTEGER NOT NULL,
  start_time    INTEGER,
  end_time      INTEGER,
  stage         TEXT,
  worker_name   TEXT,
  worker_pid    INTEGER,
  worker_host   TEXT,
  claimed_at    INTEGER,
  heartbeat_at  INTEGER,
  attempts      INTEGER NOT NULL DEFAULT 0,
  failure       TEXT,
  UNIQUE (grid_id, cell_id)
);
CREATE INDEX runs_experiment ON runs (experiment, created_at);
CREATE INDEX runs_grid_status ON runs (grid_id, status, cell_index);

CREATE TABLE params (
  run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE metrics (
  run_id     TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  stage      TEXT NOT NULL,
  key        TEXT NOT NULL,
  step       INTEGER NOT NULL,
  value      REAL,
  is_nan     INTEGER NOT NULL DEFAULT 0,
  timestamp  INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, key, step)
) WITHOUT ROWID;

CREATE TABLE latest_metrics (
  run_id     TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  stage      TEXT NOT NULL,
  key        TEXT NOT NULL,
  step       INTEGER NOT NULL,
  value      REAL,
  is_nan     INTEGER NOT NULL DEFAULT 0,
  timestamp  INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, key)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  stage       TEXT NOT NULL,
  step        INTEGER NOT NULL,
  path        TEXT NOT NULL,
  metrics     TEXT NOT NULL DEFAULT '{}',
  is_best     INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, step)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  stage       TEXT NOT NULL,
  step        INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  path        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, step, kind, path)
) WITHOUT ROWID;

CREATE TABLE tags (
  run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE notes (
  run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  text        TEXT NOT NULL,
  PRIMARY KEY (run_id, created_at, text)
) WITHOUT ROWID;
`,
};
