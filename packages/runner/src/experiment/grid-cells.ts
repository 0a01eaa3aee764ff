// The experiments of a grid's cells, each validated before anything is queued: a typo in an
// axis name or a value the schema rejects is reported against the grid file, and no grid,
// run or store row is created for a grid that cannot train.
import { isUserError, UserError } from '@ugpnet/core';
import { cellOverrides, expandGrid, type GridCell } from '../grid/expand.js';
import { type GridSpec, gridExperimentFile } from '../grid/spec.js';
import { checkOverrideKeys, loadExperiment } from './load.js';
import { preflightExperiment } from './preflight.js';
import type { Experiment } from './schema.js';

export interface ResolvedCell {
  cell: GridCell;
  experiment: Experiment;
}

/** The experiment of every cell (the grid's `extends` file with the cell's axis values). */
export function resolveGridCells(spec: GridSpec, specFile: string): ResolvedCell[] {
  const experimentFile = gridExperimentFile(spec, specFile);
  if (!experimentFile) return [];
  const axes = { ...spec.axes, ...(spec.seeds ? { seed: spec.seeds } : {}) };
  for (const [axis, values] of Object.entries(axes)) {
    checkOverrideKeys(cellOverrides({ [axis]: values[0] }), `grid file ${specFile}, axes`);
  }
  return expandGrid(spec).map((cell) => {
    try {
      return {
        cell,
        experiment: loadExperiment(experimentFile, cellOverrides(cell.params), {
          overridesSource: `grid file ${specFile}, cell ${cell.name}`,
        }),
      };
    } catch (err) {
      if (isUserError(err) && !err.message.startsWith('grid file'))
        throw new UserError(`grid file ${specFile}, cell ${cell.name}: ${err.message}`);
      throw err;
    }
  });
}

/** resolveGridCells plus the checks `ugp train` makes (weights files, perceptual weights). */
export function preflightGrid(spec: GridSpec, specFile: string): ResolvedCell[] {
  const cells = resolveGridCells(spec, specFile);
  for (const { cell, experiment } of cells)
    preflightExperiment(experiment, `grid file ${specFile}, cell ${cell.name}`);
  return cells;
}
