// Stage 1 (train_resmodule.py): the regression network R (pretrained or random) trained
// together with the structure encoder and merging network on the PSNR loss (or L1).
import * as tf from '@tensorflow/tfjs-core';
import { l1Loss, psnrLoss } from '@ugpnet/losses';
import { buildRestorationModule, type RestorationModule } from '@ugpnet/models';
import { Adam } from '@ugpnet/tensor';
import type { RestorationStageConfig } from '../experiment/schema.js';
import type { StageContext } from './context.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { namedTrainable, stepWithGrads } from './step.js';

export function restorationLoss(kind: 'psnr' | 'l1', pred: tf.Tensor4D, gt: tf.Tensor4D): tf.Scalar {
  return kind === 'psnr' ? psnrLoss(pred, gt) : l1Loss(pred, gt);
}

/** Builds the restoration module of the architecture, loading a pretrained regression network if given. */
export function createRestorationModule(context: StageContext): RestorationModule {
  const module = buildRestorationModule(context.arch, context.rng.fork('resmodule'));
  const prior = context.priors.regression;
  if (prior) {
    // RRDB×8 is the whole restoration module; NAFNet/HINet sit under `regression.`.
    const target =
      'regression' in module ? (module as unknown as { regression: RestorationModule }).regression : module;
    target.loadTorchStateDict(prior, { source: 'pretrained regression network' });
  }
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
    const params = namedTrainable(this.resmodule);
    const { lr, lr_regression: lrRegression, betas } = config;
    if (lrRegression === null) {
      // The reference: one optimizer, one lr.
      const adam = new Adam(params, { lr, betas });
      this.optimizers = { resmodule: adam };
    } else {
      // RRDB×8 is the whole restoration module, so all of it is R.
      const isRegression = (key: string) =>
        !('regression' in this.resmodule) || key.startsWith('regression.');
      this.optimizers = {
        resmodule: new Adam(
          params.filter(([k]) => !isRegression(k)),
          { lr, betas },
        ),
      };
      if (lrRegression > 0) {
        this.optimizers.regression = new Adam(
          params.filter(([k]) => isRegression(k)),
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
