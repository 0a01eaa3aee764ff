// Priors as files, for clusters: the priors job trains each prior the grid needs once (into its own
// store) and copies its best checkpoint into a shared folder; the array tasks read them from there
// and never train a prior themselves (SQLite is not shared between hosts; files are).
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import type { TrackingStore } from '@ugpnet/store';
import { loadExperiment } from '../experiment/load.js';
import {
  neededPriors,
  type PriorKind,
  priorCheckpointPath,
  priorKey,
  priorRunId,
  priorsFromCheckpoint,
} from '../priors.js';
import { checkArch } from '../run.js';
import type { StageContext } from '../stages/context.js';
import { cellOverrides, expandGrid } from './expand.js';
import { type GridSpec, gridExperimentFile } from './spec.js';

export interface GridPrior {
  kind: PriorKind;
  /** The prior run that makes it (the same id in every store). */
  runId: string;
  /** Grid cells that start from it. */
  cells: number[];
  /** How its checkpoint is chosen (the experiment's validation metric). */
  validation: { metric: string; mode: 'max' | 'min' };
}

/** `<dir>/<kind>-<prior run id>.safetensors`: a prior checkpoint as the cells read it. */
export function priorFile(dir: string, kind: PriorKind, runId: string): string {
  return join(dir, `${kind}-${runId}.safetensors`);
}

/** The distinct prior runs a grid's cells need (none when every cell is random or given files). */
export function gridPriors(spec: GridSpec, specFile: string): GridPrior[] {
  const experimentFile = gridExperimentFile(spec, specFile);
  if (!experimentFile) return [];
  const byRun = new Map<string, GridPrior>();
  for (const cell of expandGrid(spec)) {
    const experiment = loadExperiment(experimentFile, cellOverrides(cell.params));
    const kinds = neededPriors(experiment);
    if (kinds.length === 0) continue;
    const arch = checkArch(experiment);
    for (const kind of kinds) {
      const runId = priorRunId(kind, priorKey(kind, experiment, arch));
      const { metric, mode } = experiment.validation;
      const prior = byRun.get(runId) ?? { kind, runId, cells: [], validation: { metric, mode } };
      prior.cells.push(cell.index);
      byRun.set(runId, prior);
    }
  }
  return [...byRun.values()];
}

/**
 * Copies the checkpoint of each finished prior run in `store` into `dir` (those already there are
 * kept). Returns the priors still missing from `dir`.
 */
export function exportPriorFiles(store: TrackingStore, priors: GridPrior[], dir: string): GridPrior[] {
  const missing: GridPrior[] = [];
  for (const prior of priors) {
    const target = priorFile(dir, prior.kind, prior.runId);
    if (existsSync(target)) continue;
    if (store.getRun(prior.runId)?.status !== 'finished') {
      missing.push(prior);
      continue;
    }
    mkdirSync(dir, { recursive: true });
    // Copy then rename, so a task never reads a half-written file.
    copyFileSync(priorCheckpointPath(store, prior.kind, prior.runId, prior.validation), `${target}.partial`);
    renameSync(`${target}.partial`, target);
  }
  return missing;
}

/** A cell's prior from the folder; a clear error when the priors job did not make it. */
export async function loadPriorFile(
  dir: string,
  kind: PriorKind,
  runId: string,
): Promise<StageContext['priors']> {
  const file = priorFile(dir, kind, runId);
  if (!existsSync(file)) {
    throw new UserError(
      `prior ${kind} (run ${runId}) is missing: expected ${file}. Cells do not train priors; ` +
        'run the priors job first (`ugp grid priors FILE --out DIR`, or `ugp grid submit`, which submits it)',
    );
  }
  return priorsFromCheckpoint(kind, file);
}
