// Ablation grids: spec, expansion into cells, queueing, workers (one process or a pool), status, SLURM export.
export { cellId, cellOverrides, expandGrid, type GridCell, toQueueCell } from './expand.js';
export {
  gpusFromEnv,
  runWorkerPool,
  type WorkerCommand,
  type WorkerExit,
  type WorkerPoolOptions,
} from './pool.js';
export { type QueuedGrid, type QueueGridOptions, queueGrid } from './queue.js';
export { defaultSlurmStoreDir, type SlurmOptions, shellQuote, slurmScript } from './slurm.js';
export {
  type AxisValue,
  type GridSpec,
  gridExperimentFile,
  gridSpecSchema,
  readGridSpec,
  validateGridSpec,
} from './spec.js';
export {
  type CellStatus,
  type GridStatus,
  type GridStatusOptions,
  gridStatus,
  type StageState,
  type StageStatus,
} from './status.js';
export {
  abortOnSignals,
  type CellContext,
  type CellRunner,
  runWorker,
  type WorkerOptions,
  type WorkerOutcome,
  type WorkerReport,
} from './worker.js';
