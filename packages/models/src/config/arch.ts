// The architecture config: one entry per official module, field names = the official
// constructor arguments (plus our width knobs `narrow` / `num_feat`, defaulting to the
// reference's numbers). Presets are plain objects; a config file may name a preset in
// `extends` and override fields.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '@ugpnet/core';
import type { FencoderOptions } from '../archs/fencoder.js';
import type { FusionNetOptions } from '../archs/fusion.js';
import type { ResidualEncoderOptions } from '../archs/residual-encoder.js';
import type { RegressionConfig } from '../archs/restoration-module.js';
import type { StyleGan2DiscriminatorOptions } from '../archs/stylegan2-discriminator.js';
import type { StyleGan2GeneratorOptions } from '../archs/stylegan2-generator.js';
import type { WmoduleOptions } from '../archs/wmodule.js';

export interface ArchConfig {
  /** Image side the architecture is built for (the generator's out_size). */
  image_size: number;
  regression: RegressionConfig;
  /** Absent for rrdb_x8, which is the whole restoration module. */
  residual_encoder?: ResidualEncoderOptions;
  fencoder: FencoderOptions;
  wmodule: WmoduleOptions;
  generator: StyleGan2GeneratorOptions;
  discriminator: StyleGan2DiscriminatorOptions;
  fusion: FusionNetOptions;
}

const NAFNET_DENOISE: RegressionConfig = {
  type: 'nafnet',
  width: 32,
  middle_blk_num: 12,
  enc_blk_nums: [2, 2, 4, 8],
  dec_blk_nums: [2, 2, 2, 2],
};
const NAFNET_DEBLUR: RegressionConfig = {
  type: 'nafnet_local',
  width: 32,
  middle_blk_num: 1,
  enc_blk_nums: [1, 1, 1, 28],
  dec_blk_nums: [1, 1, 1, 1],
  train_size: [1, 3, 256, 256],
};
/** ResModule's `hinet` type: HINet(wf=32), otherwise the constructor defaults (depth 5, HIN in levels 0–4). */
const HINET_DENOISE: RegressionConfig = { type: 'hinet', wf: 32 };
/** ResModule's `hinet_deblur` type: HINet(wf=64, hin_position_left=3, hin_position_right=4). */
const HINET_DEBLUR: RegressionConfig = { type: 'hinet', wf: 64, hin_position_left: 3, hin_position_right: 4 };
const RRDB_X8: RegressionConfig = { type: 'rrdb_x8', num_feat: 64, num_block: 23, num_grow_ch: 32, scale: 8 };

const FACES_512: Omit<ArchConfig, 'regression' | 'residual_encoder'> = {
  image_size: 512,
  fencoder: { spatial_size: 16, encoder_input_size: 512 },
  wmodule: { in_c: 128, out_c: 512, wpdim: 16, spatial_size: 32 },
  generator: {
    out_size: 512,
    num_style_feat: 512,
    num_mlp: 8,
    channel_multiplier: 2,
    lr_mlp: 0.01,
    basecode_size: 16,
  },
  discriminator: { out_size: 512, channel_multiplier: 1 },
  fusion: { num_block: 8, chan: 64 },
};

const CHURCH_256: Omit<ArchConfig, 'regression' | 'residual_encoder'> = {
  image_size: 256,
  fencoder: { spatial_size: 16, encoder_input_size: 256 },
  wmodule: { in_c: 128, out_c: 512, wpdim: 14, spatial_size: 32 },
  generator: {
    out_size: 256,
    num_style_feat: 512,
    num_mlp: 8,
    channel_multiplier: 2,
    lr_mlp: 0.01,
    basecode_size: 16,
  },
  discriminator: { out_size: 256, channel_multiplier: 2 },
  fusion: { num_block: 8, chan: 128 },
};

