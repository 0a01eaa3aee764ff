// The smallest real experiment the runner's tests train: tiny-32, restoration only, blur, the proxy
// perceptual loss, R random (no prior to make) — a few seconds per run on wasm.
import type { Experiment } from '../experiment/schema.js';
import { validateExperiment } from '../experiment/load.js';

export interface TinyRestorationOptions {
  name: string;
  seed: number;
  iterations: number;
  valEvery: number;
  /** Restoration learning rate (default: the experiment's). */
  lr?: number;
  /** G's initialisation (default pretrained). */
  generator?: 'pretrained' | 'random';
  /** Validation images saved per validation (default 1). */
  validationSamples?: number;
}

export function tinyRestorationExperiment(options: TinyRestorationOptions): Experiment {
  const { iterations, valEvery, lr } = options;
  return validateExperiment(
    {
      name: options.name,
      arch: 'tiny-32',
      seed: options.seed,
      stages_to_run: ['restoration'],
      data: {
        size: 32,
        degradation: { type: 'blur', bank_size: 4, kernel_size: 5 },
        batch_size: 2,
        train_count: 8,
        val_count: 2,
        test_count: 2,
      },
      perceptual: { allow_proxy: true, proxy_width_divisor: 16 },
      validation: { samples: options.validationSamples ?? 1 },
      init: { regression: 'random', generator: options.generator ?? 'pretrained' },
      stages: { restoration: { iterations, val_every: valEvery, ...(lr === undefined ? {} : { lr }) } },
    },
    'test',
  );
}
