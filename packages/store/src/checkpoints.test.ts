import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';

describe('checkpoints', () => {
  let f: FreshStore;
  let runId: string;
  beforeEach(() => {
    f = freshStore();
    runId = f.store.createRun({ name: 'r', experiment: 'e', status: 'running' }).id;
  });
  afterEach(() => f.cleanup());

  function save(stage: string, step: number, metrics: Record<string, number>) {
    return f.store.saveCheckpoint({ runId, stage, step, path: `ckpt/${stage}-${step}.safetensors`, metrics });
  }

  it('records checkpoints per stage and step; saving a step again replaces it', () => {
    save('fusion', 100, { psnr: 20 });
    save('fusion', 200, { psnr: 22 });
    save('fusion', 100, { psnr: 21 });
    save('synthesis', 50, { psnr: 18 });
    expect(f.store.listCheckpoints(runId, 'fusion').map((c) => [c.step, c.metrics.psnr])).toEqual([
      [100, 21],
      [200, 22],
    ]);
    expect(f.store.listCheckpoints(runId)).toHaveLength(3);
    expect(f.store.latestCheckpoint(runId, 'fusion')?.step).toBe(200);
    expect(f.store.getCheckpoint(runId, 'synthesis', 50)?.path).toBe('ckpt/synthesis-50.safetensors');
    expect(f.store.latestCheckpoint(runId, 'restoration')).toBeUndefined();
  });

  it('bestCheckpoint picks by metric and mode, skips missing and non-finite values, ties go to the earliest', () => {
    save('fusion', 100, { psnr: 24, lpips: 0.3 });
    save('fusion', 200, { psnr: Number.NaN, lpips: 0.1 });
    save('fusion', 300, { psnr: 26, lpips: 0.2 });
    save('fusion', 400, { psnr: 26 });
    save('fusion', 500, { psnr: Number.POSITIVE_INFINITY, lpips: Number.NaN });
    expect(f.store.bestCheckpoint(runId, 'fusion')?.step).toBe(300);
    expect(f.store.bestCheckpoint(runId, 'fusion', 'psnr', 'max')?.step).toBe(300);
    expect(f.store.bestCheckpoint(runId, 'fusion', 'lpips', 'min')?.step).toBe(200);
    expect(f.store.bestCheckpoint(runId, 'fusion', 'lpips', 'max')?.step).toBe(100);
    expect(f.store.bestCheckpoint(runId, 'fusion', 'ssim')).toBeUndefined();
    expect(f.store.getCheckpoint(runId, 'fusion', 200)?.metrics.psnr).toBeNull();
    expect(() => f.store.bestCheckpoint(runId, 'fusion', 'psnr', 'up' as 'max')).toThrow(StoreError);
  });

  it('is_best marks exactly one checkpoint of the stage and moves when a better one is saved', () => {
    const best = { metric: 'psnr', mode: 'max' as const };
    f.store.saveCheckpoint({ runId, stage: 'fusion', step: 1, path: 'a', metrics: { psnr: 20 } }, best);
    f.store.saveCheckpoint({ runId, stage: 'synthesis', step: 1, path: 's', metrics: { psnr: 99 } }, best);
    const second = f.store.saveCheckpoint(
      { runId, stage: 'fusion', step: 2, path: 'b', metrics: { psnr: 25 } },
      best,
    );
    expect(second.isBest).toBe(true);
    f.store.saveCheckpoint({ runId, stage: 'fusion', step: 3, path: 'c', metrics: { psnr: 22 } }, best);
    expect(f.store.listCheckpoints(runId, 'fusion').map((c) => c.isBest)).toEqual([false, true, false]);
    expect(f.store.listCheckpoints(runId, 'synthesis').map((c) => c.isBest)).toEqual([true]);
    const byLpips = f.store.markBestCheckpoint(runId, 'fusion', 'psnr', 'min');
    expect(byLpips?.step).toBe(1);
    expect(f.store.listCheckpoints(runId, 'fusion').map((c) => c.isBest)).toEqual([true, false, false]);
  });

  it('a resume forgets checkpoints, metrics and artifacts after its step in one call', () => {
    for (const step of [100, 200, 300]) {
      save('fusion', step, { psnr: step });
      f.store.logMetrics(runId, 'fusion', step, { loss: 1 });
      f.store.logArtifact({ runId, stage: 'fusion', step, kind: 'samples', path: `s-${step}.png` });
    }
    save('synthesis', 300, { psnr: 1 });
    expect(f.store.truncateStageAfter(runId, 'fusion', 100)).toEqual({
      metrics: 2,
      checkpoints: 2,
      artifacts: 2,
    });
    expect(f.store.listCheckpoints(runId).map((c) => `${c.stage}@${c.step}`)).toEqual([
      'fusion@100',
      'synthesis@300',
    ]);
    expect(f.store.listArtifacts(runId).map((a) => a.step)).toEqual([100]);
    expect(f.store.bestCheckpoint(runId, 'fusion')?.step).toBe(100);
  });
});
