// Makes the "pretrained" StyleGAN2 prior where none is supplied: G (z → mapping → synthesis
// from the constant input) and D trained on clean images with the non-saturating loss, lazy R1
// and an exponential moving average of G (the `params_ema` weights users load as the prior).
// D sees images in [0,1], the convention UGPNet's synthesis stage feeds it.
import * as tf from '@tensorflow/tfjs-core';
import { nonSaturatingGLoss } from '@ugpnet/losses';
import { StyleGan2Discriminator, StyleGan2Generator } from '@ugpnet/models';
import { Adam, type Rng } from '@ugpnet/tensor';
import type { PretrainGanStageConfig } from '../experiment/schema.js';
import type { StageContext } from './context.js';
import { discriminatorStep } from './discriminator-step.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';

export class PretrainGanTrainer implements StageTrainer {
  readonly stage = 'pretrain-gan' as const;
  readonly primaryOutput = 'I_G' as const;
  readonly generator: StyleGan2Generator;
  /** The EMA of G: what validation samples from and what is handed on as the prior. */
  readonly generatorEma: StyleGan2Generator;
  readonly discriminator: StyleGan2Discriminator;
  readonly saved: StageTrainer['saved'];
  readonly optimizers: StageTrainer['optimizers'];
  private readonly adamG: Adam;
  private readonly adamD: Adam;
  private readonly rng: Rng;

  constructor(
    context: StageContext,
    private readonly config: PretrainGanStageConfig,
  ) {
    const { arch } = context;
    this.rng = context.rng.fork('pretrain-gan-latents');
    this.generator = new StyleGan2Generator(arch.generator, context.rng.fork('generator'));
    this.generatorEma = new StyleGan2Generator(arch.generator, context.rng.fork('generator'));
    this.discriminator = new StyleGan2Discriminator(arch.discriminator, context.rng.fork('discriminator'));
    this.adamG = new Adam(this.generator.namedParameters(), { lr: config.lr_g, betas: config.betas });
    this.adamD = new Adam(this.discriminator.namedParameters(), { lr: config.lr_d, betas: config.betas });
    this.saved = {
      generator: this.generator,
      generator_ema: this.generatorEma,
      discriminator: this.discriminator,
    };
    this.optimizers = { generator: this.adamG, discriminator: this.adamD };
  }

  /** Images in [0,1] from fresh z (random noise inputs, as StyleGAN2 trains). */
  private sample(g: StyleGan2Generator, batch: number, rng: Rng, randomizeNoise: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const dim = g.options.num_style_feat;
      const z = tf.tensor2d(rng.normalArray(batch * dim), [batch, dim]);
      const w = g.mapping(z);
      const latent = tf.tile(tf.expandDims(w, 1), [1, g.numLatent, 1]) as tf.Tensor3D;
      const noise = randomizeNoise ? { randomize: true as const, rng } : { randomize: false as const };
      const { image } = g.synthesize(latent, { noise });
      return tf.div(tf.add(image, 1), 2) as tf.Tensor4D;
    });
  }

  /** D first (one step, R1 on batch_idx % r1_every == 0), then G against the updated D, then the EMA. */
  trainStep(batch: StageBatch, iteration: number): Record<string, number> {
    const c = this.config;
    const n = batch.gt.shape[0];
    const rng = this.rng.fork(iteration);
    const fake = this.sample(this.generator, n, rng, true);
    let dLosses: Record<string, number>;
    try {
      dLosses = {
        ...discriminatorStep({
          discriminator: this.discriminator,
          adam: this.adamD,
          fake,
          real: batch.gt,
          batchIdx: iteration - 1,
          r1: { every: c.r1_every, gamma: c.r1_gamma },
        }),
      };
    } finally {
      fake.dispose();
    }
    const adv = stepWithGrads(this.adamG, () =>
      nonSaturatingGLoss(this.discriminator.apply(this.sample(this.generator, n, rng, true))),
    );
    this.updateEma();
    return { ...dLosses, adv_loss: adv };
  }

  private updateEma(): void {
    const decay = this.config.ema_decay;
    const live = new Map(this.generator.namedEntries());
    tf.tidy(() => {
      for (const [key, entry] of this.generatorEma.namedEntries()) {
        const source = live.get(key)!.variable;
        // Buffers (stored noise) are copied; parameters are averaged.
        entry.variable.assign(
          entry.isBuffer ? source : tf.add(tf.mul(entry.variable, decay), tf.mul(source, 1 - decay)),
        );
      }
    });
  }

  infer(lq: tf.Tensor4D): StageOutputs {
    // Unconditional samples from a fixed latent stream: validation looks at realism, not at lq.
    return { I_G: this.sample(this.generatorEma, lq.shape[0], this.rng.fork('validation'), false) };
  }

  dispose(): void {
    this.generator.dispose();
    this.generatorEma.dispose();
    this.discriminator.dispose();
    this.adamG.dispose();
    this.adamD.dispose();
  }
}
