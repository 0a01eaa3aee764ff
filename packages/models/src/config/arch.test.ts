import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '@ugpnet/core';
import { ARCH_PRESETS, type ArchConfig, resolveArch, validateArchConfig } from './arch.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The error message validateArchConfig gives for `mutate(tiny-32)` (loosely typed to build bad configs). */
// biome-ignore lint/suspicious/noExplicitAny: the tests write wrong types on purpose.
type Loose = Record<string, any>;
function errorFor(mutate: (c: Loose) => void): string {
  const config = structuredClone(ARCH_PRESETS['tiny-32']!) as unknown as Loose;
  mutate(config);
  try {
    validateArchConfig(config, 'arch.json');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('architecture presets', () => {
  it('every preset passes validation unchanged', () => {
    for (const [name, preset] of Object.entries(ARCH_PRESETS)) {
      expect(validateArchConfig(structuredClone(preset), name)).toEqual(preset);
    }
  });

  it('HINet variants follow ResModule: hinet wf 32, hinet_deblur wf 64 with HIN in levels 3–4', () => {
    const denoise = ARCH_PRESETS['paper-faces-512-hinet']!;
    expect(denoise.regression).toEqual({ type: 'hinet', wf: 32 });
    expect(denoise.residual_encoder).toEqual({ chan: 32 });
    const deblur = ARCH_PRESETS['paper-faces-512-hinet-deblur']!;
    expect(deblur.regression).toEqual({ type: 'hinet', wf: 64, hin_position_left: 3, hin_position_right: 4 });
    expect(deblur.residual_encoder).toEqual({ chan: 64 });
    expect(ARCH_PRESETS['paper-church-256-hinet-deblur']!.fusion.chan).toBe(128);
  });

  it('resolveArch returns a copy of a preset', () => {
    const a = resolveArch('tiny-32');
    a.generator.out_size = 999;
    expect(ARCH_PRESETS['tiny-32']!.generator.out_size).toBe(32);
  });
});

describe('per-block validation (the zod schemas beside each module)', () => {
  it('names a misspelt field with its full path and the closest official name', () => {
    expect(
      errorFor((c) => {
        c.generator.chanel_multiplier = 2;
      }),
    ).toBe('arch.json: generator.chanel_multiplier: unknown key; did you mean channel_multiplier?');
    // Nothing close: the valid keys are listed instead.
    expect(errorFor((c) => (c.fusion.depth = 2))).toBe(
      'arch.json: fusion.depth: unknown key (valid keys here: chan, num_block, num_feat)',
    );
  });

  it('checks regression fields against the chosen type', () => {
    expect(errorFor((c) => (c.regression.wf = 8))).toBe(
      'arch.json: regression.wf: unknown key (valid keys here: dec_blk_nums, enc_blk_nums, img_channel, middle_blk_num, type, width)',
    );
    expect(errorFor((c) => (c.regression = { type: 'hinet', width: 8 }))).toMatch(
      /regression\.width: unknown key \(valid keys here: depth, hin_position_left/,
    );
    expect(errorFor((c) => (c.regression.type = 'nafnet_lcoal'))).toBe(
      'arch.json: regression.type: expected one of nafnet, nafnet_local, hinet, rrdb_x8, got "nafnet_lcoal"; did you mean nafnet_local?',
    );
    expect(
      errorFor((c) => {
        c.regression = { type: 'nafnet_local', width: 4, train_size: [1, 3, 32] };
      }),
    ).toContain('regression.train_size: expected [N, C, H, W], 4 integers ≥ 1');
  });

  it('rejects wrong types with the field named, every problem on one line', () => {
    expect(errorFor((c) => (c.fusion.num_block = '8'))).toBe(
      'arch.json: fusion.num_block: expected an integer ≥ 0, got "8"',
    );
    expect(errorFor((c) => (c.regression.enc_blk_nums = [1, 1.5]))).toContain(
      'regression.enc_blk_nums.1: expected an integer ≥ 0, got 1.5',
    );
    expect(errorFor((c) => (c.generator.narrow = 0))).toContain(
      'generator.narrow: expected a number > 0, got 0',
    );
    expect(errorFor((c) => (c.residual_encoder.chan = null))).toContain(
      'residual_encoder.chan: expected an integer ≥ 1, got null',
    );
    expect(errorFor((c) => (c.wmodule = [1]))).toBe('arch.json: wmodule: expected an object');
    expect(
      errorFor((c) => {
        c.fusion.chan = 0;
        c.wmodule.in_c = 'x';
      }),
    ).toBe(
      'arch.json: wmodule.in_c: expected an integer ≥ 1, got "x"; fusion.chan: expected an integer ≥ 1, got 0',
    );
  });

  it('rejects unknown modules, a residual encoder next to rrdb_x8, and disagreeing sizes', () => {
    expect(errorFor((c) => (c.fusoin = {}))).toBe('arch.json: fusoin: unknown key; did you mean fusion?');
    expect(
      errorFor((c) => {
        c.regression = { type: 'rrdb_x8', num_feat: 8 };
      }),
    ).toMatch(/residual_encoder: not used with regression.type rrdb_x8/);
    expect(errorFor((c) => (c.discriminator.out_size = 64))).toContain(
      'discriminator.out_size: 64 must equal image_size (32)',
    );
    expect(errorFor((c) => delete c.generator.out_size)).toContain('generator.out_size: required');
    expect(errorFor((c) => delete c.fusion)).toBe('arch.json: fusion: required');
  });
});

describe('config files', () => {
  it('extends a preset, merging blocks field by field', () => {
    const path = configFile('wide.json', { extends: 'tiny-32', fusion: { num_block: 3 } });
    const arch = resolveArch(path);
    expect(arch.fusion).toEqual({ ...ARCH_PRESETS['tiny-32']!.fusion, num_block: 3 });
  });

  it('switching a ResModule preset to rrdb_x8 drops the residual encoder', () => {
    const path = configFile('sr.json', {
      extends: 'tiny-32',
      regression: { type: 'rrdb_x8', num_feat: 8, num_block: 1, num_grow_ch: 4 },
      fusion: { num_feat: 8 },
    });
    const arch: ArchConfig = resolveArch(path);
    expect(arch.residual_encoder).toBeUndefined();
    expect(arch.regression.type).toBe('rrdb_x8');
  });

  it('names the file and the bad field', () => {
    const path = configFile('bad.json', { extends: 'demo-64', wmodule: { wpdims: 10 } });
    expect(() => resolveArch(path)).toThrow(`${path}: wmodule.wpdims: unknown key; did you mean wpdim?`);
    expect(() => resolveArch(configFile('nope.json', { extends: 'demo-65' }))).toThrow(
      /extends "demo-65" is not a preset \(.*\); did you mean demo-64\?$/,
    );
    expect(() => resolveArch(join(dir, 'missing.json'))).toThrow(
      /neither a preset .* nor an existing config file$/,
    );
    expect(() => resolveArch('tiny32')).toThrow(/nor an existing config file; did you mean tiny-32\?$/);
  });
});
