// StyleGAN2 discriminator as BasicSR's `StyleGAN2Discriminator` (basicsr/archs/stylegan2_arch.py):
// ResBlocks with blur-downsampling, a minibatch-stddev channel, final conv and two EqualLinears.
// Activations are NHWC; weights are stored raw and scaled at run time (equalised learning rate).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { CONV2D_LAYOUT, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { int, number, numberList } from '../config/fields.js';
import { EqualLinear, FusedLeakyRelu, styleGan2Channels } from './stylegan2-generator.js';
import { UpFirDnSmooth } from './upfirdn.js';

const SQRT2 = Math.SQRT2;

/** basicsr `EqualConv2d`: weight [k, k, in, out] ~ N(0, 1), used as weight/√(in·k²). */
export class EqualConv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly scale: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: Rng,
    readonly stride = 1,
    readonly padding = 0,
    bias = true,
  ) {
    super();
    this.scale = 1 / Math.sqrt(inChannels * kernelSize ** 2);
    const k = kernelSize;
    const n = k * k * inChannels * outChannels;
    this.weight = this.param(
      'weight',
      tf.tensor4d(rng.normalArray(n), [k, k, inChannels, outChannels]),
      CONV2D_LAYOUT,
    );
    if (bias) this.bias = this.param('bias', tf.zeros([outChannels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.padding;
      const padded =
        p > 0
          ? tf.pad(x, [
              [0, 0],
              [p, p],
              [p, p],
              [0, 0],
            ])
          : x;
      const y = tf.conv2d(padded, tf.mul(this.weight, this.scale) as tf.Tensor4D, this.stride, 'valid');
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/**
 * basicsr `ConvLayer` (an nn.Sequential): [blur if downsample] → EqualConv2d → FusedLeakyReLU or
 * ScaledLeakyReLU. Children are numbered as in the Sequential so keys match (`conv2.1.weight`).
 */
export class ConvLayer extends Module {
  readonly conv: EqualConv2d;
  readonly activate?: FusedLeakyRelu;
  private readonly blur?: UpFirDnSmooth;
  private readonly scaledLeakyRelu: boolean;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    rng: Rng,
    options: {
      downsample?: boolean;
      resample_kernel?: readonly number[];
      bias?: boolean;
      activate?: boolean;
    } = {},
  ) {
    super();
    const downsample = options.downsample ?? false;
    const bias = options.bias ?? true;
    const activate = options.activate ?? true;
    let index = 0;
    if (downsample) {
      this.blur = new UpFirDnSmooth(options.resample_kernel ?? [1, 3, 3, 1], 1, 2, kernelSize);
      index++;
    }
    const stride = downsample ? 2 : 1;
    const padding = downsample ? 0 : Math.floor(kernelSize / 2);
    this.conv = this.child(
      String(index++),
      new EqualConv2d(inChannels, outChannels, kernelSize, rng, stride, padding, bias && !activate),
    );
    if (activate && bias) this.activate = this.child(String(index), new FusedLeakyRelu(outChannels));
    this.scaledLeakyRelu = activate && !bias;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let out = this.conv.apply(this.blur ? this.blur.apply(x) : x);
      if (this.activate) out = this.activate.apply(out);
      else if (this.scaledLeakyRelu) out = tf.mul(tf.leakyRelu(out, 0.2), SQRT2);
      return out;
    });
  }
}

/** basicsr `ResBlock`: (conv2(conv1(x)) + skip(x)) / √2, both branches downsampling by 2. */
export class DiscriminatorResBlock extends Module {
  readonly conv1: ConvLayer;
  readonly conv2: ConvLayer;
  readonly skip: ConvLayer;

  constructor(inChannels: number, outChannels: number, resampleKernel: readonly number[], rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new ConvLayer(inChannels, inChannels, 3, rng.fork('conv1')));
    this.conv2 = this.child(
      'conv2',
      new ConvLayer(inChannels, outChannels, 3, rng.fork('conv2'), {
        downsample: true,
        resample_kernel: resampleKernel,
      }),
    );
    this.skip = this.child(
      'skip',
      new ConvLayer(inChannels, outChannels, 1, rng.fork('skip'), {
        downsample: true,
        resample_kernel: resampleKernel,
        bias: false,
        activate: false,
      }),
    );
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.div(tf.add(this.conv2.apply(this.conv1.apply(x)), this.skip.apply(x)), SQRT2));
  }
}

/** Constructor arguments of basicsr `StyleGAN2Discriminator` (official names). */
export const styleGan2DiscriminatorOptionsSchema = z.strictObject({
  out_size: int(1),
  channel_multiplier: number({ positive: true }).optional(),
  resample_kernel: numberList().optional(),
  stddev_group: int(1).optional(),
  narrow: number({ positive: true }).optional(),
});
export type StyleGan2DiscriminatorOptions = z.infer<typeof styleGan2DiscriminatorOptionsSchema>;

