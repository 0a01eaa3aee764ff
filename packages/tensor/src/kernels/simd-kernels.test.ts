// The committed SIMD binaries are what wasm/simd-kernels.wat assembles to, and the filter gradients
// they hold agree with the XNNPACK-built path they replace on shapes that reach every tile of the
// row walk (channel blocks of 16/8/4/1, taps cut by the image border, strides), on one thread and
// split over all of them. (Their Sum is checked against cpu in kernels.test.ts.)
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleAll } from '../../scripts/assemble-wasm.mjs';
import { activeBackend, initBackend } from '../backend.js';
import { Rng } from '../rng.js';
import { conv2dFilterGrad, convGeometry, depthwiseFilterGrad } from './conv-gradients.js';
import { convFilterGradSimd, depthwiseFilterGradSimd } from './simd-filter-grad.js';
import { simdKernelsBinary, startSimdThreads } from './simd-module.js';
import type { WasmHeapBackend } from './wasm-heap.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('wasm/simd-kernels binaries', () => {
  it('match their WebAssembly text (run `npm run build:wasm -w @ugpnet/tensor` after editing it)', async () => {
    const outputs = await assembleAll();
    expect(outputs.length).toBe(2);
    for (const { path, bytes } of outputs) {
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes)), path).toBe(true);
    }
  });
});

const rng = new Rng(5150);

function relativeDiff(got: tf.Tensor, want: tf.Tensor): number {
  return tf.tidy(
    () => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]! / tf.max(tf.abs(want)).dataSync()[0]!,
  );
}

type Case = [string, [number, number, number, number], number, number, number, 'same' | 'valid', number];

/** The SIMD gradient of a random x and dy against the convolution-built one, same geometry. */
function expectSimdMatches(depthwise: boolean, [, shape, k, out, stride, pad, dilation]: Case): void {
  const filterShape: [number, number, number, number] = [k, k, shape[3], depthwise ? 1 : out];
  const g = convGeometry(shape, filterShape, stride, dilation, pad, undefined, depthwise);
  const x = tf.tensor4d(rng.normalArray(shape.reduce((a, b) => a * b)), shape);
  const dyShape: [number, number, number, number] = [shape[0], g.outHeight, g.outWidth, out];
  const dy = tf.tensor4d(rng.normalArray(dyShape.reduce((a, b) => a * b)), dyShape);
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const want = depthwise ? depthwiseFilterGrad(x, dy, g, 1) : conv2dFilterGrad(x, dy, g);
  const info = (depthwise ? depthwiseFilterGradSimd : convFilterGradSimd)(backend, x, dy, g);
  const got = tf.engine().makeTensorFromTensorInfo(info);
  expect(got.shape).toEqual(filterShape);
  expect(relativeDiff(got, want)).toBeLessThan(1e-5);
  tf.dispose([x, dy, want, got]);
}

describe('SIMD filter gradients equal the convolution-built ones', () => {
  // [label, x shape, kernel, out channels, stride, pad, dilation]
  const dense: Case[] = [
    ['3x3 same, 8+4 output and 4+2 input blocks', [2, 9, 10, 6], 3, 12, 1, 'same', 1],
    ['3x3 s2 same', [2, 9, 10, 6], 3, 16, 2, 'same', 1],
    ['5x5 s2 valid, 3 input channels', [1, 13, 11, 3], 5, 8, 2, 'valid', 1],
    ['1x1, one output block of 4', [3, 5, 7, 9], 1, 4, 1, 'valid', 1],
  ];
  it.each(dense)('conv %s', (...c) => expectSimdMatches(false, c));

  const depthwise: Case[] = [
    ['3x3 same, 16+4+3 channels', [2, 9, 10, 23], 3, 23, 1, 'same', 1],
    ['3x3 s2 same, 32 channels', [1, 9, 9, 32], 3, 32, 2, 'same', 1],
    ['3x3 dilation 2, 5 channels', [2, 11, 9, 5], 3, 5, 1, 'same', 2],
    ['5x5 valid, 20 channels', [1, 12, 13, 20], 5, 20, 1, 'valid', 1],
  ];
  it.each(depthwise)('depthwise %s', (...c) => expectSimdMatches(true, c));
});

