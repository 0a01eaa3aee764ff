// Stage 1 (train_resmodule.py): the regression network R (pretrained or random) trained
// together with the structure encoder and merging network on the PSNR loss (or L1).
import * as tf from '@tensorflow/tfjs-core';
import { l1Loss, psnrLoss } from '@ugpnet/losses';
import { buildRestorationModule, type RestorationModule } from '@ugpnet/models';
import { Adam } from '@ugpnet/tensor';
import type { RestorationStageConfig } from '../experiment/schema.js';
import type { StageContext } from './context.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';

export function restorationLoss(kind: 'psnr' | 'l1', pred: tf.Tensor4D, gt: tf.Tensor4D): tf.Scalar {
  return kind === 'psnr' ? psnrLoss(pred, gt) : l1Loss(pred, gt);
}

/** Builds the restoration module of the architecture, loading a pretrained regression network if given. */
export function createRestorationModule(context: StageContext): RestorationModule {
  const module = buildRestorationModule(context.arch, context.rng.fork('resmodule'));
  const prior = context.priors.regression;
  if (prior)
    module.regressionNetwork().loadTorchStateDict(prior, { source: 'pretrained regression network' });
  return module;
}

export class RestorationTrainer implements StageTrainer {
  readonly stage = 'restoration' as const;
  readonly primaryOutput = 'I_R' as const;
  readonly resmodule: RestorationModule;
  readonly saved: StageTrainer['saved'];
  readonly optimizers: StageTrainer['optimizers'];
  private readonly adams: Adam[];

  constructor(
    context: StageContext,
    private readonly config: RestorationStageConfig,
  ) {
    this.resmodule = createRestorationModule(context);
    const params = this.resmodule.namedParameters();
    const { lr, lr_regression: lrRegression, betas } = config;
    if (lrRegression === null) {
      // The reference: one optimizer, one lr.
      const adam = new Adam(params, { lr, betas });
      this.optimizers = { resmodule: adam };
    } else {
      const regression = new Set(this.resmodule.regressionNetwork().trainableVariables());
      this.optimizers = {
        resmodule: new Adam(
          params.filter(([, v]) => !regression.has(v)),
          { lr, betas },
        ),
      };
      if (lrRegression > 0) {
        this.optimizers.regression = new Adam(
          params.filter(([, v]) => regression.has(v)),
          { lr: lrRegression, betas },
        );
      }
    }
    this.adams = Object.values(this.optimizers);
    this.saved = { '': this.resmodule };
  }

  trainStep(batch: StageBatch): Record<string, number> {
    const loss = stepWithGrads(this.adams, () => {
      const { image, feature } = this.resmodule.restore(batch.lq);
      feature.dispose();
      return restorationLoss(this.config.loss, image, batch.gt);
    });
    return { [this.config.loss]: loss };
  }

  infer(lq: tf.Tensor4D): StageOutputs {
    return tf.tidy(() => {
      const { image } = this.resmodule.restore(lq);
      return { I_R: image };
    });
  }

  dispose(): void {
    this.resmodule.dispose();
    for (const adam of this.adams) adam.dispose();
  }
}
