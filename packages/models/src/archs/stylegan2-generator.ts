// StyleGAN2 generator as BasicSR's `StyleGAN2Generator` (the rosinality port) with UGPNet's
// F-space extension (`models/stylegan2.py: StyleGAN2GeneratorF / StyleGAN2GeneratorFChurch`):
// a basecode replaces the feature map at `basecode_size`, and F_G is captured at the final
// resolution. Activations are NHWC. Weights are stored raw (equalised learning rate): each layer
// scales them at run time exactly as the reference does, so optimiser steps match too.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { LINEAR_LAYOUT, Module, ModuleList, type Rng, type TorchLayout } from '@ugpnet/tensor';
import { z } from 'zod';
import { int, number, numberList } from '../config/fields.js';
import { UpFirDnSmooth, UpFirDnUpsample } from './upfirdn.js';

/** PyTorch [1, O, I, k, k] (modulated conv weight) → ours [1, k, k, I, O]. */
export const MODULATED_WEIGHT_LAYOUT: TorchLayout = { perm: [0, 3, 4, 2, 1] };
/** PyTorch NCHW [1, C, H, W] (constant input, noise buffers, ToRGB bias) → ours NHWC [1, H, W, C]. */
export const NCHW_LAYOUT: TorchLayout = { perm: [0, 2, 3, 1] };

const SQRT2 = Math.SQRT2;

function randn(rng: Rng, shape: number[], std = 1): tf.Tensor {
  return tf.tensor(
    rng.normalArray(
      shape.reduce((a, b) => a * b, 1),
      std,
    ),
    shape,
  );
}

/** basicsr `fused_leaky_relu`: leaky_relu(x + bias, 0.2)·√2, bias on the channel (last) axis. */
export function fusedLeakyRelu<T extends tf.Tensor>(x: T, bias: tf.Tensor | undefined): T {
  return tf.tidy(() => tf.mul(tf.leakyRelu(bias ? tf.add(x, bias) : x, 0.2), SQRT2) as T);
}

/** basicsr `FusedLeakyReLU`: a module holding only the `bias`. */
export class FusedLeakyRelu extends Module {
  readonly bias: tf.Variable;

  constructor(channels: number) {
    super();
    this.bias = this.param('bias', tf.zeros([channels]));
  }

  apply<T extends tf.Tensor>(x: T): T {
    return fusedLeakyRelu(x, this.bias);
  }
}

/** basicsr `NormStyleCode`: x / sqrt(mean(x²) + 1e-8) over the feature axis. */
export function normStyleCode(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), 1, true), 1e-8))));
}

export interface EqualLinearOptions {
  bias?: boolean;
  bias_init_val?: number;
  lr_mul?: number;
  activation?: 'fused_lrelu' | null;
}

/** basicsr `EqualLinear`: weight [in, out] drawn N(0, 1/lr_mul²), used as weight·lr_mul/√in. */
export class EqualLinear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly scale: number;
  readonly lrMul: number;
  readonly activation: 'fused_lrelu' | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    rng: Rng,
    options: EqualLinearOptions = {},
  ) {
    super();
    this.lrMul = options.lr_mul ?? 1;
    this.activation = options.activation ?? null;
    this.scale = (1 / Math.sqrt(inChannels)) * this.lrMul;
    this.weight = this.param('weight', randn(rng, [inChannels, outChannels], 1 / this.lrMul), LINEAR_LAYOUT);
    if (options.bias !== false) {
      this.bias = this.param('bias', tf.fill([outChannels], options.bias_init_val ?? 0));
    }
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy((): tf.Tensor2D => {
      const y = tf.matMul(x, tf.mul(this.weight, this.scale) as tf.Tensor2D) as tf.Tensor2D;
      const bias = this.bias ? tf.mul(this.bias, this.lrMul) : undefined;
      if (this.activation === 'fused_lrelu') return fusedLeakyRelu(y, bias);
      return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
    });
  }
}

export type SampleMode = 'upsample' | 'downsample' | null;

export interface ModulatedConvOptions {
  demodulate?: boolean;
  sample_mode?: SampleMode;
  resample_kernel?: readonly number[];
  eps?: number;
}

/**
 * basicsr `ModulatedConv2d` (no bias). The reference builds one weight per sample and runs a
 * grouped conv; here the style scales the input channels, one shared-weight conv runs over the
 * whole batch, and the per-sample demodulation scales the output channels — the same sums, with
 * no per-sample weights, which suits NHWC convolutions and their gradients.
 */
