import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '@ugpnet/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOLDEN_UGPNET_ARCH,
  goldenFile,
  hasGolden,
  OFFICIAL_FILES,
  officialImportArgs,
  writeGoldenArch,
} from '../testing/golden.js';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let arch: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-weights-import-'));
  arch = writeGoldenArch(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(hasGolden)('ugp weights import', () => {
  it('converts the three official stage files into ugpnet.safetensors + arch.json', async () => {
    const out = join(dir, 'full');
    const r = await runUgp([...officialImportArgs(arch, out), '--json']);
    expect(r.errors).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.parts).toEqual([
      'resmodule',
      'synmodule.generator',
      'synmodule.fencoder',
      'synmodule.wmodule',
      'fusmodule',
      'discriminator',
    ]);
    expect(result.not_for_inference).toBeUndefined();
    expect(JSON.parse(readFileSync(join(out, 'arch.json'), 'utf8'))).toEqual(GOLDEN_UGPNET_ARCH);
    const { tensors, metadata } = readSafetensors(join(out, 'ugpnet.safetensors'));
    expect(tensors.size).toBe(result.tensors);
    // Official UGPNet keys, official (PyTorch) layouts.
    expect(tensors.get('resmodule.regression.encoders.0.0.conv1.weight')?.shape).toEqual([16, 8, 1, 1]);
    expect(tensors.get('synmodule.generator.style_convs.3.modulated_conv.weight')?.shape).toBeDefined();
    expect(tensors.get('synmodule.fencoder.downblocks.1.bn.1.running_var')?.shape).toBeDefined();
    expect(tensors.get('fusmodule.last.weight')?.shape).toEqual([3, 64, 3, 3]);
    expect(tensors.get('discriminator.final_linear.1.bias')?.shape).toEqual([1]);
    expect(metadata.ugpnet_checkpoint).toBe('1');
  });

  it('imports pretrained priors only (a partial checkpoint) and says it cannot restore', async () => {
    const out = join(dir, 'priors');
    const r = await runUgp([
      'weights',
      'import',
      '--arch',
      arch,
      '--regression',
      goldenFile('nafnet', 'nafnet.pth'),
      '--discriminator',
      goldenFile('discriminator', 'discriminator.pth'),
      '--out',
      out,
    ]);
    expect(r.errors).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('resmodule.regression, discriminator');
    expect(r.out).toMatch(/not for ugp restore/);
    const { tensors } = readSafetensors(join(out, 'ugpnet.safetensors'));
    expect(
      [...tensors.keys()].every(
        (k) => k.startsWith('resmodule.regression.') || k.startsWith('discriminator.'),
      ),
    ).toBe(true);
  });

  it('lists mismatching keys by name (exit 1) and writes nothing', async () => {
    const out = join(dir, 'wrong');
    const r = await runUgp([
      'weights',
      'import',
      '--arch',
      'tiny-32',
      '--fusmodule',
      OFFICIAL_FILES.fusmodule,
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/^error: weights import \(fusmodule\.\*\): state dict does not match the model/);
    expect(r.errors).toContain('unexpected keys: body.1.body.0.weight');
    expect(r.errors).toContain(
      'wrong shapes: conv.weight is [64,64,3,3] in the file, [8,32,3,3] in the model',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses conflicting and missing inputs in one line', async () => {
    const both = await runUgp([
      'weights',
      'import',
      '--arch',
      arch,
      '--resmodule',
      OFFICIAL_FILES.resmodule,
      '--regression',
      goldenFile('nafnet', 'nafnet.pth'),
      '--out',
      join(dir, 'x'),
    ]);
    expect(both.code).toBe(1);
    expect(both.errors).toBe(
      'error: --resmodule and --regression both give the regression network weights; pass one of them',
    );
    const none = await runUgp(['weights', 'import', '--arch', arch, '--out', join(dir, 'y')]);
    expect(none.code).toBe(1);
    expect(none.errors).toMatch(/give at least one file/);
    const missing = await runUgp([
      'weights',
      'import',
      '--arch',
      arch,
      '--fusmodule',
      join(dir, 'nope.pth'),
      '--out',
      join(dir, 'z'),
    ]);
    expect(missing.errors).toMatch(/--fusmodule .*nope\.pth: file does not exist/);
  });
});
