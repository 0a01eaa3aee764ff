// Priors for a whole grid, made once in the parent process before workers start, so cells
// never race to train the same prior run.
import type { TrackingStore } from '@ugpnet/store';
import { loadExperiment } from './experiment/load.js';
import { cellOverrides, expandGrid, type GridSpec, gridExperimentFile } from './grid/index.js';
import { neededPriors } from './priors.js';
import { preparePriors } from './run.js';

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
    const key = JSON.stringify(neededPriors(experiment));
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
