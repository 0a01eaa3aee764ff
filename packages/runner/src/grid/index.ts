// Ablation grids: spec, expansion into cells, queueing, workers (one process or a pool), runGrid (all of
// it once, for `grid run` and `demo`), status, priors (once per grid, as files for clusters), Slurm.
export { type CellTrainerOptions, cellTrainer, importCellRunner, trainCell } from './cell.js';
export { cellId, cellOverrides, expandGrid, type GridCell, toQueueCell } from './expand.js';
export {
  gpuList,
  gpusFromEnv,
  runWorkerPool,
  type WorkerCommand,
  type WorkerExit,
  type WorkerPoolOptions,
} from './pool.js';
export { type QueuedGrid, type QueueGridOptions, queueGrid } from './queue.js';
export {
  defaultSlurmStoreDir,
  SLURM_SCRIPT_NAMES,
  type SlurmOptions,
  type SlurmScripts,
  shellQuote,
  slurmJobName,
  slurmLayout,
  slurmScripts,
  writeSlurmScripts,
} from './slurm.js';
export { gridStatusAcrossStores, type StoresStatus, taskStores } from './slurm-status.js';
export {
  arraySpec,
  runSlurmCommand,
  type SlurmCommand,
  type SubmitOptions,
  type SubmitResult,
  submitGrid,
} from './submit.js';
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
  combineGridStatus,
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
export {
  exportPriorFiles,
  type GridPrior,
  gridPriors,
  loadPriorFile,
  priorFile,
} from './prior-files.js';
export { type GridPriorOptions, makeGridPriorFiles, prepareGridPriors } from './priors.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  type GridRunResult,
  type RunGridOptions,
  runGrid,
} from './run-grid.js';