export class ModulatedConv extends Module {
  readonly weight: tf.Variable;
  readonly modulation: EqualLinear;
  readonly scale: number;
  readonly demodulate: boolean;
  readonly sampleMode: SampleMode;
  readonly eps: number;
  private readonly smooth?: UpFirDnSmooth;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    numStyleFeat: number,
    rng: Rng,
    options: ModulatedConvOptions = {},
  ) {
    super();
    this.demodulate = options.demodulate ?? true;
    this.sampleMode = options.sample_mode ?? null;
    this.eps = options.eps ?? 1e-8;
    const resample = options.resample_kernel ?? [1, 3, 3, 1];
    if (this.sampleMode === 'upsample') this.smooth = new UpFirDnSmooth(resample, 2, 1, kernelSize);
    else if (this.sampleMode === 'downsample') this.smooth = new UpFirDnSmooth(resample, 1, 2, kernelSize);
    this.scale = 1 / Math.sqrt(inChannels * kernelSize ** 2);
    this.modulation = this.child(
      'modulation',
      new EqualLinear(numStyleFeat, inChannels, rng, { bias: true, bias_init_val: 1 }),
    );
    const k = kernelSize;
    this.weight = this.param(
      'weight',
      randn(rng, [1, k, k, inChannels, outChannels]),
      MODULATED_WEIGHT_LAYOUT,
    );
  }

  /** x: [B, H, W, in], style: [B, num_style_feat]. */
  apply(x: tf.Tensor4D, style: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w] = x.shape;
      const k = this.kernelSize;
      const cin = this.inChannels;
      const cout = this.outChannels;
      const s = this.modulation.apply(style); // [B, in]
      let weight = tf.mul(tf.reshape(this.weight, [k, k, cin, cout]), this.scale) as tf.Tensor4D;
      // Σ_{i,kh,kw} (scale·w·s)² = Σ_i s_i² · Σ_{kh,kw} (scale·w)²  → [B, out]
      const demod = this.demodulate
        ? tf.rsqrt(
            tf.add(tf.matMul(tf.square(s), tf.sum(tf.square(weight), [0, 1]) as tf.Tensor2D), this.eps),
          )
        : undefined;
      let input: tf.Tensor4D;
      if (b === 1) {
        // One sample: fold style and demodulation into the weight, as the reference does.
        weight = tf.mul(weight, tf.reshape(s, [1, 1, cin, 1]));
        if (demod) weight = tf.mul(weight, tf.reshape(demod, [1, 1, 1, cout]));
        input = x;
      } else {
        input = tf.mul(x, tf.reshape(s, [b, 1, 1, cin]));
      }
      let out: tf.Tensor4D;
      if (this.sampleMode === 'upsample') {
        // conv_transpose2d(stride 2, padding 0): output (H−1)·2 + k, then the blur.
        const filter = tf.transpose(weight, [0, 1, 3, 2]) as tf.Tensor4D;
        out = tf.conv2dTranspose(input, filter, [b, (h - 1) * 2 + k, (w - 1) * 2 + k, cout], 2, 'valid');
      } else if (this.sampleMode === 'downsample') {
        out = tf.conv2d(this.smooth!.apply(input), weight, 2, 'valid');
      } else {
        out = tf.conv2d(input, weight, 1, k === 1 ? 'valid' : 'same');
      }
      if (demod && b > 1) out = tf.mul(out, tf.reshape(demod, [b, 1, 1, cout]));
      if (this.sampleMode === 'upsample') out = this.smooth!.apply(out);
      return out;
    });
  }
}

/** basicsr `StyleConv`: modulated conv, noise injection (`weight`·noise), FusedLeakyReLU. */
export class StyledConv extends Module {
  readonly modulatedConv: ModulatedConv;
  /** Noise strength (NoiseInjection), zero-initialised. */
  readonly weight: tf.Variable;
  readonly activate: FusedLeakyRelu;

  constructor(
    inChannels: number,
    readonly outChannels: number,
    kernelSize: number,
    numStyleFeat: number,
    rng: Rng,
    options: ModulatedConvOptions = {},
  ) {
    super();
    this.weight = this.param('weight', tf.zeros([1]));
    this.modulatedConv = this.child(
      'modulated_conv',
      new ModulatedConv(inChannels, outChannels, kernelSize, numStyleFeat, rng, options),
    );
    this.activate = this.child('activate', new FusedLeakyRelu(outChannels));
  }

  /** noise: [1 or B, H, W, 1] at the output resolution. */
  apply(x: tf.Tensor4D, style: tf.Tensor2D, noise: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const out = this.modulatedConv.apply(x, style);
      return this.activate.apply(tf.add(out, tf.mul(this.weight, noise)) as tf.Tensor4D);
    });
  }
}

