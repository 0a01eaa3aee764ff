import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCH_PRESETS, loadUgpNet, moduleTensors, StyleGan2Discriminator, UgpNet } from '@ugpnet/models';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { initBackend, Rng, writeSafetensors } from '@ugpnet/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from './experiment/load.js';
import { exportRunCheckpoint } from './export-checkpoint.js';
import { recordExperiment } from './session.js';

let dir: string;
let store: TrackingStore;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-export-'));
  store = openStore(join(dir, 'ugp.db'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run of tiny-32 whose three stages saved checkpoints the way the stage trainers do. */
function fakeRun(net: UgpNet, stages: Array<'restoration' | 'synthesis' | 'fusion'>) {
  const experiment = validateExperiment({ name: 'export-test', arch: 'tiny-32', data: { size: 32 } }, 'test');
  const run = store.createRun({ name: 'export-test', experiment: experiment.name });
  recordExperiment(store, run.id, experiment);
  const discriminator = new StyleGan2Discriminator(ARCH_PRESETS['tiny-32']!.discriminator, new Rng(3));
  const optim = { shape: [1], data: new Float32Array([1]) };
  const files = {
    restoration: new Map([...moduleTensors(net.resmodule, ''), ['optim.resmodule.x.exp_avg', optim]]),
    synthesis: new Map([
      ...moduleTensors(net.synmodule, ''),
      ...moduleTensors(discriminator, 'discriminator.'),
    ]),
    fusion: new Map([...moduleTensors(net.fusmodule, ''), ['optim.fusion.last.bias.exp_avg', optim]]),
  };
  discriminator.dispose();
  mkdirSync(store.resolvePath(join('runs', run.id)), { recursive: true });
  for (const stage of stages) {
    for (const [step, psnr] of [
      [50, 20],
      [100, 19],
    ] as const) {
      const path = join('runs', run.id, `${stage}-${step}.safetensors`);
      writeSafetensors(store.resolvePath(path), files[stage]);
      store.saveCheckpoint({ runId: run.id, stage, step, path, metrics: { psnr } });
    }
  }
  return run.id;
}

describe('exportRunCheckpoint', () => {
  it("writes the stages' best checkpoints as one UGPNet checkpoint that restores like the trained modules", () => {
    const net = new UgpNet(ARCH_PRESETS['tiny-32']!, new Rng(7));
    const runId = fakeRun(net, ['restoration', 'synthesis', 'fusion']);
    const out = join(dir, 'export');
    const result = exportRunCheckpoint(store, runId.slice(0, 8), out);
    expect(result.parts).toEqual([
      'resmodule',
      'synmodule.generator',
      'synmodule.fencoder',
      'synmodule.wmodule',
      'fusmodule',
      'discriminator',
    ]);
    // Restoration and fusion: best PSNR (step 50); synthesis: the final checkpoint fusion trained on.
    expect(Object.values(result.stages).map((s) => s.step)).toEqual([50, 100, 50]);
    const restored = loadUgpNet(out);
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const a = net.forward(x);
    const b = restored.forward(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.I_F, b.I_F))).dataSync()[0]);
    expect(diff).toBe(0);
    tf.dispose([x, a.I_R, a.I_G, a.I_F, b.I_R, b.I_G, b.I_F]);
    net.dispose();
    restored.dispose();
  });

  it('exports a partial run (restoration only) and refuses a run without checkpoints', () => {
    const net = new UgpNet(ARCH_PRESETS['tiny-32']!, new Rng(8));
    const runId = fakeRun(net, ['restoration']);
    net.dispose();
    const result = exportRunCheckpoint(store, runId, join(dir, 'partial'));
    expect(result.parts).toEqual(['resmodule']);
    expect(() => loadUgpNet(join(dir, 'partial'))).toThrow(
      /no synmodule\.generator\.\*, .* weights for inference/,
    );
    const untrained = new UgpNet(ARCH_PRESETS['tiny-32']!, new Rng(9));
    const empty = fakeRun(untrained, []);
    untrained.dispose();
    expect(() => exportRunCheckpoint(store, empty, join(dir, 'none'))).toThrow(
      /has no restoration \/ synthesis \/ fusion checkpoints/,
    );
  });
});
