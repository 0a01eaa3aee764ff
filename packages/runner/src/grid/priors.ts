// Priors for a whole grid, made once before any cell starts (in the parent of a local worker pool,
// or in a cluster's priors job), so cells never race to train the same prior run.
import type { TrackingStore } from '@ugpnet/store';
import { loadExperiment } from '../experiment/load.js';
import { neededPriors, priorKey } from '../priors.js';
import { checkArch, preparePriors } from '../run.js';
import { cellOverrides, expandGrid } from './expand.js';
import { exportPriorFiles, type GridPrior, gridPriors } from './prior-files.js';
import { type GridSpec, gridExperimentFile } from './spec.js';

export interface GridPriorOptions {
  store: TrackingStore;
  spec: GridSpec;
  specFile: string;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

/** Trains (or finds) every prior the grid's cells need; cells sharing a prior share one run. */
export async function prepareGridPriors(options: GridPriorOptions): Promise<void> {
  const experimentFile = gridExperimentFile(options.spec, options.specFile);
  if (!experimentFile) return;
  const seen = new Set<string>();
  for (const cell of expandGrid(options.spec)) {
    const experiment = loadExperiment(experimentFile, cellOverrides(cell.params));
    const kinds = neededPriors(experiment);
    if (kinds.length === 0) continue;
    const arch = checkArch(experiment);
    const key = JSON.stringify(kinds.map((kind) => priorKey(kind, experiment, arch)));
    if (seen.has(key)) continue;
    seen.add(key);
    await preparePriors({
      store: options.store,
      experiment,
      log: options.log,
      shouldStop: options.shouldStop,
    });
    if (options.shouldStop?.()) return;
  }
}

/**
 * `ugp grid priors FILE --out DIR` (a cluster's priors job): makes the grid's priors in `store` and
 * writes each as a file in `dir` for the array tasks. Returns the priors, all present in `dir`
 * unless it was stopped.
 */
export async function makeGridPriorFiles(options: GridPriorOptions & { dir: string }): Promise<GridPrior[]> {
  const priors = gridPriors(options.spec, options.specFile);
  const missing = exportPriorFiles(options.store, priors, options.dir);
  if (missing.length > 0) {
    await prepareGridPriors(options);
    if (options.shouldStop?.()) return priors;
    exportPriorFiles(options.store, priors, options.dir);
  }
  for (const p of priors) options.log?.(`prior ${p.kind} (run ${p.runId.slice(0, 8)}) → ${options.dir}`);
  return priors;
}
