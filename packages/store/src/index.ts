// @ugpnet/store: the SQLite tracking store (schema modelled on MLflow's). Open with `openStore(path)`
// (read-write, migrates) or `openStore(path, { readonly: true })` (dashboard); everything else is a
// method of TrackingStore.
export type { ArtifactQuery, LogArtifactInput } from './artifacts.js';
export {
  type BestBy,
  DEFAULT_BEST_METRIC,
  DEFAULT_BEST_MODE,
  type SaveCheckpointInput,
} from './checkpoints.js';
export {
  type Acquisition,
  type ClaimOptions,
  DEFAULT_STALE_AFTER_MS,
  describeHolder,
  isPidAlive,
  isStale,
  type StaleCheck,
} from './claims.js';
export { DEFAULT_BUSY_TIMEOUT_MS, type OpenOptions } from './database.js';
export { StoreError } from './errors.js';
export type { QueueCell, QueueOptions, QueueReport, RegisterGridInput } from './grids.js';
export { cellRunId, newRunId } from './ids.js';
export type { MetricQuery } from './metrics.js';
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from './migrations/index.js';
export { type MergeReport, mergeStores } from './merge.js';
export { flattenParams } from './params.js';
export { DEFAULT_STORE_PATH } from '@ugpnet/core';
export { currentWorker, openStore, TrackingStore } from './tracking-store.js';
export * from './types.js';
