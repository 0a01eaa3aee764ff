// UGPNet `models/synmodule.py: SynModule`: F-encoder E and W-module map x_reg to a basecode and a
// w+ latent; the StyleGAN2 generator G synthesises I_G = (G + 1)/2 (not clamped) and F_G.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Module, type Rng } from '@ugpnet/tensor';
import { Fencoder, type FencoderOptions } from './fencoder.js';
import {
  type NoiseSource,
  StyleGan2Generator,
  type StyleGan2GeneratorOptions,
} from './stylegan2-generator.js';
import { Wmodule, type WmoduleOptions } from './wmodule.js';

export interface SynthesisModuleOptions {
  generator: StyleGan2GeneratorOptions;
  fencoder?: FencoderOptions;
  wmodule?: WmoduleOptions;
}

export type SynthesisModuleOutput = {
  /** I_G in [0, 1] (not clamped), NHWC. */
  image: tf.Tensor4D;
  /** F_G: the generator's final-resolution feature, NHWC. */
  feature: tf.Tensor4D;
};

export type SynthesisIntermediates = SynthesisModuleOutput & {
  basecode: tf.Tensor4D;
  wInput: tf.Tensor4D;
  /** w+ latent [B, wpdim, num_style_feat]. */
  detailcode: tf.Tensor3D;
};

/**
 * The synthesis module. Keys: `fencoder.*`, `wmodule.*`, `generator.*` — the sections of the
 * official synmodule checkpoint dict (whose `discriminator` lives in StyleGan2Discriminator).
 */
export class SynthesisModule extends Module {
  readonly fencoder: Fencoder;
  readonly wmodule: Wmodule;
  readonly generator: StyleGan2Generator;
  /** Official `randomize_noise` (false at inference and in the fusion stage). */
  randomizeNoise = false;

  constructor(options: SynthesisModuleOptions, rng: Rng) {
    super();
    // Official construction order: generator, fencoder, wmodule.
    this.generator = this.child(
      'generator',
      new StyleGan2Generator(options.generator, rng.fork('generator')),
    );
    this.fencoder = this.child('fencoder', new Fencoder(options.fencoder ?? {}, rng.fork('fencoder')));
    this.wmodule = this.child('wmodule', new Wmodule(options.wmodule ?? {}, rng.fork('wmodule')));
    const g = this.generator;
    if (this.fencoder.outChannels !== g.basecodeChannels) {
      throw new UserError(
        `synthesis: the F-encoder's basecode has ${this.fencoder.outChannels} channels but the generator expects ${g.basecodeChannels} at ${g.options.basecode_size} px`,
      );
    }
    // fencoder.spatial_size/encoder_input_size only set the block count: the basecode's size is
    // the fed image's size ÷ 2^(blocks−1), checked against basecode_size by the generator.
    const w = this.wmodule.options;
    if (w.wpdim !== g.numLatent || w.out_c !== g.options.num_style_feat) {
      throw new UserError(
        `synthesis: wmodule gives [${w.wpdim}, ${w.out_c}] latents, the generator needs [${g.numLatent}, ${g.options.num_style_feat}]`,
      );
    }
    if (w.spatial_size !== this.fencoder.options.w_input_size) {
      throw new UserError(
        `synthesis: wmodule.spatial_size (${w.spatial_size}) must equal fencoder.w_input_size (${this.fencoder.options.w_input_size})`,
      );
    }
  }

  /** Channels of F_G. */
  get featureChannels(): number {
    return this.generator.featureChannels;
  }

  /** Noise source for a forward pass: the stored buffers, or (randomizeNoise) draws from `rng`. */
  private noise(rng?: Rng): NoiseSource {
    if (!this.randomizeNoise) return { randomize: false };
    if (!rng) throw new Error('SynthesisModule: randomizeNoise needs an Rng for the noise draws');
    return { randomize: true, rng };
  }

  /** Forward with every intermediate (basecode, w_input, detailcode) kept. */
  forward(xReg: tf.Tensor4D, rng?: Rng): SynthesisIntermediates {
    return tf.tidy(() => {
      const { basecode, wInput } = this.fencoder.apply(xReg);
      const detailcode = this.wmodule.apply(wInput);
      const { image, feature } = this.generator.synthesize(detailcode, { basecode, noise: this.noise(rng) });
      return { image: tf.div(tf.add(image, 1), 2) as tf.Tensor4D, feature, basecode, wInput, detailcode };
    });
  }

  /** x_reg [B, H, W, 3] → (I_G, F_G). `rng` is used only when randomizeNoise is on. */
  apply(xReg: tf.Tensor4D, rng?: Rng): SynthesisModuleOutput {
    return tf.tidy(() => {
      const { image, feature } = this.forward(xReg, rng);
      return { image, feature };
    });
  }
}
