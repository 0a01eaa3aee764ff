// GPU readiness without a GPU: every kernel a training step of each stage dispatches (recorded on
// wasm) must be registered by @tensorflow/tfjs-node 4.22 (fixture taken from that package by
// tools/tfjs-node-kernels.mjs) or be one of our own fallbacks for its 'tensorflow' backend.
// UGP_UPDATE_FIXTURES=1 rewrites packages/tensor/fixtures/training-kernels.json from this run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, TENSORFLOW_FALLBACK_KERNELS, tfjsNodeKernels, trainingKernels } from '@ugpnet/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/golden.js';
import { recordTrainingKernels, type TrainingStage } from './doctor-kernels.js';

const FIXTURE = join(REPO_ROOT, 'packages/tensor/fixtures/training-kernels.json');
let recorded: Record<TrainingStage, string[]>;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  recorded = await recordTrainingKernels(join(REPO_ROOT, 'experiments', 'demo-quick.yaml'));
  if (process.env.UGP_UPDATE_FIXTURES === '1') {
    const previous = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    writeFileSync(FIXTURE, `${JSON.stringify({ ...previous, stages: recorded }, null, 2)}\n`);
  }
}, 120_000);

describe('training-step kernels', () => {
  it('the committed list holds every kernel the stages dispatch now', () => {
    // A kernel missing from it: UGP_UPDATE_FIXTURES=1 npx vitest run src/commands/doctor-kernels.test.ts
    // (kernels no longer used may linger until then; they only make doctor's check stricter).
    const committed = trainingKernels().stages;
    for (const [stage, names] of Object.entries(recorded)) {
      expect({ stage, notInFixture: names.filter((k) => !committed[stage]?.includes(k)) }).toEqual({
        stage,
        notInFixture: [],
      });
    }
    expect(Object.keys(recorded)).toEqual([
      'pretrain-regression',
      'pretrain-gan',
      'restoration',
      'synthesis',
      'fusion',
    ]);
    // Each stage really ran forward + backward + Adam.
    for (const names of Object.values(recorded)) {
      expect(names).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'Sqrt']));
    }
  });

  it('every one is registered by @tensorflow/tfjs-node 4.22 or by our tensorflow-backend fallbacks', () => {
    const node = new Set(tfjsNodeKernels().kernels);
    expect(node.size).toBe(155);
    const missing = new Set<string>();
    for (const names of Object.values(recorded)) for (const k of names) if (!node.has(k)) missing.add(k);
    // The synthesis stage's pair augmentation (tf.image.transform) dispatches Transform, which
    // tfjs-node 4.22 lacks; tensor registers a gather-based Transform on that backend.
    expect([...missing].sort()).toEqual([...TENSORFLOW_FALLBACK_KERNELS].sort());
  });
});