/** basicsr `ToRGB`: 1×1 modulated conv without demodulation, bias, plus the upsampled skip. */
export class ToRgb extends Module {
  readonly bias: tf.Variable;
  readonly modulatedConv: ModulatedConv;
  private readonly upsample?: UpFirDnUpsample;

  constructor(
    inChannels: number,
    numStyleFeat: number,
    rng: Rng,
    upsample: boolean,
    resampleKernel: readonly number[],
  ) {
    super();
    if (upsample) this.upsample = new UpFirDnUpsample(resampleKernel, 2);
    this.modulatedConv = this.child(
      'modulated_conv',
      new ModulatedConv(inChannels, 3, 1, numStyleFeat, rng, { demodulate: false }),
    );
    this.bias = this.param('bias', tf.zeros([1, 1, 1, 3]), NCHW_LAYOUT);
  }

  apply(x: tf.Tensor4D, style: tf.Tensor2D, skip?: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let out = tf.add(this.modulatedConv.apply(x, style), this.bias) as tf.Tensor4D;
      if (skip) out = tf.add(out, this.upsample ? this.upsample.apply(skip) : skip);
      return out;
    });
  }
}

/** basicsr `ConstantInput`: a learned [1, size, size, C] map repeated over the batch. */
export class ConstantInput extends Module {
  readonly weight: tf.Variable;

  constructor(channels: number, size: number, rng: Rng) {
    super();
    this.weight = this.param('weight', randn(rng, [1, size, size, channels]), NCHW_LAYOUT);
  }

  apply(batch: number): tf.Tensor4D {
    return tf.tidy(() => tf.tile(this.weight, [batch, 1, 1, 1]) as tf.Tensor4D);
  }
}

/** The mapping network (`style_mlp`): NormStyleCode then num_mlp EqualLinear + fused lrelu. */
export class StyleMlp extends Module {
  readonly layers: EqualLinear[] = [];

  constructor(numStyleFeat: number, numMlp: number, lrMlp: number, rng: Rng) {
    super();
    // Index 0 is NormStyleCode (no parameters), so the linears are style_mlp.1 … style_mlp.num_mlp.
    for (let i = 1; i <= numMlp; i++) {
      this.layers.push(
        this.child(
          String(i),
          new EqualLinear(numStyleFeat, numStyleFeat, rng, { lr_mul: lrMlp, activation: 'fused_lrelu' }),
        ),
      );
    }
  }

  apply(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.layers.reduce((x, layer) => layer.apply(x), normStyleCode(z)));
  }
}

/** A module with no tensors of its own: holds `noise0` … as buffers (`generator.noises.*`). */
class NoiseBuffers extends Module {
  readonly items: tf.Variable[] = [];

  add(name: string, value: tf.Tensor): void {
    this.items.push(this.buffer(name, value, NCHW_LAYOUT));
  }
}

/** Constructor arguments of `StyleGAN2GeneratorF` (official names). */
export const styleGan2GeneratorOptionsSchema = z.strictObject({
  out_size: int(1),
  num_style_feat: int(1).optional(),
  num_mlp: int(1).optional(),
  channel_multiplier: number({ positive: true }).optional(),
  resample_kernel: numberList().optional(),
  lr_mlp: number({ positive: true }).optional(),
  narrow: number({ positive: true }).optional(),
  /** Resolution whose first-conv output the basecode replaces (official 16). */
  basecode_size: int(1).optional(),
});
export type StyleGan2GeneratorOptions = z.infer<typeof styleGan2GeneratorOptionsSchema>;

export const STYLEGAN2_GENERATOR_DEFAULTS: Required<Omit<StyleGan2GeneratorOptions, 'out_size'>> = {
  num_style_feat: 512,
  num_mlp: 8,
  channel_multiplier: 2,
  resample_kernel: [1, 3, 3, 1],
  lr_mlp: 0.01,
  narrow: 1,
  basecode_size: 16,
};

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** BasicSR's StyleGAN2 channel table: channels per resolution. */
export function styleGan2Channels(channelMultiplier: number, narrow: number): Record<number, number> {
  const table: Record<number, number> = {
    4: 512,
    8: 512,
    16: 512,
    32: 512,
    64: 256 * channelMultiplier,
    128: 128 * channelMultiplier,
    256: 64 * channelMultiplier,
    512: 32 * channelMultiplier,
    1024: 16 * channelMultiplier,
  };
  const out: Record<number, number> = {};
  for (const [res, c] of Object.entries(table)) out[Number(res)] = Math.trunc(c * narrow);
  return out;
}

