// The tracking store: one facade over the per-noun stores (runs, params, metrics, checkpoints,
// artifacts, tags, grids, claims). Callers (trainers, CLI, dashboard) use only these verb+noun methods;
// SQL stays inside the noun files.
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_STORE_PATH } from '@ugpnet/core';
import { ArtifactStore, type ArtifactQuery, type LogArtifactInput } from './artifacts.js';
import { type BestBy, CheckpointStore, type SaveCheckpointInput } from './checkpoints.js';
import { type Acquisition, type ClaimOptions, ClaimStore, type StaleCheck } from './claims.js';
import { type Db, type OpenOptions, openDatabase, schemaVersion } from './database.js';
import { ExperimentStore } from './experiments.js';
import {
  GridStore,
  type QueueCell,
  type QueueOptions,
  type QueueReport,
  type RegisterGridInput,
} from './grids.js';
import { type MetricQuery, MetricStore } from './metrics.js';
import { ParamStore } from './params.js';
import { RunStore } from './runs.js';
import { TagStore } from './tags.js';
import type {
  Artifact,
  BestMode,
  Checkpoint,
  CreateRunInput,
  Experiment,
  Grid,
  GridProgress,
  Json,
  Metric,
  MetricSummary,
  Note,
  Run,
  RunFilter,
  RunUpdate,
  WorkerInfo,
} from './types.js';

/** The worker identity of this process. */
export function currentWorker(name?: string): WorkerInfo {
  const host = hostname();
  return { name: name ?? `${host}:${process.pid}`, pid: process.pid, host };
}

/** Opens (creating and migrating unless read-only) the store file at `path`. */
export function openStore(path: string = DEFAULT_STORE_PATH, options: OpenOptions = {}): TrackingStore {
  return new TrackingStore(openDatabase(path, options), path, options.readonly ?? false);
}

export class TrackingStore {
  private readonly experiments: ExperimentStore;
  private readonly runs: RunStore;
  private readonly params: ParamStore;
  private readonly tags: TagStore;
  private readonly metrics: MetricStore;
  private readonly checkpoints: CheckpointStore;
  private readonly artifacts: ArtifactStore;
  private readonly grids: GridStore;
  private readonly claims: ClaimStore;

