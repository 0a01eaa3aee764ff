// Makes the "pretrained" regression network R where none is supplied: R alone trained on
// the degradation task (lq → gt), as NAFNet/HINet/RRDB are pretrained before UGPNet uses them.
import * as tf from '@tensorflow/tfjs-core';
import { buildRegressionNetwork } from '@ugpnet/models';
import { Adam } from '@ugpnet/tensor';
import type { PretrainRegressionStageConfig } from '../experiment/schema.js';
import type { StageContext } from './context.js';
import { restorationLoss } from './restoration.js';
import type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';

type ImageNetwork = ReturnType<typeof buildRegressionNetwork>;

/** The regression network's restored image(s): HINet gives two (both supervised, as HINet trains). */
function images(net: ImageNetwork, x: tf.Tensor4D): tf.Tensor4D[] {
  const out = net.apply(x);
  return Array.isArray(out) ? out : [out];
}

export class PretrainRegressionTrainer implements StageTrainer {
  readonly stage = 'pretrain-regression' as const;
  readonly primaryOutput = 'I_R' as const;
  readonly network: ImageNetwork;
  readonly saved: StageTrainer['saved'];
  readonly optimizers: StageTrainer['optimizers'];
  private readonly adam: Adam;

  constructor(
    context: StageContext,
    private readonly config: PretrainRegressionStageConfig,
  ) {
    // Same construction (and random stream) as inside the restoration module, so the keys match.
    const rng = context.rng.fork('resmodule');
    this.network = buildRegressionNetwork(context.arch, rng);
    this.adam = new Adam(this.network.namedParameters(), { lr: config.lr, betas: config.betas });
    this.saved = { '': this.network };
    this.optimizers = { regression: this.adam };
  }

  trainStep(batch: StageBatch): Record<string, number> {
    const loss = stepWithGrads(
      this.adam,
      () =>
        tf.addN(
          images(this.network, batch.lq).map((img) => restorationLoss(this.config.loss, img, batch.gt)),
        ) as tf.Scalar,
    );
    return { [this.config.loss]: loss };
  }

  infer(lq: tf.Tensor4D): StageOutputs {
    return tf.tidy(() => ({ I_R: images(this.network, lq).at(-1)! }));
  }

  dispose(): void {
    this.network.dispose();
    this.adam.dispose();
  }
}
