// A store the dashboard tests fill through the store API: a 2×2 ablation grid (pretrained R × pretrained G)
// with two seeds per cell over three stages, checkpoints with a best one per stage, sample strips, test
// scores and test images of the finished runs; a 2×2 grid shaped like `ugp demo`'s (init.regression ×
// init.generator, one seed, all finished); and a single run whose name tries to break out of HTML and SQL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flattenParams, openStore, type TrackingStore } from '@ugpnet/store';
import { patternPng, solidPng } from './png.js';

export const GRID_ID = 'deblur-ablation';
export const EXPERIMENT = 'deblur-ablation';
export const DEMO_EXPERIMENT = 'demo';
export const DEMO_GRID_ID = 'demo-ablation';
export const DEMO_GRID_EXPERIMENT = 'demo-ablation';
/** Test images per run (each in the five columns LQ, I_R, I_G, I_F, GT). */
export const TEST_IMAGE_COUNT = 2;
export const NASTY_NAME = `</script><script>window.__pwned = 1</script> '; DROP TABLE runs; --`;

export interface FilledStore {
  db: string;
  dir: string;
  /** Grid runs in cell order: (pretrained_r, pretrained_g) ∈ {true,false}², seeds 1 and 2. */
  gridRuns: { id: string; pretrainedR: boolean; pretrainedG: boolean; seed: number }[];
  demoRunId: string;
  /** The demo-shaped grid in cell order (init.generator slowest). */
  demoGridRuns: { id: string; regression: string; generator: string }[];
}

const range = (from: number, to: number, by: number) =>
  Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);

/** Validation PSNR of the restoration stage: rises, then drops at the last step (best is at 750). */
export function restorationPsnr(step: number, pretrainedR: boolean, seed: number): number {
  const v = (pretrainedR ? 24 : 20) + seed * 0.25 + 6 * (1 - Math.exp(-step / 300));
  return step === 1000 ? v - 0.5 : v;
}

export function fusionPsnr(step: number, pretrainedR: boolean, pretrainedG: boolean, seed: number): number {
  return 26 + (pretrainedR ? 2 : 0) + (pretrainedG ? 1 : 0) + seed * 0.3 + step / 1000;
}

export function fusionLpips(step: number, pretrainedG: boolean, seed: number): number {
  return 0.3 - (pretrainedG ? 0.05 : 0) - seed * 0.005 - step / 10000;
}

function sample(store: TrackingStore, dir: string, runId: string, stage: string, step: number, tint: number) {
  const rel = join('samples', runId.slice(0, 8), `${stage}-${step}.png`);
  mkdirSync(join(dir, 'samples', runId.slice(0, 8)), { recursive: true });
  writeFileSync(join(dir, rel), solidPng(24, 8, [tint, 255 - tint, (step / 4) % 256]));
  store.logArtifact({ runId, stage, step, kind: 'samples', path: rel });
}

/** Held-out test scores of a finished run (stage `test`, step 0), as runner/src/evaluate.ts logs them. */
export function testScores(
  pretrainedR: boolean,
  pretrainedG: boolean,
  seed: number,
  lpipsKey: 'lpips' | 'lpips_proxy' = 'lpips',
): Record<string, number> {
  const r = 25 + (pretrainedR ? 1.5 : 0) + seed * 0.1;
  const scores: Record<string, number> = {
    'I_R/psnr': r,
    'I_R/ssim': 0.7 + r / 200,
    [`I_R/${lpipsKey}`]: 0.35 - (pretrainedR ? 0.03 : 0),
    'I_G/psnr': r - 3 + (pretrainedG ? 0.5 : 0),
    'I_G/ssim': 0.6 + r / 200,
    [`I_G/${lpipsKey}`]: 0.2 - (pretrainedG ? 0.05 : 0),
    'I_F/psnr': r + 0.4 + (pretrainedG ? 0.3 : 0),
    'I_F/ssim': 0.72 + r / 200,
    [`I_F/${lpipsKey}`]: 0.22 - (pretrainedG ? 0.04 : 0) - seed * 0.002,
  };
  return scores;
}

/** What each stage's best checkpoint produces (runner/src/comparison-images.ts). */
const STAGE_OUTPUTS: Record<string, string[]> = {
  restoration: ['I_R'],
  synthesis: ['I_R', 'I_G'],
  fusion: ['I_R', 'I_G', 'I_F'],
};
const NOISE: Record<string, number> = { LQ: 0.9, I_R: 0.5, I_G: 0.3, I_F: 0.15, GT: 0 };

