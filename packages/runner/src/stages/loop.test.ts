import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { Adam, Conv2d, initBackend, Rng } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { runStageLoop } from './loop.js';
import type { StageBatch, StageTrainer } from './stage.js';
import { stepWithGrads } from './step.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

/** A 1×1 conv learning to copy its input: small enough to run 100s of steps in a test. */
class CopyTrainer implements StageTrainer {
  readonly stage = 'restoration' as const;
  readonly primaryOutput = 'I_R' as const;
  readonly net = new Conv2d(3, 3, 1, new Rng(5));
  readonly adam = new Adam(this.net.namedParameters(), { lr: 0.05 });
  readonly saved = { '': this.net };
  readonly optimizers = { net: this.adam };
  poisonAt = -1;

  trainStep(batch: StageBatch, iteration: number) {
    const l1 = stepWithGrads(
      this.adam,
      () => tf.mean(tf.abs(tf.sub(this.net.apply(batch.lq), batch.gt))) as tf.Scalar,
    );
    return { l1: iteration === this.poisonAt ? Number.NaN : l1 };
  }

  infer(lq: tf.Tensor4D) {
    return { I_R: this.net.apply(lq) };
  }

  dispose() {
    this.net.dispose();
    this.adam.dispose();
  }
}

const data = {
  batchAt: async (iteration: number) => {
    const rng = new Rng(100).fork(iteration);
    const x = tf.tensor4d(rng.uniformArray(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    return { lq: x, gt: x.clone() };
  },
};

function setup(): { store: TrackingStore; runId: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ugp-loop-'));
  const store = openStore(join(dir, 'ugp.db'));
  const runId = store.createRun({ name: 'loop', experiment: 'test' }).id;
  store.startRun(runId);
  return { store, runId, dir };
}

function loopOptions(store: TrackingStore, runId: string, dir: string, trainer: StageTrainer, extra = {}) {
  return {
    store,
    runId,
    stage: 'restoration' as const,
    trainer,
    data,
    // Validation is a cheap, deterministic function of the weights.
    validate: async (t: StageTrainer) => {
      const w = (t as CopyTrainer).net.weight;
      const distance = tf.tidy(() => tf.sum(tf.abs(tf.sub(w, tf.eye(3).reshape([1, 1, 3, 3])))));
      const psnr = -distance.dataSync()[0]!;
      distance.dispose();
      return { psnr };
    },
    iterations: 40,
    valEvery: 10,
    logEvery: 5,
    checkpointDir: join(dir, 'ckpt'),
    best: { metric: 'psnr', mode: 'max' as const },
    progress: { update() {}, log() {}, stop() {} },
    ...extra,
  };
}

function lossRows(store: TrackingStore, runId: string) {
  return store.metricHistory(runId, { stage: 'restoration' }).filter((m) => m.key === 'loss/l1');
}

describe('runStageLoop', () => {
  it('trains, logs, validates, checkpoints and marks the best', async () => {
    const { store, runId, dir } = setup();
    const trainer = new CopyTrainer();
    const result = await runStageLoop(loopOptions(store, runId, dir, trainer));
    expect(result).toEqual({ status: 'finished', iteration: 40 });
    expect(lossRows(store, runId).map((m) => m.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    const checkpoints = store.listCheckpoints(runId, 'restoration');
    expect(checkpoints.map((c) => c.step)).toEqual([10, 20, 30, 40]);
    expect(checkpoints.filter((c) => c.isBest)).toHaveLength(1);
    expect(existsSync(store.resolvePath(checkpoints[0]!.path))).toBe(true);
    trainer.dispose();
  });

  it('a stopped stage resumes to the same weights with no duplicate or missing rows', async () => {
    const straight = setup();
    const a = new CopyTrainer();
    await runStageLoop(loopOptions(straight.store, straight.runId, straight.dir, a));

    const resumed = setup();
    const b = new CopyTrainer();
    let calls = 0;
    const first = await runStageLoop(
      loopOptions(resumed.store, resumed.runId, resumed.dir, b, { shouldStop: () => ++calls > 23 }),
    );
    expect(first.status).toBe('stopped');
    b.dispose();
    // A fresh process: new trainer, same store; rows logged after the checkpoint are forgotten.
    const c = new CopyTrainer();
    const second = await runStageLoop(loopOptions(resumed.store, resumed.runId, resumed.dir, c));
    expect(second.status).toBe('finished');
    const stepsOf = (s: TrackingStore, id: string) => lossRows(s, id).map((m) => m.step);
    expect(stepsOf(resumed.store, resumed.runId)).toEqual(stepsOf(straight.store, straight.runId));
    const valuesOf = (s: TrackingStore, id: string) => lossRows(s, id).map((m) => m.value);
    expect(valuesOf(resumed.store, resumed.runId)).toEqual(valuesOf(straight.store, straight.runId));
    expect(Array.from(c.net.weight.dataSync())).toEqual(Array.from(a.net.weight.dataSync()));
    a.dispose();
    c.dispose();
  });

  it('a NaN loss fails the stage and keeps the last good checkpoint', async () => {
    const { store, runId, dir } = setup();
    const trainer = new CopyTrainer();
    trainer.poisonAt = 27;
    const result = await runStageLoop(loopOptions(store, runId, dir, trainer));
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.reason).toMatch(/non-finite loss at iteration 27: l1=NaN/);
    expect(store.latestCheckpoint(runId, 'restoration')?.step).toBe(20);
    trainer.dispose();
  });

  it('keeps the tensor count flat over training', async () => {
    const { store, runId, dir } = setup();
    const trainer = new CopyTrainer();
    await runStageLoop(loopOptions(store, runId, dir, trainer, { iterations: 5, valEvery: 5 }));
    const before = tf.memory().numTensors;
    await runStageLoop(loopOptions(store, runId, dir, trainer, { iterations: 45, valEvery: 10 }));
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });
});
