// The official-code reference data (../shared/golden) used by the command tests; UGP_GOLDEN_DIR overrides.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const GOLDEN_DIR = process.env.UGP_GOLDEN_DIR ?? resolve(here, '../../../../../shared/golden');
export const hasGolden = existsSync(join(GOLDEN_DIR, 'ugpnet', 'manifest.json'));
export const REPO_ROOT = resolve(here, '../../../..');

export const goldenFile = (caseName: string, file: string) => join(GOLDEN_DIR, caseName, file);

/** golden/ugpnet's architecture (the resmodule, synmodule and fusion cases' constructors). */
export const GOLDEN_UGPNET_ARCH = {
  image_size: 64,
  regression: {
    type: 'nafnet',
    width: 8,
    middle_blk_num: 1,
    enc_blk_nums: [1, 1, 1, 1],
    dec_blk_nums: [1, 1, 1, 1],
  },
  residual_encoder: { chan: 8 },
  fencoder: { spatial_size: 64, encoder_input_size: 128 },
  wmodule: { in_c: 128, out_c: 64, wpdim: 10, spatial_size: 32 },
  generator: {
    out_size: 64,
    num_style_feat: 64,
    num_mlp: 2,
    channel_multiplier: 1,
    resample_kernel: [1, 3, 3, 1],
    lr_mlp: 0.01,
    narrow: 0.25,
    basecode_size: 32,
  },
  discriminator: { out_size: 64, channel_multiplier: 1, narrow: 0.0625 },
  fusion: { num_block: 8, chan: 64 },
};

/** Writes the golden architecture as a config file in `dir` and returns its path. */
export function writeGoldenArch(dir: string): string {
  const path = join(dir, 'golden-arch.json');
  writeFileSync(path, JSON.stringify(GOLDEN_UGPNET_ARCH));
  return path;
}

export const OFFICIAL_FILES = {
  resmodule: goldenFile('resmodule', 'resmodule.pth'),
  synmodule: goldenFile('synmodule', 'synmodule.pth'),
  fusmodule: goldenFile('fusion', 'fusmodule.pth'),
};
