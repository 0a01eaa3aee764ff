// The production cell runner for grid workers: a cell is its grid's experiment with the
// cell's axis values as overrides, trained through executeRun (resuming if it ran before).
import { activeBackend } from '@ugpnet/tensor';
import { loadExperiment } from './experiment/load.js';
import { cellOverrides, type CellRunner, gridExperimentFile, readGridSpec } from './grid/index.js';
import { executeRun } from './run.js';
import { recordExperiment } from './session.js';

export const trainCell: CellRunner = async ({ store, run, grid, signal, log }) => {
  if (!grid.specFile) throw new Error(`grid ${grid.id} has no spec file recorded`);
  const spec = readGridSpec(grid.specFile);
  const experimentFile = gridExperimentFile(spec, grid.specFile);
  if (!experimentFile) throw new Error(`grid ${grid.id}: its spec names no experiment ('extends')`);
  const experiment = loadExperiment(experimentFile, cellOverrides(run.cellParams));
  recordExperiment(store, run.id, experiment);
  store.updateRun(run.id, { backend: activeBackend()?.name ?? null, seed: experiment.seed });
  const outcome = await executeRun({
    store,
    experiment,
    runId: run.id,
    shouldStop: () => signal.aborted,
    log,
  });
  log(`${run.name}: ${outcome}`);
};
