// A trained run as a UGPNet checkpoint folder (ugpnet.safetensors + arch.json, the layout of
// `ugp weights import`), so `ugp restore` can run it: each UGPNet stage's best checkpoint (or its
// latest, when none was scored), weights only, checked against the run's architecture.
import { UserError } from '@ugpnet/core';
import {
  resolveArch,
  type UgpNetPart,
  ugpnetTensorsFromStages,
  validateUgpNetTensors,
  writeUgpNetCheckpoint,
} from '@ugpnet/models';
import type { TrackingStore } from '@ugpnet/store';
import { readCheckpointFile } from './checkpoint/stage-checkpoint.js';
import { UGPNET_STAGES } from './experiment/schema.js';
import { selectedCheckpoint } from './priors.js';
import { experimentOfRun } from './session.js';
import type { StateDict } from './stages/context.js';

export interface ExportedRunCheckpoint {
  run: string;
  weights: string;
  arch: string;
  parts: UgpNetPart[];
  /** The stage checkpoints used: step and file. */
  stages: Record<string, { step: number; path: string }>;
}

export function exportRunCheckpoint(
  store: TrackingStore,
  runIdOrPrefix: string,
  outDir: string,
): ExportedRunCheckpoint {
  const run = store.findRun(runIdOrPrefix);
  const experiment = experimentOfRun(store, run);
  const arch = resolveArch(experiment.arch);
  const dicts: Partial<Record<(typeof UGPNET_STAGES)[number], StateDict>> = {};
  const stages: ExportedRunCheckpoint['stages'] = {};
  for (const stage of UGPNET_STAGES) {
    const checkpoint = selectedCheckpoint(store, run.id, stage, experiment);
    if (!checkpoint) continue;
    const path = store.resolvePath(checkpoint.path);
    dicts[stage] = readCheckpointFile(path).tensors;
    stages[stage] = { step: checkpoint.step, path };
  }
  if (Object.keys(stages).length === 0) {
    throw new UserError(`run ${run.id} has no ${UGPNET_STAGES.join(' / ')} checkpoints to export`);
  }
  const { tensors, parts } = validateUgpNetTensors(arch, ugpnetTensorsFromStages(dicts), `run ${run.id}`);
  const written = writeUgpNetCheckpoint(outDir, arch, tensors, parts, {
    run: run.id,
    experiment: experiment.name,
    stages: JSON.stringify(stages),
  });
  return { run: run.id, ...written, parts, stages };
}
