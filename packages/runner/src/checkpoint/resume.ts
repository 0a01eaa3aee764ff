// Resuming a stage: the newest checkpoint that verifies (its file reads back whole) is restored.
// A newer one that does not (truncated by a full disk or a kill during a copy, deleted, not a
// checkpoint) is named with the reason, and the run continues from the one before it rather
// than failing while an intact checkpoint exists.
import { UserError } from '@ugpnet/core';
import type { TrackingStore } from '@ugpnet/store';
import type { StageTrainer } from '../stages/stage.js';
import { applyStageCheckpoint, readCheckpointFile } from './stage-checkpoint.js';

export interface Resumed {
  /** The iteration restored (0: none usable, the stage starts over). */
  iteration: number;
  /** Newer checkpoints passed over, newest first. */
  unusable: Array<{ step: number; path: string; reason: string }>;
}

/** Restores the newest usable checkpoint of (run, stage) into `trainer`; `log` hears every fallback. */
export function resumeFromNewestUsable(
  store: TrackingStore,
  runId: string,
  stage: string,
  trainer: StageTrainer,
  log: (line: string) => void,
): Resumed {
  const unusable: Resumed['unusable'] = [];
  const newestFirst = [...store.listCheckpoints(runId, stage)].sort((a, b) => b.step - a.step);
  for (const checkpoint of newestFirst) {
    const path = store.resolvePath(checkpoint.path);
    let read: ReturnType<typeof readCheckpointFile>;
    try {
      read = readCheckpointFile(path);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      unusable.push({ step: checkpoint.step, path, reason: err.message });
      log(`[resume] ${stage}: checkpoint of iteration ${checkpoint.step} is unusable: ${err.message}`);
      continue;
    }
    const meta = applyStageCheckpoint(path, read, trainer);
    if (unusable.length > 0) {
      log(
        `[resume] ${stage}: resuming from iteration ${meta.iteration} (${path}), the newest checkpoint that ` +
          `verifies; iterations after it are trained again`,
      );
    }
    return { iteration: meta.iteration, unusable };
  }
  if (unusable.length > 0) {
    log(`[resume] ${stage}: none of its ${unusable.length} checkpoints verifies; the stage starts over`);
  }
  return { iteration: 0, unusable };
}