/** The test pass's images, named and filed like runner/src/comparison-images.ts does. */
function testImages(
  store: TrackingStore,
  dir: string,
  runId: string,
  bestSteps: Record<string, number>,
  variant: number,
) {
  const folder = join('runs', runId.slice(0, 8), 'test-images');
  mkdirSync(join(dir, folder), { recursive: true });
  for (const [stage, step] of Object.entries(bestSteps)) {
    for (const column of ['LQ', ...STAGE_OUTPUTS[stage]!, 'GT']) {
      for (let index = 0; index < TEST_IMAGE_COUNT; index++) {
        const rel = join(folder, `test-0${index}-${column}.png`);
        // Inputs and GT are the same for every run; outputs differ a little per run.
        const noise = NOISE[column]! * (column === 'LQ' || column === 'GT' ? 1 : 1 + variant * 0.15);
        writeFileSync(join(dir, rel), patternPng(16, index, noise));
        store.logArtifact({ runId, stage, step, kind: 'test-images', path: rel });
      }
    }
  }
}

/** A grid shaped like `ugp demo`'s: init.generator × init.regression, seed 1, all three stages and the test pass. */
function fillDemoGrid(store: TrackingStore, dir: string): FilledStore['demoGridRuns'] {
  store.registerGrid({
    name: DEMO_GRID_ID,
    specFile: 'experiments/demo-ablation.yaml',
    spec: {
      axes: { 'init.generator': ['pretrained', 'random'], 'init.regression': ['pretrained', 'random'] },
      seeds: [1],
    },
  });
  const cells = ['pretrained', 'random'].flatMap((generator) =>
    ['pretrained', 'random'].map((regression) => ({ generator, regression })),
  );
  const report = store.queueGridCells(
    DEMO_GRID_ID,
    DEMO_GRID_EXPERIMENT,
    cells.map((c, i) => ({
      cellId: `g-${c.generator}-r-${c.regression}`,
      cellIndex: i,
      name: `init.generator=${c.generator},init.regression=${c.regression},seed=1`,
      params: { 'init.generator': c.generator, 'init.regression': c.regression, seed: 1 },
      seed: 1,
    })),
  );
  return report.created.map((id, i) => {
    const { generator, regression } = cells[i]!;
    const pretrainedR = regression === 'pretrained';
    const pretrainedG = generator === 'pretrained';
    store.startRun(id);
    store.updateRun(id, { backend: 'wasm', stage: 'restoration' });
    store.logParams(id, flattenParams({ init: { regression, generator }, seed: 1, arch: 'tiny-32' }));
    const bestSteps: Record<string, number> = {};
    const stages: [string, number[], (step: number) => number][] = [
      [
        'restoration',
        range(100, 500, 100),
        (s) => (pretrainedR ? 25 : 23) + s / 200 - (s === 500 && pretrainedR ? 0.4 : 0),
      ],
      [
        'synthesis',
        range(100, 300, 100),
        (s) => 21 + (pretrainedG ? 1 : 0) + s / 300 - (s === 300 && i % 2 ? 0.3 : 0),
      ],
      [
        'fusion',
        range(100, 300, 100),
        (s) => 25.5 + (pretrainedR ? 1 : 0) + (pretrainedG ? 0.4 : 0) + s / 400,
      ],
    ];
    for (const [stage, steps, psnrAt] of stages) {
      store.updateRun(id, { stage });
      const output = { restoration: 'I_R', synthesis: 'I_G', fusion: 'I_F' }[stage]!;
      for (const step of range(0, steps[steps.length - 1]!, 50)) {
        store.logMetrics(id, stage, step, { 'loss/total': 0.5 - step / 2000 + (step % 100 ? 0.02 : 0) });
      }
      for (const step of steps) {
        const psnr = psnrAt(step);
        const scores = {
          [`${output}/psnr`]: psnr,
          [`${output}/lpips_proxy`]: 0.3 - psnr / 200,
          psnr,
          lpips_proxy: 0.3 - psnr / 200,
        };
        store.logMetrics(id, stage, step, scores);
        const saved = store.saveCheckpoint(
          {
            runId: id,
            stage,
            step,
            path: `checkpoints/${id}/${stage}-${step}.safetensors`,
            metrics: { psnr },
          },
          { metric: 'psnr', mode: 'max' },
        );
        if (saved.isBest) bestSteps[stage] = step;
      }
    }
    store.logMetrics(id, 'test', 0, testScores(pretrainedR, pretrainedG, 1, 'lpips_proxy'));
    testImages(store, dir, id, bestSteps, i);
    store.endRun(id, 'finished');
    return { id, regression, generator };
  });
}