  constructor(
    /** The underlying connection (for the store's own modules and tests; not for callers' SQL). */
    readonly db: Db,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.experiments = new ExperimentStore(db);
    this.runs = new RunStore(db);
    this.params = new ParamStore(db);
    this.tags = new TagStore(db);
    this.metrics = new MetricStore(db);
    this.checkpoints = new CheckpointStore(db);
    this.artifacts = new ArtifactStore(db);
    this.grids = new GridStore(db);
    this.claims = new ClaimStore(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join it). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** A stored path made absolute: relative paths are relative to the store file's folder. */
  resolvePath(path: string): string {
    return isAbsolute(path) ? path : resolve(dirname(resolve(this.path)), path);
  }

  // Experiments
  ensureExperiment(name: string, specFile: string | null = null): Experiment {
    return this.experiments.ensure(name, specFile);
  }
  getExperiment(name: string): Experiment | undefined {
    return this.experiments.get(name);
  }
  listExperiments(): Experiment[] {
    return this.experiments.list();
  }

  // Runs
  /** Creates a run; its experiment is created if new. */
  createRun(input: CreateRunInput): Run {
    return this.transaction(() => {
      this.experiments.ensure(input.experiment);
      return this.runs.create(input);
    });
  }
  getRun(id: string): Run | undefined {
    return this.runs.get(id);
  }
  /** By full id or a unique prefix (>= 4 chars); throws StoreError otherwise. */
  findRun(idOrPrefix: string): Run {
    return this.runs.find(idOrPrefix);
  }
  listRuns(filter: RunFilter = {}): Run[] {
    return this.runs.list(filter);
  }
  updateRun(id: string, update: RunUpdate): Run {
    return this.runs.update(id, update);
  }
  /** Marks a run running under `worker` (start or resume; counts an attempt). */
  startRun(id: string, worker: WorkerInfo | null = currentWorker()): Run {
    return this.runs.start(id, worker);
  }
  /** finished | failed (with the reason) | killed; releases the holder and sets the end time. */
  endRun(id: string, status: 'finished' | 'failed' | 'killed', failure: string | null = null): Run {
    return this.runs.end(id, status, failure);
  }
  requeueRun(id: string): Run {
    return this.runs.requeue(id);
  }
  /** Marks the holder alive (and the current stage, if given). */
  heartbeat(id: string, stage?: string): void {
    this.runs.heartbeat(id, stage);
  }
  deleteRun(id: string): void {
    this.runs.delete(id);
  }

  // Params, tags, notes
  logParams(runId: string, params: Record<string, Json>): void {
    this.params.log(runId, params);
  }
  getParams(runId: string): Record<string, Json> {
    return this.params.get(runId);
  }
  setTag(runId: string, key: string, value: string): void {
    this.tags.set(runId, key, value);
  }
  deleteTag(runId: string, key: string): void {
    this.tags.delete(runId, key);
  }
  getTags(runId: string): Record<string, string> {
    return Object.fromEntries(this.tags.list(runId).map((t) => [t.key, t.value]));
  }
  addNote(runId: string, text: string): Note {
    return this.tags.addNote(runId, text);
  }
  getNotes(runId: string): Note[] {
    return this.tags.notes(runId);
  }

  // Metrics
  /** Logs a step's metrics in one transaction; the same (run, stage, key, step) again overwrites. */
  logMetrics(
    runId: string,
    stage: string,
    step: number,
    values: Record<string, number>,
    timestamp?: number,
  ): void {
    this.metrics.log(runId, stage, step, values, timestamp);
  }
  logMetric(
    runId: string,
    stage: string,
    key: string,
    value: number,
    step: number,
    timestamp?: number,
  ): void {
    this.metrics.log(runId, stage, step, { [key]: value }, timestamp);
  }
  metricHistory(runId: string, query: MetricQuery = {}): Metric[] {
    return this.metrics.history(runId, query);
  }
  latestMetrics(runIds?: string[]): Metric[] {
    return this.metrics.latest(runIds);
  }
  metricSummaries(runIds?: string[], keys?: string[]): MetricSummary[] {
    return this.metrics.summaries(runIds, keys);
  }
  metricKeys(runId: string): { stage: string; key: string }[] {
    return this.metrics.keys(runId);
  }
  /** Deletes metric rows of (run, stage) after `step`; returns how many. */
  deleteMetricsAfter(runId: string, stage: string, step: number): number {
    return this.metrics.deleteAfter(runId, stage, step);
  }
  /**
   * What a resume from the checkpoint at `step` does first: forget metrics, checkpoints and artifacts of
   * (run, stage) logged after it, in one transaction.
   */
  truncateStageAfter(
    runId: string,
    stage: string,
    step: number,
  ): { metrics: number; checkpoints: number; artifacts: number } {
    return this.transaction(() => ({
      metrics: this.metrics.deleteAfter(runId, stage, step),
      checkpoints: this.checkpoints.deleteAfter(runId, stage, step),
      artifacts: this.artifacts.deleteAfter(runId, stage, step),
    }));
  }

  // Checkpoints
  /** Records a checkpoint; with `best`, recomputes the stage's is_best flags in the same transaction. */
  saveCheckpoint(input: SaveCheckpointInput, best?: BestBy): Checkpoint {
    return this.checkpoints.save(input, best);
  }
  getCheckpoint(runId: string, stage: string, step: number): Checkpoint | undefined {
    return this.checkpoints.get(runId, stage, step);
  }
  listCheckpoints(runId: string, stage?: string): Checkpoint[] {
    return this.checkpoints.list(runId, stage);
  }
  latestCheckpoint(runId: string, stage: string): Checkpoint | undefined {
    return this.checkpoints.latest(runId, stage);
  }
  /** Best checkpoint of a stage by a saved metric (default psnr, max); ties go to the earliest step. */
  bestCheckpoint(runId: string, stage: string, metric?: string, mode?: BestMode): Checkpoint | undefined {
    return this.checkpoints.best(runId, stage, metric, mode);
  }
  markBestCheckpoint(runId: string, stage: string, metric?: string, mode?: BestMode): Checkpoint | undefined {
    return this.checkpoints.markBest(runId, stage, metric, mode);
  }
  deleteCheckpointsAfter(runId: string, stage: string, step: number): number {
    return this.checkpoints.deleteAfter(runId, stage, step);
  }

  // Artifacts
  logArtifact(input: LogArtifactInput): Artifact {
    return this.artifacts.log(input);
  }
  listArtifacts(runId: string, query: ArtifactQuery = {}): Artifact[] {
    return this.artifacts.list(runId, query);
  }
  deleteArtifactsAfter(runId: string, stage: string, step: number): number {
    return this.artifacts.deleteAfter(runId, stage, step);
  }

  // Grids and claims
  registerGrid(input: RegisterGridInput): Grid {
    return this.grids.register(input);
  }
  getGrid(id: string): Grid | undefined {
    return this.grids.get(id);
  }
  listGrids(): Grid[] {
    return this.grids.list();
  }
  /** Queues a grid's cells (idempotent; see GridStore.queue for what is requeued). */
  queueGridCells(
    gridId: string,
    experiment: string,
    cells: QueueCell[],
    options?: QueueOptions,
  ): QueueReport {
    return this.grids.queue(gridId, experiment, cells, options);
  }
  gridProgress(gridId: string): GridProgress {
    return this.grids.progress(gridId);
  }
  /** Atomically claims the next run of a grid (a dead worker's run first); undefined when none is left. */
  claimNextRun(gridId: string, worker: WorkerInfo, options?: ClaimOptions): Run | undefined {
    return this.claims.claimNext(gridId, worker, options);
  }
  /** Atomically claims one run if it is scheduled or held by a dead worker; undefined otherwise. */
  claimRun(runId: string, worker: WorkerInfo, options?: ClaimOptions): Run | undefined {
    return this.claims.claim(runId, worker, options);
  }
  /** Makes `worker` the one owner of a run that is not finished, unless a live process holds it. */
  acquireRun(
    runId: string,
    worker: WorkerInfo = currentWorker(),
    options?: { staleAfterMs?: number },
  ): Acquisition {
    return this.claims.acquire(runId, worker, options);
  }
  /** Heartbeat of the holder; false when `worker` no longer holds the run. */
  renewClaim(runId: string, worker: WorkerInfo = currentWorker(), stage?: string): boolean {
    return this.claims.renew(runId, worker, stage);
  }
  staleRuns(check: StaleCheck & { gridId?: string } = {}): Run[] {
    return this.claims.staleRuns(check);
  }
}
