// Scores a finished run on a held-out test set with its best checkpoint of each stage:
// PSNR / SSIM / LPIPS (or lpips_proxy) of I_R, I_G and I_F, logged as stage `test`.
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { createLpips } from '@ugpnet/losses';
import type { TrackingStore } from '@ugpnet/store';
import { Rng } from '@ugpnet/tensor';
import { readCheckpointFile, sectionOf } from './checkpoint/stage-checkpoint.js';
import { saveTestImages } from './comparison-images.js';
import { createTestBatches } from './data.js';
import type { Experiment } from './experiment/schema.js';
import { selectedCheckpoint } from './priors.js';
import { checkArch, runDirectory } from './run.js';
import { experimentOfRun } from './session.js';
import { FusionTrainer } from './stages/fusion.js';
import { scoreOutputs } from './stages/validation.js';

export const TEST_STAGE = 'test';

/** The checkpoint the pipeline uses for a stage (priors.ts: synthesis's final, the others' best by validation.metric). */
function bestWeights(store: TrackingStore, runId: string, stage: string, experiment: Experiment) {
  const best = selectedCheckpoint(store, runId, stage, experiment);
  if (!best) throw new UserError(`run ${runId} has no ${stage} checkpoint to evaluate`);
  return sectionOf(readCheckpointFile(store.resolvePath(best.path)).tensors, '');
}

export async function evaluateRun(store: TrackingStore, runId: string): Promise<Record<string, number>> {
  const run = store.findRun(runId);
  const experiment = experimentOfRun(store, run);
  const arch = checkArch(experiment);
  const { weights_dir, proxy_width_divisor } = experiment.perceptual;
  const lpips = createLpips({ weightsDir: weights_dir, proxyWidthDivisor: proxy_width_divisor });
  const batches = await createTestBatches(experiment);
  const trainer = new FusionTrainer(
    {
      experiment,
      arch,
      rng: new Rng(experiment.seed).fork('fusion'),
      priors: {},
      frozen: {
        restoration: bestWeights(store, run.id, 'restoration', experiment),
        synthesis: bestWeights(store, run.id, 'synthesis', experiment),
      },
      perceptual: { lpips },
    },
    experiment.stages.fusion,
  );
  try {
    trainer.fusion.loadTorchStateDict(bestWeights(store, run.id, 'fusion', experiment), {
      source: 'fusion checkpoint',
    });
    const metrics = await scoreOutputs(
      trainer,
      batches.map((b) => b),
      lpips,
      // The dashboard's side-by-side views: the first test images at each stage's best checkpoint.
      (batch, outputs) =>
        saveTestImages({
          store,
          runId: run.id,
          dir: join(runDirectory(store, run.id), 'artifacts'),
          batch,
          outputs,
          experiment,
        }).then(() => undefined),
    );
    store.logMetrics(run.id, TEST_STAGE, 0, metrics);
    return metrics;
  } finally {
    trainer.dispose();
    lpips.dispose();
    for (const b of batches) {
      b.lq.dispose();
      b.gt.dispose();
    }
  }
}
