import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToGolden, goldenImage, goldenStateDict } from '../testing/golden.js';
import { FusionNet } from './fusion.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('FusionNet', () => {
  it('has the official keys', () => {
    const net = new FusionNet({ num_block: 2, chan: 128 }, new Rng(1));
    expect(net.namedEntries().map(([k, e]) => `${k}:${e.torchShape}`)).toEqual([
      'conv.weight:64,128,3,3',
      'conv.bias:64',
      'body.0.body.0.weight:64,64,3,3',
      'body.0.body.0.bias:64',
      'body.0.body.2.weight:64,64,3,3',
      'body.0.body.2.bias:64',
      'body.1.body.0.weight:64,64,3,3',
      'body.1.body.0.bias:64',
      'body.1.body.2.weight:64,64,3,3',
      'body.1.body.2.bias:64',
      'last.weight:3,64,3,3',
      'last.bias:3',
    ]);
    net.dispose();
  });

  it('starts from initialize_weights: kaiming fan_out weights, zero biases', () => {
    const net = new FusionNet({ num_block: 1, chan: 64 }, new Rng(2));
    const w = net.body.items[0]!.conv1.weight;
    const std = Math.sqrt(tf.moments(w).variance.dataSync()[0]!);
    expect(std).toBeCloseTo(Math.sqrt(2 / (64 * 9)), 2);
    expect(tf.max(tf.abs(net.last.bias!)).dataSync()[0]).toBe(0);
    net.dispose();
  });

  it('names both features when their sizes disagree', () => {
    const net = new FusionNet({ num_block: 1, chan: 64 }, new Rng(3));
    const a = tf.zeros([1, 8, 8, 64]) as tf.Tensor4D;
    const b = tf.zeros([1, 4, 4, 64]) as tf.Tensor4D;
    expect(() => net.apply(a, b)).toThrow(/F_G is 8×8×64 and F_R 4×4×64/);
    tf.dispose([a, b]);
    net.dispose();
  });
});

describeGolden('FusionNet golden parity (shared/golden/fusion)', () => {
  it('output matches', async () => {
    const net = new FusionNet({ num_block: 8, chan: 64 }, new Rng(4));
    net.loadTorchStateDict(await goldenStateDict('fusion', 'fusmodule.pth'), { source: 'fusmodule.pth' });
    const fG = goldenImage('fusion', 'F_g');
    const fC = goldenImage('fusion', 'F_c');
    const out = net.apply(fG, fC);
    const p = compareToGolden('fusion', 'output', out);
    console.log(`fusion/output: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)})`);
    expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
    tf.dispose([fG, fC, out]);
    net.dispose();
  });
});
