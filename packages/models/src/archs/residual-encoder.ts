// models/resmodule.py ResidualEncoder (R_se + R_mg in the paper): encodes the degraded input,
// adds the regression network's feature, merges, and maps to an image.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, leakyRelu, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { ConvBlock } from '../blocks/conv-block.js';
import { initializeWeights } from '../blocks/initialize-weights.js';
import { int } from '../config/fields.js';

export const residualEncoderOptionsSchema = z.strictObject({
  /** Channels of F_regression (the regression network's width). Official default 32. */
  chan: int(1).optional(),
  /** Width of the merging network and of F_R (ours; the reference hard-codes 64). */
  num_feat: int(1).optional(),
});
export type ResidualEncoderOptions = z.infer<typeof residualEncoderOptionsSchema>;

/** archs/blocks.py ToImage: conv3×3 → 3 channels, then LeakyReLU(0.2) — on the image, as the official code. */
export class ToImage extends Module {
  readonly conv: Conv2d;

  constructor(inChannel: number, rng: Rng) {
    super();
    const body = this.child('body', new ModuleList<Conv2d>());
    this.conv = body.push(new Conv2d(inChannel, 3, 3, rng, { padding: 1 }));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => leakyRelu(this.conv.apply(x), 0.2));
  }
}

export class ResidualEncoder extends Module {
  readonly chan: number;
  readonly numFeat: number;
  readonly input_encoder: ConvBlock;
  readonly merge_decoder: ModuleList<ConvBlock>;
  readonly to_img: ToImage;

  constructor(options: ResidualEncoderOptions, rng: Rng) {
    super();
    this.chan = options.chan ?? 32;
    this.numFeat = options.num_feat ?? 64;
    const feat = this.numFeat;
    this.input_encoder = this.child('input_encoder', new ConvBlock(3, this.chan, rng.fork('input_encoder')));
    this.merge_decoder = this.child('merge_decoder', new ModuleList<ConvBlock>());
    this.merge_decoder.push(new ConvBlock(this.chan, feat, rng.fork('merge0')));
    this.merge_decoder.push(new ConvBlock(feat, feat, rng.fork('merge1')));
    this.to_img = this.child('to_img', new ToImage(feat, rng.fork('to_img')));
    initializeWeights(this, rng.fork('init'));
  }

  /** (I_output, F_res): F_res = merge(ConvBlock(I_input) + F_regression), num_feat channels. */
  apply(input: tf.Tensor4D, fRegression: tf.Tensor4D): { image: tf.Tensor4D; feature: tf.Tensor4D } {
    const [, h, w] = input.shape;
    const [, fh, fw, fc] = fRegression.shape;
    if (fh !== h || fw !== w || fc !== this.chan) {
      throw new UserError(
        `residual encoder: regression feature is ${fh}×${fw}×${fc} but the input is ${h}×${w} with chan ${this.chan}` +
          ' (NAFNet keeps its padded size: H and W must be multiples of 2^levels, e.g. 16)',
      );
    }
    return tf.tidy(() => {
      let f = tf.add(fRegression, this.input_encoder.apply(input)) as tf.Tensor4D;
      for (const block of this.merge_decoder.items) f = block.apply(f);
      return { image: this.to_img.apply(f), feature: f };
    });
  }
}
