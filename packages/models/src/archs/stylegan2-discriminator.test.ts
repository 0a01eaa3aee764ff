import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { minibatchStddev, StyleGan2Discriminator } from './stylegan2-discriminator.js';
import { goldenNhwc, goldenSection, maxAbsDiff, tolerance } from '../testing/synthesis-golden.js';

const BACKEND = (process.env.UGP_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';

beforeAll(async () => {
  await initBackend({ backend: BACKEND, log: null });
});

describeGolden('StyleGAN2 discriminator on golden/discriminator', () => {
  const load = async () => {
    const d = new StyleGan2Discriminator(
      { out_size: 64, channel_multiplier: 1, narrow: 0.0625, stddev_group: 4 },
      new Rng(0),
    );
    d.loadTorchStateDict(await goldenSection('discriminator', 'discriminator.pth'), {
      source: 'discriminator.pth',
    });
    return d;
  };

  it('gives the reference logits', async () => {
    const d = await load();
    const x = goldenNhwc('discriminator', 'input');
    const logits = d.apply(x);
    const err = maxAbsDiff(logits, goldenNhwc('discriminator', 'logits'));
    console.log(`discriminator logits: max|err| ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(tolerance('discriminator', 'logits'));
    tf.dispose([x, logits]);
    d.dispose();
  });

  it('gives the reference dD/dx (the R1 gradient, golden/losses r1_grad_real)', async () => {
    const d = await load();
    const x = goldenNhwc('discriminator', 'input');
    const grad = tf.grad((t: tf.Tensor) => tf.sum(d.apply(t as tf.Tensor4D)))(x);
    const err = maxAbsDiff(grad, goldenNhwc('losses', 'r1_grad_real'));
    console.log(`dD/dx: max|err| ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(tolerance('losses', 'r1_grad_real'));
    tf.dispose([x, grad]);
    d.dispose();
  });

  it('loads the same weights from the synmodule checkpoint section', async () => {
    const d = new StyleGan2Discriminator({ out_size: 64, channel_multiplier: 1, narrow: 0.0625 }, new Rng(0));
    d.loadTorchStateDict(await goldenSection('synmodule', 'synmodule.pth', 'discriminator'));
    d.dispose();
  });
});

describe('minibatch stddev', () => {
  it('groups samples b and b + B/G as the reference view(group, -1, …) does', () => {
    // B = 4, group 2: pairs (0, 2) and (1, 3).
    const x = tf.tensor4d([0, 2, 10, 30], [4, 1, 1, 1]);
    const out = minibatchStddev(x, 2);
    const column = Array.from(tf.tidy(() => tf.slice(out, [0, 0, 0, 1], [4, 1, 1, 1]).dataSync()));
    const s02 = Math.sqrt(25 + 1e-8);
    const s13 = Math.sqrt(196 + 1e-8);
    expect(column[0]).toBeCloseTo(s02, 5);
    expect(column[1]).toBeCloseTo(s13, 5);
    expect(column[2]).toBeCloseTo(s02, 5);
    expect(column[3]).toBeCloseTo(s13, 5);
    expect(() => minibatchStddev(tf.zeros([6, 1, 1, 1]) as tf.Tensor4D, 4)).toThrow(/divisible/);
    tf.dispose([x, out]);
  });
});

describe('R1 double backprop', () => {
  it('differentiates mean‖∂D/∂x‖² with respect to D’s variables through every layer’s backward pass', () => {
    const rng = new Rng(21);
    const d = new StyleGan2Discriminator({ out_size: 16, narrow: 1 / 64 }, rng.fork('d'));
    const x = tf.tensor4d(rng.uniformArray(2 * 16 * 16 * 3), [2, 16, 16, 3]);
    const penalty = () => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(d.apply(t as tf.Tensor4D)))(x);
      return tf.mean(tf.sum(tf.square(g), [1, 2, 3])) as tf.Scalar;
    };
    const all = d.trainableVariables();
    const { value, grads } = tf.variableGrads(penalty, all);
    expect(value.dataSync()[0]!).toBeGreaterThan(0);
    // Every variable but the last bias (∂D/∂x does not depend on it) gets a finite gradient.
    expect(Object.keys(grads).length).toBe(all.length - 1);
    for (const g of Object.values(grads))
      expect(Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!))).toBe(true);
    // Finite differences along the final linear layers: P is smooth there (a fixed LeakyReLU
    // pattern), yet their upstream gradient flows back through every conv, blur and activation
    // gradient of the first backward pass, so the whole second-order chain is exercised.
    const vars = d.finalLinear.items.map((l) => l.weight);
    const dirRng = rng.fork('direction');
    const direction = vars.map((v) => tf.tensor(dirRng.normalArray(v.size), v.shape));
    const analytic = tf.tidy(
      () => tf.addN(vars.map((v, i) => tf.sum(tf.mul(grads[v.name]!, direction[i]!)))).dataSync()[0]!,
    );
    const originals = vars.map((v) => tf.clone(v));
    const eps = 1e-2;
    const at = (sign: number) => {
      vars.forEach((v, i) => {
        v.assign(tf.tidy(() => tf.add(originals[i]!, tf.mul(direction[i]!, sign * eps))));
      });
      return tf.tidy(() => penalty().dataSync()[0]!);
    };
    const numeric = (at(1) - at(-1)) / (2 * eps);
    vars.forEach((v, i) => {
      v.assign(originals[i]!);
    });
    console.log(`R1 directional derivative: analytic ${analytic}, numeric ${numeric}`);
    expect(Math.abs(analytic - numeric)).toBeLessThan(1e-3 * Math.abs(numeric));
    tf.dispose([x, value, grads, direction, originals]);
    d.dispose();
  });
});
