// Starting or resuming a tracked run of an experiment. A run records the full validated
// experiment as its `experiment` param, so `ugp resume RUN` needs nothing but the id, and
// re-running the same `ugp train` finds the unfinished run of the same config and resumes it.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { canonicalJson, sha256, UserError } from '@ugpnet/core';
import type { Acquisition, Run, TrackingStore } from '@ugpnet/store';
import { type Experiment, experimentSchema } from './experiment/schema.js';
import { thisWorker } from './ownership.js';

const CONFIG_HASH_TAG = 'config_hash';

export function configHash(experiment: Experiment): string {
  return sha256(canonicalJson(experiment)).slice(0, 16);
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The newest run of this exact config, if any. */
export function findRunOfConfig(store: TrackingStore, experiment: Experiment): Run | undefined {
  const hash = configHash(experiment);
  return store
    .listRuns({ experiment: experiment.name })
    .find((run) => store.getTags(run.id)[CONFIG_HASH_TAG] === hash);
}

export interface CreateTrackedRunOptions {
  id?: string;
  name?: string;
  backend: string;
  gridId?: string | null;
  cellId?: string | null;
  cellParams?: Record<string, string | number | boolean | null>;
  /** The commit to record (default: `git rev-parse HEAD` now). */
  gitCommit?: string | null;
}

/** Creates a run for the experiment and records everything needed to resume it. */
export function createTrackedRun(
  store: TrackingStore,
  experiment: Experiment,
  options: CreateTrackedRunOptions,
): Run {
  const run = store.createRun({
    id: options.id,
    name: options.name ?? experiment.name,
    experiment: experiment.name,
    seed: experiment.seed,
    backend: options.backend,
    gitCommit: options.gitCommit === undefined ? gitCommit() : options.gitCommit,
    host: hostname(),
    gridId: options.gridId ?? null,
    cellId: options.cellId ?? null,
    cellParams: options.cellParams ?? {},
  });
  recordExperiment(store, run.id, experiment);
  return run;
}

/**
 * `ugp train`'s start: finds the newest run of this config (unless `fresh`) or creates one, and claims
 * it, all in one transaction, so processes started together end up with one run and one owner.
 * A finished run is returned as is; a run a live process holds comes back `held`.
 */
export function claimRunOfConfig(
  store: TrackingStore,
  experiment: Experiment,
  options: CreateTrackedRunOptions & { fresh?: boolean },
): Acquisition {
  const commit = gitCommit();
  return store.transaction(() => {
    const existing = options.fresh ? undefined : findRunOfConfig(store, experiment);
    if (existing?.status === 'finished') return { status: 'finished', run: existing };
    const run = existing ?? createTrackedRun(store, experiment, { ...options, gitCommit: commit });
    return store.acquireRun(run.id, thisWorker());
  });
}

export function recordExperiment(store: TrackingStore, runId: string, experiment: Experiment): void {
  store.logParams(runId, { experiment: JSON.parse(JSON.stringify(experiment)) });
  store.setTag(runId, CONFIG_HASH_TAG, configHash(experiment));
}

/** The experiment a run was started with (validated again, so old runs get today's defaults). */
export function experimentOfRun(store: TrackingStore, run: Run): Experiment {
  const raw = store.getParams(run.id).experiment;
  if (raw === undefined)
    throw new UserError(`run ${run.id} has no recorded experiment; it cannot be resumed`);
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`run ${run.id}: its recorded experiment no longer validates`);
  return parsed.data;
}
