import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToGolden, goldenImage, goldenStateDict } from '../testing/golden.js';
import { createNafNetLocal, localAvgPool, NafNet } from './nafnet.js';

const GOLDEN = { width: 8, middle_blk_num: 1, enc_blk_nums: [1, 1, 1, 1], dec_blk_nums: [1, 1, 1, 1] };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('NAFNet structure', () => {
  it('has the official state-dict keys and shapes', () => {
    const net = new NafNet(GOLDEN, new Rng(1));
    const keys = new Map(net.namedEntries().map(([k, e]) => [k, e.torchShape]));
    expect(keys.size).toBe(178);
    expect(keys.get('encoders.0.0.conv1.weight')).toEqual([16, 8, 1, 1]);
    expect(keys.get('encoders.0.0.conv2.weight')).toEqual([16, 1, 3, 3]);
    expect(keys.get('encoders.3.0.sca.1.weight')).toEqual([64, 64, 1, 1]);
    expect(keys.get('middle_blks.0.beta')).toEqual([1, 128, 1, 1]);
    expect(keys.get('ups.0.0.weight')).toEqual([256, 128, 1, 1]);
    expect(keys.get('downs.3.weight')).toEqual([128, 64, 2, 2]);
    expect(keys.has('ups.0.0.bias')).toBe(false);
    net.dispose();
  });

  it('pads to a multiple of 16 for the feature and crops the image', () => {
    const net = new NafNet(GOLDEN, new Rng(2));
    const x = tf.randomUniform([1, 20, 36, 3]) as tf.Tensor4D;
    const { image, feature } = net.applyWithFeature(x);
    expect(image.shape).toEqual([1, 20, 36, 3]);
    expect(feature.shape).toEqual([1, 32, 48, 8]);
    tf.dispose([x, image, feature]);
    net.dispose();
  });

  it('local box mean equals an explicit window average', () => {
    const x = tf.randomNormal([1, 7, 9, 2]) as tf.Tensor4D;
    const pooled = localAvgPool([3, 4])(x);
    const ref = tf.avgPool(x, [3, 4], 1, 'valid'); // 5 × 6 valid windows
    // replicate-padded back: top 1, bottom 1, left 1, right 2
    const inner = tf.slice(pooled, [0, 1, 1, 0], [1, 5, 6, 2]);
    expect(tf.max(tf.abs(tf.sub(inner, ref))).dataSync()[0]).toBeLessThan(1e-5);
    const corner = tf.slice(pooled, [0, 0, 8, 0], [1, 1, 1, 2]).dataSync();
    const refCorner = tf.slice(ref, [0, 0, 5, 0], [1, 1, 1, 2]).dataSync();
    for (let i = 0; i < corner.length; i++) expect(corner[i]).toBeCloseTo(refCorner[i]!, 5);
    tf.dispose([x, pooled, ref, inner]);
  });
  it('local box mean has the gradient of the explicit window average', () => {
    const x = tf.randomNormal([2, 6, 7, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([2, 6, 7, 3]);
    // kernel 3×4 → 4×4 valid windows, replicate-padded by (1, 1) rows and (1, 2) columns
    const explicit = (t: tf.Tensor4D) => {
      const v = tf.avgPool(t, [3, 4], 1, 'valid');
      const rows = tf.concat(
        [tf.slice(v, [0, 0, 0, 0], [-1, 1, -1, -1]), v, tf.slice(v, [0, 3, 0, 0], [-1, 1, -1, -1])],
        1,
      );
      return tf.concat(
        [
          tf.slice(rows, [0, 0, 0, 0], [-1, -1, 1, -1]),
          rows,
          tf.tile(tf.slice(rows, [0, 0, 3, 0], [-1, -1, 1, -1]), [1, 1, 2, 1]),
        ],
        2,
      );
    };
    const g1 = tf.grad((t) => tf.sum(tf.mul(localAvgPool([3, 4])(t as tf.Tensor4D), w)))(x);
    const g2 = tf.grad((t) => tf.sum(tf.mul(explicit(t as tf.Tensor4D), w)))(x);
    expect(g1.shape).toEqual(x.shape);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, w, g1, g2]);
  });
});

describeGolden('NAFNet golden parity (shared/golden/nafnet)', () => {
  let net: NafNet;
  let local: NafNet;
  beforeAll(async () => {
    const state = await goldenStateDict('nafnet', 'nafnet.pth');
    net = new NafNet(GOLDEN, new Rng(3));
    net.loadTorchStateDict(state, { source: 'nafnet.pth' });
    local = createNafNetLocal({ ...GOLDEN, train_size: [1, 3, 32, 32] }, new Rng(4));
    local.loadTorchStateDict(state, { source: 'nafnet.pth' });
  });

  const cases: Array<[string, string, () => NafNet, 'image' | 'feature']> = [
    ['input', 'image', () => net, 'image'],
    ['input', 'feature', () => net, 'feature'],
    ['input2', 'image2', () => net, 'image'],
    ['input2', 'feature2', () => net, 'feature'],
    ['input', 'local_image', () => local, 'image'],
    ['input', 'local_feature', () => local, 'feature'],
    ['input2', 'local_image2', () => local, 'image'],
  ];
  for (const [input, output, model, kind] of cases) {
    it(`${output} = ${kind}(${input})`, () => {
      const x = goldenImage('nafnet', input);
      const y = kind === 'image' ? model().apply(x) : model().applyFeature(x);
      const p = compareToGolden('nafnet', output, y);
      console.log(
        `nafnet/${output}: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)})`,
      );
      expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
      tf.dispose([x, y]);
    });
  }
});
