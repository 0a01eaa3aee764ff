// The one small interface between the training loop and what it trains (BasicSR's
// feed_data / optimize_parameters / validation, in our terms). Restoration, synthesis,
// fusion and the two pretraining stages each implement it; the loop is written once.
import type * as tf from '@tensorflow/tfjs-core';
import type { Adam, Module } from '@ugpnet/tensor';
import type { StageName } from '../experiment/schema.js';

/** A training or validation batch: NHWC float32 in [0,1]. */
export interface StageBatch {
  lq: tf.Tensor4D;
  gt: tf.Tensor4D;
}

/** The images UGPNet produces: I_R (restoration), I_G (synthesis), I_F (fusion). */
export type OutputName = 'I_R' | 'I_G' | 'I_F';
export type StageOutputs = Partial<Record<OutputName, tf.Tensor4D>>;

export interface StageTrainer {
  readonly stage: StageName;
  /** Modules this stage trains and saves, keyed by their state-dict prefix ('' for none). */
  readonly saved: Record<string, Module>;
  /** Optimizers whose state is checkpointed, by name. */
  readonly optimizers: Record<string, Adam>;
  /** The output whose validation metrics pick the best checkpoint. */
  readonly primaryOutput: OutputName;
  /** Called before each step (learning-rate schedules). */
  beforeStep?(iteration: number): void;
  /** One optimisation step; returns the named scalar losses (already read back). */
  trainStep(batch: StageBatch, iteration: number): Record<string, number>;
  /** Evaluation-mode forward pass producing every output this stage can make. */
  infer(lq: tf.Tensor4D): StageOutputs;
  dispose(): void;
}
