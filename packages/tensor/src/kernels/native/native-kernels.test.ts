// The oneDNN kernels against the cpu backend's reference, and proof that they (not the wasm kernels
// behind them) ran. kernels.test.ts runs its wider shape set through them too whenever the addon is
// built; with UGP_NATIVE=0 it tests the wasm kernels alone. Skipped only when the addon is not built.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.js';
import { Adam } from '../../nn/adam.js';
import { Rng } from '../../rng.js';
import { ADAM_UPDATE } from './adam.js';
import { NATIVE_KERNELS, nativeCalls, nativeKernelStatus, withPortableKernels } from './index.js';

const TOLERANCE = 1e-4;
const rng = new Rng(20261203);
const status = nativeKernelStatus();

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

/** Max |wasm − cpu| over max |cpu| for every output of f, on the same seeded inputs. */
async function relativeError(f: (...xs: tf.Tensor[]) => tf.Tensor[], shapes: number[][]): Promise<number> {
  const data = shapes.map((s) => rng.normalArray(tf.util.sizeFromShape(s)));
  const runOn = async (backend: string) => {
    await tf.setBackend(backend);
    const xs = shapes.map((s, i) => tf.tensor(data[i]!, s));
    const ys = tf.tidy(() => f(...xs));
    const out = ys.map((y) => ({ shape: y.shape, data: y.dataSync() }));
    tf.dispose([...xs, ...ys]);
    return out;
  };
  const ref = await runOn('cpu');
  const got = await runOn('wasm');
  let worst = 0;
  ref.forEach((r, o) => {
    expect(got[o]!.shape).toEqual(r.shape);
    let maxRef = 0;
    let maxDiff = 0;
    r.data.forEach((v, i) => {
      maxRef = Math.max(maxRef, Math.abs(v));
      maxDiff = Math.max(maxDiff, Math.abs(v - got[o]!.data[i]!));
    });
    worst = Math.max(worst, maxDiff / Math.max(maxRef, 1e-30));
  });
  return worst;
}

