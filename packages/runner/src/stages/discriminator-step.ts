// One discriminator update as train_synmodule.py makes it (and as the GAN prior reuses it):
// d_loss on the fake and real batch; on R1 iterations the lazy R1 term's gradient is added to
// the same gradients; then ONE optimizer step. The synthesis trainer runs this between
// computing x_syn and its own loss, so the generator side sees the already-updated D.
import * as tf from '@tensorflow/tfjs-core';
import { lazyR1Loss, logisticDLoss, r1Penalty } from '@ugpnet/losses';
import type { StyleGan2Discriminator } from '@ugpnet/models';
import type { Adam } from '@ugpnet/tensor';
import { outsideTape } from './step.js';

export interface R1Settings {
  /** Apply R1 when batchIdx % every === 0 (0-based, so the first iteration has it). */
  every: number;
  /** γ: the term is γ/2 · penalty · every (regd: 10/2 · r1 · 10). */
  gamma: number;
}

export interface DiscriminatorStepInput {
  discriminator: StyleGan2Discriminator;
  adam: Adam;
  /** Images in [0,1]; no gradient flows back into whatever produced them. */
  fake: tf.Tensor4D;
  real: tf.Tensor4D;
  /** The official batch_idx: 0 on the first iteration. */
  batchIdx: number;
  r1: R1Settings;
}

export interface DiscriminatorStepLosses {
  d_loss: number;
  fake_d_pred: number;
  real_d_pred: number;
  /** 50·r1 as regd returns it; present on R1 iterations only. */
  r1_loss?: number;
}

export function isR1Iteration(batchIdx: number, r1: R1Settings): boolean {
  return r1.every > 0 && r1.gamma > 0 && batchIdx % r1.every === 0;
}

/**
 * One D update (one Adam step). Safe to call while a generator-side gradient is being
 * recorded: it runs outside that tape, so the caller's loss sees only the updated weights.
 */
export function discriminatorStep(input: DiscriminatorStepInput): DiscriminatorStepLosses {
  const { discriminator: d, adam, fake, real, r1 } = input;
  const withR1 = isR1Iteration(input.batchIdx, r1);
  return outsideTape(() => {
    const out: Partial<DiscriminatorStepLosses> = {};
    const { value, grads } = tf.variableGrads(() => {
      const fakePred = d.apply(fake);
      const realPred = d.apply(real);
      const dLoss = logisticDLoss(fakePred, realPred);
      out.d_loss = dLoss.dataSync()[0]!;
      out.fake_d_pred = tf.mean(fakePred).dataSync()[0]!;
      out.real_d_pred = tf.mean(realPred).dataSync()[0]!;
      if (!withR1) return dLoss;
      // The official loop backpropagates d_loss, then regd on a fresh D(real): the gradients add up.
      const { penalty, realPred: r1Pred } = r1Penalty((x) => d.apply(x), real);
      r1Pred.dispose();
      const r1Loss = lazyR1Loss(penalty, { weight: r1.gamma, every: r1.every });
      out.r1_loss = r1Loss.dataSync()[0]!;
      return tf.add(dLoss, r1Loss) as tf.Scalar;
    }, adam.variables());
    adam.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
    return out as DiscriminatorStepLosses;
  });
}
