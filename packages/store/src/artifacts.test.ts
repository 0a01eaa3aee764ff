import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FreshStore, freshStore } from './test-support/fresh-store.js';

describe('artifacts', () => {
  let f: FreshStore;
  let runId: string;
  beforeEach(() => {
    f = freshStore();
    runId = f.store.createRun({ name: 'r', experiment: 'e' }).id;
  });
  afterEach(() => f.cleanup());

  it('records artifacts once per (stage, step, kind, path) and filters them', () => {
    f.store.logArtifact({ runId, stage: 'fusion', step: 10, kind: 'samples', path: 'runs/r/fusion-10.png' });
    f.store.logArtifact({ runId, stage: 'fusion', step: 10, kind: 'samples', path: 'runs/r/fusion-10.png' });
    f.store.logArtifact({ runId, stage: 'fusion', step: 20, kind: 'samples', path: 'runs/r/fusion-20.png' });
    f.store.logArtifact({ runId, stage: 'synthesis', step: 10, kind: 'grid', path: 'runs/r/syn-10.png' });
    expect(f.store.listArtifacts(runId)).toHaveLength(3);
    expect(f.store.listArtifacts(runId, { stage: 'fusion' }).map((a) => a.step)).toEqual([10, 20]);
    expect(f.store.listArtifacts(runId, { kind: 'grid' }).map((a) => a.stage)).toEqual(['synthesis']);
    expect(f.store.listArtifacts(runId, { stage: 'fusion', step: 20 })).toHaveLength(1);
    expect(f.store.deleteArtifactsAfter(runId, 'fusion', 10)).toBe(1);
  });

  it('resolves relative paths against the store folder', () => {
    expect(f.store.resolvePath('runs/a.png')).toBe(`${f.dir}/runs/a.png`);
    expect(f.store.resolvePath('/abs/a.png')).toBe('/abs/a.png');
  });
});
