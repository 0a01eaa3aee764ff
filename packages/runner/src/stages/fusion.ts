// Stage 3 (train_fusmodule.py): restoration and synthesis frozen with fixed noise; the fusion
// module merges F_G and F_R into I_F. Loss: L1 + 10·LPIPS + 0.05·patch-contextual(I_F, I_G);
// lr 1e-3, ×0.1 at each milestone.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { l1Loss, lpipsLoss } from '@ugpnet/losses';
import {
  FusionNet,
  ResModule,
  type RestorationModule,
  RrdbNetX8,
  type SynthesisModule,
} from '@ugpnet/models';
import { Adam, type Conv2d } from '@ugpnet/tensor';
import type { FusionStageConfig } from '../experiment/schema.js';
import { requireFrozen, type StageContext } from './context.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';
import { createSynthesisModule, loadFrozenRestoration } from './synthesis.js';

/** Learning rate after the milestones passed by `iteration` (MultiStepLR). */
export function multiStepLr(base: number, milestones: number[], gamma: number, iteration: number): number {
  return base * gamma ** milestones.filter((m) => iteration > m).length;
}

export function loadFrozenSynthesis(context: StageContext, stage: string): SynthesisModule {
  const module = createSynthesisModule({ ...context, priors: {} });
  const dict = requireFrozen(context.frozen.synthesis, stage, 'synthesis');
  const own = new Map([...dict].filter(([key]) => !key.startsWith('discriminator.')));
  module.loadTorchStateDict(own, { source: 'synthesis checkpoint' });
  module.randomizeNoise = false;
  return module;
}

/** stages.fusion.fg_projection_init: zero (ours): conv(F_G) = 0 at the start, so I_F = last(body(F_R)). */
function zeroFgProjection(fusion: FusionNet): void {
  for (const v of [fusion.conv.weight, fusion.conv.bias]) {
    if (!v) continue;
    const zeros = tf.zerosLike(v);
    v.assign(zeros);
    zeros.dispose();
  }
}

/** The frozen restoration module's image head, F_R → I_R: ResModule's to_img conv, RRDBNetX8's conv_last. */
function restorationImageHead(resmodule: RestorationModule): Conv2d {
  if (resmodule instanceof ResModule) return resmodule.encoder.to_img.conv;
  if (resmodule instanceof RrdbNetX8) return resmodule.conv_last;
  throw new UserError('stages.fusion.output_init: restoration needs a restoration module with an image head');
}

/**
 * stages.fusion.output_init: restoration (ours): `last` starts as the restoration module's image head
 * and each ResBlock's second conv at zero, so at step 0 I_F = head(relu(conv(F_G) + F_R)).
 */
function restorationOutputInit(fusion: FusionNet, resmodule: RestorationModule): void {
  const head = restorationImageHead(resmodule);
  const pairs: [tf.Variable | undefined, tf.Variable | undefined][] = [
    [fusion.last.weight, head.weight],
    [fusion.last.bias, head.bias],
  ];
  for (const [target, source] of pairs) {
    if (!target) continue;
    if (!source || target.shape.join() !== source.shape.join())
      throw new UserError(
        `stages.fusion.output_init: restoration: FusionNet's output conv is ${target.shape.join('×')}, ` +
          `the restoration image head ${source?.shape.join('×') ?? 'has no such tensor'}`,
      );
    // A copy of its own: the frozen head must not share a buffer with a trained variable.
    const copy = tf.tensor(source.dataSync(), source.shape, source.dtype);
    target.assign(copy);
    copy.dispose();
  }
  for (const block of fusion.body.items) {
    for (const v of [block.conv2.weight, block.conv2.bias]) {
      if (!v) continue;
      const zeros = tf.zerosLike(v);
      v.assign(zeros);
      zeros.dispose();
    }
  }
}

export class FusionTrainer implements StageTrainer {
  readonly stage = 'fusion' as const;
  readonly primaryOutput = 'I_F' as const;
  readonly resmodule: RestorationModule;
  readonly synmodule: SynthesisModule;
  readonly fusion: FusionNet;
  readonly saved: StageTrainer['saved'];
  readonly optimizers: StageTrainer['optimizers'];
  private readonly adam: Adam;

  constructor(
    private readonly context: StageContext,
    private readonly config: FusionStageConfig,
  ) {
    this.resmodule = loadFrozenRestoration(context, 'fusion');
    this.synmodule = loadFrozenSynthesis(context, 'fusion');
    this.fusion = new FusionNet(context.arch.fusion, context.rng.fork('fusion'));
    if (config.fg_projection_init === 'zero') zeroFgProjection(this.fusion);
    if (config.output_init === 'restoration') restorationOutputInit(this.fusion, this.resmodule);
    this.adam = new Adam(this.fusion.namedParameters(), { lr: config.lr, betas: config.betas });
    this.saved = { '': this.fusion };
    this.optimizers = { fusion: this.adam };
  }

  beforeStep(iteration: number): void {
    const c = this.config;
    this.adam.lr = multiStepLr(c.lr, c.lr_decay_steps, c.lr_decay, iteration);
  }

  /** The frozen modules' outputs for a batch: I_R, F_R, I_G, F_G. */
  private priors(lq: tf.Tensor4D) {
    return tf.tidy(() => {
      const { image: iR, feature: fR } = this.resmodule.restore(lq);
      const { image: iG, feature: fG } = this.synmodule.apply(iR);
      return { iR, fR, iG, fG };
    });
  }

  /** One iteration of train_fusmodule.py; the official loss names, unweighted terms. */
  trainStep(batch: StageBatch): Record<string, number> {
    const c = this.config;
    const { iR, fR, iG, fG } = this.priors(batch.lq);
    const parts: Record<string, number> = {};
    try {
      parts.total_loss = stepWithGrads(this.adam, () => {
        const iF = this.fusion.apply(fG, fR);
        const l1 = l1Loss(iF, batch.gt);
        parts.l1_loss = l1.dataSync()[0]!;
        const terms = [tf.mul(l1, c.l1_weight)];
        if (c.lpips_weight > 0) {
          const lp = lpipsLoss(this.context.perceptual.lpips, iF, batch.gt, { size: c.lpips_size });
          parts.lpips_loss = lp.dataSync()[0]!;
          terms.push(tf.mul(lp, c.lpips_weight));
        }
        const contextual = this.context.perceptual.contextual;
        if (c.contextual_weight > 0 && contextual) {
          const cx = contextual.apply(iF, iG);
          parts.context_loss = cx.dataSync()[0]!;
          terms.push(tf.mul(cx, c.contextual_weight));
        }
        return tf.addN(terms) as tf.Scalar;
      });
    } finally {
      tf.dispose([iR, fR, iG, fG]);
    }
    return parts;
  }

  infer(lq: tf.Tensor4D): StageOutputs {
    return tf.tidy(() => {
      const { iR, fR, iG, fG } = this.priors(lq);
      return { I_R: iR, I_G: iG, I_F: this.fusion.apply(fG, fR) };
    });
  }

  dispose(): void {
    this.resmodule.dispose();
    this.synmodule.dispose();
    this.fusion.dispose();
    this.adam.dispose();
  }
}