/** Noise for each StyleConv: the stored buffers, or fresh N(0,1) draws per sample. */
export type NoiseSource = { randomize: false } | { randomize: true; rng: Rng };

export interface SynthesisOptions {
  noise?: NoiseSource;
  /** F-space input [B, basecode_size, basecode_size, C]: replaces the first conv output there. */
  basecode?: tf.Tensor4D;
}

// A type alias (not an interface) so tf.tidy accepts it as a TensorContainer.
export type GeneratorOutput = {
  /** G's image, NHWC, ≈[-1, 1] (not clamped). */
  image: tf.Tensor4D;
  /** F_G: the second StyleConv output at the final resolution (after its FusedLeakyReLU). */
  feature: tf.Tensor4D;
};

/** `StyleGAN2GeneratorF` (faces) / `StyleGAN2GeneratorFChurch` (church): they differ only in out_size. */
export class StyleGan2Generator extends Module {
  readonly options: Required<StyleGan2GeneratorOptions>;
  readonly channels: Record<number, number>;
  readonly logSize: number;
  /** Number of StyleConvs (and noise buffers). */
  readonly numLayers: number;
  /** Number of w vectors a w+ latent holds (= wpdim). */
  readonly numLatent: number;
  readonly styleMlp: StyleMlp;
  readonly constantInput: ConstantInput;
  readonly styleConv1: StyledConv;
  readonly toRgb1: ToRgb;
  readonly styleConvs: ModuleList<StyledConv>;
  readonly toRgbs: ModuleList<ToRgb>;
  private readonly noises: NoiseBuffers;

  constructor(options: StyleGan2GeneratorOptions, rng: Rng) {
    super();
    const o = { ...STYLEGAN2_GENERATOR_DEFAULTS, ...options };
    this.options = o;
    if (!isPowerOfTwo(o.out_size) || o.out_size < 8 || o.out_size > 1024) {
      throw new UserError(`generator.out_size: expected a power of two in 8…1024, got ${o.out_size}`);
    }
    if (!isPowerOfTwo(o.basecode_size) || o.basecode_size < 8 || o.basecode_size > o.out_size) {
      throw new UserError(
        `generator.basecode_size: expected a power of two in 8…out_size (${o.out_size}), got ${o.basecode_size}`,
      );
    }
    this.channels = styleGan2Channels(o.channel_multiplier, o.narrow);
    for (let r = 4; r <= o.out_size; r *= 2) {
      if (this.channels[r]! < 1)
        throw new UserError(`generator.narrow: ${o.narrow} leaves no channels at ${r} px`);
    }
    this.logSize = Math.round(Math.log2(o.out_size));
    this.numLayers = (this.logSize - 2) * 2 + 1;
    this.numLatent = this.logSize * 2 - 2;
    const s = o.num_style_feat;
    const rk = o.resample_kernel;

    this.styleMlp = this.child('style_mlp', new StyleMlp(s, o.num_mlp, o.lr_mlp, rng.fork('style_mlp')));
    const c4 = this.channels[4]!;
    this.constantInput = this.child('constant_input', new ConstantInput(c4, 4, rng.fork('constant_input')));
    this.styleConv1 = this.child(
      'style_conv1',
      new StyledConv(c4, c4, 3, s, rng.fork('style_conv1'), { resample_kernel: rk }),
    );
    this.toRgb1 = this.child('to_rgb1', new ToRgb(c4, s, rng.fork('to_rgb1'), false, rk));
    this.styleConvs = this.child('style_convs', new ModuleList<StyledConv>());
    this.toRgbs = this.child('to_rgbs', new ModuleList<ToRgb>());
    this.noises = this.child('noises', new NoiseBuffers());

    const noiseRng = rng.fork('noises');
    for (let i = 0; i < this.numLayers; i++) {
      const r = 2 ** Math.floor((i + 5) / 2);
      this.noises.add(`noise${i}`, randn(noiseRng, [1, r, r, 1]));
    }
    let inChannels = c4;
    for (let i = 3; i <= this.logSize; i++) {
      const out = this.channels[2 ** i]!;
      const blockRng = rng.fork(`block${i}`);
      this.styleConvs.push(
        new StyledConv(inChannels, out, 3, s, blockRng.fork('conv1'), {
          sample_mode: 'upsample',
          resample_kernel: rk,
        }),
      );
      this.styleConvs.push(new StyledConv(out, out, 3, s, blockRng.fork('conv2'), { resample_kernel: rk }));
      this.toRgbs.push(new ToRgb(out, s, blockRng.fork('to_rgb'), true, rk));
      inChannels = out;
    }
  }

