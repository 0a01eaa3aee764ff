import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { initBackend, Rng, StateDictError } from '@ugpnet/tensor';
import sharp from 'sharp';
import { describeGolden } from '@ugpnet/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadOfficialUgpNet,
  loadUgpNet,
  readOfficialWeights,
  readUgpNetCheckpoint,
  ugpnetTensorsFromStages,
  validateUgpNetTensors,
  writeUgpNetCheckpoint,
} from '../checkpoint/ugpnet-checkpoint.js';
import { ARCH_PRESETS, type ArchConfig } from '../config/arch.js';
import { compareToGolden, goldenImage, goldenPath } from '../testing/golden.js';
import { UgpNet, type UgpNetOutput } from './ugpnet.js';

/** golden/ugpnet: the resmodule, synmodule and fusion cases' constructors (see their manifests). */
export const GOLDEN_UGPNET_ARCH: ArchConfig = JSON.parse(
  readFileSync(new URL('../testing/golden-ugpnet-arch.json', import.meta.url), 'utf8'),
);

const OFFICIAL = {
  resmodule: goldenPath('resmodule', 'resmodule.pth'),
  synmodule: goldenPath('synmodule', 'synmodule.pth'),
  fusmodule: goldenPath('fusion', 'fusmodule.pth'),
};

const dir = mkdtempSync(join(tmpdir(), 'ugp-ugpnet-'));

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Decoded RGB pixels of a golden PNG. */
async function goldenPng(name: string): Promise<Uint8Array> {
  const { data } = await sharp(goldenPath('ugpnet', `${name}.png`))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** The reference's postprocess: clip(x·255 + 0.5, 0, 255) → uint8, NHWC order = the PNG's RGB order. */
function round8(x: tf.Tensor4D): Uint8Array {
  const q = tf.tidy(() => tf.cast(tf.floor(tf.clipByValue(tf.add(tf.mul(x, 255), 0.5), 0, 255)), 'int32'));
  const data = Uint8Array.from(q.dataSync());
  q.dispose();
  return data;
}

async function expectGoldenOutputs(out: UgpNetOutput, label: string): Promise<void> {
  for (const name of ['I_R', 'I_G', 'I_F'] as const) {
    const p = compareToGolden('ugpnet', name, out[name]);
    const ours = round8(out[name]);
    const ref = await goldenPng(name);
    expect(ours.length).toBe(ref.length);
    let worst = 0;
    let exact = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ours[i]! - ref[i]!);
      worst = Math.max(worst, d);
      if (d === 0) exact++;
    }
    console.log(
      `${label} ugpnet/${name}: max|err| ${p.maxAbs.toExponential(2)} (tol ${p.tolerance.toExponential(2)}); ` +
        `png max|diff| ${worst}, ${((100 * exact) / ref.length).toFixed(2)}% exact`,
    );
    expect(p.maxAbs).toBeLessThanOrEqual(p.tolerance);
    expect(worst).toBeLessThanOrEqual(1);
    expect(exact / ref.length).toBeGreaterThan(0.9);
  }
}

