// The synthesis step's order and bookkeeping on the real SynthesisTrainer (tiny-32): one D
// step per iteration with R1 folded into it, D's R1-iteration update equal to one hand-computed
// Adam step on the summed gradient, the generator's adversarial term against the updated D,
// and the stored noise buffers left alone.
import * as tf from '@tensorflow/tfjs-core';
import {
  createLpips,
  type Lpips,
  lazyR1Loss,
  logisticDLoss,
  nonSaturatingGLoss,
  r1Penalty,
} from '@ugpnet/losses';
import { resolveArch, StyleGan2Discriminator, SynthesisModule, setTraining } from '@ugpnet/models';
import { Adam, initBackend, type Module, Rng } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from '../experiment/load.js';
import { stateDictOf } from '../testing/state-dict.js';
import type { StageContext } from './context.js';
import { discriminatorStep } from './discriminator-step.js';
import { createRestorationModule } from './restoration.js';
import { SynthesisTrainer } from './synthesis.js';

let lpips: Lpips;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  lpips = createLpips({ weightsDir: null, proxyWidthDivisor: 16 });
});

afterAll(() => lpips.dispose());

function snapshot(
  module: Module,
  filter: (key: string, isBuffer: boolean) => boolean,
): Map<string, Float32Array> {
  return new Map(
    module
      .namedEntries()
      .filter(([k, e]) => filter(k, e.isBuffer))
      .map(([k, e]) => [k, e.variable.dataSync().slice() as Float32Array]),
  );
}

function context(synthesis: Record<string, unknown> = {}): StageContext {
  const experiment = validateExperiment(
    {
      name: 'synthesis-step',
      arch: 'tiny-32',
      data: { size: 32, batch_size: 2 },
      perceptual: { allow_proxy: true },
      stages: { synthesis: { augment: { enabled: false }, lpips_size: null, ...synthesis } },
    },
    'test',
  );
  const arch = resolveArch('tiny-32');
  const base = { experiment, arch, rng: new Rng(5), priors: {}, frozen: {}, perceptual: { lpips } };
  const restoration = createRestorationModule(base);
  const frozen = stateDictOf(restoration);
  restoration.dispose();
  return { ...base, frozen: { restoration: frozen } };
}

