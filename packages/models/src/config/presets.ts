// Architecture presets: the paper's configurations (faces 512 / church 256 with each regression
// network) and two CPU-sized ones. Plain objects; a config file may name one in `extends`.
import type { RegressionConfig } from '../archs/restoration-module.js';
import type { ArchConfig } from './arch.js';

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
