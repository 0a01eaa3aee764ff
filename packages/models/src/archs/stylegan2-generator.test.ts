import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldenNhwc, goldenSection, maxAbsDiff, tolerance } from '../testing/synthesis-golden.js';
import { ModulatedConv, StyleGan2Generator } from './stylegan2-generator.js';

const BACKEND = (process.env.UGP_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';

beforeAll(async () => {
  await initBackend({ backend: BACKEND, log: null });
});

describeGolden('StyleGAN2 generator on golden/synmodule extras', () => {
  const load = async () => {
    // The golden generator weights, run with the official basecode_size 16.
    const g = new StyleGan2Generator(
      {
        out_size: 64,
        num_style_feat: 64,
        num_mlp: 2,
        channel_multiplier: 1,
        narrow: 0.25,
        basecode_size: 16,
      },
      new Rng(0),
    );
    g.loadTorchStateDict(await goldenSection('synmodule', 'synmodule.pth', 'generator'));
    return g;
  };

  it('gen_b16: basecode-16 injection uses latent[4…9] as the official layer indexing does', async () => {
    const g = await load();
    const basecode = goldenNhwc('synmodule', 'gen_b16_basecode');
    const latent = goldenNhwc<tf.Tensor3D>('synmodule', 'gen_b16_latent');
    const out = g.synthesize(latent, { basecode });
    for (const [name, ours] of [
      ['gen_b16_image', out.image],
      ['gen_b16_feature', out.feature],
    ] as const) {
      const err = maxAbsDiff(ours, goldenNhwc('synmodule', name));
      console.log(`${name}: max|err| ${err.toExponential(2)}`);
      expect(err, name).toBeLessThanOrEqual(tolerance('synmodule', name));
    }
    tf.dispose([basecode, latent, out]);
    g.dispose();
  });

  it('gen_z: z → style MLP → full synthesis, batch 2 (grouped modulated convs)', async () => {
    const g = await load();
    const z = goldenNhwc<tf.Tensor2D>('synmodule', 'gen_z_z');
    const out = g.apply(z);
    const err = maxAbsDiff(out.image, goldenNhwc('synmodule', 'gen_z_image'));
    console.log(`gen_z_image: max|err| ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(tolerance('synmodule', 'gen_z_image'));
    tf.dispose([z, out]);
    g.dispose();
  });
});

describe('ModulatedConv', () => {
  it.each([null, 'upsample', 'downsample'] as const)(
    'on a batch equals running each sample alone (per-sample weights; %s)',
    (mode) => {
      const rng = new Rng(3);
      const conv = new ModulatedConv(5, 4, 3, 6, rng, { sample_mode: mode });
      const x = tf.tensor4d(rng.normalArray(3 * 8 * 8 * 5), [3, 8, 8, 5]);
      const style = tf.tensor2d(rng.normalArray(3 * 6), [3, 6]);
      const batched = conv.apply(x, style);
      const single = tf.concat(
        [0, 1, 2].map((i) =>
          conv.apply(tf.slice(x, [i, 0, 0, 0], [1, 8, 8, 5]), tf.slice(style, [i, 0], [1, 6]) as tf.Tensor2D),
        ),
      );
      const size = mode === 'upsample' ? 16 : mode === 'downsample' ? 4 : 8;
      expect(batched.shape).toEqual([3, size, size, 4]);
      expect(maxAbsDiff(batched, single)).toBeLessThan(1e-5);
      tf.dispose([x, style, batched]);
      conv.dispose();
    },
  );
});

describe('StyleGan2Generator configuration', () => {
  it('captures F_G at the final resolution for any out_size and rejects bad sizes', () => {
    const g = new StyleGan2Generator(
      { out_size: 32, num_style_feat: 8, num_mlp: 1, narrow: 1 / 64, basecode_size: 8 },
      new Rng(1),
    );
    expect(g.numLatent).toBe(8);
    expect(g.noiseBuffers.map((n) => n.shape[1])).toEqual([4, 8, 8, 16, 16, 32, 32]);
    const z = tf.zeros([2, 8]) as tf.Tensor2D;
    const out = g.apply(tf.add(z, 1) as tf.Tensor2D);
    expect(out.image.shape).toEqual([2, 32, 32, 3]);
    expect(out.feature.shape).toEqual([2, 32, 32, g.featureChannels]);
    tf.dispose([z, out]);
    g.dispose();
    expect(() => new StyleGan2Generator({ out_size: 48 }, new Rng(1))).toThrow(/out_size/);
    expect(() => new StyleGan2Generator({ out_size: 64, basecode_size: 128 }, new Rng(1))).toThrow(
      /basecode_size/,
    );
  });
});
