// `ugp train EXP --smoke`: the experiment end to end before GPU hours are spent on it. Every stage it
// runs (and the prior runs it needs) trains two iterations at the configured architecture and image
// size, one image per batch, on a few images, with validation and checkpoints, into a throw-away store
// that is deleted afterwards (never the user's). Each stage reports the tensor memory its steps took
// and what that makes at the configured batch size, against the wasm heap limit when on wasm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openStore } from '@ugpnet/store';
import { activeBackend, resetPeakTensorBytes, wasmHeapUse } from '@ugpnet/tensor';
import { deepMerge, validateExperiment } from './experiment/load.js';
import { type Experiment, STAGES, type StageName } from './experiment/schema.js';
import { executeRun, type RunOutcome } from './run.js';
import { createTrackedRun } from './session.js';

/** Images and iterations of a smoke run: enough for two steps, a validation and a checkpoint. */
const SMOKE = { iterations: 2, images: 2 };

export interface StageMemory {
  stage: StageName;
  /** Live tensor bytes when the stage's trainer was built (weights, frozen nets, perceptual nets). */
  residentBytes: number;
  /** Most live tensor bytes during its steps and validation, at one image per batch. */
  peakBytes: number;
  /** resident + batch_size × (peak − resident): activations grow with the batch, weights do not. */
  atBatchBytes: number;
  batchSize: number;
  /** The wasm heap limit, on wasm; undefined elsewhere. */
  limitBytes?: number;
}

export interface SmokeReport {
  outcome: RunOutcome;
  failure: string | null;
  stages: StageMemory[];
}

/** The experiment as a smoke run trains it (same architecture, size, losses; two tiny iterations). */
export function smokeExperiment(experiment: Experiment): Experiment {
  const stages = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      {
        iterations: SMOKE.iterations,
        val_every: SMOKE.iterations,
        checkpoint_every: SMOKE.iterations,
        log_every: 1,
      },
    ]),
  );
  return validateExperiment(
    deepMerge(JSON.parse(JSON.stringify(experiment)), {
      name: `${experiment.name}-smoke`,
      data: {
        batch_size: 1,
        train_count: SMOKE.images,
        val_count: SMOKE.images,
        test_count: SMOKE.images,
      },
      validation: { samples: 1 },
      stages,
    }),
    `${experiment.name} (smoke)`,
  );
}

export async function smokeRun(
  experiment: Experiment,
  options: { log?: (line: string) => void; shouldStop?: () => boolean } = {},
): Promise<SmokeReport> {
  const smoke = smokeExperiment(experiment);
  const dir = mkdtempSync(join(tmpdir(), 'ugp-smoke-'));
  const store = openStore(join(dir, 'smoke.db'));
  const stages: StageMemory[] = [];
  let resident = 0;
  try {
    const run = createTrackedRun(store, smoke, { backend: activeBackend()?.name ?? 'unknown' });
    const outcome = await executeRun({
      store,
      experiment: smoke,
      runId: run.id,
      log: options.log,
      shouldStop: options.shouldStop,
      onStage: (stage, phase) => {
        if (phase === 'start') {
          resident = tf.memory().numBytes;
          resetPeakTensorBytes();
          return;
        }
        const heap = wasmHeapUse();
        // Without the wasm guard (node backends) the stage's end is the best reading there is.
        const peak = Math.max(heap?.peakTensorBytes ?? 0, tf.memory().numBytes, resident);
        const batchSize = experiment.data.batch_size;
        stages.push({
          stage,
          residentBytes: resident,
          peakBytes: peak,
          atBatchBytes: resident + batchSize * (peak - resident),
          batchSize,
          limitBytes: heap?.limitBytes,
        });
      },
    });
    return { outcome, failure: store.getRun(run.id)?.failure ?? null, stages };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether every measured stage fits the wasm heap at the configured batch (true off wasm). */
export function smokeFits(report: SmokeReport): boolean {
  return report.stages.every((s) => s.limitBytes === undefined || s.atBatchBytes <= s.limitBytes);
}