describe('UGPNet composite', () => {
  it('has the official UGPNet state-dict sections and checks F_G / F_R channels against FusionNet', () => {
    const net = new UgpNet(ARCH_PRESETS['tiny-32']!, new Rng(1));
    const tops = new Set(net.namedEntries().map(([k]) => k.split('.').slice(0, 2).join('.')));
    expect([...tops].filter((k) => k.startsWith('synmodule.')).sort()).toEqual([
      'synmodule.fencoder',
      'synmodule.generator',
      'synmodule.wmodule',
    ]);
    expect(
      tops.has('resmodule.regression') && tops.has('resmodule.encoder') && tops.has('fusmodule.conv'),
    ).toBe(true);
    const x = tf.randomUniform([2, 32, 32, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const out = net.forward(x);
    for (const t of [out.I_R, out.I_G, out.I_F]) expect(t.shape).toEqual([2, 32, 32, 3]);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([x, out.I_R, out.I_G, out.I_F]);
    const bad = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    expect(() => net.forward(bad)).toThrow(/input is 16×16×3, this architecture takes 32×32 RGB inputs/);
    bad.dispose();
    net.dispose();
    const wrong = { ...ARCH_PRESETS['tiny-32']!, fusion: { num_block: 1, chan: 16, num_feat: 8 } };
    expect(() => new UgpNet(wrong, new Rng(2))).toThrow(
      /fusion.chan \(16\) must equal the channels of F_G \(32/,
    );
  });

  it('maps runner stage checkpoints onto the checkpoint layout', () => {
    const t = { shape: [1], data: new Float32Array(1) };
    const out = ugpnetTensorsFromStages({
      restoration: new Map([
        ['regression.intro.weight', t],
        ['optim.resmodule.x.exp_avg', t],
      ]),
      synthesis: new Map([
        ['generator.constant_input.weight', t],
        ['discriminator.final_linear.0.bias', t],
      ]),
      fusion: new Map([['last.bias', t]]),
    });
    expect([...out.keys()]).toEqual([
      'resmodule.regression.intro.weight',
      'synmodule.generator.constant_input.weight',
      'discriminator.final_linear.0.bias',
      'fusmodule.last.bias',
    ]);
  });
});

describeGolden('UGPNet golden parity (shared/golden/ugpnet)', () => {
  it('official files: I_R, I_G, I_F within tolerance and the 8-bit PNGs within 1', async () => {
    const net = await loadOfficialUgpNet(GOLDEN_UGPNET_ARCH, OFFICIAL);
    const x = goldenImage('ugpnet', 'input');
    const out = net.forward(x);
    await expectGoldenOutputs(out, 'official');
    tf.dispose([x, out.I_R, out.I_G, out.I_F]);
    net.dispose();
  });

  it('our checkpoint folder (imported from the official files) gives the same outputs', async () => {
    const tensors = await readOfficialWeights(GOLDEN_UGPNET_ARCH, OFFICIAL);
    const checked = validateUgpNetTensors(GOLDEN_UGPNET_ARCH, tensors, 'golden');
    expect(checked.parts).toEqual([
      'resmodule',
      'synmodule.generator',
      'synmodule.fencoder',
      'synmodule.wmodule',
      'fusmodule',
      'discriminator',
    ]);
    const folder = join(dir, 'golden-ckpt');
    writeUgpNetCheckpoint(folder, GOLDEN_UGPNET_ARCH, checked.tensors, checked.parts);
    const back = readUgpNetCheckpoint(folder);
    expect(back.arch).toEqual(GOLDEN_UGPNET_ARCH);
    expect(back.tensors.get('synmodule.generator.noises.noise0')?.shape).toEqual([1, 1, 4, 4]);
    expect(back.tensors.get('resmodule.encoder.merge_decoder.1.conv.2.bias')?.shape).toEqual([64]);
    const net = loadUgpNet(folder);
    const x = goldenImage('ugpnet', 'input');
    const out = net.forward(x);
    await expectGoldenOutputs(out, 'checkpoint');
    tf.dispose([x, out.I_R, out.I_G, out.I_F]);
    net.dispose();
  });

  it('lists wrong-shape and missing keys by name, and refuses an incomplete checkpoint for inference', async () => {
    const tensors = await readOfficialWeights(GOLDEN_UGPNET_ARCH, OFFICIAL);
    const narrow = { ...GOLDEN_UGPNET_ARCH, fusion: { num_block: 7, chan: 64 } };
    let error: unknown;
    try {
      validateUgpNetTensors(narrow, tensors, 'golden');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).unexpected).toContain('body.7.body.0.weight');
    expect((error as Error).message).toMatch(/^golden \(fusmodule\.\*\): state dict does not match/);

    const partial = new Map([...tensors].filter(([k]) => !k.startsWith('fusmodule.')));
    const checked = validateUgpNetTensors(GOLDEN_UGPNET_ARCH, partial, 'golden');
    const folder = join(dir, 'partial');
    writeUgpNetCheckpoint(folder, GOLDEN_UGPNET_ARCH, checked.tensors, checked.parts);
    expect(() => loadUgpNet(folder)).toThrow(UserError);
    expect(() => loadUgpNet(folder)).toThrow(/no fusmodule\.\* weights for inference/);
  });
});
