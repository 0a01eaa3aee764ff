import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@ugpnet/tensor';
import { describeGolden, requireGolden, runGolden } from '@ugpnet/test-support';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { goldenFile, officialImportArgs, writeGoldenArch } from '../testing/golden.js';
import { runUgp } from '../testing/run-ugp.js';

let dir: string;
let checkpoint: string;

async function pixels(path: string): Promise<Uint8Array> {
  const { data } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ugp-restore-'));
  if (!runGolden) return;
  requireGolden();
  checkpoint = join(dir, 'ckpt');
  const r = await runUgp(officialImportArgs(writeGoldenArch(dir), checkpoint));
  if (r.code !== 0) throw new Error(r.errors);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeGolden('ugp restore (golden/ugpnet)', () => {
  it('--all writes fused/, restored/, synthesized/ PNGs within 1 of the reference’s', async () => {
    const inputs = join(dir, 'inputs');
    mkdirSync(inputs);
    copyFileSync(goldenFile('ugpnet', 'input.png'), join(inputs, 'face.png'));
    const out = join(dir, 'out-png');
    const r = await runUgp([
      'restore',
      '--backend',
      'wasm',
      '--checkpoint',
      checkpoint,
      '--input',
      inputs,
      '--output',
      out,
      '--all',
      '--json',
    ]);
    expect(r.errors).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([
      {
        input: join(inputs, 'face.png'),
        I_F: join(out, 'fused', 'face.png'),
        I_R: join(out, 'restored', 'face.png'),
        I_G: join(out, 'synthesized', 'face.png'),
      },
    ]);
    for (const [name, folder] of [
      ['I_F', 'fused'],
      ['I_R', 'restored'],
      ['I_G', 'synthesized'],
    ] as const) {
      const ours = await pixels(join(out, folder, 'face.png'));
      const ref = await pixels(goldenFile('ugpnet', `${name}.png`));
      expect(ours.length).toBe(64 * 64 * 3);
      let worst = 0;
      let exact = 0;
      ours.forEach((v, i) => {
        const d = Math.abs(v - ref[i]!);
        worst = Math.max(worst, d);
        if (d === 0) exact++;
      });
      expect(worst, name).toBeLessThanOrEqual(1);
      expect(exact / ours.length, name).toBeGreaterThan(0.9);
    }
  });

  it('--format npy writes float32 NCHW I_F within the reference tolerance (npy input)', async () => {
    const out = join(dir, 'out-npy');
    const r = await runUgp([
      'restore',
      '--backend',
      'wasm',
      '--checkpoint',
      checkpoint,
      '--input',
      goldenFile('ugpnet', 'input.npy'),
      '--output',
      out,
      '--format',
      'npy',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(join(out, 'input.npy'));
    expect(existsSync(join(out, 'fused'))).toBe(false);
    const ours = readNpy(join(out, 'input.npy'));
    const ref = readNpy(goldenFile('ugpnet', 'I_F.npy'));
    expect(ours.shape).toEqual([1, 3, 64, 64]);
    let worst = 0;
    ours.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - ref.data[i]!));
    });
    expect(worst).toBeLessThanOrEqual(1.34e-4);
  });

  it('names a wrong input size, a missing checkpoint and an empty folder in one line', async () => {
    const small = join(dir, 'small.png');
    await sharp(Buffer.alloc(32 * 32 * 3, 128), { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(small);
    const r = await runUgp([
      'restore',
      '--backend',
      'wasm',
      '--checkpoint',
      checkpoint,
      '--input',
      small,
      '--output',
      join(dir, 'o1'),
    ]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(/error: UGPNet: the input is 32×32×3, this architecture takes 64×64 RGB inputs/);
    const none = await runUgp([
      'restore',
      '--checkpoint',
      join(dir, 'nope'),
      '--input',
      small,
      '--output',
      join(dir, 'o2'),
    ]);
    expect(none.code).toBe(1);
    expect(none.errors).toMatch(/checkpoint .*nope does not exist/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e = await runUgp([
      'restore',
      '--checkpoint',
      checkpoint,
      '--input',
      empty,
      '--output',
      join(dir, 'o3'),
    ]);
    expect(e.errors).toMatch(/no images .* in the folder/);
  });
});
