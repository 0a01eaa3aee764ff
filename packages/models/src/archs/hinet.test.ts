import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToGolden, goldenImage, goldenStateDict } from '../testing/golden.js';
import { HiNet } from './hinet.js';

const GOLDEN = { in_chn: 3, wf: 8, depth: 3, relu_slope: 0.2, hin_position_left: 1, hin_position_right: 2 };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('HINet structure', () => {
  it('has the official keys, conv_02 included', () => {
    const net = new HiNet(GOLDEN, new Rng(1));
    const keys = new Map(net.namedEntries().map(([k, e]) => [k, e.torchShape]));
    expect(keys.size).toBe(110);
    expect(keys.get('conv_02.weight')).toEqual([8, 3, 3, 3]);
    expect(keys.get('up_path_1.0.up.weight')).toEqual([32, 16, 2, 2]);
    expect(keys.get('down_path_2.0.csff_enc.weight')).toEqual([8, 8, 3, 3]);
    expect(keys.get('down_path_1.1.norm.weight')).toEqual([8]);
    expect(keys.has('down_path_1.0.norm.weight')).toBe(false);
    expect(keys.get('down_path_1.0.downsample.weight')).toEqual([8, 8, 4, 4]);
    net.dispose();
  });

  it('rejects sizes that are not multiples of 2^(depth-1)', () => {
    const net = new HiNet(GOLDEN, new Rng(2));
    const x = tf.zeros([1, 18, 16, 3]) as tf.Tensor4D;
    expect(() => net.applyFeature(x)).toThrow(/divisible by 4/);
    x.dispose();
    net.dispose();
  });
});

describeGolden('HINet golden parity (shared/golden/hinet)', () => {
  it('out_1, out_2 and feature match', async () => {
    const net = new HiNet(GOLDEN, new Rng(3));
    net.loadTorchStateDict(await goldenStateDict('hinet', 'hinet.pth'), { source: 'hinet.pth' });
    const x = goldenImage('hinet', 'input');
    const [out1, out2] = net.apply(x);
    const feature = net.applyFeature(x);
    for (const [name, t] of [
      ['out_1', out1],
      ['out_2', out2],
      ['feature', feature],
    ] as const) {
      const p = compareToGolden('hinet', name, t);
      console.log(
        `hinet/${name}: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)})`,
      );
      expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
    }
    const all = net.applyAll(x);
    expect(tf.max(tf.abs(tf.sub(all.feature, feature))).dataSync()[0]).toBe(0);
    tf.dispose([x, out1, out2, feature, all.out_1, all.out_2, all.feature]);
    net.dispose();
  });
});
