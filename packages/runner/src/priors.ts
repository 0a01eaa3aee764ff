// The "pretrained" networks a run starts from. Supplied files win (official .pth or our
// safetensors); otherwise a pretrain-regression / pretrain-gan run makes them once and every
// run with the same architecture, data and recipe reuses its checkpoint (priorCheckpoint).
import { existsSync } from 'node:fs';
import { sha256, UserError } from '@ugpnet/core';
import type { Checkpoint, TrackingStore } from '@ugpnet/store';
import { cellRunId } from '@ugpnet/store';
import { resolveArch } from '@ugpnet/models';
import { pthStateDict, readPth, readSafetensors } from '@ugpnet/tensor';
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

/**
 * True when the pretrained regression network itself is the frozen restoration module: an
 * RRDB×8 arch (no residual encoder) whose run does not train restoration and names no
 * restoration checkpoint — the official ×8 SR recipe (rrdbnet_x8_bicubic.pth, frozen).
 */
export function regressionIsFrozenRestoration(experiment: Experiment): boolean {
  if (experiment.stages_to_run.includes('restoration') || experiment.init.restoration_checkpoint)
    return false;
  if (!experiment.stages_to_run.some((s) => s === 'synthesis' || s === 'fusion')) return false;
  return resolveArch(experiment.arch).regression.type === 'rrdb_x8';
}

/** Which prior runs an experiment needs (init pretrained, no file given). */
export function neededPriors(experiment: Experiment): PriorKind[] {
  const stages = experiment.stages_to_run;
  const out: PriorKind[] = [];
  if (
    experiment.init.regression === 'pretrained' &&
    !experiment.init.regression_weights &&
    (stages.includes('restoration') || regressionIsFrozenRestoration(experiment))
  ) {
    out.push('pretrain-regression');
  }
  const needsG = experiment.init.generator === 'pretrained' && stages.includes('synthesis');
  if (needsG && (!experiment.init.generator_weights || !experiment.init.discriminator_weights))
    out.push('pretrain-gan');
  return out;
}

/**
 * The checkpoint file a finished prior run hands on: the regression prior's best by the
 * experiment's validation metric and mode; the GAN prior's final (EMA) weights — a PSNR of
 * unconditional samples against validation images would pick nothing meaningful.
 */
export function priorCheckpointPath(
  store: TrackingStore,
  kind: PriorKind,
  runId: string,
  validation: Pick<Experiment['validation'], 'metric' | 'mode'> = { metric: 'psnr', mode: 'max' },
): string {
  const chosen =
    kind === 'pretrain-gan'
      ? store.latestCheckpoint(runId, kind)
      : (store.bestCheckpoint(runId, kind, validation.metric, validation.mode) ??
        store.latestCheckpoint(runId, kind));
  if (!chosen) throw new Error(`prior run ${runId} (${kind}) finished without a checkpoint`);
  return store.resolvePath(chosen.path);
}

/** Loads the priors a finished prior run hands on (priorCheckpointPath). */
function priorsFromRun(
  store: TrackingStore,
  kind: PriorKind,
  runId: string,
  experiment: Experiment,
): StageContext['priors'] {
  return priorsFromCheckpoint(kind, priorCheckpointPath(store, kind, runId, experiment.validation));
}

/** The networks a prior checkpoint file holds (R; or G's EMA weights and D). */
export function priorsFromCheckpoint(kind: PriorKind, path: string): StageContext['priors'] {
  const { tensors } = readCheckpointFile(path);
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
  // biome-ignore lint/suspicious/noConfusingVoidType: callers that only train the prior return nothing
  runPrior: (kind: PriorKind, runId: string) => Promise<StageContext['priors'] | undefined | void>,
): Promise<StageContext['priors']> {
  const priors: StageContext['priors'] = {};
  const { init } = experiment;
  if (init.regression_weights) priors.regression = await readStateDictFile(init.regression_weights);
  if (init.generator_weights) priors.generator = await readStateDictFile(init.generator_weights);
  if (init.discriminator_weights) priors.discriminator = await readStateDictFile(init.discriminator_weights);
  for (const kind of neededPriors(experiment)) {
    const runId = priorRunId(kind, priorKey(kind, experiment, arch));
    // runPrior trains the prior run into this store, or hands back priors it found elsewhere.
    const given = store.getRun(runId)?.status === 'finished' ? undefined : await runPrior(kind, runId);
    const made = given || priorsFromRun(store, kind, runId, experiment);
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

/**
 * The weights a stage freezes from an earlier stage. Trained in this run: restoration's best
 * checkpoint by the experiment's validation metric; synthesis's final checkpoint (official:
 * synmodule_40000.pth) unless `stages.fusion.synthesis_checkpoint: best`. Otherwise the file
 * the experiment names, or — for the ×8 SR recipe — the pretrained RRDB itself.
 */
export async function frozenStageWeights(
  store: TrackingStore,
  runId: string,
  stage: 'restoration' | 'synthesis',
  experiment: Experiment,
  options: { trainedHere: boolean; priors: StageContext['priors'] },
): Promise<StateDict | undefined> {
  if (options.trainedHere) {
    const chosen = selectedCheckpoint(store, runId, stage, experiment);
    if (chosen) {
      const { tensors } = readCheckpointFile(store.resolvePath(chosen.path));
      return sectionOf(tensors, '');
    }
  }
  const file =
    stage === 'restoration' ? experiment.init.restoration_checkpoint : experiment.init.synthesis_checkpoint;
  if (file) return readStateDictFile(file);
  if (stage === 'restoration' && regressionIsFrozenRestoration(experiment)) return options.priors.regression;
  return undefined;
}

/**
 * The checkpoint of a run's stage that the rest of the pipeline uses (the next stage, `ugp eval`,
 * export): synthesis's final one unless `stages.fusion.synthesis_checkpoint: best`; any other
 * stage's best by the experiment's validation metric and mode (else its latest).
 */
export function selectedCheckpoint(
  store: TrackingStore,
  runId: string,
  stage: string,
  experiment: Experiment,
): Checkpoint | undefined {
  if (stage === 'synthesis' && experiment.stages.fusion.synthesis_checkpoint === 'final')
    return store.latestCheckpoint(runId, stage);
  const { metric, mode } = experiment.validation;
  return store.bestCheckpoint(runId, stage, metric, mode) ?? store.latestCheckpoint(runId, stage);
}
