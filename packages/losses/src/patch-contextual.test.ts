import * as tf from '@tensorflow/tfjs-core';
import { initBackend, pthStateDict, readPth } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { PatchContextualLoss } from './contextual.js';
import { createPatchContextualLoss } from './feature-nets.js';
import { goldenPath, goldenScalars, loadNhwc, maxAbsDiff } from './testing/golden.js';
import { vggFromStateDict } from './vgg.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describeGolden('PatchContextualLoss on golden/losses (narrow VGG19, 32 px patches)', () => {
  it('matches the relu3_4 patch features and the loss', async () => {
    const dict = pthStateDict(await readPth(goldenPath('losses', 'vgg19_narrow.pth')));
    const vgg = vggFromStateDict('vgg19', dict, { upTo: 'relu3_4' });
    const loss = new PatchContextualLoss(vgg, 'contextual', { patchSize: 32 });
    const x = loadNhwc('losses', 'pcx_x.npy') as tf.Tensor4D;
    const y = loadNhwc('losses', 'pcx_y.npy') as tf.Tensor4D;
    const fx = loss.features(x);
    const fy = loss.features(y);
    const refX = loadNhwc('losses', 'pcx_feat_x.npy');
    const refY = loadNhwc('losses', 'pcx_feat_y.npy');
    expect(fx.shape).toEqual([4, 8, 8, 32]);
    expect(maxAbsDiff(await fx.data(), await refX.data())).toBeLessThan(4.9e-4);
    expect(maxAbsDiff(await fy.data(), await refY.data())).toBeLessThan(5.3e-4);
    const value = loss.apply(x, y);
    const ref = goldenScalars('losses').patch_contextual_loss!;
    expect(Math.abs((await value.data())[0]! - ref)).toBeLessThan(1e-4 * ref + 1e-6);
    tf.dispose([fx, fy, refX, refY, value, x, y]);
    loss.dispose();
  });
});

describe('createPatchContextualLoss without pretrained files', () => {
  it('uses the proxy VGG19, marked contextual_proxy', async () => {
    const loss = createPatchContextualLoss({ weightsDir: null, proxyWidthDivisor: 8, patchSize: 16 });
    expect(loss.kind).toBe('contextual_proxy');
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const v = loss.apply(x, x);
    expect((await v.data())[0]).toBeLessThan(0.05);
    tf.dispose([x, v]);
    loss.dispose();
  });
});
