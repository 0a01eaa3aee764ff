import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToGolden, goldenImage, goldenStateDict } from '../testing/golden.js';
import { RrdbNetX8 } from './rrdb.js';

const GOLDEN = { num_in_ch: 3, num_out_ch: 3, scale: 8, num_feat: 16, num_block: 2, num_grow_ch: 8 };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('RRDBNetX8', () => {
  it('has the official keys and upsamples ×8', () => {
    const net = new RrdbNetX8({ num_feat: 8, num_block: 1, num_grow_ch: 4 }, new Rng(1));
    const keys = new Map(net.namedEntries().map(([k, e]) => [k, e.torchShape]));
    expect(keys.size).toBe(7 * 2 + 3 * 5 * 2);
    expect(keys.get('body.0.rdb3.conv5.weight')).toEqual([8, 24, 3, 3]);
    expect(keys.get('conv_up3.weight')).toEqual([8, 8, 3, 3]);
    const x = tf.zeros([1, 4, 6, 3]) as tf.Tensor4D;
    const { image, feature } = net.restore(x);
    expect(image.shape).toEqual([1, 32, 48, 3]);
    expect(feature.shape).toEqual([1, 32, 48, 8]);
    tf.dispose([x, image, feature]);
    net.dispose();
  });

  it('rejects scales other than 8', () => {
    expect(() => new RrdbNetX8({ scale: 4, num_feat: 4, num_block: 1, num_grow_ch: 4 }, new Rng(2))).toThrow(
      /scale must be 8/,
    );
  });
});

describeGolden('RRDBNetX8 golden parity (shared/golden/rrdb)', () => {
  it('output and feature match', async () => {
    const net = new RrdbNetX8(GOLDEN, new Rng(3));
    net.loadTorchStateDict(await goldenStateDict('rrdb', 'rrdbnet_x8.pth'), { source: 'rrdbnet_x8.pth' });
    const x = goldenImage('rrdb', 'input');
    const { image, feature } = net.restore(x);
    for (const [name, t] of [
      ['output', image],
      ['feature', feature],
    ] as const) {
      const p = compareToGolden('rrdb', name, t);
      console.log(
        `rrdb/${name}: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)})`,
      );
      expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
    }
    tf.dispose([x, image, feature]);
    net.dispose();
  });
});
