// Stage 2 (train_synmodule.py): restoration frozen; the F-encoder E and W-module start random,
// the generator G and discriminator D start pretrained (or random, for the ablation).
// G: 1·L1 + 10·LPIPS + 0.3·softplus(−D(I_G)); D: logistic loss with lazy R1 every 10 steps.
// Noise: the generator's stored buffers unless `randomize_noise` (off in the official scripts).
import * as tf from '@tensorflow/tfjs-core';
import { l1Loss, lpipsLoss, nonSaturatingGLoss } from '@ugpnet/losses';
import { type RestorationModule, StyleGan2Discriminator, SynthesisModule, setTraining } from '@ugpnet/models';
import { Adam, type Rng } from '@ugpnet/tensor';
import type { SynthesisStageConfig } from '../experiment/schema.js';
import { requireFrozen, type StageContext } from './context.js';
import { createRestorationModule } from './restoration.js';
import { discriminatorStep } from './discriminator-step.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';

/** Joint geometric augmentation of x_reg and gt for one iteration (datasets' augmentation). */
export type PairAugment = (
  xReg: tf.Tensor4D,
  gt: tf.Tensor4D,
  iteration: number,
) => [tf.Tensor4D, tf.Tensor4D];

export function createSynthesisModule(context: StageContext): SynthesisModule {
  const { arch } = context;
  const module = new SynthesisModule(
    { generator: arch.generator, fencoder: arch.fencoder, wmodule: arch.wmodule },
    context.rng.fork('synmodule'),
  );
  if (context.priors.generator) {
    module.generator.loadTorchStateDict(context.priors.generator, { source: 'pretrained generator' });
  }
  return module;
}

export function loadFrozenRestoration(context: StageContext, stage: string): RestorationModule {
  const module = createRestorationModule({ ...context, priors: {} });
  module.loadTorchStateDict(requireFrozen(context.frozen.restoration, stage, 'restoration'), {
    source: 'restoration checkpoint',
  });
  return module;
}

export class SynthesisTrainer implements StageTrainer {
  readonly stage = 'synthesis' as const;
  readonly primaryOutput = 'I_G' as const;
  readonly resmodule: RestorationModule;
  readonly synmodule: SynthesisModule;
  readonly discriminator: StyleGan2Discriminator;
  readonly saved: StageTrainer['saved'];
  readonly optimizers: StageTrainer['optimizers'];
  private readonly adamG: Adam;
  private readonly adamD: Adam;
  private readonly rng: Rng;

  constructor(
    private readonly context: StageContext,
    private readonly config: SynthesisStageConfig,
    private readonly augment?: PairAugment,
  ) {
    this.rng = context.rng.fork('synthesis-noise');
    this.resmodule = loadFrozenRestoration(context, 'synthesis');
    this.synmodule = createSynthesisModule(context);
    this.discriminator = new StyleGan2Discriminator(
      context.arch.discriminator,
      context.rng.fork('discriminator'),
    );
    if (context.priors.discriminator) {
      this.discriminator.loadTorchStateDict(context.priors.discriminator, {
        source: 'pretrained discriminator',
      });
    }
    this.adamG = new Adam(this.synmodule.namedParameters(), { lr: config.lr_g, betas: config.betas });
    this.adamD = new Adam(this.discriminator.namedParameters(), { lr: config.lr_d, betas: config.betas });
    this.saved = { '': this.synmodule, discriminator: this.discriminator };
    this.optimizers = { generator: this.adamG, discriminator: this.adamD };
  }

  /** The loop's step: the frozen restoration's x_reg, the joint augmentation, then synthesisStep. */
  trainStep(batch: StageBatch, iteration: number): Record<string, number> {
    // The official batch_idx (R1 schedule, augmentation cycle) is 0 on the first iteration.
    const batchIdx = iteration - 1;
    let [xReg, gt] = [tf.tidy(() => this.resmodule.restore(batch.lq).image), batch.gt];
    if (this.augment && this.config.augment.enabled) {
      const [a, b] = this.augment(xReg, gt, batchIdx);
      xReg.dispose();
      [xReg, gt] = [a, b];
    }
    try {
      return this.synthesisStep(xReg, gt, batchIdx);
    } finally {
      xReg.dispose();
      if (gt !== batch.gt) gt.dispose();
    }
  }

  /**
   * One iteration of train_synmodule.py on x_reg: x_syn once (train mode); the D step on x_syn
   * and the real batch (with R1 on batch_idx % r1_every == 0), one Adam step of D; then the G
   * side (1·L1 + 10·LPIPS + 0.3·adversarial) against the already-updated D on the same x_syn.
   * Returns the official loss names (d_loss, r1_loss, pixelwise_loss, lpips_loss, adv_loss, …).
   */
  synthesisStep(xReg: tf.Tensor4D, gt: tf.Tensor4D, batchIdx: number): Record<string, number> {
    const c = this.config;
    const noiseRng = this.rng.fork(batchIdx + 1);
    setTraining(this.synmodule, true);
    this.synmodule.randomizeNoise = c.randomize_noise;
    const parts: Record<string, number> = {};
    try {
      parts.total_loss = stepWithGrads(this.adamG, () => {
        const { image: xSyn } = this.synmodule.apply(xReg, noiseRng);
        Object.assign(
          parts,
          discriminatorStep({
            discriminator: this.discriminator,
            adam: this.adamD,
            fake: xSyn,
            real: gt,
            batchIdx,
            r1: { every: c.r1_every, gamma: c.r1_gamma },
          }),
        );
        const l1 = l1Loss(xSyn, gt);
        // lpips_weight 0 (e.g. `ugp bench step --pytorch-losses`) skips the perceptual net.
        const lp =
          c.lpips_weight > 0
            ? lpipsLoss(this.context.perceptual.lpips, xSyn, gt, { size: c.lpips_size })
            : tf.scalar(0);
        const adv = nonSaturatingGLoss(this.discriminator.apply(xSyn));
        parts.pixelwise_loss = l1.dataSync()[0]!;
        parts.lpips_loss = lp.dataSync()[0]!;
        parts.adv_loss = adv.dataSync()[0]!;
        return tf.addN([
          tf.mul(l1, c.l1_weight),
          tf.mul(lp, c.lpips_weight),
          tf.mul(adv, c.adv_weight),
        ]) as tf.Scalar;
      });
    } finally {
      setTraining(this.synmodule, false);
    }
    return parts;
  }

  infer(lq: tf.Tensor4D): StageOutputs {
    this.synmodule.randomizeNoise = false;
    return tf.tidy(() => {
      const { image: iR } = this.resmodule.restore(lq);
      const { image: iG } = this.synmodule.apply(iR);
      return { I_R: iR, I_G: iG };
    });
  }

  dispose(): void {
    this.resmodule.dispose();
    this.synmodule.dispose();
    this.discriminator.dispose();
    this.adamG.dispose();
    this.adamD.dispose();
  }
}
