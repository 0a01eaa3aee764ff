// The experiment schema: one typed, validated object describes a run. Every number of the
// reference recipe (DESIGN.md §3) lives here with its default, and nowhere else.
import { z } from 'zod';

export const STAGES = ['pretrain-regression', 'pretrain-gan', 'restoration', 'synthesis', 'fusion'] as const;
export type StageName = (typeof STAGES)[number];
/** The three UGPNet stages, trained in this order, each freezing what came before. */
export const UGPNET_STAGES = ['restoration', 'synthesis', 'fusion'] as const satisfies readonly StageName[];

const positiveInt = z.number().int().positive();
const betas = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]);

const noiseDegradation = z.strictObject({
  type: z.literal('noise'),
  /** Poisson scale k: y = Poisson(k·x)/k + N(0, σ²). */
  k: z.number().positive().default(30),
  sigma: z.number().min(0).default(0.3),
  quantise: z.boolean().default(true),
});
const blurDegradation = z.strictObject({
  type: z.literal('blur'),
  bank_size: positiveInt.default(2000),
  kernel_size: positiveInt.default(51),
  bank_seed: z.number().int().default(0),
});
const srDegradation = z.strictObject({
  type: z.literal('sr8'),
  scale: positiveInt.default(8),
});
export const degradationSchema = z.discriminatedUnion('type', [
  noiseDegradation,
  blurDegradation,
  srDegradation,
]);

export const dataSchema = z.strictObject({
  /** `portraits` / `churches` (procedural, embedded) or a path to an image folder / LSUN LMDB. */
  dataset: z.string().min(1).default('portraits'),
  size: positiveInt.default(512),
  degradation: degradationSchema.default({ type: 'noise', k: 30, sigma: 0.3, quantise: true }),
  batch_size: positiveInt.default(8),
  /** Images in the procedural training set (ignored for folders, which use every file). */
  train_count: positiveInt.default(30000),
  val_count: positiveInt.default(1000),
  test_count: positiveInt.default(100),
  split_file: z.string().optional(),
  /** Seed of the data itself (procedural images, split, fixed val/test degradations): the same for every run. */
  seed: z.number().int().default(0),
  workers: z.number().int().min(0).default(1),
});

export const initSchema = z.strictObject({
  /** Ablation axis: start R from pretrained weights or from random init (supplement S.5). */
  regression: z.enum(['pretrained', 'random']).default('pretrained'),
  generator: z.enum(['pretrained', 'random']).default('pretrained'),
  /** Where pretrained weights come from; absent or null ⇒ the pretrain-* stages make them. */
  regression_weights: z.string().nullable().optional(),
  generator_weights: z.string().nullable().optional(),
  discriminator_weights: z.string().nullable().optional(),
  /** Frozen earlier stages when this run does not train them: a checkpoint of ours or an official .pth. */
  restoration_checkpoint: z.string().nullable().optional(),
  synthesis_checkpoint: z.string().nullable().optional(),
  /** Seed of the pretrain-* runs that make missing priors (shared by every cell of a grid). */
  prior_seed: z.number().int().default(777),
});

const stageCommon = {
  iterations: positiveInt,
  val_every: positiveInt.default(2000),
  checkpoint_every: positiveInt.optional(),
  log_every: positiveInt.default(10),
  betas,
};

export const restorationStageSchema = z.strictObject({
  ...stageCommon,
  iterations: positiveInt.default(20000),
  lr: z.number().positive().default(1e-4),
  /**
   * lr of the regression network R alone (0 freezes it); null: `lr` for everything, as the
   * reference trains. A short run can give the from-scratch encoder a higher `lr` while R keeps
   * the recipe's: fine-tuning a pretrained R fast erodes its prior (see README, the demo).
   */
  lr_regression: z.number().min(0).nullable().default(null),
  loss: z.enum(['psnr', 'l1']).default('psnr'),
});

export const synthesisStageSchema = z.strictObject({
  ...stageCommon,
  iterations: positiveInt.default(40000),
  lr_g: z.number().positive().default(1e-4),
  lr_d: z.number().positive().default(2.5e-5),
  l1_weight: z.number().min(0).default(1),
  lpips_weight: z.number().min(0).default(10),
  adv_weight: z.number().min(0).default(0.3),
  r1_every: positiveInt.default(10),
  r1_gamma: z.number().min(0).default(10),
  /** LPIPS inputs are bicubic-resized to this size (reference: 256); null keeps the image size. */
  lpips_size: positiveInt.nullable().default(256),
  /** Fresh noise every step instead of the generator's stored buffers (official --randomize_noise, off). */
  randomize_noise: z.boolean().default(false),
  augment: z
    .object({
      enabled: z.boolean().default(true),
      scale: z.tuple([z.number().positive(), z.number().positive()]).default([7 / 8, 9 / 8]),
      /** Translation range as a fraction of the image size (reference: ±128 px, ±50 px at 512). */
      translate: z.tuple([z.number().min(0), z.number().min(0)]).default([128 / 512, 50 / 512]),
      rotate_degrees: z.number().min(0).default(5),
    })
    .default({ enabled: true, scale: [7 / 8, 9 / 8], translate: [128 / 512, 50 / 512], rotate_degrees: 5 }),
});

