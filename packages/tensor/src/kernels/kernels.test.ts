// Every kernel registered on wasm against the cpu backend's reference, on seeded random inputs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { Rng } from '../rng.js';
import { WASM_KERNELS } from './index.js';

const TOLERANCE = 1e-4;
const rng = new Rng(20240601);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

interface Input {
  shape: number[];
  data: Float32Array;
}

function randomInput(shape: number[]): Input {
  return { shape, data: rng.normalArray(shape.reduce((a, b) => a * b, 1)) };
}

/** Runs f on one backend with fresh tensors made from the inputs; returns the outputs' data. */
async function runOn(backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: Input[]) {
  await tf.setBackend(backend);
  const tensors = inputs.map((i) => tf.tensor(i.data, i.shape));
  const outs = tf.tidy(() => f(...tensors));
  const data = outs.map((o) => ({ shape: o.shape, data: o.dataSync() as Float32Array }));
  tf.dispose([...tensors, ...outs]);
  return data;
}

/** Max |wasm − cpu| relative to max |cpu|, over every output of f. */
async function relativeError(f: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: Input[]): Promise<number> {
  const ref = await runOn('cpu', f, inputs);
  const got = await runOn('wasm', f, inputs);
  let worst = 0;
  for (let o = 0; o < ref.length; o++) {
    expect(got[o]!.shape).toEqual(ref[o]!.shape);
    const r = ref[o]!.data;
    const g = got[o]!.data;
    let maxRef = 0;
    let maxDiff = 0;
    for (let i = 0; i < r.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(r[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(r[i]! - g[i]!));
    }
    worst = Math.max(worst, maxDiff / Math.max(maxRef, 1e-30));
  }
  return worst;
}

/** A fixed, non-uniform upstream gradient, so every output position matters differently. */
function weights(shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.reshape(tf.sin(tf.mul(tf.range(0, size), 0.37)), shape);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

interface ConvCase {
  x: [number, number, number, number];
  k: number;
  out: number;
  stride: number;
  pad: Pad;
}

const label = (c: ConvCase) => `${c.x.join('x')} k${c.k} s${c.stride} ${JSON.stringify(c.pad)} → ${c.out}`;

const denseCases: ConvCase[] = [
  { x: [2, 9, 9, 3], k: 3, out: 4, stride: 1, pad: 'same' },
  { x: [2, 9, 9, 3], k: 3, out: 4, stride: 2, pad: 'same' },
  { x: [1, 8, 7, 3], k: 3, out: 5, stride: 2, pad: 'valid' },
  { x: [3, 10, 10, 4], k: 2, out: 4, stride: 2, pad: 'valid' },
  { x: [2, 7, 7, 5], k: 1, out: 6, stride: 1, pad: 'valid' },
  { x: [2, 9, 8, 3], k: 1, out: 4, stride: 2, pad: 'same' },
  { x: [2, 11, 9, 3], k: 3, out: 4, stride: 2, pad: explicit(1, 2, 0, 1) },
  { x: [1, 9, 9, 2], k: 3, out: 3, stride: 1, pad: explicit(2, 0, 1, 1) },
  { x: [2, 13, 12, 3], k: 5, out: 2, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 3], k: 4, out: 2, stride: 3, pad: 'valid' },
];

// A few more drawn at random (seeded): odd sizes, 1×1 to 3×3, strides 1 and 2, both pad modes.
for (let i = 0; i < 4; i++) {
  const h = 5 + rng.int(8);
  const w = 5 + rng.int(8);
  denseCases.push({
    x: [1 + rng.int(3), h, w, 1 + rng.int(5)],
    k: 1 + rng.int(3),
    out: 1 + rng.int(5),
    stride: 1 + rng.int(2),
    pad: rng.int(2) ? 'same' : 'valid',
  });
}

describe('wasm conv2d gradients match cpu', () => {
  it('registers every kernel it claims on wasm', () => {
    for (const name of WASM_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it.each(denseCases.map((c) => [label(c), c] as const))('conv2d %s', async (_, c) => {
    const xIn = randomInput(c.x);
    const wIn = randomInput([c.k, c.k, c.x[3], c.out]);
    const conv = (x: tf.Tensor, w: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
    const f = (x: tf.Tensor, w: tf.Tensor) => {
      const y = conv(x, w);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), weights(y.shape))))(
        [x, w],
      );
      return [y, gx!, gw!];
    };
    expect(await relativeError(f, [xIn, wIn])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('wasm data-movement kernels match cpu', () => {
  const transposeCases: [number[], number[]][] = [
    [
      [7, 5],
      [1, 0],
    ],
    [
      [2, 9, 8, 3],
      [3, 1, 2, 0],
    ],
    [
      [2, 9, 8, 3],
      [1, 2, 0, 3],
    ],
    [
      [3, 1, 4, 5],
      [0, 3, 1, 2],
    ],
    [
      [2, 3, 4, 5, 6],
      [4, 2, 3, 0, 1],
    ],
    [
      [2, 3, 1, 2, 3, 2],
      [0, 1, 3, 2, 4, 5],
    ],
    [
      [65, 33],
      [1, 0],
    ],
    [
      [4, 6, 5],
      [2, 1, 0],
    ],
  ];
  it.each(transposeCases)('transpose %j by %j', async (shape, perm) => {
    const x = randomInput(shape);
    expect(
      await relativeError(
        (a) => [tf.transpose(a, perm), tf.transpose(tf.cast(tf.mul(a, 10), 'int32'), perm)],
        [x],
      ),
    ).toBe(0);
  });

  const sliceCases: [number[], number[], number[]][] = [
    [
      [2, 9, 8, 3],
      [0, 1, 1, 0],
      [2, 7, 6, 3],
    ],
    [
      [2, 9, 8, 3],
      [1, 0, 0, 1],
      [1, -1, 8, 2],
    ],
    [[40], [3], [17]],
    [
      [5, 6],
      [2, 0],
      [2, 6],
    ],
    [
      [3, 4, 5, 6, 2],
      [1, 1, 0, 2, 0],
      [2, 2, 5, 3, 1],
    ],
  ];
  it.each(sliceCases)('slice %j from %j size %j', async (shape, begin, size) => {
    const x = randomInput(shape);
    expect(
      await relativeError(
        (a) => [tf.slice(a, begin, size), tf.cast(tf.slice(tf.greater(a, 0), begin, size), 'float32')],
        [x],
      ),
    ).toBe(0);
  });
});
