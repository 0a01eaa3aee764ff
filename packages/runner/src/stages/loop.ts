// The training loop, written once for every stage: resume from the last checkpoint,
// step, log losses, validate, checkpoint atomically, keep the best, stop on NaN or signal.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createProgress, type Progress } from '@ugpnet/core';
import type { TrackingStore } from '@ugpnet/store';
import { resumeFromNewestUsable } from '../checkpoint/resume.js';
import { saveStageCheckpoint } from '../checkpoint/stage-checkpoint.js';
import type { StageName } from '../experiment/schema.js';
import type { StageBatch, StageTrainer } from './stage.js';

export interface StageData {
  /** The batch of a given iteration; deterministic per (seed, iteration) so a resume sees the same data. */
  batchAt(iteration: number): Promise<StageBatch>;
}

/** Runs validation and returns metric name → value (e.g. psnr, ssim, lpips_proxy, I_R/psnr). */
export type Validator = (trainer: StageTrainer, iteration: number) => Promise<Record<string, number>>;

export interface StageLoopOptions {
  store: TrackingStore;
  runId: string;
  stage: StageName;
  trainer: StageTrainer;
  data: StageData;
  validate: Validator;
  iterations: number;
  valEvery: number;
  checkpointEvery?: number;
  logEvery: number;
  checkpointDir: string;
  best: { metric: string; mode: 'max' | 'min' };
  /** Set by signal handlers: the loop checkpoints and stops at the next iteration boundary. */
  shouldStop?: () => boolean;
  progress?: Progress;
  /** Extra metadata stored with each checkpoint. */
  meta?: Record<string, unknown>;
}

export type StageLoopResult =
  | { status: 'finished'; iteration: number }
  | { status: 'stopped'; iteration: number }
  | { status: 'failed'; iteration: number; reason: string };

export class NonFiniteLossError extends Error {
  constructor(
    readonly iteration: number,
    readonly losses: Record<string, number>,
  ) {
    const bad = Object.entries(losses)
      .filter(([, v]) => !Number.isFinite(v))
      .map(([k, v]) => `${k}=${v}`);
    super(`non-finite loss at iteration ${iteration}: ${bad.join(', ')}`);
  }
}

function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join(' ');
}

/** Restores the newest usable checkpoint of (run, stage), forgetting anything logged after it. */
function resume(options: StageLoopOptions): number {
  const { store, runId, stage, trainer } = options;
  const { iteration } = resumeFromNewestUsable(store, runId, stage, trainer, (line) => console.error(line));
  store.truncateStageAfter(runId, stage, iteration);
  return iteration;
}

function checkpoint(options: StageLoopOptions, iteration: number, metrics: Record<string, number>): void {
  const { store, runId, stage, trainer } = options;
  mkdirSync(options.checkpointDir, { recursive: true });
  const file = join(options.checkpointDir, `${stage}-${String(iteration).padStart(7, '0')}.safetensors`);
  const optimizerSteps = Object.fromEntries(
    Object.entries(trainer.optimizers).map(([k, a]) => [k, a.stepCount]),
  );
  saveStageCheckpoint(file, trainer, { ...options.meta, stage, iteration, optimizerSteps });
  const storeDir = store.resolvePath('.');
  store.saveCheckpoint(
    { runId, stage, step: iteration, path: relative(storeDir, file), metrics },
    { metric: options.best.metric, mode: options.best.mode },
  );
}

export async function runStageLoop(options: StageLoopOptions): Promise<StageLoopResult> {
  const { store, runId, stage, trainer, iterations } = options;
  const start = resume(options);
  if (start >= iterations) return { status: 'finished', iteration: start };
  const progress = options.progress ?? createProgress({ label: stage, total: iterations, start });
  const checkpointEvery = options.checkpointEvery ?? options.valEvery;
  let lastValidated = -1;
  let iteration = start;
  try {
    while (iteration < iterations) {
      if (options.shouldStop?.()) {
        if (iteration > start && !store.getCheckpoint(runId, stage, iteration))
          checkpoint(options, iteration, {});
        return { status: 'stopped', iteration };
      }
      iteration++;
      trainer.beforeStep?.(iteration);
      const batch = await options.data.batchAt(iteration);
      let losses: Record<string, number>;
      try {
        losses = trainer.trainStep(batch, iteration);
      } finally {
        tf.dispose([batch.lq, batch.gt]);
      }
      if (Object.values(losses).some((v) => !Number.isFinite(v)))
        throw new NonFiniteLossError(iteration, losses);
      if (iteration % options.logEvery === 0 || iteration === iterations) {
        store.logMetrics(
          runId,
          stage,
          iteration,
          Object.fromEntries(Object.entries(losses).map(([k, v]) => [`loss/${k}`, v])),
        );
        store.heartbeat(runId, stage);
      }
      progress.update(iteration, formatLosses(losses));
      const validateNow = iteration % options.valEvery === 0 || iteration === iterations;
      let metrics: Record<string, number> = {};
      if (validateNow) {
        metrics = await options.validate(trainer, iteration);
        store.logMetrics(runId, stage, iteration, metrics);
        lastValidated = iteration;
        progress.log(`${stage} ${iteration}/${iterations} validation ${formatLosses(metrics)}`);
      }
      if (iteration % checkpointEvery === 0 || iteration === iterations) {
        checkpoint(options, iteration, lastValidated === iteration ? metrics : {});
      }
    }
    return { status: 'finished', iteration };
  } catch (err) {
    if (err instanceof NonFiniteLossError) {
      store.logMetrics(runId, stage, err.iteration, { 'loss/non_finite': 1 });
      return { status: 'failed', iteration: err.iteration, reason: err.message };
    }
    throw err;
  } finally {
    if (!options.progress) progress.stop();
  }
}
