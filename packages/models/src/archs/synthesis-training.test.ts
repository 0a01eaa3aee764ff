// 50 Adam steps of the synthesis stage's networks (E + W + G against D, with lazy R1) at a tiny
// size: everything trains through tf.variableGrads and no step leaks tensors.
import * as tf from '@tensorflow/tfjs-core';
import { Adam, initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { setTraining } from '../blocks/train-mode.js';
import { StyleGan2Discriminator } from './stylegan2-discriminator.js';
import { SynthesisModule } from './synthesis-module.js';

const BACKEND = (process.env.UGP_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';

beforeAll(async () => {
  await initBackend({ backend: BACKEND, log: null });
});

const softplus = (x: tf.Tensor) => tf.mean(tf.softplus(x));

describe('synthesis stage training (tiny)', () => {
  it('trains E + W + G and D (with R1) for 50 steps without leaking tensors', () => {
    const rng = new Rng(11);
    const syn = new SynthesisModule(
      {
        generator: { out_size: 16, num_style_feat: 16, num_mlp: 2, narrow: 1 / 64, basecode_size: 8 },
        fencoder: { spatial_size: 8, encoder_input_size: 16, narrow: 1 / 64, w_input_size: 8 },
        wmodule: { in_c: 8, out_c: 16, wpdim: 6, spatial_size: 8 },
      },
      rng.fork('synthesis'),
    );
    const disc = new StyleGan2Discriminator({ out_size: 16, narrow: 1 / 64 }, rng.fork('discriminator'));
    setTraining(syn, true);
    syn.randomizeNoise = true;
    const noiseRng = rng.fork('noise');
    const optG = new Adam(syn.namedParameters(), { lr: 2e-3 });
    const optD = new Adam(disc.namedParameters(), { lr: 2e-3 });
    const gVars = optG.variables();
    const dVars = optD.variables();
    const data = rng.fork('data');
    const xReg = tf.tensor4d(data.uniformArray(2 * 16 * 16 * 3), [2, 16, 16, 3]);
    const gt = tf.tensor4d(data.uniformArray(2 * 16 * 16 * 3), [2, 16, 16, 3]);

    const l1 = (): number =>
      tf.tidy(() => tf.mean(tf.abs(tf.sub(syn.apply(xReg, noiseRng).image, gt))).dataSync()[0]!);
    setTraining(syn, false);
    const l1Before = l1();
    setTraining(syn, true);

    let counts: number[] = [];
    const r1Steps: number[] = [];
    for (let step = 1; step <= 50; step++) {
      // D: softplus(−D(real)) + softplus(D(fake)), lazy R1 every 10 steps.
      const fake = tf.tidy(() => syn.apply(xReg, noiseRng).image);
      const d = tf.variableGrads(
        () => tf.add(softplus(tf.neg(disc.apply(gt))), softplus(disc.apply(fake))) as tf.Scalar,
        dVars,
      );
      optD.step(d.grads);
      tf.dispose([fake, d.value, d.grads]);
      if (step % 10 === 0) {
        const r1 = tf.variableGrads(() => {
          const g = tf.grad((x: tf.Tensor) => tf.sum(disc.apply(x as tf.Tensor4D)))(gt);
          return tf.mul(tf.mean(tf.sum(tf.square(g), [1, 2, 3])), 50) as tf.Scalar;
        }, dVars);
        // Every D variable but the last bias (which ∂D/∂x does not depend on) gets an R1 gradient.
        expect(Object.keys(r1.grads).length).toBe(dVars.length - 1);
        r1Steps.push(r1.value.dataSync()[0]!);
        optD.step(r1.grads);
        tf.dispose([r1.value, r1.grads]);
      }
      // G (with E and W): L1 + non-saturating adversarial loss.
      const g = tf.variableGrads(() => {
        const image = syn.apply(xReg, noiseRng).image;
        return tf.add(
          tf.mean(tf.abs(tf.sub(image, gt))),
          tf.mul(softplus(tf.neg(disc.apply(image))), 0.3),
        ) as tf.Scalar;
      }, gVars);
      expect(Number.isFinite(g.value.dataSync()[0]!)).toBe(true);
      optG.step(g.grads);
      tf.dispose([g.value, g.grads]);
      counts.push(tf.memory().numTensors);
    }
    // Every step after the first leaves the same number of live tensors.
    counts = counts.slice(1);
    expect(new Set(counts).size).toBe(1);
    expect(r1Steps.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    setTraining(syn, false);
    expect(l1()).toBeLessThan(l1Before);
    tf.dispose([xReg, gt]);
    syn.dispose();
    disc.dispose();
  });
});
