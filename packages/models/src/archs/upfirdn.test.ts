import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeResampleKernel,
  resampleKernel2d,
  UpFirDnSmooth,
  UpFirDnUpsample,
  upfirdn2d,
} from './upfirdn.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

/** basicsr upfirdn2d_native, one channel, written out loop by loop. */
function naive(
  x: Float32Array,
  h: number,
  w: number,
  k2d: Float32Array,
  k: number,
  up: number,
  down: number,
  p0: number,
  p1: number,
) {
  const uh = h * up;
  const uw = w * up;
  const ph = uh + p0 + p1;
  const pw = uw + p0 + p1;
  const at = (i: number, j: number) => {
    const ui = i - p0;
    const uj = j - p0;
    if (ui < 0 || uj < 0 || ui >= uh || uj >= uw || ui % up || uj % up) return 0;
    return x[(ui / up) * w + uj / up]!;
  };
  const oh = Math.floor((ph - k) / down) + 1;
  const ow = Math.floor((pw - k) / down) + 1;
  const out = new Float32Array(oh * ow);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) {
      let acc = 0;
      // conv2d with the flipped kernel = correlation with flip(k)
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++)
          acc += at(i * down + a, j * down + b) * k2d[(k - 1 - a) * k + (k - 1 - b)]!;
      out[i * ow + j] = acc;
    }
  return { out, oh, ow };
}

describe('upfirdn2d', () => {
  it.each([
    [1, 1, 2, 1],
    [2, 1, 2, 1],
    [1, 2, 1, 1],
    [2, 1, -1, 2],
    [1, 2, 2, 2],
  ])('matches the reference loop (up %i, down %i, pad %i/%i)', (up, down, p0, p1) => {
    const rng = new Rng(up * 10 + down);
    const h = 7;
    const w = 7;
    const x = rng.normalArray(h * w);
    const kernel = makeResampleKernel([1, 3, 3, 1], up * up);
    const ref = naive(x, h, w, resampleKernel2d(kernel), 4, up, down, p0, p1);
    // Two channels with the same data: the FIR is per channel.
    const input = tf.tidy(() => tf.tile(tf.tensor4d(x, [1, h, w, 1]), [1, 1, 1, 2]) as tf.Tensor4D);
    const ours = upfirdn2d(input, kernel, up, down, [p0, p1]);
    expect(ours.shape).toEqual([1, ref.oh, ref.ow, 2]);
    const data = ours.dataSync();
    let err = 0;
    for (let i = 0; i < ref.out.length; i++)
      err = Math.max(err, Math.abs(data[2 * i]! - ref.out[i]!), Math.abs(data[2 * i + 1]! - ref.out[i]!));
    expect(err).toBeLessThan(1e-5);
    tf.dispose([input, ours]);
  });

  it('gives the ×2 / ÷2 sizes the StyleGAN2 wrappers rely on', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
      expect(new UpFirDnUpsample([1, 3, 3, 1]).apply(x).shape).toEqual([1, 16, 16, 3]);
      // After a 3×3 transposed conv (2H+1) the smooth brings it back to 2H.
      expect(
        new UpFirDnSmooth([1, 3, 3, 1], 2, 1, 3).apply(tf.zeros([1, 17, 17, 3]) as tf.Tensor4D).shape,
      ).toEqual([1, 16, 16, 3]);
      // Before a stride-2 3×3 conv: H + 1, so that the conv gives H/2.
      expect(new UpFirDnSmooth([1, 3, 3, 1], 1, 2, 3).apply(x).shape).toEqual([1, 9, 9, 3]);
    });
  });
});