  /** Channels of F_G (the final resolution's feature). */
  get featureChannels(): number {
    return this.channels[this.options.out_size]!;
  }

  /** Channels of the basecode the F-space injection expects. */
  get basecodeChannels(): number {
    return this.channels[this.options.basecode_size]!;
  }

  /** The stored noise buffers noise0 … noise{numLayers−1}, NHWC [1, r, r, 1]. */
  get noiseBuffers(): readonly tf.Variable[] {
    return this.noises.items;
  }

  /** z [B, num_style_feat] → w [B, num_style_feat] through NormStyleCode and the MLP. */
  mapping(z: tf.Tensor2D): tf.Tensor2D {
    return this.styleMlp.apply(z);
  }

  private noiseFor(layer: number, batch: number, source: NoiseSource): tf.Tensor4D {
    if (!source.randomize) return this.noises.items[layer] as tf.Tensor4D;
    const r = 2 ** Math.floor((layer + 5) / 2);
    return tf.tensor4d(source.rng.normalArray(batch * r * r), [batch, r, r, 1]);
  }

  /**
   * The synthesis network on a w+ latent [B, numLatent, num_style_feat]. With `basecode`, the
   * layers below basecode_size contribute nothing in the reference (their outputs and RGB skip are
   * dropped), so they are not computed here.
   */
  synthesize(latent: tf.Tensor3D, options: SynthesisOptions = {}): GeneratorOutput {
    const [batch, numLatent, styleDim] = latent.shape;
    if (numLatent < this.numLatent || styleDim !== this.options.num_style_feat) {
      throw new UserError(
        `generator: latent must be [B, ${this.numLatent}, ${this.options.num_style_feat}], got [${latent.shape}]`,
      );
    }
    const noise = options.noise ?? { randomize: false };
    const basecode = options.basecode;
    const baseLevel = Math.round(Math.log2(this.options.basecode_size)) - 3; // block index
    if (basecode) {
      const bs = this.options.basecode_size;
      const want = [batch, bs, bs, this.basecodeChannels];
      if (basecode.shape.join(',') !== want.join(',')) {
        throw new UserError(`generator: basecode must be [${want}] (NHWC), got [${basecode.shape}]`);
      }
    }
    return tf.tidy(() => {
      const w = tf.unstack(latent, 1) as tf.Tensor2D[];
      let out: tf.Tensor4D | undefined;
      let skip: tf.Tensor4D | undefined;
      if (!basecode) {
        out = this.styleConv1.apply(this.constantInput.apply(batch), w[0]!, this.noiseFor(0, batch, noise));
        skip = this.toRgb1.apply(out, w[1]!);
      }
      let feature: tf.Tensor4D | undefined;
      const blocks = this.logSize - 2;
      for (let j = basecode ? baseLevel : 0; j < blocks; j++) {
        const conv1 = this.styleConvs.items[2 * j]!;
        const conv2 = this.styleConvs.items[2 * j + 1]!;
        const i = 2 * j + 1; // latent index of conv1, as in the reference loop
        if (basecode && j === baseLevel) {
          out = conv2.apply(basecode, w[i + 1]!, this.noiseFor(i + 1, batch, noise));
          skip = this.toRgbs.items[j]!.apply(out, w[i + 2]!);
        } else {
          out = conv1.apply(out!, w[i]!, this.noiseFor(i, batch, noise));
          out = conv2.apply(out, w[i + 1]!, this.noiseFor(i + 1, batch, noise));
          skip = this.toRgbs.items[j]!.apply(out, w[i + 2]!, skip);
        }
        if (j === blocks - 1) feature = out;
      }
      return { image: skip!, feature: feature! };
    });
  }

  /**
   * The plain StyleGAN2 path: `styles` is z (or w with inputIsLatent) [B, num_style_feat], repeated
   * for every layer, or a w+ latent [B, numLatent, num_style_feat].
   */
  apply(
    styles: tf.Tensor2D | tf.Tensor3D,
    options: SynthesisOptions & { inputIsLatent?: boolean } = {},
  ): GeneratorOutput {
    return tf.tidy(() => {
      let latent: tf.Tensor3D;
      if (styles.rank === 2) {
        const w = options.inputIsLatent ? (styles as tf.Tensor2D) : this.mapping(styles as tf.Tensor2D);
        latent = tf.tile(tf.expandDims(w, 1), [1, this.numLatent, 1]) as tf.Tensor3D;
      } else {
        latent = styles as tf.Tensor3D;
      }
      return this.synthesize(latent, options);
    });
  }
}
