// Runs an experiment's stages in order inside one tracked run: priors first (made or
// loaded), then restoration → synthesis → fusion, each starting from the best checkpoint
// of the stage before it, each resumable, each recorded in the store.
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { createLpips, createPatchContextualLoss } from '@ugpnet/losses';
import { type ArchConfig, resolveArch } from '@ugpnet/models';
import type { TrackingStore } from '@ugpnet/store';
import { activeBackend, heapAbortMessage, Rng } from '@ugpnet/tensor';
import { createRunData, type RunData } from './data.js';
import type { Experiment, StageName } from './experiment/schema.js';
import { acquireWhenFree, type Hold, holds, keepHolding, RunHeldError, thisWorker } from './ownership.js';
import { frozenStageWeights, neededPriors, type PriorKind, resolvePriors } from './priors.js';
import { recordSkips } from './skipped-files.js';
import type { StageContext, StateDict } from './stages/context.js';
import {
  adoptStage,
  findFinishedStage,
  REUSABLE_STAGE,
  restorationStageKey,
  STAGE_KEY_TAG,
} from './stage-reuse.js';
import { createStageTrainer } from './stages/index.js';
import { runStageLoop, type StageLoopResult } from './stages/loop.js';
import { createValidator } from './stages/validation.js';

export interface ExecuteRunOptions {
  store: TrackingStore;
  experiment: Experiment;
  runId: string;
  /** Set by signal handlers: the current stage checkpoints and the run is marked killed. */
  shouldStop?: () => boolean;
  log?: (line: string) => void;
  /** Called when a stage's trainer is built and when its loop ended (`ugp train --smoke` measures memory). */
  onStage?: (stage: StageName, phase: 'start' | 'end') => void;
  /**
   * Where a missing prior comes from instead of training it here (a Slurm cell reads the files the
   * priors job wrote, grid/prior-files.ts); it throws when the prior is not there.
   */
  loadPrior?: (kind: PriorKind, priorRunId: string) => Promise<StageContext['priors']>;
}

export type RunOutcome = 'finished' | 'failed' | 'killed';

const FINISHED = 'finished';
const stageTag = (stage: StageName) => `stage.${stage}`;

/** Where a run's checkpoints and artifacts live: next to the store, under runs/<id>/. */
export function runDirectory(store: TrackingStore, runId: string): string {
  return store.resolvePath(join('runs', runId));
}

export function checkArch(experiment: Experiment): ArchConfig {
  const arch = resolveArch(experiment.arch);
  if (arch.image_size !== experiment.data.size) {
    throw new UserError(
      `experiment ${experiment.name}: data.size ${experiment.data.size} does not match arch ${experiment.arch} (image_size ${arch.image_size})`,
    );
  }
  return arch;
}

function perceptualNets(experiment: Experiment): StageContext['perceptual'] {
  const { weights_dir, proxy_width_divisor, allow_proxy } = experiment.perceptual;
  // Paper recipes never fall back to the random-weight proxy VGG (preflight.ts says it up front).
  const options = {
    weightsDir: weights_dir,
    proxyWidthDivisor: proxy_width_divisor,
    requirePretrained: !allow_proxy,
  };
  const fusion = experiment.stages.fusion;
  const needsContextual = experiment.stages_to_run.includes('fusion') && fusion.contextual_weight > 0;
  return {
    lpips: createLpips(options),
    contextual: needsContextual
      ? createPatchContextualLoss({
          ...options,
          layer: fusion.contextual.layer,
          patchSize: Math.min(fusion.contextual.patch_size, experiment.data.size),
          bandWidth: fusion.contextual.band_width,
          variant: fusion.contextual.variant,
        })
      : undefined,
  };
}

/** What a stage freezes from an earlier one (priors.ts: restoration's best, synthesis's final, or files). */
function frozenWeights(
  store: TrackingStore,
  runId: string,
  stage: 'restoration' | 'synthesis',
  experiment: Experiment,
  priors: StageContext['priors'],
): Promise<StateDict | undefined> {
  const trainedHere = store.getTags(runId)[stageTag(stage)] === FINISHED;
  return frozenStageWeights(store, runId, stage, experiment, { trainedHere, priors });
}

