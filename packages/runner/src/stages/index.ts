// The stage registry: which trainer each stage name builds (BasicSR's model registry, explicit).
import type { Experiment, StageName } from '../experiment/schema.js';
import type { StageContext } from './context.js';
import { FusionTrainer } from './fusion.js';
import { PretrainGanTrainer } from './pretrain-gan.js';
import { PretrainRegressionTrainer } from './pretrain-regression.js';
import { RestorationTrainer } from './restoration.js';
import type { StageTrainer } from './stage.js';
import { type PairAugment, SynthesisTrainer } from './synthesis.js';

export interface StageExtras {
  augment?: PairAugment;
}

export function createStageTrainer(
  stage: StageName,
  context: StageContext,
  extras: StageExtras = {},
): StageTrainer {
  const stages: Experiment['stages'] = context.experiment.stages;
  switch (stage) {
    case 'pretrain-regression':
      return new PretrainRegressionTrainer(context, stages['pretrain-regression']);
    case 'pretrain-gan':
      return new PretrainGanTrainer(context, stages['pretrain-gan']);
    case 'restoration':
      return new RestorationTrainer(context, stages.restoration);
    case 'synthesis':
      return new SynthesisTrainer(context, stages.synthesis, extras.augment);
    case 'fusion':
      return new FusionTrainer(context, stages.fusion);
  }
}

export type { StageBatch, StageOutputs, StageTrainer } from './stage.js';