export const fusionStageSchema = z.strictObject({
  ...stageCommon,
  /** Which synthesis checkpoint is frozen here: the final one (official: synmodule_40000.pth) or the best by validation. */
  synthesis_checkpoint: z.enum(['final', 'best']).default('final'),
  iterations: positiveInt.default(40000),
  lr: z.number().positive().default(1e-3),
  lr_decay_steps: z.array(positiveInt).default([8000]),
  lr_decay: z.number().positive().default(0.1),
  l1_weight: z.number().min(0).default(1),
  lpips_weight: z.number().min(0).default(10),
  contextual_weight: z.number().min(0).default(0.05),
  lpips_size: positiveInt.nullable().default(256),
  /**
   * Ours, not official (paper recipes keep `official`): `zero` starts FusionNet's F_G projection
   * (`conv`) at zero, so I_F starts from F_R alone and F_G's share is learned. For short runs
   * (the demo), where the randomly drawn projection otherwise dominates F_R for hundreds of steps.
   */
  fg_projection_init: z.enum(['official', 'zero']).default('official'),
  /**
   * Ours, not official (paper recipes keep `official`): `restoration` starts FusionNet's output conv
   * (`last`) as a copy of the frozen restoration module's image head (the 3×3 conv that turns F_R into
   * I_R) and each ResBlock's second conv at zero (a block starts as a ReLU), so FusionNet starts with
   * a trained decoder of F_R instead of a random one. For short runs (the demo); all layers train.
   */
  output_init: z.enum(['official', 'restoration']).default('official'),
  contextual: z
    .object({
      patch_size: positiveInt.default(128),
      layer: z.string().default('relu3_4'),
      band_width: z.number().positive().default(0.5),
      variant: z.enum(['reference', 'plain']).default('reference'),
    })
    .default({ patch_size: 128, layer: 'relu3_4', band_width: 0.5, variant: 'reference' }),
});

export const pretrainRegressionStageSchema = z.strictObject({
  ...stageCommon,
  iterations: positiveInt.default(20000),
  lr: z.number().positive().default(1e-3),
  loss: z.enum(['psnr', 'l1']).default('psnr'),
});

export const pretrainGanStageSchema = z.strictObject({
  ...stageCommon,
  iterations: positiveInt.default(20000),
  lr_g: z.number().positive().default(2e-3),
  lr_d: z.number().positive().default(2e-3),
  r1_every: positiveInt.default(16),
  r1_gamma: z.number().min(0).default(10),
  /** Exponential moving average of G's weights (the "params_ema" users load). */
  ema_decay: z.number().min(0).max(1).default(0.999),
  betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0, 0.99]),
});

export const stagesSchema = z.strictObject({
  'pretrain-regression': pretrainRegressionStageSchema.default(pretrainRegressionStageSchema.parse({})),
  'pretrain-gan': pretrainGanStageSchema.default(pretrainGanStageSchema.parse({})),
  restoration: restorationStageSchema.default(restorationStageSchema.parse({})),
  synthesis: synthesisStageSchema.default(synthesisStageSchema.parse({})),
  fusion: fusionStageSchema.default(fusionStageSchema.parse({})),
});

export const validationSchema = z.strictObject({
  /** Metric that picks the best checkpoint per stage, and whether higher is better. */
  metric: z.string().default('psnr'),
  mode: z.enum(['max', 'min']).default('max'),
  /** Sample strips (lq | I_R | I_G | I_F | gt) saved per validation. */
  samples: z.number().int().min(0).default(4),
});

export const perceptualSchema = z.strictObject({
  /** Directory with pretrained LPIPS/VGG weights (`ugp weights fetch`); absent ⇒ the default cache. */
  weights_dir: z.string().optional(),
  /**
   * Train with a fixed-seed random VGG (metrics say lpips_proxy) when the pretrained LPIPS/VGG
   * files are not cached. Off: a run refuses to start without them (paper recipes).
   */
  allow_proxy: z.boolean().default(false),
  /** Widths of the proxy VGG are divided by this (faster on CPU). */
  proxy_width_divisor: positiveInt.default(1),
});

export const experimentSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Another experiment file (relative to this one) whose values this one overrides. */
  extends: z.string().optional(),
  seed: z.number().int().default(777),
  /** Architecture preset name (see `ugp models summary`) or a path to an architecture JSON. */
  arch: z.string().default('paper-faces-512'),
  /** Which stages to run, in order. */
  stages_to_run: z.array(z.enum(STAGES)).default([...UGPNET_STAGES]),
  data: dataSchema.default(dataSchema.parse({})),
  init: initSchema.default(initSchema.parse({})),
  stages: stagesSchema.default(stagesSchema.parse({})),
  validation: validationSchema.default(validationSchema.parse({})),
  perceptual: perceptualSchema.default(perceptualSchema.parse({})),
});

export type Experiment = z.infer<typeof experimentSchema>;
export type DataConfig = Experiment['data'];
export type DegradationConfig = DataConfig['degradation'];
export type RestorationStageConfig = z.infer<typeof restorationStageSchema>;
export type SynthesisStageConfig = z.infer<typeof synthesisStageSchema>;
export type FusionStageConfig = z.infer<typeof fusionStageSchema>;
export type PretrainRegressionStageConfig = z.infer<typeof pretrainRegressionStageSchema>;
export type PretrainGanStageConfig = z.infer<typeof pretrainGanStageSchema>;
