// The tfjs kernels one training step of each stage dispatches, recorded with tf.profile on the
// running backend with our optional fused kernels off (as on tfjs-node): the runner's own stage
// trainers (restoration, synthesis with the pair augmentation and a lazy-R1 step, fusion, and the
// two priors' steps), small arch (tiny-32, batch 2) with the quick demo's perceptual settings.
// `ugp doctor` checks this list (committed as packages/tensor/fixtures/training-kernels.json)
// against the kernels a backend registers.
import type * as tf from '@tensorflow/tfjs-core';
import { randomFrozenStages, standaloneStageContext } from '../random-frozen.js';

const TRAINING_STAGES = [
  'pretrain-regression',
  'pretrain-gan',
  'restoration',
  'synthesis',
  'fusion',
] as const;
export type TrainingStage = (typeof TRAINING_STAGES)[number];

/** Kernel names per stage (sorted), from profiled step 1 (the GAN stages' lazy R1 runs on it) and a validation pass. */
export async function recordTrainingKernels(
  experimentPath: string,
): Promise<Record<TrainingStage, string[]>> {
  const tfc = await import('@tensorflow/tfjs-core');
  const { Rng, withPortableKernels } = await import('@ugpnet/tensor');
  const models = await import('@ugpnet/models');
  const runner = await import('@ugpnet/runner');
  const losses = await import('@ugpnet/losses');
  const metrics = await import('@ugpnet/metrics');
  const { PairAugmentation } = await import('@ugpnet/datasets');

  const raw = runner.readExperimentChain(experimentPath);
  const experiment = runner.validateExperiment(
    runner.deepMerge(raw, { arch: 'tiny-32', data: { size: 32, batch_size: 2 } }),
    experimentPath,
  );
  const arch = models.resolveArch('tiny-32');
  const netOptions = {
    weightsDir: experiment.perceptual.weights_dir,
    proxyWidthDivisor: experiment.perceptual.proxy_width_divisor,
  };
  const lpips = losses.createLpips(netOptions);
  const c = experiment.stages.fusion.contextual;
  const contextual = losses.createPatchContextualLoss({
    ...netOptions,
    layer: c.layer,
    patchSize: Math.min(c.patch_size, arch.image_size),
    bandWidth: c.band_width,
    variant: c.variant,
  });
  const frozen = await randomFrozenStages(arch, experiment.seed);
  const augmentation = new PairAugmentation({ referenceSize: 512 });
  const augmentRng = new Rng(experiment.seed).fork('augment');

  const size = arch.image_size;
  const lq = tfc.randomUniform([2, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const gt = tfc.randomUniform([2, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const used = {} as Record<TrainingStage, string[]>;
  try {
    // What a backend without our optional fused kernels (tfjs-node's) dispatches.
    await withPortableKernels(async () => {
      for (const stage of TRAINING_STAGES) {
        const trainer = runner.createStageTrainer(
          stage,
          await standaloneStageContext(stage, {
            experiment,
            arch,
            frozen,
            perceptual: { lpips, contextual },
          }),
          {
            augment: (xReg, target, iteration) => {
              const [a, b] = augmentation.augmentPair(xReg, target, iteration, augmentRng.fork(iteration));
              return [a, b];
            },
          },
        );
        const names = new Set<string>();
        try {
          // Step 1 is a superset of later steps: it runs the lazy R1 (batch_idx 0) and the augmentation.
          const step = await tfc.profile(() => {
            trainer.beforeStep?.(1);
            trainer.trainStep({ lq, gt }, 1);
          });
          for (const k of step.kernels) names.add(k.name);
          // Validation: the stage's inference, its outputs rounded to 8-bit images, LPIPS against gt.
          const profile = await tfc.profile(async () => {
            const outputs = Object.values(trainer.infer(lq));
            for (const output of outputs) {
              await metrics.tensorToImages8(output);
              await losses.lpipsMetric(lpips, output, gt);
            }
            tfc.dispose(outputs);
          });
          for (const k of profile.kernels) names.add(k.name);
        } finally {
          trainer.dispose();
        }
        used[stage] = [...names].sort();
      }
    });
  } finally {
    tfc.dispose([lq, gt]);
    lpips.dispose();
    contextual.dispose();
  }
  return used;
}
