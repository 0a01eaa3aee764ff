// 50 Adam steps (L1) of every restoration-side network at a tiny size: the loss falls and
// the number of live tensors stays the same from step to step (no leaks in forward/backward).
import * as tf from '@tensorflow/tfjs-core';
import { Adam, initBackend, type Module, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvBlock } from '../blocks/conv-block.js';
import { setTraining } from '../blocks/train-mode.js';
import { FusionNet } from './fusion.js';
import { HiNet } from './hinet.js';
import { createNafNetLocal, NafNet } from './nafnet.js';
import { buildRestorationModule } from './restoration-module.js';
import { RrdbNetX8 } from './rrdb.js';

const STEPS = 50;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

function uniform(shape: number[], seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    rng.uniformArray(shape.reduce((a, b) => a * b, 1)),
    shape as [number, number, number, number],
  );
}

/** Trains `module` on one fixed batch; returns the first and last loss and the tensor counts. */
function train(module: Module, forward: () => tf.Tensor, target: tf.Tensor, lr = 1e-3) {
  const adam = new Adam(module.namedParameters(), { lr });
  const losses: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.abs(tf.sub(forward(), target))) as tf.Scalar,
      adam.variables(),
    );
    adam.step(grads);
    tf.dispose(grads);
    losses.push(value.dataSync()[0]!);
    value.dispose();
    counts.push(tf.memory().numTensors);
  }
  adam.dispose();
  return { first: losses[0]!, last: losses[losses.length - 1]!, counts };
}

function expectTrains(result: ReturnType<typeof train>): void {
  // From the second step on nothing new may stay alive.
  expect(new Set(result.counts.slice(1)).size).toBe(1);
  expect(result.counts[STEPS - 1]).toBe(result.counts[0]);
  expect(result.last).toBeLessThan(result.first);
}

describe(`restoration networks: ${STEPS} Adam steps keep tf.memory().numTensors flat`, () => {
  const tiny = { width: 4, middle_blk_num: 1, enc_blk_nums: [1, 1], dec_blk_nums: [1, 1] };

  it('NAFNet', () => {
    const net = new NafNet(tiny, new Rng(1));
    const x = uniform([2, 16, 16, 3], 11);
    const y = uniform([2, 16, 16, 3], 12);
    expectTrains(train(net, () => net.apply(x), y));
    tf.dispose([x, y]);
    net.dispose();
  });

  it('NAFNet local (TLC)', () => {
    const net = createNafNetLocal({ ...tiny, train_size: [1, 3, 8, 8] }, new Rng(2));
    const x = uniform([1, 16, 16, 3], 21);
    const y = uniform([1, 16, 16, 3], 22);
    expectTrains(train(net, () => net.apply(x), y));
    tf.dispose([x, y]);
    net.dispose();
  });

  it('HINet', () => {
    const net = new HiNet({ wf: 4, depth: 2, hin_position_left: 0, hin_position_right: 1 }, new Rng(3));
    const x = uniform([1, 16, 16, 3], 31);
    const y = uniform([1, 16, 16, 3], 32);
    expectTrains(train(net, () => net.apply(x)[1], y));
    tf.dispose([x, y]);
    net.dispose();
  });

  it('ResModule (NAFNet + residual encoder)', () => {
    const m = buildRestorationModule({ regression: { type: 'nafnet', ...tiny } }, new Rng(4));
    const x = uniform([1, 16, 16, 3], 41);
    const y = uniform([1, 16, 16, 3], 42);
    expectTrains(train(m, () => m.restore(x).image, y));
    tf.dispose([x, y]);
    m.dispose();
  });

  it('RRDBNetX8', () => {
    const net = new RrdbNetX8({ num_feat: 4, num_block: 1, num_grow_ch: 4 }, new Rng(5));
    const x = uniform([1, 4, 4, 3], 51);
    const y = uniform([1, 32, 32, 3], 52);
    expectTrains(train(net, () => net.apply(x), y));
    tf.dispose([x, y]);
    net.dispose();
  });

  it('FusionNet', () => {
    const net = new FusionNet({ num_block: 1, chan: 8 }, new Rng(6));
    const fG = uniform([1, 8, 8, 8], 61);
    const fR = uniform([1, 8, 8, 64], 62);
    const y = uniform([1, 8, 8, 3], 63);
    expectTrains(train(net, () => net.apply(fG, fR), y, 1e-4));
    tf.dispose([fG, fR, y]);
    net.dispose();
  });

  it('ConvBlock with BatchNorm in training mode (running stats update in place)', () => {
    const block = new ConvBlock(3, 4, new Rng(7), { batch_norm: true, down: true });
    setTraining(block, true);
    const x = uniform([2, 8, 8, 3], 71);
    const y = uniform([2, 4, 4, 4], 72);
    const before = block.bn!.items[0]!.runningMean.dataSync().slice();
    expectTrains(train(block, () => block.apply(x), y));
    expect(block.bn!.items[0]!.runningMean.dataSync()).not.toEqual(before);
    tf.dispose([x, y]);
    block.dispose();
  });
});
