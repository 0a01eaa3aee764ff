// A store the dashboard tests fill through the store API: a 2×2 ablation grid (pretrained R × pretrained G)
// with two seeds per cell over three stages, checkpoints with a best one per stage, sample strips, and a
// single run whose name tries to break out of HTML and SQL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flattenParams, openStore, type TrackingStore } from '@ugpnet/store';
import { solidPng } from './png.js';

export const GRID_ID = 'deblur-ablation';
export const EXPERIMENT = 'deblur-ablation';
export const DEMO_EXPERIMENT = 'demo';
export const NASTY_NAME = `</script><script>window.__pwned = 1</script> '; DROP TABLE runs; --`;

export interface FilledStore {
  db: string;
  dir: string;
  /** Grid runs in cell order: (pretrained_r, pretrained_g) ∈ {true,false}², seeds 1 and 2. */
  gridRuns: { id: string; pretrainedR: boolean; pretrainedG: boolean; seed: number }[];
  demoRunId: string;
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
    return { db, dir, gridRuns, demoRunId: demo.id };
  } finally {
    store.close();
  }
}
