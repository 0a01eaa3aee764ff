// stages.fusion.fg_projection_init on the real FusionTrainer (tiny-32): `official` draws FusionNet's
// F_G projection like every other layer; `zero` (ours, for short runs) starts it at zero, so
// I_F = last(body(F_R)) at step 0, and the first step already gives F_G a share.
import * as tf from '@tensorflow/tfjs-core';
import { createLpips, type Lpips } from '@ugpnet/losses';
import { resolveArch } from '@ugpnet/models';
import { initBackend, type Module, Rng, type TorchTensor } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from '../experiment/load.js';
import { stateDictOf } from '../testing/state-dict.js';
import { FusionTrainer } from './fusion.js';
import { createRestorationModule } from './restoration.js';
import { createSynthesisModule } from './synthesis.js';

let lpips: Lpips;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  lpips = createLpips({ weightsDir: null, proxyWidthDivisor: 16 });
});

afterAll(() => lpips.dispose());

/** A fresh module's weights (the module is disposed). */
function stateDict(module: Module): Map<string, TorchTensor> {
  const weights = stateDictOf(module);
  module.dispose();
  return weights;
}

function trainer(fgProjectionInit?: 'official' | 'zero'): FusionTrainer {
  const experiment = validateExperiment(
    {
      name: 'fusion-init',
      arch: 'tiny-32',
      data: { size: 32, batch_size: 2 },
      perceptual: { allow_proxy: true },
      stages: {
        fusion: {
          lpips_size: null,
          contextual_weight: 0,
          ...(fgProjectionInit ? { fg_projection_init: fgProjectionInit } : {}),
        },
      },
    },
    'test',
  );
  const arch = resolveArch('tiny-32');
  const base = { experiment, arch, rng: new Rng(5), priors: {}, frozen: {}, perceptual: { lpips } };
  const frozen = {
    restoration: stateDict(createRestorationModule(base)),
    synthesis: stateDict(createSynthesisModule(base)),
  };
  return new FusionTrainer({ ...base, frozen }, experiment.stages.fusion);
}

const maxAbs = (v: tf.Variable) => tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]!);
const images = (seed: number) => tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('stages.fusion.fg_projection_init', () => {
  it('defaults to the official draw (a non-zero F_G projection)', () => {
    const t = trainer();
    try {
      expect(maxAbs(t.fusion.conv.weight)).toBeGreaterThan(0);
    } finally {
      t.dispose();
    }
  });

  it('zero: I_F starts from F_R alone, and one step gives F_G a share', () => {
    const t = trainer('zero');
    const [lq, gt] = [images(1), images(2)];
    try {
      expect(maxAbs(t.fusion.conv.weight)).toBe(0);
      const { I_F: iF } = t.infer(lq);
      const fromFR = tf.tidy(() => {
        const { feature: fR } = t.resmodule.restore(lq);
        const { feature: fG } = t.synmodule.apply(t.resmodule.apply(lq));
        return t.fusion.apply(tf.zerosLike(fG) as tf.Tensor4D, fR);
      });
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(iF!, fromFR))).dataSync()[0]!)).toBeLessThan(1e-6);
      tf.dispose([iF!, fromFR]);
      const before = tf.memory().numTensors;
      t.beforeStep(1);
      t.trainStep({ lq, gt });
      expect(tf.memory().numTensors).toBe(before);
      expect(maxAbs(t.fusion.conv.weight)).toBeGreaterThan(0);
    } finally {
      t.dispose();
      tf.dispose([lq, gt]);
    }
  });
});
