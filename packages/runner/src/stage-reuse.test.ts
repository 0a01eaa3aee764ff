import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCH_PRESETS } from '@ugpnet/models';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { initBackend } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointFile } from './checkpoint/stage-checkpoint.js';
import { executeRun } from './run.js';
import { createTrackedRun } from './session.js';
import { restorationStageKey, STAGE_FROM_TAG } from './stage-reuse.js';
import { tinyRestorationExperiment } from './testing/tiny-experiment.js';

let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-reuse-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function experiment(overrides: { generator?: 'pretrained' | 'random'; lr?: number } = {}) {
  return tinyRestorationExperiment({
    name: 'reuse-test',
    seed: 3,
    iterations: 4,
    valEvery: 2,
    lr: overrides.lr ?? 5e-4,
    generator: overrides.generator,
  });
}

async function train(store: TrackingStore, generator: 'pretrained' | 'random', lr?: number) {
  const exp = experiment({ generator, lr });
  const run = createTrackedRun(store, exp, { backend: 'wasm', name: `G ${generator}` });
  expect(await executeRun({ store, experiment: exp, runId: run.id })).toBe('finished');
  return run.id;
}

const history = (store: TrackingStore, runId: string) =>
  store.metricHistory(runId, { stage: 'restoration' }).map((m) => [m.step, m.key, m.value]);

function bestTensors(store: TrackingStore, runId: string) {
  const best = store.bestCheckpoint(runId, 'restoration')!;
  return readCheckpointFile(store.resolvePath(best.path)).tensors;
}

describe('restoration stage reuse', () => {
  it('the key ignores later-stage settings, not the restoration recipe, data or R init', () => {
    const arch = ARCH_PRESETS['tiny-32']!;
    const key = (e: ReturnType<typeof experiment>) => restorationStageKey(e, arch, undefined, 'wasm');
    const base = experiment();
    expect(key(experiment({ generator: 'random' }))).toBe(key(base));
    expect(key({ ...base, stages: { ...base.stages, fusion: { ...base.stages.fusion, lr: 1 } } })).toBe(
      key(base),
    );
    expect(key(experiment({ lr: 1e-4 }))).not.toBe(key(base));
    expect(key({ ...base, init: { ...base.init, regression: 'pretrained' } })).not.toBe(key(base));
    expect(key({ ...base, data: { ...base.data, train_count: 9 } })).not.toBe(key(base));
    expect(restorationStageKey(base, arch, undefined, 'cpu')).not.toBe(key(base));
  });

  it('a run differing only in init.generator adopts the stage, identical to retraining it', async () => {
    const store = openStore(join(dir, 'shared.db'));
    const first = await train(store, 'pretrained');
    const second = await train(store, 'random');
    expect(store.getTags(second)[STAGE_FROM_TAG]).toBe(first);
    expect(store.getTags(first)[STAGE_FROM_TAG]).toBeUndefined();
    expect(history(store, second)).toEqual(history(store, first));
    const steps = (id: string) =>
      store.listCheckpoints(id, 'restoration').map((c) => [c.step, c.metrics, c.isBest]);
    expect(steps(second)).toEqual(steps(first));
    // Its own copies: the donor's files may go away.
    const paths = (id: string) => store.listCheckpoints(id, 'restoration').map((c) => c.path);
    for (const path of paths(second)) expect(path).toContain(second);
    expect(store.listArtifacts(second, { stage: 'restoration' }).length).toBe(
      store.listArtifacts(first, { stage: 'restoration' }).length,
    );
    // A different restoration recipe trains its own stage.
    const other = await train(store, 'random', 1e-4);
    expect(store.getTags(other)[STAGE_FROM_TAG]).toBeUndefined();

    // Retraining the adopted cell from scratch (a fresh store) gives the same weights.
    const fresh = openStore(join(dir, 'fresh.db'));
    const retrained = await train(fresh, 'random');
    const a = bestTensors(store, second);
    const b = bestTensors(fresh, retrained);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [key, t] of a) expect(b.get(key)!.data, key).toEqual(t.data);
    expect(readFileSync(store.resolvePath(store.bestCheckpoint(second, 'restoration')!.path)).length).toBe(
      readFileSync(fresh.resolvePath(fresh.bestCheckpoint(retrained, 'restoration')!.path)).length,
    );
    store.close();
    fresh.close();
  }, 120_000);
});
