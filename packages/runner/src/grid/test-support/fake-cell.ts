// A test double for the three-stage trainer: one stage of `steps` steps that logs metrics every step
// and checkpoints every 5 steps, resuming from its last checkpoint like the real trainer must.
import type { CellRunner } from '../worker.js';

export function fakeCell(steps: number, delayMs: number): CellRunner {
  return async ({ store, run, signal }) => {
    const stage = 'fusion';
    const ckpt = store.latestCheckpoint(run.id, stage);
    // Forget what was logged after the checkpoint we resume from (or everything on a fresh start).
    store.truncateStageAfter(run.id, stage, ckpt?.step ?? -1);
    store.heartbeat(run.id, stage);
    for (let step = ckpt ? ckpt.step + 1 : 0; step < steps; step++) {
      if (signal.aborted) throw new Error('stopped');
      if (run.cellParams.fail === true && step === 3) throw new RangeError('loss is NaN at step 3');
      store.logMetrics(run.id, stage, step, { loss: 1 / (step + 1), psnr: 20 + step });
      if (step % 5 === 4) {
        const metrics = { psnr: 20 + step };
        store.saveCheckpoint(
          { runId: run.id, stage, step, path: `ckpt/${run.id}-${step}`, metrics },
          { metric: 'psnr', mode: 'max' },
        );
      }
      await new Promise((r) => setTimeout(r, delayMs));
    }
  };
}
