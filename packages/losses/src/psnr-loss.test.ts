import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { l1Loss } from './l1.js';
import { psnrLoss } from './psnr-loss.js';
import { goldenScalars, loadNhwc } from './testing/golden.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describeGolden('psnrLoss on golden/losses', () => {
  it('matches PSNRLoss() and PSNRLoss(toY=True)', async () => {
    const ref = goldenScalars('losses');
    const pred = loadNhwc('losses', 'psnr_pred.npy') as tf.Tensor4D;
    const target = loadNhwc('losses', 'psnr_target.npy') as tf.Tensor4D;
    const rgb = psnrLoss(pred, target);
    const y = psnrLoss(pred, target, { toY: true });
    expect(Math.abs((await rgb.data())[0]! - ref.psnr_loss!)).toBeLessThan(
      1e-4 * Math.abs(ref.psnr_loss!) + 1e-6,
    );
    expect(Math.abs((await y.data())[0]! - ref.psnr_loss_toY!)).toBeLessThan(
      1e-4 * Math.abs(ref.psnr_loss_toY!) + 1e-6,
    );
    tf.dispose([pred, target, rgb, y]);
  });
});

describe('l1Loss / psnrLoss', () => {
  it('is minus the PSNR in dB for a known MSE', async () => {
    const a = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    const b = tf.fill([2, 4, 4, 3], 0.1) as tf.Tensor4D;
    const loss = psnrLoss(a, b);
    // MSE 0.01 → PSNR 20 dB (the 1e-8 moves it by 4e-6 dB).
    expect((await loss.data())[0]).toBeCloseTo(-20, 4);
    const l1 = l1Loss(a, b);
    expect((await l1.data())[0]).toBeCloseTo(0.1, 6);
    tf.dispose([a, b, loss, l1]);
  });
});
