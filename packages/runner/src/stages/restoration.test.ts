import * as tf from '@tensorflow/tfjs-core';
import { ARCH_PRESETS, type ArchConfig } from '@ugpnet/models';
import { initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from '../experiment/load.js';
import type { StageContext } from './context.js';
import { PretrainRegressionTrainer } from './pretrain-regression.js';
import { createRestorationModule, RestorationTrainer } from './restoration.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

function trainer(lrRegression: number | null): RestorationTrainer {
  const experiment = validateExperiment(
    {
      name: 'lr-test',
      arch: 'tiny-32',
      data: { size: 32 },
      stages: { restoration: { lr: 1e-3, lr_regression: lrRegression } },
    },
    'test',
  );
  const context = {
    experiment,
    arch: ARCH_PRESETS['tiny-32']!,
    rng: new Rng(1).fork('restoration'),
    priors: {},
    frozen: {},
    perceptual: {},
  } as unknown as StageContext;
  return new RestorationTrainer(context, experiment.stages.restoration);
}

/** Largest absolute change of R's and of the encoder's parameters over two steps. */
function changes(t: RestorationTrainer): { regression: number; encoder: number } {
  const entries = t.resmodule.namedParameters();
  const regression = new Set(t.resmodule.regressionNetwork().trainableVariables());
  const before = new Map(entries.map(([k, v]) => [k, v.dataSync().slice()]));
  const rng = new Rng(2);
  for (let i = 0; i < 2; i++) {
    const gt = tf.tensor4d(rng.uniformArray(2 * 32 * 32 * 3), [2, 32, 32, 3]);
    const lq = tf.tidy(() => tf.clipByValue(tf.add(gt, 0.05), 0, 1) as tf.Tensor4D);
    t.trainStep({ lq, gt });
    tf.dispose([lq, gt]);
  }
  const out = { regression: 0, encoder: 0 };
  for (const [k, v] of entries) {
    const after = v.dataSync();
    const prev = before.get(k)!;
    let d = 0;
    for (let i = 0; i < after.length; i++) d = Math.max(d, Math.abs(after[i]! - prev[i]!));
    const group = regression.has(v) ? 'regression' : 'encoder';
    out[group] = Math.max(out[group], d);
  }
  return out;
}

describe('RestorationTrainer lr_regression', () => {
  it('null: one optimizer over the whole module, as the reference', () => {
    const t = trainer(null);
    expect(Object.keys(t.optimizers)).toEqual(['resmodule']);
    const c = changes(t);
    expect(c.regression).toBeGreaterThan(0);
    expect(c.encoder).toBeGreaterThan(0);
    t.dispose();
  });

  it('0 freezes R while the encoder trains; a value gives R its own optimizer and lr', () => {
    const frozen = trainer(0);
    expect(Object.keys(frozen.optimizers)).toEqual(['resmodule']);
    const c = changes(frozen);
    expect(c.regression).toBe(0);
    expect(c.encoder).toBeGreaterThan(0);
    frozen.dispose();

    const slow = trainer(1e-5);
    expect(Object.keys(slow.optimizers)).toEqual(['resmodule', 'regression']);
    expect(slow.optimizers.regression!.lr).toBe(1e-5);
    expect(slow.optimizers.resmodule!.lr).toBe(1e-3);
    // Adam's first steps move each parameter by about lr: R's by ~1e-5, the encoder's by ~1e-3.
    const s = changes(slow);
    expect(s.regression).toBeGreaterThan(0);
    expect(s.regression).toBeLessThan(3e-5);
    expect(s.encoder).toBeGreaterThan(3e-4);
    slow.dispose();
  });
});

describe('the pretrained regression network R', () => {
  const tiny = ARCH_PRESETS['tiny-32']!;
  const rrdb: ArchConfig = {
    ...tiny,
    regression: { type: 'rrdb_x8', num_feat: 8, num_block: 1, num_grow_ch: 4 },
    residual_encoder: undefined,
  };

  it.each([
    ['nafnet', tiny],
    ['rrdb_x8', rrdb],
  ] as const)('%s: what pretrain-regression trains loads into the restoration module as its R', (_, arch) => {
    const experiment = validateExperiment({ name: 'r', arch: 'tiny-32', data: { size: 32 } }, 'test');
    const base = { experiment, arch, rng: new Rng(5), frozen: {}, perceptual: {} };
    const pretrain = new PretrainRegressionTrainer(
      { ...base, priors: {} } as unknown as StageContext,
      experiment.stages['pretrain-regression'],
    );
    const gt = tf.tensor4d(new Rng(6).uniformArray(32 * 32 * 3), [1, 32, 32, 3]);
    const scale = arch.regression.type === 'rrdb_x8' ? 8 : 1;
    const lq = tf.tidy(() => tf.image.resizeBilinear(gt, [32 / scale, 32 / scale]));
    pretrain.trainStep({ lq, gt });
    const trained = pretrain.network.torchStateDict();
    const prior = new Map(
      [...trained].map(([k, t]) => [k, { shape: t.shape, data: t.dataSync() as Float32Array }]),
    );
    const module = createRestorationModule({
      ...base,
      priors: { regression: prior },
    } as unknown as StageContext);
    const loaded = module.regressionNetwork().torchStateDict();
    expect([...loaded.keys()]).toEqual([...prior.keys()]);
    for (const [key, t] of prior) expect(loaded.get(key)!.dataSync()).toEqual(t.data);
    tf.dispose([gt, lq, ...trained.values(), ...loaded.values()]);
    module.dispose();
    pretrain.dispose();
  });
});
