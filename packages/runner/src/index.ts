export { preflightGrid, type ResolvedCell, resolveGridCells } from './experiment/grid-cells.js';
export {
  checkOverrideKeys,
  deepMerge,
  type LoadExperimentOptions,
  loadExperiment,
  parseOverrides,
  readExperimentChain,
  validateExperiment,
} from './experiment/load.js';
export {
  checkNamedFiles,
  checkPerceptualWeights,
  missingPerceptualWeights,
  preflightExperiment,
  requiredPerceptualWeights,
} from './experiment/preflight.js';
export * from './experiment/schema.js';
export * from './grid/index.js';
export { neededPriors, priorKey, readStateDictFile } from './priors.js';
export {
  checkArch,
  executeRun,
  type ExecuteRunOptions,
  preparePriors,
  type RunOutcome,
  runDirectory,
} from './run.js';
export { keepHolding, RunHeldError } from './ownership.js';
export { type SmokeReport, type StageMemory, smokeExperiment, smokeFits, smokeRun } from './smoke.js';
export {
  claimRunOfConfig,
  configHash,
  createTrackedRun,
  experimentOfRun,
  findRunOfConfig,
  recordExperiment,
} from './session.js';
export type { StageContext } from './stages/context.js';
export { createStageTrainer } from './stages/index.js';
export { runStageLoop, type StageLoopOptions, type StageLoopResult } from './stages/loop.js';
export type { OutputName, StageBatch, StageOutputs, StageTrainer } from './stages/stage.js';
export { evaluateRun, TEST_STAGE } from './evaluate.js';
export { type DemoOptions, type DemoRow, demoGridSpec, formatDemoTable, runDemo } from './demo.js';
export { type ExportedRunCheckpoint, exportRunCheckpoint } from './export-checkpoint.js';
