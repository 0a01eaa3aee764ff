import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineTransform, PairAugmentation } from './augmentation.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

function ramp(b: number, h: number, w: number): tf.Tensor4D {
  return tf.tidy(
    () =>
      tf
        .range(1, b * h * w * 3 + 1)
        .div(b * h * w * 3)
        .reshape([b, h, w, 3]) as tf.Tensor4D,
  );
}

describe('pair augmentation', () => {
  const aug = new PairAugmentation();

  it('identity parameters give the identity transform', () => {
    const t = affineTransform({ kind: 'scale', scale: 1, tx: 0, ty: 0, angle: 0 }, 9, 7);
    expect(t.map((v) => Math.round(v * 1e9) / 1e9 + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('an integer translation shifts content right/down and fills 0', async () => {
    const x = ramp(1, 6, 8);
    const y = aug.apply(x, { kind: 'translate', scale: 1, tx: 2, ty: 1, angle: 0 });
    const src = (await x.array())[0]!;
    const out = (await y.array())[0]!;
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 8; c++) {
        const want = r >= 1 && c >= 2 ? src[r - 1]![c - 2]! : [0, 0, 0];
        expect(out[r]![c]).toEqual(want);
      }
    }
    tf.dispose([x, y]);
  });

  it("a positive angle turns the image clockwise (torchvision's F.affine convention)", async () => {
    const x = ramp(1, 5, 5);
    const y = aug.apply(x, { kind: 'rotate', scale: 1, tx: 0, ty: 0, angle: 90 });
    const src = (await x.array())[0]!;
    const out = (await y.array())[0]!;
    // clockwise by 90°: the top row becomes the right column, the bottom row the left column
    for (let i = 0; i < 5; i++) {
      expect(out[i]![4]).toEqual(src[0]![i]);
      expect(out[i]![0]).toEqual(src[4]![i]);
    }
    tf.dispose([x, y]);
  });

  it('cycles scale → translate → rotate by iteration within the reference ranges', () => {
    const kinds = [0, 1, 2, 3, 4, 5].map((it) => aug.params(it, 512, new Rng(it)).kind);
    expect(kinds).toEqual(['scale', 'translate', 'rotate', 'scale', 'translate', 'rotate']);
    for (let it = 0; it < 300; it++) {
      const p = aug.params(it, 256, new Rng(it));
      expect(p.scale).toBeGreaterThanOrEqual(7 / 8);
      expect(p.scale).toBeLessThanOrEqual(9 / 8);
      expect(Math.abs(p.tx)).toBeLessThanOrEqual(64);
      expect(Math.abs(p.ty)).toBeLessThanOrEqual(25);
      expect(Number.isInteger(p.angle) && Math.abs(p.angle) <= 5).toBe(true);
    }
  });

  it('applies the same transform to x_reg and gt, clamps to [0, 1], and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    for (let it = 0; it < 6; it++) {
      const gt = ramp(2, 16, 16);
      const xReg = tf.tidy(() => gt.mul(1.5).sub(0.1) as tf.Tensor4D);
      const [a, b, p] = aug.augmentPair(xReg, gt, it, new Rng(it));
      const clipped = tf.tidy(() => gt.mul(1.5).sub(0.1).clipByValue(0, 1) as tf.Tensor4D);
      const want = aug.apply(clipped, p);
      expect(a.shape).toEqual([2, 16, 16, 3]);
      expect(await a.data()).toEqual(await want.data());
      expect((await b.data()).every((v) => v >= 0 && v <= 1)).toBe(true);
      tf.dispose([gt, xReg, a, b, want, clipped]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
