// Finite-difference checks of every loss's gradient on tiny inputs (cpu backend: plain JS
// float32 kernels, the most predictable reference). Directional derivatives along random
// directions are compared with central differences.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { logisticDLoss, nonSaturatingGLoss, r1Penalty } from './adversarial.js';
import { contextualLoss, PatchContextualLoss } from './contextual.js';
import { l1Loss } from './l1.js';
import { Lpips, lpipsLoss } from './lpips.js';
import { proxyLpipsHeads, proxyVgg } from './proxy.js';
import { psnrLoss } from './psnr-loss.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

const rng = new Rng(99);

function uniform(shape: number[], low = 0, high = 1): tf.Tensor {
  return tf.tensor(
    rng.uniformArray(
      shape.reduce((a, b) => a * b, 1),
      low,
      high,
    ),
    shape,
  );
}

/**
 * Compares ∇f·v with (f(x + εv) − f(x − εv)) / 2ε for a few random unit directions v.
 */
async function checkGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-3, directions = 3) {
  const grad = tf.grad(f)(x);
  const g = await grad.data();
  grad.dispose();
  let gradNorm = 0;
  for (const v of g) gradNorm += v * v;
  expect(Number.isFinite(gradNorm)).toBe(true);
  expect(gradNorm).toBeGreaterThan(0);
  for (let k = 0; k < directions; k++) {
    const dir = rng.normalArray(x.size);
    let norm = 0;
    for (const v of dir) norm += v * v;
    norm = Math.sqrt(norm);
    let analytic = 0;
    for (let i = 0; i < dir.length; i++) {
      dir[i]! /= norm;
      analytic += g[i]! * dir[i]!;
    }
    const [plus, minus] = tf.tidy(() => {
      const d = tf.tensor(dir, x.shape);
      return [f(tf.add(x, tf.mul(d, eps))), f(tf.sub(x, tf.mul(d, eps)))];
    });
    const numeric = ((await plus.data())[0]! - (await minus.data())[0]!) / (2 * eps);
    tf.dispose([plus, minus]);
    expect(Math.abs(numeric - analytic)).toBeLessThan(2e-2 * Math.sqrt(gradNorm) + 1e-4);
  }
}

describe('finite-difference gradients', () => {
  it('L1 and PSNR loss (RGB and Y)', async () => {
    const target = uniform([2, 4, 4, 3]);
    const x = uniform([2, 4, 4, 3]);
    await checkGradient((p) => l1Loss(p, target), x);
    await checkGradient((p) => psnrLoss(p as tf.Tensor4D, target as tf.Tensor4D), x);
    await checkGradient((p) => psnrLoss(p as tf.Tensor4D, target as tf.Tensor4D, { toY: true }), x);
    tf.dispose([target, x]);
  });

  it('adversarial losses and the R1 penalty', async () => {
    const logits = uniform([4, 1], -2, 2);
    const other = uniform([4, 1], -2, 2);
    await checkGradient((f) => nonSaturatingGLoss(f), logits);
    await checkGradient((f) => logisticDLoss(f, other), logits);
    await checkGradient((r) => logisticDLoss(other, r), logits);
    // R1 with a tiny smooth D (conv → softplus → sum): gradient of the penalty wrt the images.
    // (Not tanh: tfjs loses second-order paths through ops that save their outputs —
    // Exp, Tanh, Sigmoid, Softmax, Max, Min, MaxPool, Pow, Elu — see adversarial.ts.)
    const w = uniform([3, 3, 3, 2], -0.5, 0.5) as tf.Tensor4D;
    const d = (t: tf.Tensor4D) => tf.sum(tf.softplus(tf.conv2d(t, w, 1, 'same')), [1, 2, 3]);
    const x = uniform([2, 4, 4, 3]);
    await checkGradient((real) => {
      const { penalty, realPred } = r1Penalty(d, real as tf.Tensor4D);
      realPred.dispose();
      return penalty;
    }, x);
    tf.dispose([logits, other, w, x]);
  });

  it('contextual loss, reference and plain variants, both inputs', async () => {
    const x = uniform([2, 3, 3, 5], -1, 1);
    const y = uniform([2, 3, 3, 5], -1, 1);
    for (const variant of ['reference', 'plain'] as const) {
      await checkGradient((a) => contextualLoss(a as tf.Tensor4D, y as tf.Tensor4D, { variant }), x);
      await checkGradient((b) => contextualLoss(x as tf.Tensor4D, b as tf.Tensor4D, { variant }), y);
    }
    tf.dispose([x, y]);
  });

  it('LPIPS loss through the bicubic resize, and patch contextual through VGG19', async () => {
    const vgg16 = proxyVgg('vgg16', { upTo: 'relu5_3', widthDivisor: 16 });
    const lpips = new Lpips(vgg16, proxyLpipsHeads(vgg16), 'lpips_proxy');
    const gt = uniform([1, 16, 16, 3]);
    const out = uniform([1, 16, 16, 3]);
    await checkGradient((o) => lpipsLoss(lpips, o as tf.Tensor4D, gt as tf.Tensor4D, { size: 20 }), out);
    lpips.dispose();
    const vgg19 = proxyVgg('vgg19', { upTo: 'relu3_4', widthDivisor: 16 });
    const cx = new PatchContextualLoss(vgg19, 'contextual_proxy', { patchSize: 8 });
    await checkGradient((o) => cx.apply(o as tf.Tensor4D, gt as tf.Tensor4D), out);
    cx.dispose();
    tf.dispose([gt, out]);
  });
});
