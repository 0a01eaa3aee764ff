import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCH_PRESETS, moduleTensors, StyleGan2Discriminator, UgpNet } from '@ugpnet/models';
import { recordExperiment, validateExperiment } from '@ugpnet/runner';
import { openStore } from '@ugpnet/store';
import { initBackend, Rng, writeSafetensors } from '@ugpnet/tensor';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let db: string;
let runId: string;

// A tiny-32 run whose three stages saved checkpoints the way the stage trainers write them.
beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  dir = mkdtempSync(join(tmpdir(), 'ugp-weights-export-'));
  db = join(dir, 'ugp.db');
  const store = openStore(db);
  const experiment = validateExperiment({ name: 'export', arch: 'tiny-32', data: { size: 32 } }, 'test');
  runId = store.createRun({ name: 'export', experiment: 'export' }).id;
  recordExperiment(store, runId, experiment);
  const net = new UgpNet(ARCH_PRESETS['tiny-32']!, new Rng(1));
  const discriminator = new StyleGan2Discriminator(ARCH_PRESETS['tiny-32']!.discriminator, new Rng(2));
  const files = {
    restoration: moduleTensors(net.resmodule, ''),
    synthesis: new Map([
      ...moduleTensors(net.synmodule, ''),
      ...moduleTensors(discriminator, 'discriminator.'),
    ]),
    fusion: moduleTensors(net.fusmodule, ''),
  };
  net.dispose();
  discriminator.dispose();
  mkdirSync(join(dir, 'runs'));
  for (const [stage, tensors] of Object.entries(files)) {
    const path = join('runs', `${stage}.safetensors`);
    writeSafetensors(join(dir, path), tensors);
    store.saveCheckpoint({ runId, stage, step: 10, path, metrics: { psnr: 20 } });
  }
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ugp weights export', () => {
  it('exports a run, and ugp restore runs the result', async () => {
    const out = join(dir, 'ckpt');
    const r = await runUgp([
      'weights',
      'export',
      '--backend',
      'wasm',
      '--db',
      db,
      '--run',
      runId.slice(0, 8),
      '--out',
      out,
      '--json',
    ]);
    expect(r.errors).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.run).toBe(runId);
    expect(result.parts).toContain('fusmodule');
    expect(Object.keys(result.stages)).toEqual(['restoration', 'synthesis', 'fusion']);

    const image = join(dir, 'in.png');
    await sharp(Buffer.alloc(32 * 32 * 3, 90), { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(image);
    const restored = await runUgp([
      'restore',
      '--backend',
      'wasm',
      '--checkpoint',
      out,
      '--input',
      image,
      '--output',
      join(dir, 'res'),
    ]);
    expect(restored.code).toBe(0);
    expect(existsSync(join(dir, 'res', 'in.png'))).toBe(true);
  });

  it('names a missing store and an unknown run (exit 1)', async () => {
    const none = await runUgp([
      'weights',
      'export',
      '--db',
      join(dir, 'nope.db'),
      '--run',
      'x',
      '--out',
      join(dir, 'o'),
    ]);
    expect(none.code).toBe(1);
    expect(none.errors).toMatch(/--db .*nope\.db: store does not exist/);
    const unknown = await runUgp([
      'weights',
      'export',
      '--backend',
      'wasm',
      '--db',
      db,
      '--run',
      'zzzz',
      '--out',
      join(dir, 'o'),
    ]);
    expect(unknown.code).toBe(1);
  });
});
