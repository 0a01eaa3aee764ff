// Double backprop as the R1 penalty does it: the gradients registered by initBackend (gradients.ts).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { Rng } from '../rng.js';

const BACKEND = (process.env.UGP_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';

beforeAll(async () => {
  await initBackend({ backend: BACKEND, log: null });
});

const dot = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]!);

describe('DepthwiseConv2dNativeBackpropInput gradient', () => {
  it.each([1, 2])('is the adjoint in dy and the filter gradient in f (stride %i)', (stride) => {
    const rng = new Rng(stride);
    const rand = (shape: number[]) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
    const xShape: [number, number, number, number] = [2, 9, 9, 3];
    const f = rand([4, 4, 3, 1]) as tf.Tensor4D;
    // y = Aᵀ(dy): the depthwise conv's input gradient; a bilinear map of (dy, f).
    const backprop = (dy: tf.Tensor4D, filter: tf.Tensor4D) =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(x as tf.Tensor4D, filter, stride, 'valid'), dy)),
      )(tf.zeros(xShape) as tf.Tensor4D);
    const outShape = tf.tidy(
      () => tf.depthwiseConv2d(tf.zeros(xShape) as tf.Tensor4D, f, stride, 'valid').shape,
    );
    const dy = rand(outShape) as tf.Tensor4D;
    const u = rand(xShape) as tf.Tensor4D;
    const { grads } = tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(backprop(a as tf.Tensor4D, b as tf.Tensor4D), u)),
      );
      const [gdy, gf] = g([dy, f]);
      return { grads: [gdy!, gf!] };
    });
    // ⟨Aᵀdy, u⟩ = ⟨dy, A u⟩ for every dy ⇒ ∂/∂dy = A u (the forward depthwise conv of u).
    const au = tf.depthwiseConv2d(u, f, stride, 'valid');
    const errDy = tf.tidy(() => tf.max(tf.abs(tf.sub(grads[0]!, au))).dataSync()[0]!);
    expect(errDy).toBeLessThan(1e-4);
    // Linear in f: ⟨∂/∂f, v⟩ equals the value at f = v.
    const v = rand([4, 4, 3, 1]) as tf.Tensor4D;
    const atV = tf.tidy(() => dot(backprop(dy, v), u));
    expect(Math.abs(dot(grads[1]!, v) - atV)).toBeLessThan(1e-3 * Math.max(1, Math.abs(atV)));
    tf.dispose([f, dy, u, au, v, ...grads]);
  });
});

describe('comparison gradients', () => {
  it('are zero (LeakyRelu’s gradient mask differentiates to nothing)', () => {
    const x = tf.tensor1d([-1, 0.5, 2]);
    const g = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.grad((s: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(s, 0.2), s)))(t)),
    )(x);
    // d/dx [lrelu(x)·x]' = d/dx [lrelu'(x)·x + lrelu(x)] = 2·lrelu'(x) (a.e.)
    expect(Array.from(g.dataSync())).toEqual([0.4, 2, 2].map((v) => Math.fround(v)));
    tf.dispose([x, g]);
  });
});
