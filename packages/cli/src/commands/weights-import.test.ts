import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { readSafetensors } from '@ugpnet/tensor';
import { describeGolden } from '@ugpnet/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GOLDEN_UGPNET_ARCH,
  goldenFile,
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

describeGolden('ugp weights import', () => {
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

/** A torch.save-style zip (stored entries) of `pickle` as archive/data.pkl, written by hand. */
function storedTorchZip(path: string, pickle: Uint8Array): string {
  const u16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  const name = Buffer.from('archive/data.pkl');
  const sizes = [...u32(crc32(pickle)), ...u32(pickle.length), ...u32(pickle.length)];
  const fields = [
    ...u16(20),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u16(0x21),
    ...sizes,
    ...u16(name.length),
    0,
    0,
  ];
  const local = Buffer.from([0x50, 0x4b, 3, 4, ...fields]);
  const central = Buffer.from([0x50, 0x4b, 1, 2, ...u16(20), ...fields, ...new Array(10).fill(0), ...u32(0)]);
  const start = local.length + name.length + pickle.length;
  const cdSize = central.length + name.length;
  const end = Buffer.from([0x50, 0x4b, 5, 6, 0, 0, 0, 0, 1, 0, 1, 0, ...u32(cdSize), ...u32(start), 0, 0]);
  writeFileSync(path, Buffer.concat([local, name, pickle, central, name, end]));
  return path;
}

describe('ugp weights import on hostile .pth files (issue 13 §4)', () => {
  it('refuses a dict that contains itself in one line (exit 1, no stack overflow) and writes nothing', async () => {
    // {'a': <itself>} through the pickle memo: EMPTY_DICT BINPUT 0 'a' BINGET 0 SETITEM STOP
    const pickle = Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, 0x8c, 1, 0x61, 0x68, 0, 0x73, 0x2e]);
    const file = storedTorchZip(join(dir, 'selfref.pth'), pickle);
    const out = join(dir, 'selfref-out');
    const r = await runUgp(['weights', 'import', '--arch', 'tiny-32', '--regression', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.errorLines.filter((l) => !l.startsWith('[ugp]'))).toEqual([
      `error: ${file}: refused to load: the dict at 'a' appears a second time (it contains itself or is shared), which a state dict never does`,
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
