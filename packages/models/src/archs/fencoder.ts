// UGPNet `models/synmodule.py: Fencoder`: maps the restored image to the generator's F space
// (the basecode) and hands the W-module its 32×32 activation (`w_input`).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { ConvBlock } from '../blocks/conv-block.js';
import { initializeWeights } from '../blocks/initialize-weights.js';
import { int, number } from '../config/fields.js';

/** Constructor arguments of `Fencoder` (official names), plus two CPU-preset knobs. */
export const fencoderOptionsSchema = z.strictObject({
  /** Output (basecode) resolution: the generator's basecode_size. Official 16. */
  spatial_size: int(1).optional(),
  /** Input resolution the channel table is keyed by. Official 512 (faces), 256 (church). */
  encoder_input_size: int(1).optional(),
  /** Multiplies the reference's channel table (ours; 1 = official channels). */
  narrow: number({ positive: true }).optional(),
  /** Resolution whose (last) block output is `w_input` (the reference's literal 32). */
  w_input_size: int(1).optional(),
});
export type FencoderOptions = z.infer<typeof fencoderOptionsSchema>;

export const FENCODER_DEFAULTS: Required<FencoderOptions> = {
  spatial_size: 16,
  encoder_input_size: 512,
  narrow: 1,
  w_input_size: 32,
};

/** The reference's channels by block-input resolution. */
const FENCODER_CHANNELS: Record<number, number> = {
  8: 512,
  16: 512,
  32: 256,
  64: 128,
  128: 64,
  256: 32,
  512: 16,
};

/** Blocks as (in, out, down): log2(input/spatial)+1 ConvBlocks with BatchNorm, all but the last pooling. */
export function fencoderBlocks(options: FencoderOptions = {}): Array<[number, number, boolean]> {
  const o = { ...FENCODER_DEFAULTS, ...options };
  const ratio = o.encoder_input_size / o.spatial_size;
  if (!Number.isInteger(Math.log2(ratio)) || ratio < 1) {
    throw new UserError(
      `fencoder: encoder_input_size/spatial_size must be a power of two ≥ 1, got ${o.encoder_input_size}/${o.spatial_size}`,
    );
  }
  const count = Math.log2(ratio) + 1;
  const blocks: Array<[number, number, boolean]> = [];
  let cin = 3;
  for (let i = 0; i < count; i++) {
    const res = o.encoder_input_size / 2 ** i;
    const base = FENCODER_CHANNELS[res];
    if (base === undefined) {
      throw new UserError(`fencoder: no reference channel count for ${res} px (expected 8…512)`);
    }
    const cout = Math.max(1, Math.trunc(base * o.narrow));
    blocks.push([cin, cout, i < count - 1]);
    cin = cout;
  }
  return blocks;
}

export type FencoderOutput = {
  /** F-space code [B, h, w, C] (after the 1×1 conv). */
  basecode: tf.Tensor4D;
  /** The last block output at w_input_size (input of the W-module). */
  wInput: tf.Tensor4D;
};

export class Fencoder extends Module {
  readonly options: Required<FencoderOptions>;
  readonly downblocks: ModuleList<ConvBlock>;
  readonly conv1x1: Conv2d;

  constructor(options: FencoderOptions, rng: Rng) {
    super();
    this.options = { ...FENCODER_DEFAULTS, ...options };
    this.downblocks = this.child('downblocks', new ModuleList<ConvBlock>());
    const blocks = fencoderBlocks(this.options);
    blocks.forEach(([cin, cout, down], i) => {
      this.downblocks.push(new ConvBlock(cin, cout, rng.fork(`downblocks.${i}`), { down, batch_norm: true }));
    });
    const c = blocks[blocks.length - 1]![1];
    this.conv1x1 = this.child('conv1x1', new Conv2d(c, c, 1, rng.fork('conv1x1')));
    initializeWeights(this, rng.fork('init'));
  }

  /** Basecode channels (= the generator's channels at basecode_size). */
  get outChannels(): number {
    return this.conv1x1.outChannels;
  }

  apply(x: tf.Tensor4D): FencoderOutput {
    const size = this.options.w_input_size;
    return tf.tidy(() => {
      let out = x;
      let wInput: tf.Tensor4D | undefined;
      for (const block of this.downblocks.items) {
        out = block.apply(out);
        if (out.shape[1] === size) wInput = out;
      }
      if (!wInput) {
        throw new UserError(
          `fencoder: no block output is ${size}×${size} for a ${x.shape[1]}×${x.shape[2]} input (w_input_size)`,
        );
      }
      return { basecode: this.conv1x1.apply(out), wInput };
    });
  }
}
