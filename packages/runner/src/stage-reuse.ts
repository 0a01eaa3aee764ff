// Stage 1 (restoration) depends only on the regression network's starting weights, the
// architecture, the data, the seed, its own recipe, validation and the backend — not on the
// generator. Cells of a grid that differ only in later-stage settings (e.g. init.generator)
// would retrain the very same stage; instead a cell adopts the finished stage of another run
// with the same key: its checkpoints (copied), metric history and sample strips. The result is
// what retraining would give, bit for bit, on the same backend and thread count (training is
// deterministic).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { canonicalJson, sha256 } from '@ugpnet/core';
import type { TrackingStore } from '@ugpnet/store';
import type { Experiment } from './experiment/schema.js';
import type { StateDict } from './stages/context.js';

export const REUSABLE_STAGE = 'restoration';
/** Tag on every run whose restoration stage finished: the key below. */
export const STAGE_KEY_TAG = `stage.${REUSABLE_STAGE}.key`;
/** Tag on a run that adopted its restoration stage: the run it came from. */
export const STAGE_FROM_TAG = `stage.${REUSABLE_STAGE}.from`;
const FINISHED_TAG = `stage.${REUSABLE_STAGE}`;

/** sha256 of a state dict's keys, shapes and values (the regression prior's identity). */
export function stateDictHash(dict: StateDict | undefined): string | null {
  if (!dict) return null;
  const hash = createHash('sha256');
  for (const [key, t] of [...dict].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${key}:${t.shape.join('x')};`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest('hex');
}

/** Everything the restoration stage's result depends on. */
export function restorationStageKey(
  experiment: Experiment,
  arch: unknown,
  regressionPrior: StateDict | undefined,
  backend: string | null,
): string {
  const relevant = {
    stage: REUSABLE_STAGE,
    arch,
    data: experiment.data,
    seed: experiment.seed,
    regression: experiment.init.regression,
    prior: stateDictHash(regressionPrior),
    recipe: experiment.stages.restoration,
    validation: experiment.validation,
    perceptual: experiment.perceptual,
    backend,
  };
  return sha256(canonicalJson(relevant)).slice(0, 16);
}

/** Another run whose restoration stage finished with this key, if any. */
export function findFinishedStage(
  store: TrackingStore,
  key: string,
  exceptRunId: string,
): string | undefined {
  return store
    .listRuns()
    .map((run) => run.id)
    .find((id) => {
      if (id === exceptRunId) return false;
      const tags = store.getTags(id);
      return tags[STAGE_KEY_TAG] === key && tags[FINISHED_TAG] === 'finished';
    });
}

/** Copies a file of the store into `dir`; returns its store-relative path (undefined if it is gone). */
function copyInto(store: TrackingStore, path: string, dir: string): string | undefined {
  const source = store.resolvePath(path);
  if (!existsSync(source)) return undefined;
  mkdirSync(dir, { recursive: true });
  const target = join(dir, basename(source));
  copyFileSync(source, target);
  return relative(store.resolvePath('.'), target);
}

/**
 * Makes `runId`'s restoration stage the one `donorId` trained: its checkpoints and sample strips
 * copied under `runDir` (so deleting the donor leaves this run whole) and recorded with their
 * validation metrics (same best checkpoint), its metric history, and the stage marked finished.
 * Files are copied first; the records are one transaction, so a kill leaves either no trace in the
 * store (the next attempt adopts again) or a finished stage with all its metrics.
 */
export function adoptStage(
  store: TrackingStore,
  runId: string,
  donorId: string,
  runDir: string,
  best: { metric: string; mode: 'max' | 'min' },
): void {
  const stage = REUSABLE_STAGE;
  const checkpoints = store.listCheckpoints(donorId, stage).flatMap((checkpoint) => {
    const path = copyInto(store, checkpoint.path, join(runDir, 'checkpoints'));
    return path ? [{ checkpoint, path }] : [];
  });
  const artifacts = store.listArtifacts(donorId, { stage }).flatMap((artifact) => {
    const path = copyInto(store, artifact.path, join(runDir, 'artifacts', stage));
    return path ? [{ artifact, path }] : [];
  });
  const bySteps = new Map<number, Record<string, number>>();
  for (const m of store.metricHistory(donorId, { stage })) {
    const row = bySteps.get(m.step) ?? {};
    row[m.key] = m.value;
    bySteps.set(m.step, row);
  }
  store.transaction(() => {
    for (const { checkpoint, path } of checkpoints) {
      const metrics = Object.fromEntries(
        Object.entries(checkpoint.metrics).map(([k, v]) => [k, v === null ? Number.NaN : v]),
      );
      store.saveCheckpoint({ runId, stage, step: checkpoint.step, path, metrics }, best);
    }
    for (const [step, values] of bySteps) store.logMetrics(runId, stage, step, values);
    for (const { artifact, path } of artifacts)
      store.logArtifact({ runId, stage, step: artifact.step, kind: artifact.kind, path });
    store.setTag(runId, STAGE_FROM_TAG, donorId);
    store.setTag(runId, FINISHED_TAG, 'finished');
  });
}