interface StageJob {
  store: TrackingStore;
  runId: string;
  stage: StageName;
  context: StageContext;
  data: RunData;
  shouldStop?: () => boolean;
  onStage?: ExecuteRunOptions['onStage'];
}

async function trainStage(job: StageJob): Promise<StageLoopResult> {
  const { store, runId, stage, context, data } = job;
  const { experiment } = context;
  const config = experiment.stages[stage];
  const trainer = createStageTrainer(stage, context, { augment: data.augment });
  const dir = runDirectory(store, runId);
  try {
    store.heartbeat(runId, stage);
    job.onStage?.(stage, 'start');
    return await runStageLoop({
      store,
      runId,
      stage,
      trainer,
      data: data.train,
      validate: createValidator({
        batches: data.validation,
        lpips: context.perceptual.lpips,
        store,
        runId,
        stage,
        artifactDir: join(dir, 'artifacts'),
        samples: experiment.validation.samples,
      }),
      iterations: config.iterations,
      valEvery: config.val_every,
      checkpointEvery: config.checkpoint_every,
      logEvery: config.log_every,
      checkpointDir: join(dir, 'checkpoints'),
      best: { metric: experiment.validation.metric, mode: experiment.validation.mode },
      shouldStop: job.shouldStop,
      meta: { experiment: experiment.name, seed: experiment.seed },
    });
  } finally {
    job.onStage?.(stage, 'end');
    trainer.dispose();
  }
}

function contextFor(
  experiment: Experiment,
  arch: ArchConfig,
  stage: StageName,
  perceptual: StageContext['perceptual'],
) {
  return { experiment, arch, rng: new Rng(experiment.seed).fork(stage), priors: {}, frozen: {}, perceptual };
}

/** Records the end of a stage loop; returns the run's outcome if the run must stop here. */
function settle(
  store: TrackingStore,
  runId: string,
  stage: StageName,
  result: StageLoopResult,
  hold: Hold,
): RunOutcome | undefined {
  // Taken over by another process (we looked dead): its status is no longer ours to write.
  if (hold.lost()) throw new UserError(`run ${runId} was taken over by another process; stopped here`);
  if (result.status === 'failed') {
    store.endRun(runId, 'failed', `${stage}: ${result.reason}`);
    return 'failed';
  }
  if (result.status === 'stopped') {
    store.endRun(runId, 'killed', `${stage}: stopped at iteration ${result.iteration}`);
    return 'killed';
  }
  store.setTag(runId, stageTag(stage), FINISHED);
  return undefined;
}

