// The gather-based Transform (registered on tfjs-node's backend, which lacks one) against wasm's
// own Transform kernel, on the transforms the synthesis augmentation makes. Here it is registered
// on the cpu backend, so tf.image.transform runs through the real kernel function.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { Rng } from '../rng.js';
import { replaceKernel } from './ops-kernel.js';
import { transformGatherConfig } from './transform-gather.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  replaceKernel(transformGatherConfig('cpu'));
});

/** Inverse affine map about the centre (the augmentation's own formula) as tf's 8 coefficients. */
function affine(scale: number, angleDeg: number, tx: number, ty: number, size: number): number[] {
  const rad = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(rad) / scale;
  const sin = Math.sin(rad) / scale;
  const c = (size - 1) / 2;
  const ox = c + tx;
  const oy = c + ty;
  return [cos, sin, c - cos * ox - sin * oy, -sin, cos, c + sin * ox - cos * oy, 0, 0];
}

async function transformOn(backend: string, image: Float32Array, transforms: number[][], size: number) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(image, [transforms.length, size, size, 3]);
  const t = tf.tensor2d(transforms);
  const out = tf.image.transform(x, t, 'nearest', 'constant', 0);
  const data = out.dataSync().slice();
  tf.dispose([x, t, out]);
  return data;
}

describe('Transform by gather', () => {
  it.each([
    ['scale', [affine(0.9, 0, 0, 0, 17), affine(1.1, 0, 0, 0, 17)]],
    ['translate', [affine(1, 0, 4, -2, 17), affine(1, 0, -5, 3, 17)]],
    ['rotate', [affine(1, 5, 0, 0, 17), affine(1, -3, 0, 0, 17)]],
    ['half-pixel shifts (rounding ties)', [affine(1, 0, 0.5, -0.5, 17), affine(1, 0, -1.5, 2.5, 17)]],
  ])('%s: equals wasm’s Transform, per image of the batch', async (_, transforms) => {
    const size = 17;
    const image = new Rng(7).uniformArray(transforms.length * size * size * 3);
    const want = await transformOn('wasm', image, transforms, size);
    const before = tf.memory().numTensors;
    const got = await transformOn('cpu', image, transforms, size);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(got)).toEqual(Array.from(want));
    // Some pixels are filled (outside the source) and most are moved, not copied in place.
    expect(got.some((v) => v === 0)).toBe(transforms[0]![0] !== 1 || transforms[0]![2] !== 0);
  });

  it('refuses modes it does not implement, naming them', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const t = tf.tensor2d([[1, 0, 0, 0, 1, 0, 0, 0]]);
    expect(() => tf.image.transform(x, t, 'bilinear')).toThrow(/'nearest' with fillMode 'constant' only/);
    tf.dispose([x, t]);
  });
});
