import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { Adam } from './adam.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

function gradsOf(v: tf.Variable, loss: () => tf.Scalar) {
  const { value, grads } = tf.variableGrads(loss, [v]);
  value.dispose();
  return grads;
}

describe('Adam', () => {
  it('first step moves each weight by lr·g/(|g|+eps), as torch.optim.Adam does', () => {
    const w = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const adam = new Adam([['w', w]], { lr: 0.1 });
    const target = tf.tensor1d([0, 0, 0]);
    const grads = gradsOf(w, () => tf.sum(tf.square(tf.sub(w, target))));
    adam.step(grads);
    // g = 2w = [2, -4, 1]; step = lr·sign(g) up to eps
    const after = Array.from(w.dataSync());
    expect(after[0]).toBeCloseTo(0.9, 6);
    expect(after[1]).toBeCloseTo(-1.9, 6);
    expect(after[2]).toBeCloseTo(0.4, 6);
    tf.dispose([w, target, ...Object.values(grads)]);
    adam.dispose();
  });

  it('converges on a quadratic and round-trips its state for resume', () => {
    const run = (steps: number, resumeAt?: number) => {
      const w = tf.variable(tf.tensor1d([3, -1]));
      let adam = new Adam([['w', w]], { lr: 0.05 });
      for (let i = 0; i < steps; i++) {
        if (i === resumeAt) {
          const state = new Map(
            [...adam.stateTensors()].map(([k, t]) => [
              k,
              { shape: t.shape, data: t.dataSync() as Float32Array },
            ]),
          );
          const count = adam.stepCount;
          adam.dispose();
          adam = new Adam([['w', w]], { lr: 0.05 });
          adam.loadState(state, count);
        }
        const grads = gradsOf(w, () => tf.sum(tf.square(w)));
        adam.step(grads);
        tf.dispose(Object.values(grads));
      }
      const out = Array.from(w.dataSync());
      adam.dispose();
      w.dispose();
      return out;
    };
    const straight = run(300);
    expect(Math.abs(straight[0]!)).toBeLessThan(0.05);
    expect(run(300, 120)).toEqual(straight);
  });

  it('keeps the tensor count flat across steps', () => {
    const w = tf.variable(tf.randomNormal([4, 4]));
    const adam = new Adam([['w', w]], { lr: 0.01 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const grads = gradsOf(w, () => tf.mean(tf.square(w)));
      adam.step(grads);
      tf.dispose(Object.values(grads));
    }
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    w.dispose();
  });
});
