// What a stage trainer is built from: the experiment, its architecture, a random stream,
// weights from before (pretrained priors, earlier stages' best checkpoints) and the shared
// perceptual networks.
import type { Lpips, PatchContextualLoss } from '@ugpnet/losses';
import type { ArchConfig } from '@ugpnet/models';
import type { Rng, TorchTensor } from '@ugpnet/tensor';
import type { Experiment } from '../experiment/schema.js';

export type StateDict = Map<string, TorchTensor>;

export interface StageContext {
  experiment: Experiment;
  arch: ArchConfig;
  rng: Rng;
  /** Pretrained starting points (official layout), present when init says `pretrained`. */
  priors: { regression?: StateDict; generator?: StateDict; discriminator?: StateDict };
  /** Best checkpoints of the earlier stages of this run (frozen here). */
  frozen: { restoration?: StateDict; synthesis?: StateDict };
  perceptual: { lpips: Lpips; contextual?: PatchContextualLoss };
}

/** The best checkpoint of an earlier stage that this stage freezes; a bug if the runner did not load it. */
export function requireFrozen(dict: StateDict | undefined, stage: string, what: string): StateDict {
  if (!dict) throw new Error(`${stage} stage needs the ${what} stage's best checkpoint, and there is none`);
  return dict;
}
