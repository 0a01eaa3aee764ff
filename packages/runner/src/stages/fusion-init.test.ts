// stages.fusion.fg_projection_init on the real FusionTrainer (tiny-32): `official` draws FusionNet's
// F_G projection like every other layer; `zero` (ours, for short runs) starts it at zero, so
// I_F = last(body(F_R)) at step 0, and the first step already gives F_G a share.
// stages.fusion.output_init: `restoration` (ours, for short runs) starts FusionNet's output conv as
// the frozen restoration module's image head and each ResBlock as a ReLU (second conv at zero).
import * as tf from '@tensorflow/tfjs-core';
import { createLpips, type Lpips } from '@ugpnet/losses';
import { type ResModule, resolveArch } from '@ugpnet/models';
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

function trainer(
  fgProjectionInit?: 'official' | 'zero',
  outputInit?: 'official' | 'restoration',
): FusionTrainer {
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
          ...(outputInit ? { output_init: outputInit } : {}),
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

describe('stages.fusion.output_init', () => {
  const head = (t: FusionTrainer) => (t.resmodule as ResModule).encoder.to_img.conv;
  const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

  it('defaults to the official draw (an output conv of its own, non-zero ResBlocks)', () => {
    const t = trainer();
    try {
      expect(t.fusion.last.weight.shape).toEqual(head(t).weight.shape);
      expect(diff(t.fusion.last.weight, head(t).weight)).toBeGreaterThan(0);
      expect(maxAbs(t.fusion.body.items[0]!.conv2.weight)).toBeGreaterThan(0);
    } finally {
      t.dispose();
    }
  });

  it('restoration: the output conv starts as the image head, each ResBlock as a ReLU; one step trains them', () => {
    const t = trainer(undefined, 'restoration');
    const [lq, gt] = [images(3), images(4)];
    try {
      expect(diff(t.fusion.last.weight, head(t).weight)).toBe(0);
      expect(diff(t.fusion.last.bias!, head(t).bias!)).toBe(0);
      for (const block of t.fusion.body.items) expect(maxAbs(block.conv2.weight)).toBe(0);
      // At step 0: I_F = head(relu(conv(F_G) + F_R)).
      const { I_F: iF } = t.infer(lq);
      const expected = tf.tidy(() => {
        const { feature: fR } = t.resmodule.restore(lq);
        const { feature: fG } = t.synmodule.apply(t.resmodule.apply(lq));
        return head(t).apply(tf.relu(tf.add(t.fusion.conv.apply(fG), fR)) as tf.Tensor4D);
      });
      expect(diff(iF!, expected)).toBeLessThan(1e-5);
      tf.dispose([iF!, expected]);
      const headBefore = head(t).weight.clone();
      t.beforeStep(1);
      t.trainStep({ lq, gt });
      expect(maxAbs(t.fusion.body.items[0]!.conv2.weight)).toBeGreaterThan(0);
      expect(diff(t.fusion.last.weight, headBefore)).toBeGreaterThan(0);
      // The frozen restoration module's head is a copy's source, not trained.
      expect(diff(head(t).weight, headBefore)).toBe(0);
      headBefore.dispose();
    } finally {
      t.dispose();
      tf.dispose([lq, gt]);
    }
  });
});