describe('filter gradients on every wasm thread', () => {
  it('use as many threads as the backend, and split rows without changing the result', async () => {
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const threads = activeBackend()!.threads;
    expect(await startSimdThreads(backend, threads)).toBe(threads);
    // Above the threading threshold (1.1M and 54M multiply-adds), rows not divisible by 2 or 3.
    const shape: [number, number, number, number] = [1, 65, 40, 48];
    const x = tf.tensor4d(rng.normalArray(shape.reduce((a, b) => a * b)), shape);
    const dy = tf.tensor4d(rng.normalArray(65 * 40 * 48), [1, 65, 40, 48]);
    const dense = convGeometry(shape, [3, 3, 48, 48], 1, 1, 'same', undefined, false);
    const depthwise = convGeometry(shape, [3, 3, 48, 1], 1, 1, 'same', undefined, true);
    const pairs = [
      [convFilterGradSimd(backend, x, dy, dense), conv2dFilterGrad(x, dy, dense)],
      [depthwiseFilterGradSimd(backend, x, dy, depthwise), depthwiseFilterGrad(x, dy, depthwise, 1)],
    ] as const;
    for (const [info, want] of pairs) {
      const got = tf.engine().makeTensorFromTensorInfo(info);
      expect(relativeDiff(got, want)).toBeLessThan(1e-5);
      tf.dispose([got, want]);
    }
    tf.dispose([x, dy]);
  });
});

/** dW by the definition, in float64: the reference both binaries are held to. */
function naiveFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  [n, h, w, ci]: number[],
  [ho, wo, co]: number[],
  k: number,
  stride: number,
  pad: number,
  depthwise: boolean,
): Float64Array {
  const out = new Float64Array(k * k * ci * (depthwise ? 1 : co));
  for (let b = 0; b < n!; b++)
    for (let oy = 0; oy < ho!; oy++)
      for (let ox = 0; ox < wo!; ox++)
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const iy = oy * stride + ky - pad;
            const ix = ox * stride + kx - pad;
            if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
            for (let c = 0; c < ci!; c++) {
              const xv = x[((b * h! + iy) * w! + ix) * ci! + c]!;
              const dyPixel = ((b * ho! + oy) * wo! + ox) * co!;
              if (depthwise) out[(ky * k + kx) * ci! + c]! += xv * dy[dyPixel + c]!;
              else
                for (let o = 0; o < co!; o++)
                  out[((ky * k + kx) * ci! + c) * co! + o]! += xv * dy[dyPixel + o]!;
            }
          }
  return out;
}

describe.each([
  ['plain (single-threaded tfjs build)', false],
  ['shared (threaded tfjs build)', true],
] as const)('the %s binary on its own memory', (_, shared) => {
  const memory = shared
    ? new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true })
    : new WebAssembly.Memory({ initial: 4 });
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(simdKernelsBinary(shared)), {
    env: { memory },
  }).exports as unknown as Record<string, (...args: number[]) => void>;

  it.each([false, true])('depthwise %s: two row ranges sum to the whole filter gradient', (depthwise) => {
    const [n, h, w, ci, co, k, stride, pad] = [2, 7, 9, 13, depthwise ? 13 : 12, 3, 2, 1];
    const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
    const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
    const x = rng.normalArray(n * h * w * ci);
    const dy = rng.normalArray(n * ho * wo * co);
    const heap = new Float32Array(memory.buffer);
    const [xAt, dyAt] = [64, 64 + x.length];
    const outAt = dyAt + dy.length;
    heap.set(x, xAt);
    heap.set(dy, dyAt);
    const outSize = k * k * ci * (depthwise ? 1 : co);
    heap.fill(0, outAt, outAt + outSize);
    const rows = n * ho;
    const geometry = [k, k, stride, stride, 1, 1, pad, pad];
    for (const [row0, row1] of [
      [0, 5],
      [5, rows],
    ]) {
      if (depthwise)
        kernels.depthwiseFilterGrad!(
          4 * xAt,
          4 * dyAt,
          4 * outAt,
          h,
          w,
          ci,
          ho,
          wo,
          ...geometry,
          row0!,
          row1!,
        );
      else
        kernels.convFilterGrad!(
          4 * xAt,
          4 * dyAt,
          4 * outAt,
          h,
          w,
          ci,
          co,
          ho,
          wo,
          ...geometry,
          row0!,
          row1!,
        );
    }
    const want = naiveFilterGrad(x, dy, [n, h, w, ci], [ho, wo, co], k, stride, pad, depthwise);
    const got = heap.subarray(outAt, outAt + outSize);
    const scale = Math.max(...Array.from(want, Math.abs));
    const worst = Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!)));
    expect(worst / scale).toBeLessThan(1e-5);
  });
});