/** Fills `<dir>/ugp.db` (and sample PNGs under `<dir>/samples`). */
export function fillStore(dir: string): FilledStore {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'ugp.db');
  const store = openStore(db);
  try {
    store.registerGrid({
      name: GRID_ID,
      specFile: 'experiments/deblur-ablation.yaml',
      spec: { axes: { pretrained_r: [true, false], pretrained_g: [true, false] }, seeds: [1, 2] },
    });
    const cells: {
      cellId: string;
      cellIndex: number;
      name: string;
      params: { pretrained_r: boolean; pretrained_g: boolean };
      seed: number;
    }[] = [];
    for (const pretrainedR of [true, false]) {
      for (const pretrainedG of [true, false]) {
        for (const seed of [1, 2]) {
          cells.push({
            cellId: `r${+pretrainedR}-g${+pretrainedG}-s${seed}`,
            cellIndex: cells.length,
            name: `deblur r=${pretrainedR} g=${pretrainedG} seed=${seed}`,
            params: { pretrained_r: pretrainedR, pretrained_g: pretrainedG },
            seed,
          });
        }
      }
    }
    const report = store.queueGridCells(GRID_ID, EXPERIMENT, cells);
    const gridRuns = report.created.map((id, i) => ({
      id,
      pretrainedR: cells[i]!.params.pretrained_r,
      pretrainedG: cells[i]!.params.pretrained_g,
      seed: cells[i]!.seed,
    }));

    gridRuns.forEach((run, i) => {
      const { id, pretrainedR, pretrainedG, seed } = run;
      store.startRun(id);
      store.updateRun(id, { backend: i % 2 ? 'wasm' : 'node-gpu', stage: 'restoration' });
      store.logParams(
        id,
        flattenParams({ restoration: { lr: 1e-4, iters: 1000 }, pretrained_r: pretrainedR }),
      );
      for (const step of range(0, 1000, 100)) {
        store.logMetrics(id, 'restoration', step, { loss: -20 - step / 100 - seed });
      }
      for (const step of range(0, 1000, 250)) {
        const psnr = restorationPsnr(step, pretrainedR, seed);
        const ssim = 0.6 + psnr / 100;
        store.logMetrics(id, 'restoration', step, { psnr, ssim });
        store.saveCheckpoint(
          {
            runId: id,
            stage: 'restoration',
            step,
            path: `checkpoints/${id}/restoration-${step}.safetensors`,
            metrics: { psnr, ssim },
          },
          { metric: 'psnr', mode: 'max' },
        );
      }
      sample(store, dir, id, 'restoration', 500, i * 30);
      sample(store, dir, id, 'restoration', 1000, i * 30);
      if (i === 6) {
        store.endRun(id, 'failed', 'synthesis: out of memory');
        return;
      }
      store.updateRun(id, { stage: 'synthesis' });
      for (const step of range(0, 600, 100)) {
        store.logMetrics(id, 'synthesis', step, { 'loss/g': 2 - step / 600, 'loss/d': 1 + step / 1200 });
      }
      for (const step of [300, 600]) {
        const lpipsProxy = 0.5 - (pretrainedG ? 0.1 : 0) - step / 6000 + seed * 0.01;
        store.logMetrics(id, 'synthesis', step, { lpips_proxy: lpipsProxy });
        store.saveCheckpoint(
          {
            runId: id,
            stage: 'synthesis',
            step,
            path: `checkpoints/${id}/synthesis-${step}.safetensors`,
            metrics: { lpips_proxy: lpipsProxy },
          },
          { metric: 'lpips_proxy', mode: 'min' },
        );
        sample(store, dir, id, 'synthesis', step, i * 30);
      }
      if (i === 7) return; // still running, in synthesis
      store.updateRun(id, { stage: 'fusion' });
      for (const step of range(0, 400, 100)) store.logMetrics(id, 'fusion', step, { loss: 1 - step / 800 });
      for (const step of [200, 400]) {
        const psnr = fusionPsnr(step, pretrainedR, pretrainedG, seed);
        const lpips = fusionLpips(step, pretrainedG, seed);
        store.logMetrics(id, 'fusion', step, { psnr, lpips, lpips_proxy: lpips + 0.02 });
        store.saveCheckpoint(
          {
            runId: id,
            stage: 'fusion',
            step,
            path: `checkpoints/${id}/fusion-${step}.safetensors`,
            metrics: { psnr, lpips },
          },
          { metric: 'psnr', mode: 'max' },
        );
        sample(store, dir, id, 'fusion', step, i * 30);
      }
      store.logMetrics(id, 'test', 0, testScores(pretrainedR, pretrainedG, seed));
      // The runner's count of unusable data files it skipped (runner/src/skipped-files.ts).
      if (i === 0) store.setTag(id, 'data.skipped_files', '3');
      testImages(store, dir, id, { restoration: 750, synthesis: 600, fusion: 400 }, i);
      store.endRun(id, 'finished');
    });

    const demo = store.createRun({
      name: NASTY_NAME,
      experiment: DEMO_EXPERIMENT,
      backend: 'cpu',
      seed: 777,
    });
    store.startRun(demo.id);
    store.updateRun(demo.id, { stage: 'restoration' });
    range(0, 50, 10).forEach((step, i) => {
      const loss = i === 2 ? Number.NaN : i === 3 ? Number.POSITIVE_INFINITY : 1 / (step + 1);
      store.logMetrics(demo.id, 'restoration', step, { 'loss/psnr': loss });
    });
    // An artifact whose file does not exist: shown as missing, never served.
    store.logArtifact({
      runId: demo.id,
      stage: 'restoration',
      step: 50,
      kind: 'samples',
      path: 'samples/gone.png',
    });
    const demoGridRuns = fillDemoGrid(store, dir);
    return { db, dir, gridRuns, demoRunId: demo.id, demoGridRuns };
  } finally {
    store.close();
  }
}