const images = (seed: number) => tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('SynthesisTrainer step', () => {
  it('takes exactly one D step and one G step per iteration (R1 iterations included), leaking nothing', () => {
    const ctx = context({ r1_every: 2 });
    const trainer = new SynthesisTrainer(ctx, ctx.experiment.stages.synthesis);
    const [lq, gt] = [images(1), images(2)];
    try {
      trainer.trainStep({ lq, gt }, 1); // warm-up: Adam slots exist from here on
      const before = tf.memory().numTensors;
      const r1Seen: boolean[] = [];
      for (let iteration = 2; iteration <= 5; iteration++) {
        const losses = trainer.trainStep({ lq, gt }, iteration);
        r1Seen.push('r1_loss' in losses);
      }
      expect(trainer.optimizers.discriminator!.stepCount).toBe(5);
      expect(trainer.optimizers.generator!.stepCount).toBe(5);
      // batch_idx = iteration − 1: R1 on batch_idx 0, 2, 4 → iterations 1, 3, 5.
      expect(r1Seen).toEqual([false, true, false, true]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([lq, gt]);
      trainer.dispose();
    }
  });

  it("computes G's adversarial term with the post-step D, and leaves the noise buffers unchanged", () => {
    const ctx = context({ lr_d: 1e-2 });
    const trainer = new SynthesisTrainer(ctx, ctx.experiment.stages.synthesis);
    const xReg = images(3);
    const gt = images(4);
    // Copies of G (as before the step) and of D (filled after the step) to recompute the terms.
    const synBefore = new SynthesisModule(
      { generator: ctx.arch.generator, fencoder: ctx.arch.fencoder, wmodule: ctx.arch.wmodule },
      new Rng(9),
    );
    const dCopy = new StyleGan2Discriminator(ctx.arch.discriminator, new Rng(9));
    try {
      synBefore.loadTorchStateDict(stateDictOf(trainer.synmodule));
      dCopy.loadTorchStateDict(stateDictOf(trainer.discriminator));
      const noiseBefore = snapshot(trainer.synmodule, (k, isBuffer) => isBuffer && k.includes('noise'));
      expect(noiseBefore.size).toBeGreaterThan(0);

      const losses = trainer.synthesisStep(xReg, gt, 0);

      // x_syn as the step made it: train-mode BatchNorm of the pre-step encoder, stored noise.
      const adv = (d: StyleGan2Discriminator) =>
        tf.tidy(() => {
          setTraining(synBefore, true);
          const xSyn = synBefore.apply(xReg).image;
          setTraining(synBefore, false);
          return nonSaturatingGLoss(d.apply(xSyn)).dataSync()[0]!;
        });
      const withOldD = adv(dCopy);
      dCopy.loadTorchStateDict(stateDictOf(trainer.discriminator));
      const withNewD = adv(dCopy);
      expect(losses.adv_loss).toBeCloseTo(withNewD, 4);
      expect(Math.abs(withNewD - withOldD)).toBeGreaterThan(1e-3);

      const noiseAfter = snapshot(trainer.synmodule, (k, isBuffer) => isBuffer && k.includes('noise'));
      for (const [key, value] of noiseBefore) expect(noiseAfter.get(key), key).toEqual(value);
    } finally {
      tf.dispose([xReg, gt]);
      synBefore.dispose();
      dCopy.dispose();
      trainer.dispose();
    }
  });
});

describe('discriminatorStep', () => {
  it("on an R1 iteration updates D by ONE Adam step on d_loss's plus R1's gradient", () => {
    const arch = resolveArch('tiny-32');
    const d = new StyleGan2Discriminator(arch.discriminator, new Rng(3));
    const reference = new StyleGan2Discriminator(arch.discriminator, new Rng(3));
    const fake = images(5);
    const real = images(6);
    const lr = 1e-3;
    const adam = new Adam(d.namedParameters(), { lr });
    try {
      // By hand on the copy: g = ∇(d_loss) + ∇(50·r1), then Adam's first step
      // θ − lr · m̂ / (√v̂ + ε) with m̂ = g, v̂ = g².
      const vars = reference.namedParameters().map(([, v]) => v);
      const { grads } = tf.variableGrads(() => {
        const dLoss = logisticDLoss(reference.apply(fake), reference.apply(real));
        const { penalty, realPred } = r1Penalty((x) => reference.apply(x), real);
        realPred.dispose();
        return tf.add(dLoss, lazyR1Loss(penalty, { weight: 10, every: 10 })) as tf.Scalar;
      }, vars);
      const expected = new Map(
        reference.namedParameters().map(([key, v]) => {
          const g = grads[v.name]!;
          const next = tf.tidy(() => tf.sub(v, tf.mul(tf.div(g, tf.add(tf.abs(g), 1e-8)), lr)));
          const data = next.dataSync().slice();
          next.dispose();
          return [key, data];
        }),
      );
      tf.dispose(Object.values(grads));

      const losses = discriminatorStep({
        discriminator: d,
        adam,
        fake,
        real,
        batchIdx: 0,
        r1: { every: 10, gamma: 10 },
      });
      expect(losses.r1_loss).toBeGreaterThan(0);
      expect(adam.stepCount).toBe(1);
      for (const [key, v] of d.namedParameters()) {
        const ours = v.dataSync();
        const want = expected.get(key)!;
        let max = 0;
        for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - want[i]!));
        expect(max, key).toBeLessThan(1e-6);
      }
      // Not an R1 iteration: no R1 term.
      expect(
        discriminatorStep({ discriminator: d, adam, fake, real, batchIdx: 3, r1: { every: 10, gamma: 10 } })
          .r1_loss,
      ).toBeUndefined();
    } finally {
      tf.dispose([fake, real]);
      adam.dispose();
      d.dispose();
      reference.dispose();
    }
  });
});
