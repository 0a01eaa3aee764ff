import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { flattenParams } from './params.js';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';
import { currentWorker } from './tracking-store.js';

describe('runs, params, tags and notes', () => {
  let f: FreshStore;
  beforeEach(() => {
    f = freshStore();
  });
  afterEach(() => f.cleanup());

  it('creates a scheduled run with its experiment and reads it back as a plain object', () => {
    const run = f.store.createRun({
      name: 'deblur-1',
      experiment: 'celeba-deblur',
      cellParams: { seed: 1, regression_init: 'random' },
      seed: 1,
      backend: 'wasm',
      gitCommit: 'abc123',
    });
    expect(run.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(run.status).toBe('scheduled');
    expect(run.attempts).toBe(0);
    expect(run.cellParams).toEqual({ regression_init: 'random', seed: 1 });
    expect(f.store.getRun(run.id)).toEqual(run);
    expect(f.store.getExperiment('celeba-deblur')?.name).toBe('celeba-deblur');
    expect(Object.getPrototypeOf(run)).toBe(Object.prototype);
  });

  it('lifecycle: start, resume, end with failure, requeue', () => {
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    const worker = currentWorker('w0');
    const started = f.store.startRun(run.id, worker);
    expect(started.status).toBe('running');
    expect(started.worker).toEqual(worker);
    expect(started.attempts).toBe(1);
    const firstStart = started.startTime;
    const failed = f.store.endRun(run.id, 'failed', 'NaN loss at step 12 (fusion)');
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatch(/NaN loss/);
    expect(failed.worker).toBeNull();
    expect(failed.endTime).not.toBeNull();
    const again = f.store.startRun(f.store.requeueRun(run.id).id, worker);
    expect(again.attempts).toBe(2);
    expect(again.startTime).toBe(firstStart);
    expect(again.failure).toBeNull();
    expect(again.endTime).toBeNull();
    f.store.heartbeat(run.id, 'fusion');
    expect(f.store.getRun(run.id)?.stage).toBe('fusion');
    expect(f.store.endRun(run.id, 'finished').status).toBe('finished');
    expect(() => f.store.endRun(run.id, 'running' as 'finished')).toThrow(StoreError);
  });

  it('lists with filters and finds by unique id prefix', () => {
    const a = f.store.createRun({ name: 'a', experiment: 'x' });
    const b = f.store.createRun({ name: 'b', experiment: 'y', status: 'running' });
    const c = f.store.createRun({ name: 'c', experiment: 'x', status: 'running' });
    expect(
      f.store
        .listRuns()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(
      f.store
        .listRuns({ experiment: 'x' })
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.id, c.id].sort());
    expect(
      f.store
        .listRuns({ status: 'running' })
        .map((r) => r.id)
        .sort(),
    ).toEqual([b.id, c.id].sort());
    expect(f.store.listRuns({ status: ['scheduled', 'running'], experiment: 'y' })).toHaveLength(1);
    expect(f.store.listRuns({ limit: 2 })).toHaveLength(2);
    expect(() => f.store.listRuns({ status: 'done' as 'finished' })).toThrow(/unknown run status/);
    expect(f.store.findRun(a.id.slice(0, 8)).id).toBe(a.id);
    expect(() => f.store.findRun('zzzzzzzz')).toThrow(StoreError);
    // '%' and '_' are not wildcards in a prefix.
    expect(() => f.store.findRun('%%%%')).toThrow(/no run/);
  });

  it('updates fields and deleting a run removes everything logged for it', () => {
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    expect(f.store.updateRun(run.id, { backend: 'node-gpu', stage: 'restoration' })).toMatchObject({
      backend: 'node-gpu',
      stage: 'restoration',
      name: 'r',
    });
    f.store.logMetrics(run.id, 'restoration', 0, { loss: 1 });
    f.store.saveCheckpoint({ runId: run.id, stage: 'restoration', step: 0, path: 'c.safetensors' });
    f.store.logParams(run.id, { lr: 1e-3 });
    f.store.setTag(run.id, 'k', 'v');
    f.store.deleteRun(run.id);
    expect(f.store.getRun(run.id)).toBeUndefined();
    for (const t of ['metrics', 'latest_metrics', 'checkpoints', 'params', 'tags']) {
      expect(f.store.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
    }
  });

  it('params keep JSON types; logging a key again overwrites it', () => {
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    const params = flattenParams({
      fusion: { lr: 2e-4, betas: [0, 0.99] },
      name: 'x',
      ema: null,
      skip: undefined,
    });
    expect(params).toEqual({ 'fusion.lr': 2e-4, 'fusion.betas': [0, 0.99], name: 'x', ema: null });
    f.store.logParams(run.id, params);
    f.store.logParams(run.id, { 'fusion.lr': 1e-4 });
    expect(f.store.getParams(run.id)).toEqual({ ...params, 'fusion.lr': 1e-4 });
  });

  it('tags replace by key; notes append', () => {
    const run = f.store.createRun({ name: 'r', experiment: 'e' });
    f.store.setTag(run.id, 'owner', 'a');
    f.store.setTag(run.id, 'owner', 'b');
    f.store.setTag(run.id, 'gpu', 'h100');
    f.store.deleteTag(run.id, 'gpu');
    expect(f.store.getTags(run.id)).toEqual({ owner: 'b' });
    f.store.addNote(run.id, 'first');
    f.store.addNote(run.id, 'second');
    expect(f.store.getNotes(run.id).map((n) => n.text)).toEqual(['first', 'second']);
  });

  it('a run needs a valid status', () => {
    expect(() => f.store.createRun({ name: 'r', experiment: 'e', status: 'done' as 'finished' })).toThrow(
      StoreError,
    );
  });
});
