import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextualLoss, makePatches } from './contextual.js';
import { goldenScalars, loadNhwc } from './testing/golden.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const within = (value: number, ref: number) =>
  expect(Math.abs(value - ref)).toBeLessThan(1e-4 * Math.abs(ref) + 1e-6);

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

describeGolden('contextualLoss on golden/losses', () => {
  it('matches contextual_loss at band widths 0.5 and 0.1 and at batch 2', async () => {
    const ref = goldenScalars('losses');
    const [x, y, x2, y2] = ['cx_x', 'cx_y', 'cx_x_b2', 'cx_y_b2'].map(
      (n) => loadNhwc('losses', `${n}.npy`) as tf.Tensor4D,
    ) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    within(await scalar(contextualLoss(x, y)), ref.contextual_loss!);
    within(await scalar(contextualLoss(x, y, { bandWidth: 0.1 })), ref['contextual_loss_bw0.1']!);
    within(await scalar(contextualLoss(x2, y2, { bandWidth: 0.5 })), ref.contextual_loss_b2!);
    // The plain Eq. 3 variant is a different number (no arg-max weighting).
    const plain = await scalar(contextualLoss(x, y, { variant: 'plain' }));
    expect(Math.abs(plain - ref.contextual_loss!)).toBeGreaterThan(1e-3);
    tf.dispose([x, y, x2, y2]);
  });
});

describe('contextualLoss', () => {
  it('is near −log(1) for identical feature maps and larger for shuffled ones', async () => {
    const x = tf.randomNormal([1, 4, 4, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const same = await scalar(contextualLoss(x, x, { variant: 'plain' }));
    const flipped = tf.reverse(x, 3) as tf.Tensor4D;
    const other = await scalar(contextualLoss(x, flipped, { variant: 'plain' }));
    expect(same).toBeLessThan(0.05);
    expect(other).toBeGreaterThan(same);
    tf.dispose([x, flipped]);
  });
});

describe('makePatches', () => {
  it('orders patches (row, col, batch) and drops the remainder like torch.unfold', async () => {
    // Image b has value 100·b + 10·row + col at the top-left pixel of each 2×2 patch.
    const data: number[] = [];
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < 5; h++) for (let w = 0; w < 4; w++) data.push(100 * b + 10 * (h >> 1) + (w >> 1));
    const x = tf.tensor4d(data, [2, 5, 4, 1]);
    const p = makePatches(x, 2);
    expect(p.shape).toEqual([8, 2, 2, 1]);
    const corners = tf.squeeze(tf.slice(p, [0, 0, 0, 0], [8, 1, 1, 1]));
    expect(Array.from(await corners.data())).toEqual([0, 100, 1, 101, 10, 110, 11, 111]);
    tf.dispose([x, p, corners]);
  });
});