/** CPU-sized: 64 px, narrow widths everywhere; trains in minutes on the wasm backend. */
const DEMO_64: ArchConfig = {
  image_size: 64,
  regression: {
    type: 'nafnet',
    width: 8,
    middle_blk_num: 1,
    enc_blk_nums: [1, 1, 1],
    dec_blk_nums: [1, 1, 1],
  },
  residual_encoder: { chan: 8, num_feat: 16 },
  // 1/16 of the reference widths: the synthesis stage dominates a CPU demo's time.
  fencoder: { spatial_size: 16, encoder_input_size: 64, narrow: 0.0625, w_input_size: 32 },
  wmodule: { in_c: 8, out_c: 64, wpdim: 10, spatial_size: 32 },
  generator: {
    out_size: 64,
    num_style_feat: 64,
    num_mlp: 2,
    channel_multiplier: 1,
    lr_mlp: 0.01,
    narrow: 0.0625,
    basecode_size: 16,
  },
  discriminator: { out_size: 64, channel_multiplier: 1, narrow: 0.0625 },
  fusion: { num_block: 2, chan: 16, num_feat: 16 },
};

/** The smallest useful UGPNet: 32 px, for end-to-end tests and `ugp demo --quick`. */
const TINY_32: ArchConfig = {
  image_size: 32,
  regression: { type: 'nafnet', width: 4, middle_blk_num: 1, enc_blk_nums: [1, 1], dec_blk_nums: [1, 1] },
  residual_encoder: { chan: 4, num_feat: 8 },
  fencoder: { spatial_size: 8, encoder_input_size: 32, narrow: 0.0625, w_input_size: 16 },
  wmodule: { in_c: 16, out_c: 32, wpdim: 8, spatial_size: 16 },
  generator: {
    out_size: 32,
    num_style_feat: 32,
    num_mlp: 2,
    channel_multiplier: 1,
    lr_mlp: 0.01,
    narrow: 0.0625,
    basecode_size: 8,
  },
  discriminator: { out_size: 32, channel_multiplier: 1, narrow: 0.0625 },
  fusion: { num_block: 1, chan: 32, num_feat: 8 },
};

