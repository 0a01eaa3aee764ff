import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareToGolden, goldenImage, goldenStateDict } from '../testing/golden.js';
import { HiNet } from './hinet.js';
import type { NafNet } from './nafnet.js';
import { buildRestorationModule, ResModule } from './restoration-module.js';
import { RrdbNetX8 } from './rrdb.js';

const NAF = { width: 8, middle_blk_num: 1, enc_blk_nums: [1, 1, 1, 1], dec_blk_nums: [1, 1, 1, 1] };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('restoration module builder', () => {
  it('builds ResModule with the official regression.* / encoder.* keys', () => {
    const m = buildRestorationModule({ regression: { type: 'nafnet', ...NAF } }, new Rng(1));
    expect(m).toBeInstanceOf(ResModule);
    const keys = new Map(m.namedEntries().map(([k, e]) => [k, e.torchShape]));
    expect(keys.size).toBe(198);
    expect(keys.get('regression.encoders.0.0.conv1.weight')).toEqual([16, 8, 1, 1]);
    expect(keys.get('encoder.merge_decoder.1.conv.2.bias')).toEqual([64]);
    expect(keys.get('encoder.input_encoder.conv.0.weight')).toEqual([8, 3, 3, 3]);
    expect(keys.get('encoder.to_img.body.0.weight')).toEqual([3, 64, 3, 3]);
    m.dispose();
  });

  it('builds the local NAFNet, HINet and RRDBNetX8 variants', () => {
    const local = buildRestorationModule(
      { regression: { type: 'nafnet_local', ...NAF, train_size: [1, 3, 32, 32] } },
      new Rng(2),
    ) as ResModule;
    expect((local.regression as NafNet).local?.base_size).toEqual([48, 48]);
    const hinet = buildRestorationModule({ regression: { type: 'hinet', wf: 8, depth: 2 } }, new Rng(3));
    expect((hinet as ResModule).regression).toBeInstanceOf(HiNet);
    expect((hinet as ResModule).encoder.chan).toBe(8);
    const rrdb = buildRestorationModule(
      { regression: { type: 'rrdb_x8', num_feat: 8, num_block: 1, num_grow_ch: 4 } },
      new Rng(4),
    );
    expect(rrdb).toBeInstanceOf(RrdbNetX8);
    expect(rrdb.featureChannels).toBe(8);
    for (const m of [local, hinet, rrdb]) m.dispose();
  });

  it('rejects a residual encoder whose chan differs from the regression width', () => {
    expect(() =>
      buildRestorationModule(
        { regression: { type: 'nafnet', ...NAF }, residual_encoder: { chan: 16 } },
        new Rng(5),
      ),
    ).toThrow(/chan \(16\) must equal the regression feature channels \(8\)/);
  });

  it('explains the multiple-of-16 requirement', () => {
    const m = buildRestorationModule({ regression: { type: 'nafnet', ...NAF } }, new Rng(6));
    const x = tf.zeros([1, 24, 32, 3]) as tf.Tensor4D;
    expect(() => m.restore(x)).toThrow(/multiples of 2\^levels/);
    x.dispose();
    m.dispose();
  });
});

describeGolden('ResModule golden parity (shared/golden/resmodule)', () => {
  it('I_output, F_res and F_regression match', async () => {
    const m = buildRestorationModule({ regression: { type: 'nafnet', ...NAF } }, new Rng(7)) as ResModule;
    m.loadTorchStateDict(await goldenStateDict('resmodule', 'resmodule.pth'), { source: 'resmodule.pth' });
    const x = goldenImage('resmodule', 'input');
    const { image, feature } = m.restore(x);
    const fReg = m.regression.applyFeature(x);
    for (const [name, t] of [
      ['I_output', image],
      ['F_res', feature],
      ['F_regression', fReg],
    ] as const) {
      const p = compareToGolden('resmodule', name, t);
      console.log(
        `resmodule/${name}: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)})`,
      );
      expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
    }
    tf.dispose([x, image, feature, fReg]);
    m.dispose();
  });
});
