// The architecture config: one entry per official module, field names = the official
// constructor arguments (plus our width knobs `narrow` / `num_feat`, defaulting to the
// reference's numbers). Presets are plain objects; a config file may name a preset in
// `extends` and override fields.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '@ugpnet/tensor';
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
const RRDB_X8: RegressionConfig = { type: 'rrdb_x8', num_feat: 64, num_block: 23, num_grow_ch: 32, scale: 8 };

const FACES_512: Omit<ArchConfig, 'regression' | 'residual_encoder'> = {
  image_size: 512,
  fencoder: { spatial_size: 16, encoder_input_size: 512 },
  wmodule: { in_c: 128, out_c: 512, wpdim: 16, spatial_size: 32 },
  generator: { out_size: 512, num_style_feat: 512, num_mlp: 8, channel_multiplier: 2, lr_mlp: 0.01, basecode_size: 16 },
  discriminator: { out_size: 512, channel_multiplier: 1 },
  fusion: { num_block: 8, chan: 64 },
};

const CHURCH_256: Omit<ArchConfig, 'regression' | 'residual_encoder'> = {
  image_size: 256,
  fencoder: { spatial_size: 16, encoder_input_size: 256 },
  wmodule: { in_c: 128, out_c: 512, wpdim: 14, spatial_size: 32 },
  generator: { out_size: 256, num_style_feat: 512, num_mlp: 8, channel_multiplier: 2, lr_mlp: 0.01, basecode_size: 16 },
  discriminator: { out_size: 256, channel_multiplier: 2 },
  fusion: { num_block: 8, chan: 128 },
};

/** CPU-sized: 64 px, narrow widths everywhere; trains in minutes on the wasm backend. */
const DEMO_64: ArchConfig = {
  image_size: 64,
  regression: { type: 'nafnet', width: 8, middle_blk_num: 1, enc_blk_nums: [1, 1, 1], dec_blk_nums: [1, 1, 1] },
  residual_encoder: { chan: 8, num_feat: 16 },
  fencoder: { spatial_size: 16, encoder_input_size: 64, narrow: 0.125, w_input_size: 32 },
  wmodule: { in_c: 16, out_c: 64, wpdim: 10, spatial_size: 32 },
  generator: {
    out_size: 64,
    num_style_feat: 64,
    num_mlp: 2,
    channel_multiplier: 1,
    lr_mlp: 0.01,
    narrow: 0.125,
    basecode_size: 16,
  },
  discriminator: { out_size: 64, channel_multiplier: 1, narrow: 0.125 },
  fusion: { num_block: 2, chan: 32, num_feat: 16 },
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
  'paper-faces-512-nafnet-denoise': { ...FACES_512, regression: NAFNET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-faces-512-nafnet-deblur': { ...FACES_512, regression: NAFNET_DEBLUR, residual_encoder: { chan: 32 } },
  'paper-faces-512-rrdb-x8': { ...FACES_512, regression: RRDB_X8 },
  'paper-church-256': { ...CHURCH_256, regression: NAFNET_DENOISE, residual_encoder: { chan: 32 } },
  'paper-church-256-nafnet-deblur': { ...CHURCH_256, regression: NAFNET_DEBLUR, residual_encoder: { chan: 32 } },
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape of a config (unknown modules, missing blocks, regression type); `source` names it in errors. */
export function validateArchConfig(value: unknown, source: string): ArchConfig {
  if (!isObject(value)) throw new UserError(`${source}: an architecture config must be a JSON object`);
  const unknown = Object.keys(value).filter((k) => !(ARCH_KEYS as readonly string[]).includes(k) && k !== 'extends');
  if (unknown.length) {
    throw new UserError(`${source}: unknown architecture entries ${unknown.join(', ')} (expected ${ARCH_KEYS.join(', ')})`);
  }
  for (const key of ['regression', 'fencoder', 'wmodule', 'generator', 'discriminator', 'fusion'] as const) {
    if (!isObject(value[key])) throw new UserError(`${source}: '${key}' must be an object`);
  }
  const types = ['nafnet', 'nafnet_local', 'hinet', 'rrdb_x8'];
  const type = (value.regression as Record<string, unknown>).type;
  if (!types.includes(type as string)) {
    throw new UserError(`${source}: regression.type must be one of ${types.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const size = value.image_size ?? (value.generator as Record<string, unknown>).out_size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 8) {
    throw new UserError(`${source}: image_size (or generator.out_size) must be an integer ≥ 8`);
  }
  const { extends: _extends, ...rest } = value;
  return { ...(rest as unknown as ArchConfig), image_size: size };
}

function mergeArch(base: ArchConfig, over: Record<string, unknown>): ArchConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [key, v] of Object.entries(over)) {
    out[key] = isObject(v) && isObject(out[key]) && key !== 'regression' ? { ...(out[key] as object), ...v } : v;
  }
  return out as unknown as ArchConfig;
}

/** A preset name or a path to a JSON config (which may `extends` a preset). */
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
  if (isObject(raw) && typeof raw.extends === 'string') {
    const base = ARCH_PRESETS[raw.extends];
    if (!base) throw new UserError(`${nameOrPath}: extends '${raw.extends}' is not a preset`);
    const { extends: _e, ...over } = raw;
    return validateArchConfig(mergeArch(structuredClone(base), over), nameOrPath);
  }
  return validateArchConfig(raw, nameOrPath);
}