export const ARCH_PRESETS: Record<string, ArchConfig> = {
  'paper-faces-512': { ...FACES_512, regression: NAFNET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-faces-512-nafnet-denoise': {
    ...FACES_512,
    regression: NAFNET_DENOISE,
    residual_encoder: { chan: 32 },
  },
  'paper-faces-512-nafnet-deblur': {
    ...FACES_512,
    regression: NAFNET_DEBLUR,
    residual_encoder: { chan: 32 },
  },
  'paper-faces-512-hinet': { ...FACES_512, regression: HINET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-faces-512-hinet-deblur': { ...FACES_512, regression: HINET_DEBLUR, residual_encoder: { chan: 64 } },
  'paper-faces-512-rrdb-x8': { ...FACES_512, regression: RRDB_X8 },
  'paper-church-256': { ...CHURCH_256, regression: NAFNET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-church-256-nafnet-deblur': {
    ...CHURCH_256,
    regression: NAFNET_DEBLUR,
    residual_encoder: { chan: 32 },
  },
  'paper-church-256-hinet': { ...CHURCH_256, regression: HINET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-church-256-hinet-deblur': {
    ...CHURCH_256,
    regression: HINET_DEBLUR,
    residual_encoder: { chan: 64 },
  },
  'demo-64': DEMO_64,
  'tiny-32': TINY_32,
};

export const ARCH_KEYS = [
  'image_size',
  'regression',
  'residual_encoder',
  'fencoder',
  'wmodule',
  'generator',
  'discriminator',
  'fusion',
] as const;

type FieldKind = 'int>=1' | 'int>=0' | 'number>0' | 'number' | 'int[]' | 'number[]' | 'int[4]' | 'boolean';
type BlockSchema = Record<string, FieldKind>;

// Each block's allowed fields: the official constructor arguments (plus our width knobs
// `narrow`, `num_feat`, `w_input_size`), with the type each must have.
const NAFNET_FIELDS: BlockSchema = {
  img_channel: 'int>=1',
  width: 'int>=1',
  middle_blk_num: 'int>=0',
  enc_blk_nums: 'int[]',
  dec_blk_nums: 'int[]',
};
const REGRESSION_FIELDS: Record<RegressionConfig['type'], BlockSchema> = {
  nafnet: NAFNET_FIELDS,
  nafnet_local: { ...NAFNET_FIELDS, train_size: 'int[4]', fast_imp: 'boolean' },
  hinet: {
    in_chn: 'int>=1',
    wf: 'int>=1',
    depth: 'int>=1',
    relu_slope: 'number',
    hin_position_left: 'int>=0',
    hin_position_right: 'int>=0',
  },
  rrdb_x8: {
    num_in_ch: 'int>=1',
    num_out_ch: 'int>=1',
    scale: 'int>=1',
    num_feat: 'int>=1',
    num_block: 'int>=0',
    num_grow_ch: 'int>=1',
  },
};

const BLOCK_FIELDS: Record<Exclude<(typeof ARCH_KEYS)[number], 'image_size' | 'regression'>, BlockSchema> = {
  residual_encoder: { chan: 'int>=1', num_feat: 'int>=1' },
  fencoder: {
    spatial_size: 'int>=1',
    encoder_input_size: 'int>=1',
    narrow: 'number>0',
    w_input_size: 'int>=1',
  },
  wmodule: { in_c: 'int>=1', out_c: 'int>=1', wpdim: 'int>=1', spatial_size: 'int>=1' },
  generator: {
    out_size: 'int>=1',
    num_style_feat: 'int>=1',
    num_mlp: 'int>=1',
    channel_multiplier: 'number>0',
    resample_kernel: 'number[]',
    lr_mlp: 'number>0',
    narrow: 'number>0',
    basecode_size: 'int>=1',
  },
  discriminator: {
    out_size: 'int>=1',
    channel_multiplier: 'number>0',
    resample_kernel: 'number[]',
    stddev_group: 'int>=1',
    narrow: 'number>0',
  },
  fusion: { num_block: 'int>=0', chan: 'int>=1', num_feat: 'int>=1' },
};

const REQUIRED_FIELDS: Record<string, string[]> = { generator: ['out_size'], discriminator: ['out_size'] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

function kindMatches(kind: FieldKind, v: unknown): boolean {
  switch (kind) {
    case 'int>=1':
      return isInt(v, 1);
    case 'int>=0':
      return isInt(v, 0);
    case 'number>0':
      return isNumber(v) && (v as number) > 0;
    case 'number':
      return isNumber(v);
    case 'int[]':
      return Array.isArray(v) && v.every((x) => isInt(x, 0));
    case 'number[]':
      return Array.isArray(v) && v.length > 0 && v.every(isNumber);
    case 'int[4]':
      return Array.isArray(v) && v.length === 4 && v.every((x) => isInt(x, 1));
    case 'boolean':
      return typeof v === 'boolean';
  }
}

const KIND_WORDS: Record<FieldKind, string> = {
  'int>=1': 'an integer ≥ 1',
  'int>=0': 'an integer ≥ 0',
  'number>0': 'a number > 0',
  number: 'a number',
  'int[]': 'an array of integers ≥ 0',
  'number[]': 'a non-empty array of numbers',
  'int[4]': 'an array of 4 integers ≥ 1 ([N, C, H, W])',
  boolean: 'true or false',
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean x?)` when an allowed name is within a few edits of `name`. */
function suggestion(name: string, allowed: string[]): string {
  const scored = allowed
    .map((a) => [a, editDistance(name.toLowerCase(), a)] as const)
    .sort((p, q) => p[1] - q[1]);
  const best = scored[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best[0]}?)` : '';
}

function checkBlock(
  source: string,
  block: string,
  value: Record<string, unknown>,
  schema: BlockSchema,
): void {
  const allowed = Object.keys(schema);
  for (const [field, v] of Object.entries(value)) {
    const kind = schema[field];
    if (!kind) {
      throw new UserError(
        `${source}: unknown field ${block}.${field}${suggestion(field, allowed)}; allowed in ${block}: ${allowed.join(', ')}`,
      );
    }
    if (!kindMatches(kind, v)) {
      throw new UserError(
        `${source}: ${block}.${field} must be ${KIND_WORDS[kind]}, got ${JSON.stringify(v)}`,
      );
    }
  }
  for (const field of REQUIRED_FIELDS[block] ?? []) {
    if (value[field] === undefined) throw new UserError(`${source}: ${block}.${field} is required`);
  }
}

/**
 * Checks a config: known modules only, each block an object whose fields are the official
 * constructor arguments with the right types (unknown or misspelt names are refused, naming the
 * allowed ones), a known regression type, and sizes that agree. `source` names it in errors.
 */
export function validateArchConfig(value: unknown, source: string): ArchConfig {
  if (!isObject(value)) throw new UserError(`${source}: an architecture config must be a JSON object`);
  const unknown = Object.keys(value).filter(
    (k) => !(ARCH_KEYS as readonly string[]).includes(k) && k !== 'extends',
  );
  if (unknown.length) {
    const hints = unknown.map((k) => `${k}${suggestion(k, [...ARCH_KEYS])}`);
    throw new UserError(
      `${source}: unknown architecture entries ${hints.join(', ')} (expected ${ARCH_KEYS.join(', ')})`,
    );
  }
  for (const key of ['regression', 'fencoder', 'wmodule', 'generator', 'discriminator', 'fusion'] as const) {
    if (!isObject(value[key])) throw new UserError(`${source}: '${key}' must be an object`);
  }
  const regression = value.regression as Record<string, unknown>;
  const types = Object.keys(REGRESSION_FIELDS);
  const type = regression.type;
  if (!types.includes(type as string)) {
    throw new UserError(
      `${source}: regression.type must be one of ${types.join(', ')}, got ${JSON.stringify(type)}${typeof type === 'string' ? suggestion(type, types) : ''}`,
    );
  }
  const { type: _type, ...regressionFields } = regression;
  checkBlock(source, 'regression', regressionFields, REGRESSION_FIELDS[type as RegressionConfig['type']]);
  if (value.residual_encoder !== undefined) {
    if (type === 'rrdb_x8') {
      throw new UserError(
        `${source}: residual_encoder is not used with regression.type rrdb_x8 (RRDBNetX8 is the whole restoration module); remove it`,
      );
    }
    if (!isObject(value.residual_encoder))
      throw new UserError(`${source}: 'residual_encoder' must be an object`);
  }
  for (const [block, schema] of Object.entries(BLOCK_FIELDS)) {
    if (value[block] !== undefined)
      checkBlock(source, block, value[block] as Record<string, unknown>, schema);
  }
  const generator = value.generator as Record<string, unknown>;
  const discriminator = value.discriminator as Record<string, unknown>;
  const size = value.image_size ?? generator.out_size;
  if (!isInt(size, 8))
    throw new UserError(`${source}: image_size (or generator.out_size) must be an integer ≥ 8`);
  for (const [block, outSize] of [
    ['generator', generator.out_size],
    ['discriminator', discriminator.out_size],
  ] as const) {
    if (outSize !== size) {
      throw new UserError(`${source}: ${block}.out_size (${outSize}) must equal image_size (${size})`);
    }
  }
  const { extends: _extends, ...rest } = value;
  return { ...(rest as unknown as ArchConfig), image_size: size as number };
}

/** A preset with a config's overrides: blocks merge field by field; `regression` is replaced whole. */
function mergeArch(base: ArchConfig, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, v] of Object.entries(over)) {
    if (v === null) delete out[key];
    else
      out[key] =
        isObject(v) && isObject(out[key]) && key !== 'regression' ? { ...(out[key] as object), ...v } : v;
  }
  // Switching a ResModule preset to rrdb_x8 drops the residual encoder it no longer has.
  const regression = out.regression as Record<string, unknown> | undefined;
  if (regression?.type === 'rrdb_x8' && !('residual_encoder' in over)) delete out.residual_encoder;
  return out;
}

/** A preset name or a path to a JSON config (which may `extends` a preset; `null` removes an entry). */
export function resolveArch(nameOrPath: string): ArchConfig {
  const preset = ARCH_PRESETS[nameOrPath];
  if (preset) return structuredClone(preset);
  if (!existsSync(nameOrPath)) {
    throw new UserError(
      `--arch ${nameOrPath}: neither a preset (${Object.keys(ARCH_PRESETS).join(', ')}) nor an existing config file`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (err) {
    throw new UserError(`--arch ${nameOrPath}: not valid JSON (${(err as Error).message})`);
  }
  if (isObject(raw) && raw.extends !== undefined) {
    const base = typeof raw.extends === 'string' ? ARCH_PRESETS[raw.extends] : undefined;
    if (!base) {
      throw new UserError(
        `${nameOrPath}: extends ${JSON.stringify(raw.extends)} is not a preset (${Object.keys(ARCH_PRESETS).join(', ')})`,
      );
    }
    const { extends: _e, ...over } = raw;
    return validateArchConfig(mergeArch(structuredClone(base), over), nameOrPath);
  }
  return validateArchConfig(raw, nameOrPath);
}