export const STYLEGAN2_DISCRIMINATOR_DEFAULTS: Required<Omit<StyleGan2DiscriminatorOptions, 'out_size'>> = {
  channel_multiplier: 2,
  resample_kernel: [1, 3, 3, 1],
  stddev_group: 4,
  narrow: 1,
};

/**
 * Minibatch standard deviation (one feature): samples b and b + B/G·g (g < G) form a group, as the
 * reference's `view(group, -1, …)`; the std over the group, averaged over C, H, W, becomes an extra
 * channel appended last.
 */
export function minibatchStddev(x: tf.Tensor4D, stddevGroup: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const group = Math.min(b, stddevGroup);
  if (b % group !== 0) {
    throw new UserError(
      `discriminator: batch ${b} must be divisible by min(batch, stddev_group=${stddevGroup})`,
    );
  }
  return tf.tidy(() => {
    const m = b / group;
    const grouped = tf.reshape(x, [group, m, h, w, c]);
    const variance = tf.mean(tf.square(tf.sub(grouped, tf.mean(grouped, 0, true))), 0); // biased
    const std = tf.sqrt(tf.add(variance, 1e-8));
    const perSample = tf.mean(std, [1, 2, 3]); // [m]
    // Sample g·m + j gets perSample[j] (tiled at rank 3: tfjs has no rank-5 tile gradient).
    const column = tf.tile(tf.reshape(perSample, [1, m, 1]), [group, 1, h * w]);
    return tf.concat([x, tf.reshape(column, [b, h, w, 1])], 3);
  });
}

export class StyleGan2Discriminator extends Module {
  readonly options: Required<StyleGan2DiscriminatorOptions>;
  readonly convBody: ModuleList<ConvLayer | DiscriminatorResBlock>;
  readonly finalConv: ConvLayer;
  readonly finalLinear: ModuleList<EqualLinear>;

  constructor(options: StyleGan2DiscriminatorOptions, rng: Rng) {
    super();
    const o = { ...STYLEGAN2_DISCRIMINATOR_DEFAULTS, ...options };
    this.options = o;
    const size = o.out_size;
    if (!Number.isInteger(Math.log2(size)) || size < 8 || size > 1024) {
      throw new UserError(`discriminator.out_size: expected a power of two in 8…1024, got ${size}`);
    }
    if (!Number.isInteger(o.stddev_group) || o.stddev_group < 1) {
      throw new UserError(`discriminator.stddev_group: expected a positive integer, got ${o.stddev_group}`);
    }
    const channels = styleGan2Channels(o.channel_multiplier, o.narrow);
    for (let r = 4; r <= size; r *= 2) {
      if (channels[r]! < 1)
        throw new UserError(`discriminator.narrow: ${o.narrow} leaves no channels at ${r} px`);
    }
    // nn.Sequential containers: children keyed 0, 1, 2 … as ModuleList does.
    this.convBody = this.child('conv_body', new ModuleList<ConvLayer | DiscriminatorResBlock>());
    this.convBody.push(new ConvLayer(3, channels[size]!, 1, rng.fork('conv_body.0')));
    let inChannels = channels[size]!;
    const logSize = Math.round(Math.log2(size));
    for (let i = logSize; i > 2; i--) {
      const out = channels[2 ** (i - 1)]!;
      const k = this.convBody.length;
      this.convBody.push(
        new DiscriminatorResBlock(inChannels, out, o.resample_kernel, rng.fork(`conv_body.${k}`)),
      );
      inChannels = out;
    }
    const c4 = channels[4]!;
    this.finalConv = this.child('final_conv', new ConvLayer(inChannels + 1, c4, 3, rng.fork('final_conv')));
    const lrng = rng.fork('final_linear');
    this.finalLinear = this.child(
      'final_linear',
      new ModuleList<EqualLinear>([
        new EqualLinear(c4 * 16, c4, lrng.fork('0'), { activation: 'fused_lrelu' }),
        new EqualLinear(c4, 1, lrng.fork('1')),
      ]),
    );
  }

  /** x: images [B, out_size, out_size, 3] (UGPNet feeds [0, 1]) → logits [B, 1]. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    const size = this.options.out_size;
    if (x.shape[1] !== size || x.shape[2] !== size || x.shape[3] !== 3) {
      throw new UserError(`discriminator: input must be [B, ${size}, ${size}, 3], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      let out = x;
      for (const layer of this.convBody.items) out = layer.apply(out);
      out = this.finalConv.apply(minibatchStddev(out, this.options.stddev_group));
      // The reference flattens NCHW: C-major order, which final_linear.0's weight expects.
      const b = out.shape[0];
      let flat = tf.reshape(tf.transpose(out, [0, 3, 1, 2]), [b, -1]) as tf.Tensor2D;
      for (const l of this.finalLinear.items) flat = l.apply(flat);
      return flat;
    });
  }
}
