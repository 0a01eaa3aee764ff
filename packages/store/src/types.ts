// Entities: the plain objects the store hands out (rows never leave the store). Times are milliseconds
// since the Unix epoch. Modelled on MLflow's tracking entities.

export type RunStatus = 'scheduled' | 'running' | 'finished' | 'failed' | 'killed';
export const RUN_STATUSES: readonly RunStatus[] = ['scheduled', 'running', 'finished', 'failed', 'killed'];

/** A JSON value (grid-cell params, params, checkpoint metrics). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Experiment {
  /** Unique, stable across stores (merge key). */
  name: string;
  /** The experiment file it came from, if any. */
  specFile: string | null;
  createdAt: number;
}

/** Who holds a running run: a grid worker or a single `ugp train`. */
export interface WorkerInfo {
  /** Free-form label, e.g. `host:pid#2` or `gpu1`. */
  name: string;
  pid: number;
  host: string;
}

export interface Run {
  /** UUID; random for single runs, derived from (grid, cell) for grid cells, so it is stable across stores. */
  id: string;
  name: string;
  experiment: string;
  status: RunStatus;
  /** Grid-cell params (the axis values of this cell); `{}` outside a grid. */
  cellParams: Record<string, Json>;
  gridId: string | null;
  cellId: string | null;
  /** Position of the cell in its grid's expansion (queue order); null outside a grid. */
  cellIndex: number | null;
  seed: number | null;
  backend: string | null;
  gitCommit: string | null;
  host: string | null;
  createdAt: number;
  /** First time the run started running (kept across resumes). */
  startTime: number | null;
  endTime: number | null;
  /** The stage being trained (or last trained). */
  stage: string | null;
  /** Current holder; null when nobody holds it. */
  worker: WorkerInfo | null;
  claimedAt: number | null;
  heartbeatAt: number | null;
  /** How many times it was claimed / started (1 on the first start; resumes add one). */
  attempts: number;
  /** Why it failed or was killed. */
  failure: string | null;
}

export interface CreateRunInput {
  /** Defaults to a random UUID. */
  id?: string;
  name: string;
  experiment: string;
  /** Defaults to 'scheduled'; pass 'running' with `worker` for a run that starts now. */
  status?: RunStatus;
  cellParams?: Record<string, Json>;
  gridId?: string | null;
  cellId?: string | null;
  cellIndex?: number | null;
  seed?: number | null;
  backend?: string | null;
  gitCommit?: string | null;
  host?: string | null;
  worker?: WorkerInfo | null;
}

/** Fields a trainer may update on its run (`undefined` leaves a field alone). */
export interface RunUpdate {
  name?: string;
  seed?: number | null;
  backend?: string | null;
  gitCommit?: string | null;
  host?: string | null;
  stage?: string | null;
}

export interface RunFilter {
  experiment?: string;
  status?: RunStatus | RunStatus[];
  gridId?: string;
  /** Newest first unless the filter names a grid (then queue order). */
  limit?: number;
}

export interface Param {
  key: string;
  value: Json;
}

/** One metric value; NaN and ±Infinity are stored and returned as such. */
export interface Metric {
  runId: string;
  stage: string;
  key: string;
  step: number;
  value: number;
  timestamp: number;
}

/** Min, max and latest value of one (run, stage, key): a row of the run table's summary. */
export interface MetricSummary {
  runId: string;
  stage: string;
  key: string;
  latest: number;
  latestStep: number;
  /** Over finite values; null when there are none. */
  min: number | null;
  max: number | null;
  count: number;
}

export interface Checkpoint {
  runId: string;
  stage: string;
  step: number;
  /** As given when saved; a relative path is relative to the store file's folder. */
  path: string;
  /** Validation metrics at save time (NaN becomes null in JSON). */
  metrics: Record<string, number | null>;
  isBest: boolean;
  createdAt: number;
}

export type BestMode = 'max' | 'min';

export interface Artifact {
  runId: string;
  stage: string;
  step: number;
  /** e.g. 'samples' for validation sample strips. */
  kind: string;
  /** As given; a relative path is relative to the store file's folder. */
  path: string;
  createdAt: number;
}

export interface Tag {
  key: string;
  value: string;
}

export interface Note {
  runId: string;
  text: string;
  createdAt: number;
}

export interface Grid {
  /** Stable id (the grid's name); the merge key. */
  id: string;
  name: string;
  specFile: string | null;
  /** sha256 of the canonical spec JSON. */
  specHash: string;
  spec: Json;
  createdAt: number;
  updatedAt: number;
}

export interface GridProgress {
  gridId: string;
  total: number;
  byStatus: Record<RunStatus, number>;
}