/** f's outputs and the gradients of a weighted sum of them with respect to every input. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor) {
  return (...xs: tf.Tensor[]) => {
    const y = f(...xs);
    const weight = tf.reshape(tf.sin(tf.range(0, y.size)), y.shape);
    return [y, ...tf.grads((...as: tf.Tensor[]) => tf.sum(tf.mul(f(...as), weight)))(xs)];
  };
}

/** Runs `body` and expects each of `kernels` to have run natively during it. */
async function expectNative(kernels: string[], body: () => Promise<void>): Promise<void> {
  const calls = (name: string) => nativeCalls.get(name)?.calls ?? 0;
  const before = kernels.map(calls);
  await body();
  for (const [i, name] of kernels.entries()) expect(calls(name), name).toBeGreaterThan(before[i]!);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const convCases: [string, number[], number, number, number, Pad][] = [
  ['3x3 same', [2, 9, 9, 3], 3, 4, 1, 'same'],
  ['3x3 stride 2 same', [2, 9, 9, 3], 3, 4, 2, 'same'],
  ['3x3 stride 2 valid, odd sizes', [1, 8, 7, 3], 3, 5, 2, 'valid'],
  ['1x1', [2, 7, 7, 5], 1, 6, 1, 'valid'],
  ['1x1 stride 2', [2, 9, 8, 3], 1, 4, 2, 'same'],
  [
    'explicit pads',
    [2, 11, 9, 3],
    3,
    4,
    2,
    [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  ],
  ['5x5 stride 2', [2, 13, 12, 3], 5, 2, 2, 'same'],
  ['NAFNet-sized 3x3 16 → 16', [2, 16, 16, 16], 3, 16, 1, 'same'],
  ['NAFNet-sized 1x1 8 → 16 (as a matmul)', [2, 32, 32, 8], 1, 16, 1, 'valid'],
];

describe.skipIf(!status.built || process.env.UGP_NATIVE === '0')('oneDNN kernels match cpu', () => {
  it('loaded and registered every kernel it serves', () => {
    expect(nativeKernelStatus()).toMatchObject({ built: true, loaded: true });
    for (const name of NATIVE_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });

  it.each(convCases)('conv2d %s and its gradients', async (_, x, k, out, stride, pad) => {
    const f = withGrads((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad));
    await expectNative(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'], async () => {
      expect(await relativeError(f, [x, [k, k, x[3]!, out]])).toBeLessThan(TOLERANCE);
    });
  });

  it.each([
    ['3x3', [2, 9, 9, 4], 3, 1, 1, 'same'],
    ['3x3 multiplier 2 stride 2', [1, 9, 8, 3], 3, 2, 2, 'valid'],
    ['5x5 batch 3', [3, 12, 11, 16], 5, 1, 1, 'same'],
  ] as const)('depthwiseConv2d %s and its gradients', async (_, x, k, m, stride, pad) => {
    const f = withGrads((a, w) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad));
    const kernels = [
      'DepthwiseConv2dNative',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
    ];
    await expectNative(kernels, async () => {
      expect(await relativeError(f, [[...x], [k, k, x[3], m]])).toBeLessThan(TOLERANCE);
    });
  });

  it('dilated depthwiseConv2d (forward; tfjs has no gradient for it)', async () => {
    const f = (a: tf.Tensor, w: tf.Tensor) => [
      tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    ];
    await expectNative(['DepthwiseConv2dNative'], async () => {
      expect(
        await relativeError(f, [
          [2, 10, 10, 8],
          [3, 3, 8, 1],
        ]),
      ).toBeLessThan(TOLERANCE);
    });
  });

  it.each(['linear', 'relu', 'leakyrelu'] as const)('fused conv2d with a bias and %s', async (activation) => {
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => [
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: b,
        activation,
        leakyreluAlpha: 0.1,
      }),
    ];
    await expectNative(['FusedConv2D'], async () => {
      expect(await relativeError(f, [[2, 8, 8, 3], [3, 3, 3, 5], [5]])).toBeLessThan(TOLERANCE);
    });
  });

  it.each([
    [[8, 5], [5, 7], false, false],
    [[5, 8], [5, 7], true, false],
    [[8, 5], [7, 5], false, true],
    [[3, 17, 9], [3, 9, 6], false, false],
    [[2, 9, 17], [2, 6, 9], true, true],
  ] as const)('matMul %j × %j (transposeA %s, transposeB %s) and its gradients', async (a, b, ta, tb) => {
    const f = withGrads((x, y) => tf.matMul(x!, y!, ta, tb));
    await expectNative(['BatchMatMul'], async () => {
      expect(await relativeError(f, [[...a], [...b]])).toBeLessThan(TOLERANCE);
    });
  });

  it('matMul with a broadcast batch', async () => {
    const f = (a: tf.Tensor, b: tf.Tensor) => [tf.matMul(a, b), tf.matMul(b, a, true, true)];
    await expectNative(['BatchMatMul'], async () => {
      expect(
        await relativeError(f, [
          [3, 17, 9],
          [1, 9, 6],
        ]),
      ).toBeLessThan(TOLERANCE);
    });
  });

  it.each([0.2, 0, 1.5])('leakyRelu with alpha %s and its gradient', async (alpha) => {
    const f = withGrads((x) => tf.leakyRelu(x!, alpha));
    await expectNative(['LeakyRelu'], async () => {
      expect(await relativeError(f, [[2, 7, 9, 5]])).toBeLessThan(TOLERANCE);
    });
  });

  // Shapes ≥ 2 × 32768 elements run on two threads; smaller ones on one.
  it.each([
    ['same shapes, threaded', [2, 64, 64, 8], [2, 64, 64, 8]],
    ['a channel vector', [2, 9, 9, 5], [5]],
    ['a [1, 1, 1, C] scale, threaded', [2, 64, 64, 8], [1, 1, 1, 8]],
    ['a per-image [N, 1, 1, C] attention', [3, 7, 6, 4], [3, 1, 1, 4]],
    ['a per-pixel [N, H, W, 1] statistic, threaded', [2, 64, 64, 8], [2, 64, 64, 1]],
    ['a 16-channel vector on the left', [16], [3, 5, 5, 16]],
    ['a per-pixel statistic on the left, 32 channels', [2, 8, 8, 1], [2, 8, 8, 32]],
    ['a 64-channel bias, threaded', [4, 32, 32, 64], [64]],
    ['rows of 300 (the general loop)', [4, 300], [300]],
    ['a scalar on the left', [], [2, 5, 3]],
    ['both broadcasting', [4, 1, 6], [1, 5, 1]],
    ['rank 5 that merges to 2', [2, 3, 4, 5, 6], [6]],
    ['rank 6 that does not merge (wasm fallback)', [2, 1, 3, 1, 2, 1], [1, 2, 1, 3, 1, 2]],
  ])('binary ops with %s and their gradients', async (_, a, b) => {
    const ops: [string, (x: tf.Tensor, y: tf.Tensor) => tf.Tensor][] = [
      ['Add', tf.add],
      ['Sub', tf.sub],
      ['Multiply', tf.mul],
      ['RealDiv', (x, y) => tf.div(x, tf.add(tf.abs(y), 0.5))],
      ['Maximum', tf.maximum],
      ['Minimum', tf.minimum],
      ['SquaredDifference', tf.squaredDifference],
    ];
    // tfjs' Maximum, Minimum and SquaredDifference gradients do not reduce over broadcast axes:
    // forward only there.
    const sameShape = tf.util.arraysEqual(a, b);
    for (const [name, op] of ops) {
      const f =
        sameShape || !['Maximum', 'Minimum', 'SquaredDifference'].includes(name)
          ? withGrads(op as (...xs: tf.Tensor[]) => tf.Tensor)
          : (x: tf.Tensor, y: tf.Tensor) => [op(x, y)];
      const run = () => relativeError(f as (...xs: tf.Tensor[]) => tf.Tensor[], [a, b]);
      if (a.length > 5) expect(await run(), name).toBeLessThan(TOLERANCE);
      else await expectNative([name], async () => expect(await run(), name).toBeLessThan(TOLERANCE));
    }
  });

  it.each([
    ['Square', tf.square],
    ['Sqrt', (x: tf.Tensor) => tf.sqrt(tf.abs(x))],
    ['Rsqrt', (x: tf.Tensor) => tf.rsqrt(tf.add(tf.abs(x), 0.1))],
    ['Neg', tf.neg],
    ['Step', (x: tf.Tensor) => tf.step(x, 0.3)],
    ['Exp', tf.exp],
    ['Abs', tf.abs],
    ['Reciprocal', (x: tf.Tensor) => tf.reciprocal(tf.add(tf.abs(x), 0.1))],
  ] as const)('%s, threaded and not', async (name, op) => {
    await expectNative([name], async () => {
      for (const shape of [
        [3, 5, 7],
        [2, 64, 64, 8],
      ])
        expect(await relativeError((x) => [op(x!)], [shape])).toBeLessThan(TOLERANCE);
    });
  });

  it('step keeps NaN, as tfjs does', async () => {
    await tf.setBackend('wasm');
    const y = tf.tidy(() => tf.step(tf.tensor1d([Number.NaN, -1, 0, 2]), 0.5).dataSync());
    expect([...y]).toEqual([Number.NaN, 0.5, 0.5, 1]);
  });

  it.each([
    ['the channels (a layer norm mean), threaded', [2, 64, 64, 8], 3, true],
    ['N, H, W (a bias gradient), threaded', [2, 64, 64, 8], [0, 1, 2], false],
    ['everything, threaded', [2, 64, 64, 8], undefined, false],
    ['H and W (channel attention)', [3, 7, 6, 4], [1, 2], true],
    ['a middle axis', [3, 5, 4], 1, false],
    ['axes around a size-1 one', [3, 1, 4, 2], [0, 2], false],
    ['negative axes', [3, 5, 4], [-1, -2], true],
  ] as const)('sum and mean over %s', async (_, shape, axis, keepDims) => {
    const axes = axis === undefined ? undefined : typeof axis === 'number' ? axis : [...axis];
    const f = (x: tf.Tensor) => [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
    await expectNative(['Sum', 'Mean'], async () => {
      expect(await relativeError(f, [[...shape]])).toBeLessThan(TOLERANCE);
    });
  });

  it('sums over axes that are not one run on the wasm kernel, still right', async () => {
    const f = (x: tf.Tensor) => [tf.sum(x, [0, 2]), tf.mean(x, [1, 3], true)];
    expect(await relativeError(f, [[3, 4, 5, 6]])).toBeLessThan(TOLERANCE);
  });

  it('fused Adam updates bit for bit like the thirteen separate kernels (cpu backend)', async () => {
    const shapes = [[3, 3, 4, 5], [5], [2, 64, 64, 8]];
    const init = shapes.map((s) => rng.normalArray(tf.util.sizeFromShape(s)));
    const gradients = [0, 1, 2].map(() => shapes.map((s) => rng.normalArray(tf.util.sizeFromShape(s))));
    const train = async (backend: string) => {
      await tf.setBackend(backend);
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(init[i]!, s), true, `adam-${backend}-${i}`));
      const adam = new Adam(
        vars.map((v, i) => [`p${i}`, v] as [string, tf.Variable]),
        { lr: 1e-3 },
      );
      for (const step of gradients) {
        const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(step[i]!, shapes[i])]));
        adam.step(grads);
        tf.dispose(Object.values(grads));
      }
      const state = [...vars, ...adam.stateTensors().values()].map((t) => [...t.dataSync()]);
      adam.dispose();
      tf.dispose(vars);
      return state;
    };
    const before = nativeCalls.get(ADAM_UPDATE)?.calls ?? 0;
    const reference = await train('cpu');
    const fused = await train('wasm');
    expect(tf.getKernel(ADAM_UPDATE, 'wasm')).toBeDefined();
    expect(fused).toEqual(reference);
    expect(before).toBe(0); // the Adam kernel does not go through nativeOrFallback
  });

  it('withPortableKernels runs Adam without the fused kernel, then restores it', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.ones([4]), true, 'portable-adam');
    const adam = new Adam([['p', v]], { lr: 1e-3 });
    const stepKernels = async () => {
      const grads = { [v.name]: tf.fill([4], 0.5) };
      const profile = await tf.profile(() => adam.step(grads));
      tf.dispose(Object.values(grads));
      return profile.kernels.map((k) => k.name);
    };
    const portable = await withPortableKernels(stepKernels);
    expect(portable).not.toContain(ADAM_UPDATE);
    expect(portable).toContain('Sqrt');
    expect(await stepKernels()).toEqual([ADAM_UPDATE]);
    adam.dispose();
    v.dispose();
  });

  it('repeats bit for bit (training is deterministic for a given thread count)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(rng.normalArray(2 * 32 * 32 * 16), [2, 32, 32, 16]);
    const w = tf.tensor4d(rng.normalArray(3 * 3 * 16 * 16), [3, 3, 16, 16]);
    const f = withGrads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
    const once = () =>
      tf.tidy(() => f(x, w)).map((t) => ({ data: t.dataSync(), dispose: () => t.dispose() }));
    const [first, second] = [once(), once()];
    for (const [i, out] of first.entries()) expect(second[i]!.data).toEqual(out.data);
    for (const out of [...first, ...second]) out.dispose();
    tf.dispose([x, w]);
  });

  it('never fell back after a oneDNN failure', () => {
    for (const [name, seen] of nativeCalls) expect(seen.failures, name).toBe(0);
  });
});
