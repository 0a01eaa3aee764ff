// The production cell runner for grid workers: a cell is its grid's experiment with the
// cell's axis values as overrides, trained through executeRun (resuming if it ran before).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '@ugpnet/core';
import { activeBackend } from '@ugpnet/tensor';
import { loadExperiment } from '../experiment/load.js';
import { executeRun } from '../run.js';
import { recordExperiment } from '../session.js';
import { cellOverrides } from './expand.js';
import { loadPriorFile } from './prior-files.js';
import { gridExperimentFile, readGridSpec } from './spec.js';
import type { CellRunner } from './worker.js';

export interface CellTrainerOptions {
  /**
   * A folder of prior files (`ugp grid priors --out`): the cell loads its priors from there and never
   * trains one itself (a Slurm array task). Default: priors come from (or are made in) the cell's store.
   */
  priorsDir?: string;
}

/** The three-stage trainer as a grid cell runner. */
export function cellTrainer(options: CellTrainerOptions = {}): CellRunner {
  return async ({ store, run, grid, signal, log }) => {
    if (!grid.specFile) throw new Error(`grid ${grid.id} has no spec file recorded`);
    const spec = readGridSpec(grid.specFile);
    const experimentFile = gridExperimentFile(spec, grid.specFile);
    if (!experimentFile) throw new Error(`grid ${grid.id}: its spec names no experiment ('extends')`);
    const experiment = loadExperiment(experimentFile, cellOverrides(run.cellParams));
    recordExperiment(store, run.id, experiment);
    store.updateRun(run.id, { backend: activeBackend()?.name ?? null, seed: experiment.seed });
    const { priorsDir } = options;
    const outcome = await executeRun({
      store,
      experiment,
      runId: run.id,
      shouldStop: () => signal.aborted,
      log,
      loadPrior: priorsDir ? (kind, key) => loadPriorFile(priorsDir, kind, key) : undefined,
    });
    log(`${run.name}: ${outcome}`);
  };
}

export const trainCell: CellRunner = cellTrainer();

/** A JS module's exported `runCell` (`grid run --cell-runner FILE`), used instead of the trainer. */
export async function importCellRunner(modulePath: string): Promise<CellRunner> {
  let mod: { runCell?: unknown };
  try {
    mod = await import(pathToFileURL(resolve(modulePath)).href);
  } catch (err) {
    throw new UserError(`--cell-runner ${modulePath}: cannot import it (${(err as Error).message})`);
  }
  if (typeof mod.runCell !== 'function')
    throw new UserError(`--cell-runner ${modulePath}: it exports no runCell function`);
  return mod.runCell as CellRunner;
}
