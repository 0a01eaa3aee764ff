// Which checkpoint each later stage starts from: fusion freezes the FINAL synthesis checkpoint
// (official synmodule_40000.pth) unless told `best`; restoration and the regression prior are
// chosen by the experiment's validation metric and mode; the GAN prior is its final EMA.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { writeSafetensors } from '@ugpnet/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateExperiment } from './experiment/load.js';
import { frozenStageWeights, priorCheckpointPath } from './priors.js';

let dir: string;
let store: TrackingStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-priors-'));
  store = openStore(join(dir, 'ugp.db'));
  store.createRun({ id: 'run', name: 'run', experiment: 'e' });
});

afterEach(() => store.close());

/** Checkpoints at steps 1..3 whose weights are a single marker tensor holding the step. */
function saveCheckpoints(stage: string, metrics: Array<Record<string, number>>): void {
  metrics.forEach((m, i) => {
    const step = i + 1;
    const file = join(dir, `${stage}-${step}.safetensors`);
    writeSafetensors(file, new Map([['marker', { shape: [1], data: new Float32Array([step]) }]]));
    store.saveCheckpoint({ runId: 'run', stage, step, path: file, metrics: m });
  });
}

const experiment = (extra: Record<string, unknown> = {}) =>
  validateExperiment({ name: 'e', perceptual: { allow_proxy: true }, ...extra }, 'test');

async function markerOf(
  stage: 'restoration' | 'synthesis',
  exp: ReturnType<typeof experiment>,
): Promise<number | undefined> {
  const dict = await frozenStageWeights(store, 'run', stage, exp, { trainedHere: true, priors: {} });
  return dict?.get('marker')?.data[0];
}

// Step 2 has the best PSNR, step 1 the best (lowest) LPIPS, step 3 is the last.
const METRICS = [
  { psnr: 20, lpips: 0.1 },
  { psnr: 25, lpips: 0.3 },
  { psnr: 22, lpips: 0.2 },
];

describe('frozen stage weights', () => {
  it('fusion freezes the final synthesis checkpoint by default, the best one when asked', async () => {
    saveCheckpoints('synthesis', METRICS);
    expect(await markerOf('synthesis', experiment())).toBe(3);
    expect(
      await markerOf('synthesis', experiment({ stages: { fusion: { synthesis_checkpoint: 'best' } } })),
    ).toBe(2);
    const byLpips = experiment({
      stages: { fusion: { synthesis_checkpoint: 'best' } },
      validation: { metric: 'lpips', mode: 'min' },
    });
    expect(await markerOf('synthesis', byLpips)).toBe(1);
  });

  it("restoration's best uses the experiment's validation metric and mode, not a fixed psnr", async () => {
    saveCheckpoints('restoration', METRICS);
    expect(await markerOf('restoration', experiment())).toBe(2);
    expect(await markerOf('restoration', experiment({ validation: { metric: 'lpips', mode: 'min' } }))).toBe(
      1,
    );
  });
});

describe('prior checkpoints', () => {
  it('the GAN prior is its final (EMA) checkpoint; the regression prior the best by the validation metric', () => {
    saveCheckpoints('pretrain-gan', METRICS);
    saveCheckpoints('pretrain-regression', METRICS);
    expect(priorCheckpointPath(store, 'pretrain-gan', 'run', { metric: 'psnr', mode: 'max' })).toMatch(
      /pretrain-gan-3\.safetensors$/,
    );
    expect(priorCheckpointPath(store, 'pretrain-regression', 'run', { metric: 'psnr', mode: 'max' })).toMatch(
      /pretrain-regression-2\.safetensors$/,
    );
    expect(
      priorCheckpointPath(store, 'pretrain-regression', 'run', { metric: 'lpips', mode: 'min' }),
    ).toMatch(/pretrain-regression-1\.safetensors$/);
  });
});
