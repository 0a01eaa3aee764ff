import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@ugpnet/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCommand } from './restore-command.js';
import { parseTestImage, readSnapshot, snapshotJson, storeFingerprint } from './snapshot.js';
import { type FilledStore, fillStore, NASTY_NAME, restorationPsnr } from './testing/fill-store.js';

let dir: string;
let filled: FilledStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-dash-snapshot-'));
  filled = fillStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseTestImage', () => {
  it('reads image index and column from a test image name, and nothing from anything else', () => {
    expect(parseTestImage('test-images', 'runs/x/artifacts/test-images/test-03-I_F.png')).toEqual({
      index: 3,
      column: 'I_F',
    });
    expect(parseTestImage('test-images', 'test-00-LQ.png')).toEqual({ index: 0, column: 'LQ' });
    expect(parseTestImage('samples', 'test-00-LQ.png')).toBeNull();
    expect(parseTestImage('test-images', 'a/test-00-I_X.png')).toBeNull();
    expect(parseTestImage('test-images', 'a/mytest-00-GT.png')).toBeNull();
  });
});

describe('readSnapshot', () => {
  it('reads runs, grids, series, checkpoints and artifacts through the store API', () => {
    const store = openStore(filled.db, { readonly: true });
    try {
      const data = readSnapshot(store);
      expect(data.runs).toHaveLength(13);
      expect(data.experiments.map((e) => e.name).sort()).toEqual([
        'deblur-ablation',
        'demo',
        'demo-ablation',
      ]);
      expect(data.grids.map((g) => g.id).sort()).toEqual(['deblur-ablation', 'demo-ablation']);
      expect(data.stageOrder).toEqual(['restoration', 'synthesis', 'fusion', 'test']);
      expect(data.metricKinds).toMatchObject({
        psnr: 'psnr',
        lpips: 'lpips',
        lpips_proxy: 'lpips_proxy',
        loss: 'loss',
      });

      const first = filled.gridRuns[0]!;
      const s = data.series[first.id]!.restoration!.psnr!;
      expect(s.steps).toEqual([0, 250, 500, 750, 1000]);
      expect(s.values[3]).toBeCloseTo(restorationPsnr(750, first.pretrainedR, first.seed), 10);

      const run = data.runs.find((r) => r.id === first.id)!;
      const best = run.checkpoints.filter((c) => c.isBest);
      expect(best.map((c) => [c.stage, c.step])).toEqual([
        ['fusion', 400],
        ['restoration', 750],
        ['synthesis', 600],
      ]);
      expect(best[1]!.absolutePath).toBe(join(dir, `checkpoints/${first.id}/restoration-750.safetensors`));
      expect(best[1]!.restoreCommand).toBe(restoreCommand(first.id, data.storePath));
      expect(best[1]!.restoreCommand).toMatch(
        new RegExp(`^ugp weights export --run ${first.id} --db .* && ugp restore --checkpoint ugpnet-`),
      );
      const summary = run.summaries.find((x) => x.stage === 'restoration' && x.key === 'psnr')!;
      expect(summary.max).toBeCloseTo(restorationPsnr(750, first.pretrainedR, first.seed), 10);
      expect(run.artifacts.every((a) => a.url?.startsWith('artifacts/'))).toBe(true);
      // Test images: column and index from the file name, each stage at its best step with what it makes.
      const images = run.artifacts.filter((a) => a.testImage);
      expect(run.artifacts.filter((a) => a.kind === 'test-images')).toEqual(images);
      const columns = (stage: string) =>
        [...new Set(images.filter((a) => a.stage === stage).map((a) => a.testImage!.column))].sort();
      expect(columns('restoration')).toEqual(['GT', 'I_R', 'LQ']);
      expect(columns('synthesis')).toEqual(['GT', 'I_G', 'I_R', 'LQ']);
      expect(columns('fusion')).toEqual(['GT', 'I_F', 'I_G', 'I_R', 'LQ']);
      expect(new Set(images.filter((a) => a.stage === 'fusion').map((a) => a.step))).toEqual(new Set([400]));
      expect(new Set(images.map((a) => a.testImage!.index))).toEqual(new Set([0, 1]));
      expect(run.artifacts.filter((a) => a.kind === 'samples').every((a) => a.testImage === null)).toBe(true);

      const demo = data.runs.find((r) => r.id === filled.demoRunId)!;
      expect(demo.name).toBe(NASTY_NAME);
      expect(demo.artifacts[0]!.url).toBeNull(); // the file does not exist
      // NaN and Infinity become gaps.
      expect(data.series[demo.id]!.restoration!['loss/psnr']!.values.slice(1, 4)).toEqual([
        1 / 11,
        null,
        null,
      ]);
    } finally {
      store.close();
    }
  });

  it('embeds safely in a script', () => {
    const store = openStore(filled.db, { readonly: true });
    try {
      const json = snapshotJson(readSnapshot(store));
      expect(json).not.toContain('</script>');
      expect(JSON.parse(json).runs.some((r: { name: string }) => r.name === NASTY_NAME)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('changes its fingerprint when a metric is logged, and only then', () => {
    const reader = openStore(filled.db, { readonly: true });
    const writer = openStore(filled.db);
    try {
      const before = storeFingerprint(reader);
      expect(storeFingerprint(reader)).toBe(before);
      writer.logMetrics(filled.demoRunId, 'restoration', 60, { 'loss/psnr': 0.01 });
      expect(storeFingerprint(reader)).not.toBe(before);
    } finally {
      writer.close();
      reader.close();
    }
  });
});
