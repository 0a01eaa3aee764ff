import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { beforeAll, expect, it } from 'vitest';
import { goldenNhwc, goldenSection, maxAbsDiff, tolerance } from '../testing/synthesis-golden.js';
import { SynthesisModule, type SynthesisModuleOptions } from './synthesis-module.js';

const BACKEND = (process.env.UGP_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';

beforeAll(async () => {
  await initBackend({ backend: BACKEND, log: null });
});

/** golden/synmodule's constructor arguments (manifest.json `constructor`). */
export const GOLDEN_SYNMODULE: SynthesisModuleOptions = {
  generator: {
    out_size: 64,
    num_style_feat: 64,
    num_mlp: 2,
    channel_multiplier: 1,
    resample_kernel: [1, 3, 3, 1],
    lr_mlp: 0.01,
    narrow: 0.25,
    basecode_size: 32,
  },
  fencoder: { spatial_size: 64, encoder_input_size: 128 },
  wmodule: { in_c: 128, out_c: 64, wpdim: 10, spatial_size: 32 },
};

async function loadGolden(): Promise<SynthesisModule> {
  const syn = new SynthesisModule(GOLDEN_SYNMODULE, new Rng(0));
  for (const section of ['generator', 'fencoder', 'wmodule'] as const) {
    const dict = await goldenSection('synmodule', 'synmodule.pth', section);
    const target =
      section === 'generator' ? syn.generator : section === 'fencoder' ? syn.fencoder : syn.wmodule;
    target.loadTorchStateDict(dict, { source: `synmodule.pth[${section}]` });
  }
  return syn;
}

describeGolden('synthesis module on golden/synmodule', () => {
  it('reproduces basecode, w_input, detailcode, x_rec and g_feature', async () => {
    const syn = await loadGolden();
    const x = goldenNhwc('synmodule', 'input');
    const out = syn.forward(x);
    const cases: Array<[string, tf.Tensor]> = [
      ['basecode', out.basecode],
      ['w_input', out.wInput],
      ['detailcode', out.detailcode],
      ['x_rec', out.image],
      ['g_feature', out.feature],
    ];
    for (const [name, ours] of cases) {
      const err = maxAbsDiff(ours, goldenNhwc('synmodule', name));
      console.log(
        `synmodule ${name}: max|err| ${err.toExponential(2)} (tol ${tolerance('synmodule', name).toExponential(2)})`,
      );
      expect(err, name).toBeLessThanOrEqual(tolerance('synmodule', name));
    }
    expect(syn.featureChannels).toBe(64);
    tf.dispose([x, out]);
    syn.dispose();
  });

  it('maps the whole state dict by official key names and writes it back unchanged', async () => {
    const syn = await loadGolden();
    const dict = await goldenSection('synmodule', 'synmodule.pth', 'generator');
    const back = syn.generator.torchStateDict();
    expect([...back.keys()].sort()).toEqual([...dict.keys()].sort());
    for (const key of [
      'style_convs.3.modulated_conv.weight',
      'noises.noise5',
      'to_rgbs.3.bias',
      'constant_input.weight',
    ]) {
      const ref = dict.get(key)!;
      const ours = back.get(key)!;
      expect(ours.shape, key).toEqual(ref.shape);
      expect(Array.from(ours.dataSync()), key).toEqual(Array.from(ref.data));
    }
    const full = syn.torchStateDict();
    expect(full.has('fencoder.downblocks.1.bn.2.running_var')).toBe(true);
    expect(full.has('wmodule.linear.5.bias')).toBe(true);
    tf.dispose([...back.values(), ...full.values()]);
    syn.dispose();
  });

  it('uses stored noise by default and fresh noise from an Rng when randomizeNoise is on', async () => {
    const syn = await loadGolden();
    const x = goldenNhwc('synmodule', 'input');
    const fixed = syn.apply(x);
    syn.randomizeNoise = true;
    expect(() => syn.apply(x)).toThrow(/Rng/);
    const a = syn.apply(x, new Rng(5));
    const b = syn.apply(x, new Rng(5));
    const c = syn.apply(x, new Rng(6));
    expect(maxAbsDiff(a.image, b.image.clone())).toBe(0);
    expect(maxAbsDiff(a.image, c.image.clone())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(a.image, fixed.image.clone())).toBeGreaterThan(1e-3);
    tf.dispose([x, fixed, a, b, c]);
    syn.dispose();
  });
});
