// The "pretrained" networks a run starts from. Supplied files win (official .pth or our
// safetensors); otherwise a pretrain-regression / pretrain-gan run makes them once and every
// run with the same architecture, data and recipe reuses its best checkpoint.
import { existsSync } from 'node:fs';
import type { TrackingStore } from '@ugpnet/store';
import { cellRunId, sha256 } from '@ugpnet/store';
import { pthStateDict, readPth, readSafetensors, UserError } from '@ugpnet/tensor';
import { readCheckpointFile, sectionOf } from './checkpoint/stage-checkpoint.js';
import type { Experiment } from './experiment/schema.js';
import type { StageContext, StateDict } from './stages/context.js';

export type PriorKind = 'pretrain-regression' | 'pretrain-gan';

/** Reads weights from a .pth (official wrappers unwrapped) or a .safetensors file. */
export async function readStateDictFile(path: string, section?: string): Promise<StateDict> {
  if (!existsSync(path)) throw new UserError(`weights file ${path} does not exist`);
  if (path.endsWith('.safetensors')) {
    const { tensors } = readSafetensors(path);
    return section ? sectionOf(tensors, section) : sectionOf(tensors, '');
  }
  return pthStateDict(await readPth(path), { section, source: path });
}

/** What makes two prior runs interchangeable: same kind, architecture, data and recipe. */
export function priorKey(kind: PriorKind, experiment: Experiment, arch: unknown): string {
  const { data } = experiment;
  const relevant = {
    kind,
    arch,
    dataset: data.dataset,
    data_seed: data.seed,
    size: data.size,
    batch_size: data.batch_size,
    train_count: data.train_count,
    // The GAN prior never sees the degradation.
    degradation: kind === 'pretrain-regression' ? data.degradation : null,
    stage: experiment.stages[kind],
    seed: experiment.init.prior_seed,
  };
  return sha256(JSON.stringify(relevant)).slice(0, 16);
}

export function priorRunId(kind: PriorKind, key: string): string {
  return cellRunId(`prior:${kind}`, key);
}

/** Which prior runs an experiment needs (init pretrained, no file given). */
export function neededPriors(experiment: Experiment): PriorKind[] {
  const stages = experiment.stages_to_run;
  const out: PriorKind[] = [];
  if (
    experiment.init.regression === 'pretrained' &&
    !experiment.init.regression_weights &&
    stages.includes('restoration')
  ) {
    out.push('pretrain-regression');
  }
  const needsG = experiment.init.generator === 'pretrained' && stages.includes('synthesis');
  if (needsG && (!experiment.init.generator_weights || !experiment.init.discriminator_weights))
    out.push('pretrain-gan');
  return out;
}

/** Loads the priors of a finished prior run's best checkpoint. */
function priorsFromRun(store: TrackingStore, kind: PriorKind, runId: string): StageContext['priors'] {
  const best = store.bestCheckpoint(runId, kind) ?? store.latestCheckpoint(runId, kind);
  if (!best) throw new Error(`prior run ${runId} (${kind}) finished without a checkpoint`);
  const { tensors } = readCheckpointFile(store.resolvePath(best.path));
  if (kind === 'pretrain-regression') return { regression: sectionOf(tensors, '') };
  return {
    generator: sectionOf(tensors, 'generator_ema'),
    discriminator: sectionOf(tensors, 'discriminator'),
  };
}

/**
 * Resolves the priors a run starts from. `runPrior` trains a missing prior run (the caller
 * decides where: in-process for `ugp train`, in the grid's parent before workers start).
 */
export async function resolvePriors(
  experiment: Experiment,
  arch: unknown,
  store: TrackingStore,
  runPrior: (kind: PriorKind, runId: string) => Promise<void>,
): Promise<StageContext['priors']> {
  const priors: StageContext['priors'] = {};
  const { init } = experiment;
  if (init.regression_weights) priors.regression = await readStateDictFile(init.regression_weights);
  if (init.generator_weights) priors.generator = await readStateDictFile(init.generator_weights);
  if (init.discriminator_weights) priors.discriminator = await readStateDictFile(init.discriminator_weights);
  for (const kind of neededPriors(experiment)) {
    const runId = priorRunId(kind, priorKey(kind, experiment, arch));
    if (store.getRun(runId)?.status !== 'finished') await runPrior(kind, runId);
    const made = priorsFromRun(store, kind, runId);
    priors.regression ??= made.regression;
    priors.generator ??= made.generator;
    priors.discriminator ??= made.discriminator;
  }
  if (init.regression === 'random') delete priors.regression;
  if (init.generator === 'random') {
    delete priors.generator;
    delete priors.discriminator;
  }
  return priors;
}