/** Trains a prior run (pretrain-regression / pretrain-gan) to completion in this process. */
async function executePriorRun(
  kind: PriorKind,
  priorRunId: string,
  options: ExecuteRunOptions,
  arch: ArchConfig,
  data: RunData,
  perceptual: StageContext['perceptual'],
): Promise<void> {
  const { store, experiment } = options;
  const prior: Experiment = { ...experiment, seed: experiment.init.prior_seed };
  store.transaction(() => {
    if (store.getRun(priorRunId)) return;
    store.createRun({
      id: priorRunId,
      name: `${kind} (${experiment.arch}, ${experiment.data.dataset})`,
      experiment: 'priors',
      seed: prior.seed,
    });
    store.logParams(priorRunId, {
      kind,
      arch: experiment.arch,
      data: experiment.data,
      stage: experiment.stages[kind],
    });
  });
  // Another process may be making the same prior: wait for it rather than train it twice.
  if (!(await acquireWhenFree(store, priorRunId, options.log))) return;
  options.log?.(`prior ${kind}: run ${priorRunId}`);
  const hold = keepHolding(store, priorRunId);
  try {
    const result = await trainStage({
      store,
      runId: priorRunId,
      stage: kind,
      context: contextFor(prior, arch, kind, perceptual),
      data,
      shouldStop: () => hold.lost() || options.shouldStop?.() === true,
      onStage: options.onStage,
    });
    const outcome = settle(store, priorRunId, kind, result, hold);
    if (outcome)
      throw new UserError(`prior run ${priorRunId} (${kind}) ${outcome}; the run cannot start without it`);
    store.endRun(priorRunId, 'finished');
  } catch (err) {
    if (holds(store, priorRunId))
      store.endRun(priorRunId, 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    hold.release();
  }
}

export async function executeRun(options: ExecuteRunOptions): Promise<RunOutcome> {
  const { store, experiment, runId } = options;
  const arch = checkArch(experiment);
  // One owner per run (a grid worker or `ugp train` may already hold it: no new attempt then).
  const acquired = store.acquireRun(runId, thisWorker());
  if (acquired.status === 'held') throw new RunHeldError(acquired.run);
  if (acquired.status === 'finished') return 'finished';
  const hold = keepHolding(store, runId);
  const shouldStop = () => hold.lost() || options.shouldStop?.() === true;
  // A dataset refused while loading (e.g. most files unusable) fails the run it claimed.
  const data = await createRunData(experiment, recordSkips(store, runId, options.log)).catch((err) => {
    store.endRun(runId, 'failed', err instanceof Error ? err.message : String(err));
    hold.release();
    throw err;
  });
  let perceptual: StageContext['perceptual'];
  try {
    perceptual = perceptualNets(experiment); // the perceptual nets alone may not fit the wasm heap
  } catch (err) {
    data.dispose();
    store.endRun(runId, 'failed', err instanceof Error ? err.message : String(err));
    hold.release();
    throw err;
  }
  try {
    const priors = await resolvePriors(
      experiment,
      arch,
      store,
      options.loadPrior ??
        ((kind, id) => executePriorRun(kind, id, { ...options, shouldStop }, arch, data, perceptual)),
    );
    for (const stage of experiment.stages_to_run) {
      if (store.getTags(runId)[stageTag(stage)] === FINISHED) continue;
      if (stage === REUSABLE_STAGE) {
        // Another run (e.g. a grid cell differing only in init.generator) may have trained this
        // very stage already: adopt it rather than retrain it (stage-reuse.ts).
        // The thread count too: wasm's filter gradients add per-thread partial sums, so another
        // thread count changes the last bits.
        const backend = activeBackend();
        const compute = backend ? `${backend.name}×${backend.threads}` : null;
        const key = restorationStageKey(experiment, arch, priors.regression, compute);
        store.setTag(runId, STAGE_KEY_TAG, key);
        const donor = store.latestCheckpoint(runId, stage) ? undefined : findFinishedStage(store, key, runId);
        if (donor) {
          const best = { metric: experiment.validation.metric, mode: experiment.validation.mode };
          adoptStage(store, runId, donor, runDirectory(store, runId), best);
          options.log?.(`run ${runId.slice(0, 8)}: stage ${stage} reused from run ${donor.slice(0, 8)}`);
          continue;
        }
      }
      const context: StageContext = {
        ...contextFor(experiment, arch, stage, perceptual),
        priors,
        frozen: {
          restoration: await frozenWeights(store, runId, 'restoration', experiment, priors),
          synthesis: await frozenWeights(store, runId, 'synthesis', experiment, priors),
        },
      };
      options.log?.(`run ${runId.slice(0, 8)}: stage ${stage}`);
      const outcome = settle(
        store,
        runId,
        stage,
        await trainStage({ store, runId, stage, context, data, shouldStop, onStage: options.onStage }),
        hold,
      );
      if (outcome) return outcome;
    }
    store.endRun(runId, 'finished');
    return 'finished';
  } catch (err) {
    // tfjs-wasm's bare `Aborted()` is recorded as what it was: the heap ran out.
    const reason = heapAbortMessage(err) ?? (err instanceof Error ? err.message : String(err));
    if (holds(store, runId)) store.endRun(runId, 'failed', reason);
    throw err;
  } finally {
    hold.release();
    data.dispose();
    perceptual.lpips.dispose();
    perceptual.contextual?.dispose();
  }
}

/**
 * Makes (or finds) the prior runs an experiment needs, before any worker starts, so grid
 * cells never race to train the same prior.
 */
export async function preparePriors(options: Omit<ExecuteRunOptions, 'runId'>): Promise<void> {
  const { store, experiment } = options;
  if (neededPriors(experiment).length === 0) return;
  const arch = checkArch(experiment);
  const data = await createRunData(experiment);
  const perceptual = perceptualNets(experiment);
  try {
    await resolvePriors(experiment, arch, store, (kind, id) =>
      executePriorRun(kind, id, { ...options, runId: id }, arch, data, perceptual),
    );
  } finally {
    data.dispose();
    perceptual.lpips.dispose();
    perceptual.contextual?.dispose();
  }
}
