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
  // Output channels in fours take the SIMD filter-gradient kernel (blocks of 8, then 4).
  { x: [2, 9, 10, 6], k: 3, out: 12, stride: 2, pad: 'same' },
  { x: [1, 7, 9, 9], k: 3, out: 16, stride: 1, pad: explicit(0, 2, 2, 1) },
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
    // Whole middle axes merge with the one before them; a cut last axis leaves runs of 5.
    [
      [2, 3, 4, 11],
      [1, 0, 0, 3],
      [1, 3, 4, 5],
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

describe('wasm matrix products match cpu', () => {
  // 16 or more output rows take the XNNPACK route; fewer stay on tfjs' loop.
  const cases: [number[], number[], boolean, boolean][] = [
    [[17, 5], [5, 6], false, false],
    [[5, 17], [5, 6], true, false],
    [[17, 5], [6, 5], false, true],
    [[5, 17], [6, 5], true, true],
    [[7, 5], [6, 5], false, true],
    [[3, 20, 5], [3, 5, 2], false, false],
    [[2, 3, 5, 16], [2, 3, 2, 5], true, true],
  ];
  it.each(cases)(
    'matMul %j × %j (transposeA %s, transposeB %s) and its gradients',
    async (aShape, bShape, ta, tb) => {
      const f = withGrads((a, b) => tf.matMul(a!, b!, ta, tb));
      expect(await relativeError(f, [randomInput(aShape), randomInput(bShape)])).toBeLessThanOrEqual(
        TOLERANCE,
      );
    },
  );

  // (tfjs' own BatchMatMul gradient does not reduce broadcast batch axes, so forward only.)
  it('matMul with a broadcast batch (tfjs-wasm keeps it)', async () => {
    const f = (a: tf.Tensor, b: tf.Tensor) => [tf.matMul(a, b, false, true)];
    expect(await relativeError(f, [randomInput([3, 4, 5]), randomInput([1, 2, 5])])).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });
});

describe('wasm split and concat match cpu', () => {
  const cases: [number[], number[], number][] = [
    [[2, 5, 4, 8], [4, 4], 3],
    [[2, 5, 4, 9], [2, 0, 7], -1],
    [[3, 7, 2], [1, 4, 2], 1],
    [[6, 3], [5, 1], 0],
  ];
  it.each(cases)(
    'split %j into %j along axis %i, concatenated back, and its gradient',
    async (shape, sizes, axis) => {
      const x = randomInput(shape);
      const pieces = (a: tf.Tensor) => tf.split(a, sizes, axis);
      const f = withGrads((a) =>
        tf.concat(
          pieces(a).map((p, i) => tf.mul(p, i + 1)),
          axis,
        ),
      );
      expect(await relativeError((a) => [...pieces(a), ...f(a)], [x])).toBeLessThanOrEqual(TOLERANCE);
      const asInt = (a: tf.Tensor) => tf.cast(tf.mul(a, 10), 'int32');
      const asBool = (a: tf.Tensor) => tf.greater(a, 0);
      const exact = await relativeError(
        (a) => [
          ...tf.split(asInt(a), sizes, axis),
          tf.cast(tf.concat(tf.split(asBool(a), sizes, axis).reverse(), axis), 'float32'),
        ],
        [x],
      );
      expect(exact).toBe(0);
    },
  );
});

/** Value and input gradients of f (weighted by a fixed upstream gradient), for the comparison. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor) {
  return (...xs: tf.Tensor[]) => {
    const y = f(...xs);
    const grads = tf.grads((...as: tf.Tensor[]) => tf.sum(tf.mul(f(...as), weights(y.shape))))(xs);
    return [y, ...grads];
  };
}

describe('wasm depthwise and transposed conv gradients match cpu', () => {
  const cases: [string, number[], number, number, number, 'same' | 'valid'][] = [
    ['3x3 s1 same', [2, 9, 9, 3], 3, 1, 1, 'same'],
    ['3x3 s2 same', [2, 9, 8, 3], 3, 1, 2, 'same'],
    ['3x3 s2 valid', [1, 10, 9, 4], 3, 1, 2, 'valid'],
    ['3x3 multiplier 2', [2, 7, 7, 3], 3, 2, 1, 'same'],
    ['1x1', [2, 6, 5, 4], 1, 1, 1, 'valid'],
    ['2x2 s2', [3, 8, 8, 2], 2, 1, 2, 'valid'],
    ['5x5 s1 same', [1, 11, 10, 2], 5, 1, 1, 'same'],
    ['3x3 s1 same, 16+4+3 channels', [2, 9, 10, 23], 3, 1, 1, 'same'],
    ['3x3 s2 same, 32 channels', [1, 9, 9, 32], 3, 1, 2, 'same'],
  ];
  it.each(cases)('depthwiseConv2d %s', async (_, shape, k, m, stride, pad) => {
    const f = withGrads((x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad));
    const err = await relativeError(f, [randomInput(shape), randomInput([k, k, shape[3]!, m])]);
    expect(err).toBeLessThanOrEqual(TOLERANCE);
  });

  it('depthwise backprop kernels with dilation 2 equal the undilated ones on a zero-stuffed 5×5 filter', async () => {
    // (cpu's depthwise backprops ignore dilation, so the reference is the equivalent dense filter.)
    const run = (dilation: number, x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => {
      const attrs = { strides: 1, pad: 'same', dilations: dilation } as unknown as tf.NamedAttrMap;
      const dx = tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy, filter: w },
          { ...attrs, inputShape: x.shape },
        ) as tf.Tensor;
      const dw = tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x, dy },
          { ...attrs, filterShape: w.shape },
        ) as tf.Tensor;
      return [dx, dw];
    };
    const stuff = (w: tf.Tensor) => {
      const [k, , c, m] = w.shape as number[];
      const spread = tf.reshape(tf.stack([w, tf.zerosLike(w)], 1), [2 * k, k, c!, m!]).slice(0, 2 * k! - 1);
      return tf
        .reshape(tf.stack([spread, tf.zerosLike(spread)], 2), [2 * k! - 1, 2 * k!, c!, m!])
        .slice([0, 0], [-1, 2 * k! - 1]);
    };
    const inputs = [randomInput([2, 9, 9, 3]), randomInput([3, 3, 3, 2]), randomInput([2, 9, 9, 6])];
    const got = await runOn('wasm', (x, w, dy) => run(2, x!, w!, dy!), inputs);
    const ref = await runOn(
      'cpu',
      (x, w, dy) => {
        const [dx, dw] = run(1, x!, stuff(w!), dy!);
        return [dx!, tf.stridedSlice(dw!, [0, 0, 0, 0], [5, 5, 3, 2], [2, 2, 1, 1])];
      },
      inputs,
    );
    for (let o = 0; o < 2; o++) {
      const r = ref[o]!.data;
      const g = got[o]!.data;
      const scale = Math.max(...Array.from(r, Math.abs));
      const diff = Math.max(...Array.from(r, (v, i) => Math.abs(v - g[i]!)));
      expect(got[o]!.shape).toEqual(ref[o]!.shape);
      expect(diff / scale).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it.each([
    [1, 'same'],
    [1, 'valid'],
  ] as const)('dilated conv2d (dilation 2, stride %i, %s) and its gradients', async (stride, pad) => {
    const f = withGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad, 'NHWC', 2));
    const err = await relativeError(f, [randomInput([2, 11, 10, 3]), randomInput([3, 3, 3, 4])]);
    expect(err).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [[2, 5, 5, 4], [3, 3, 3, 4], [2, 10, 10, 3], 2, 'same'],
    [[2, 4, 4, 4], [2, 2, 3, 4], [2, 8, 8, 3], 2, 'valid'],
    [[1, 6, 7, 4], [3, 3, 2, 4], [1, 6, 7, 2], 1, 'same'],
  ] as const)('conv2dTranspose of %j with %j → %j', async (dyShape, wShape, outShape, stride, pad) => {
    const f = withGrads((dy, w) =>
      tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [...outShape], stride, pad),
    );
    const err = await relativeError(f, [randomInput([...dyShape]), randomInput([...wShape])]);
    expect(err).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('wasm pooling, resize and shuffle gradients match cpu', () => {
  it.each([
    ['2x2 s2 valid', [2, 8, 8, 3], 2, 2, 'valid'],
    ['2x2 s2 valid, odd size', [2, 9, 7, 3], 2, 2, 'valid'],
    ['2x2 s2 same, odd size', [1, 9, 9, 2], 2, 2, 'same'],
    ['3x3 s1 same', [2, 7, 7, 3], 3, 1, 'same'],
    ['3x3 s2 valid', [1, 9, 9, 2], 3, 2, 'valid'],
  ] as const)('avgPool %s', async (_, shape, k, s, pad) => {
    const f = withGrads((x) => tf.avgPool(x as tf.Tensor4D, k, s, pad));
    expect(await relativeError(f, [randomInput([...shape])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    ['×2', [1, 5, 4, 3], [10, 8], false, false],
    ['×3', [1, 3, 4, 2], [9, 12], false, false],
    ['×2 half-pixel centers', [1, 4, 4, 2], [8, 8], false, true],
    ['×1.5 (fallback)', [1, 4, 6, 2], [6, 9], false, false],
    ['×2 align corners (fallback)', [1, 4, 4, 2], [8, 8], true, false],
    ['downscale (fallback)', [1, 8, 8, 2], [4, 4], false, false],
  ] as const)('resizeNearestNeighbor %s', async (_, shape, size, align, half) => {
    const f = withGrads((x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [...size], align, half));
    expect(await relativeError(f, [randomInput([...shape])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it('resizeNearestNeighbor ×2 gradient with batch > 1 is a 2×2 sum pool', async () => {
    // (cpu's ResizeNearestNeighborGrad is wrong past the first batch element, so the reference here
    // is the sum over each 2×2 block, written with reshapes.)
    const x = randomInput([2, 5, 4, 3]);
    const grad = (a: tf.Tensor) => {
      const y = tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [10, 8]);
      return tf.grad((b: tf.Tensor) =>
        tf.sum(tf.mul(tf.image.resizeNearestNeighbor(b as tf.Tensor4D, [10, 8]), weights(y.shape))),
      )(a);
    };
    const got = await runOn('wasm', (a) => [grad(a!)], [x]);
    const ref = await runOn(
      'cpu',
      () => [tf.sum(tf.reshape(weights([2, 10, 8, 3]), [2, 5, 2, 4, 2, 3]), [2, 4])],
      [x],
    );
    const diff = Math.max(...Array.from(ref[0]!.data, (v, i) => Math.abs(v - got[0]!.data[i]!)));
    expect(diff / Math.max(...Array.from(ref[0]!.data, Math.abs))).toBeLessThanOrEqual(TOLERANCE);
  });

  // (cpu's ResizeBilinearGrad fails on non-square images, so the references use square ones.)
  it.each([
    ['×2', [2, 5, 5, 3], [10, 10], false, false],
    ['×2 half-pixel', [1, 4, 4, 2], [8, 8], false, true],
    ['×2 align corners', [1, 5, 5, 2], [10, 10], true, false],
    ['×1.5', [1, 6, 6, 2], [9, 9], false, false],
  ] as const)('resizeBilinear %s', async (_, shape, size, align, half) => {
    const f = withGrads((x) => tf.image.resizeBilinear(x as tf.Tensor4D, [...size], align, half));
    expect(await relativeError(f, [randomInput([...shape])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([2, 3])('depthToSpace block %i and its gradient', async (b) => {
    const f = withGrads((x) => tf.depthToSpace(x as tf.Tensor4D, b));
    expect(await relativeError(f, [randomInput([2, 3, 4, 2 * b * b])])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('wasm elementwise and reduction kernels match cpu', () => {
  it.each([0.2, 0.01, 1.5])('leakyRelu α=%f and its gradient', async (alpha) => {
    const f = withGrads((x) => tf.leakyRelu(x, alpha));
    expect(await relativeError(f, [randomInput([2, 9, 9, 5])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [[4, 33, 17, 8], [0, 1, 2], false],
    [[4, 33, 17, 8], [0, 1, 2], true],
    [[64, 100], [0], false],
    [[5, 29, 23], [0, 1], false],
    [[3, 40, 50], [1, 2], false],
    [[4, 33, 17, 8], [0, 1, 2, 3], false],
  ] as const)('sum of %j over %j (keepDims %s)', async (shape, axes, keep) => {
    const f = withGrads((x) => tf.sum(x, [...axes], keep));
    expect(await relativeError(f, [randomInput([...shape])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [[4, 33, 17, 8], [3], true],
    [[4, 33, 17, 8], [0, 1, 2], false],
    [[5, 29, 23], [1], false],
  ] as const)(
    "sum and mean gradients over %j, axes %j (keepDims %s) equal tfjs' own formula bit for bit",
    async (shape, axes, keep) => {
      const expanded = shape.map((d, i) => ((axes as readonly number[]).includes(i) ? 1 : d));
      const reduced = (axes as readonly number[]).reduce((n, a) => n * shape[a]!, 1);
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        const x = tf.tensor(randomInput([...shape]).data, [...shape]);
        const dy = tf.randomNormal(
          keep ? expanded : shape.filter((_, i) => !(axes as readonly number[]).includes(i)),
          0,
          1,
          'float32',
          7,
        );
        const [sumGrad] = tf.grads((t: tf.Tensor) => tf.sum(t, [...axes], keep))([x], dy);
        const [meanGrad] = tf.grads((t: tf.Tensor) => tf.mean(t, [...axes], keep))([x], dy);
        // tfjs' Sum_grad and Mean_grad: a tensor of ones made in JavaScript.
        const spread = tf.mul(tf.reshape(dy, expanded), tf.ones([...shape]));
        const meanSpread = tf.div(spread, reduced);
        expect(sumGrad!.dataSync()).toEqual(spread.dataSync());
        expect(meanGrad!.dataSync()).toEqual(meanSpread.dataSync());
        tf.dispose([x, dy, sumGrad!, meanGrad!, spread, meanSpread]);
      }
    },
  );

  it('gather (UnsortedSegmentSum) gradient with repeated indices', async () => {
    const f = withGrads((x) => tf.gather(x, tf.tensor1d([0, 2, 2, 4, 0, 1], 'int32'), 1));
    expect(await relativeError(f, [randomInput([3, 5, 4])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [1, false, false],
    [2, true, false],
    [1, false, true],
    [3, true, true],
  ])('cumsum along axis %i (exclusive %s, reverse %s) and its gradient', async (axis, exclusive, reverse) => {
    const f = withGrads((x) => tf.cumsum(x, axis, exclusive, reverse));
    expect(await relativeError(f, [randomInput([2, 5, 6, 3])])).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gradients flow through tf.where with a condition computed from the input', async () => {
    const f = withGrads((x) => tf.where(tf.greater(x, 0), tf.square(x), tf.mul(x, 0.5)));
    expect(await relativeError(f, [randomInput([3, 7])])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('wasm kernels keep memory flat', () => {
  it('a training-like gradient leaves no tensors or wasm buffers behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(randomInput([2, 9, 9, 4]).data, [2, 9, 9, 4]) as tf.Tensor4D;
    const w = tf.variable(tf.tensor(randomInput([3, 3, 4, 4]).data, [3, 3, 4, 4]) as tf.Tensor4D);
    const dw = tf.variable(tf.tensor(randomInput([3, 3, 4, 1]).data, [3, 3, 4, 1]) as tf.Tensor4D);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.leakyRelu(tf.conv2d(x, w, 2, 'same'), 0.2);
        const d = tf.depthwiseConv2d(tf.image.resizeNearestNeighbor(h, [10, 10]), dw, 1, 'same');
        return tf.mean(tf.abs(tf.avgPool(d, 2, 2, 'valid')));
      });
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(buffers);
    tf.dispose([x, w, dw]);
  });

  it('identity and same-dtype cast share the data without a copy; the last holder frees it', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const buffers = backend.numDataIds();
    const [first, second] = [tf.tensor1d([1, 2, 3]), tf.tensor1d([7, 8, 9])];
    const v = tf.variable(first);
    const copy = tf.clone(v);
    expect(backend.numDataIds()).toBe(buffers + 2); // first (with v and copy) and second
    v.assign(second);
    tf.dispose([first, second]);
    expect([...copy.dataSync()]).toEqual([1, 2, 3]); // assign swaps the variable's data, never writes it
    const again = tf.cast(copy, 'float32'); // a cast to its own dtype shares too
    expect(backend.numDataIds()).toBe(buffers + 2);
    copy.dispose();
    expect([...again.dataSync()]).toEqual([1, 2, 3]);
    const ints = tf.cast(again, 'int32'); // a real cast still converts
    expect(ints.dtype).toBe('int32');
    expect(backend.numDataIds()).toBe(buffers + 3);
    tf.dispose([again, ints]);
    v.dispose();
    expect(backend.numDataIds()).toBe(buffers);
  });
});
