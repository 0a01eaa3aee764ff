import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  lazyR1Loss,
  logisticDLoss,
  nonSaturatingGLoss,
  r1Penalty,
  r1PenaltyFromGradient,
} from './adversarial.js';
import { goldenScalars, loadNhwc } from './testing/golden.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const within = (value: number, ref: number) =>
  expect(Math.abs(value - ref)).toBeLessThan(1e-4 * Math.abs(ref) + 1e-6);

describeGolden('adversarial losses on golden/losses', () => {
  it('matches cal_adv_d_loss and cal_adv_loss', async () => {
    const ref = goldenScalars('losses');
    const fakeD = loadNhwc('losses', 'fake_d_pred.npy');
    const realD = loadNhwc('losses', 'real_d_pred.npy');
    const fakeG = loadNhwc('losses', 'fake_g_pred.npy');
    const d = logisticDLoss(fakeD, realD);
    const g = nonSaturatingGLoss(fakeG);
    within((await d.data())[0]!, ref.adv_d_loss!);
    within((await g.data())[0]!, ref.adv_g_loss!);
    tf.dispose([fakeD, realD, fakeG, d, g]);
  });

  it('matches r1_penalty and regd from the recorded dD/dx', async () => {
    // The full D → dD/dx check needs the discriminator network; it lives with the models.
    const ref = goldenScalars('losses');
    const grad = loadNhwc('losses', 'r1_grad_real.npy');
    const r1 = r1PenaltyFromGradient(grad);
    const regd = lazyR1Loss(r1);
    within((await r1.data())[0]!, ref.r1_penalty!);
    within((await regd.data())[0]!, ref.regd!);
    tf.dispose([grad, r1, regd]);
  });
});

describe('r1Penalty', () => {
  it('takes the gradient of Σ D(x) with respect to x', async () => {
    // D(x) = Σ_hwc w·x² per image → dD/dx = 2·w·x, penalty = mean_n Σ (2wx)².
    const x = tf.tensor4d([1, 2, 3, 4, -1, 0, 2, 1], [2, 2, 2, 1]);
    const w = tf.scalar(0.5);
    const d = (t: tf.Tensor4D) => tf.sum(tf.mul(w, tf.square(t)), [1, 2, 3]);
    const { penalty, realPred } = r1Penalty(d, x);
    const expected = (1 + 4 + 9 + 16 + (1 + 0 + 4 + 1)) / 2;
    expect((await penalty.data())[0]).toBeCloseTo(expected, 5);
    expect(Array.from(await realPred.data())).toEqual([15, 3]);
    tf.dispose([x, w, penalty, realPred]);
  });

  it('is differentiable with respect to D’s variables (second-order through tf.variableGrads)', async () => {
    // D(x) = Σ v·x² → penalty = mean_n Σ 4v²x² → d/dv = mean_n Σ 8v x².
    const v = tf.variable(tf.scalar(0.7));
    const x = tf.tensor4d([1, 2, -1, 3], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const { penalty, realPred } = r1Penalty((t) => tf.sum(tf.mul(v, tf.square(t)), [1, 2, 3]), x);
      realPred.dispose();
      return penalty;
    }, [v]);
    expect((await value.data())[0]).toBeCloseTo(4 * 0.49 * 15, 4);
    expect((await grads[v.name]!.data())[0]).toBeCloseTo(8 * 0.7 * 15, 4);
    tf.dispose([value, grads[v.name]!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([v, x]);
  });
});
