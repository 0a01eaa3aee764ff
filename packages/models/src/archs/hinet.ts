// HINet (Chen et al. 2021), as in UGPNet's archs/hinet_arch.py: two UNet stages with half
// instance normalisation, a supervised attention module (SAM) between them and cross-stage
// feature fusion (CSFF). Attribute names are the official ones.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, leakyRelu, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { int, number } from '../config/fields.js';

export const hinetOptionsSchema = z.strictObject({
  in_chn: int(1).optional(),
  wf: int(1).optional(),
  depth: int(1).optional(),
  relu_slope: number().optional(),
  hin_position_left: int(0).optional(),
  hin_position_right: int(0).optional(),
});
export type HiNetOptions = z.infer<typeof hinetOptionsSchema>;

/** HINet's constructor defaults. */
export const HINET_DEFAULTS: Required<HiNetOptions> = {
  in_chn: 3,
  wf: 64,
  depth: 5,
  relu_slope: 0.2,
  hin_position_left: 0,
  hin_position_right: 4,
};

/** nn.InstanceNorm2d(affine=True, track_running_stats=False): always the input's own statistics. */
class InstanceNorm2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    channels: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', tf.ones([channels]));
    this.bias = this.param('bias', tf.zeros([channels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, [1, 2], true);
      const y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(y, this.weight), this.bias) as tf.Tensor4D;
    });
  }
}

/**
 * nn.ConvTranspose2d(in, out, kernel_size=2, stride=2). With kernel = stride the output
 * windows do not overlap, so it is one matmul to 2×2×out values per input pixel. Weight is
 * PyTorch's [in, out, 2, 2], stored as [in, 2, 2, out].
 */
class ConvTranspose2x2 extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    rng: Rng,
  ) {
    super();
    // PyTorch's default init takes fan_in from weight.size(1) · k² = out · 4 for transposed convs.
    const bound = 1 / Math.sqrt(outChannels * 4);
    this.weight = this.param(
      'weight',
      tf.tensor(rng.uniformArray(inChannels * 4 * outChannels, -bound, bound), [
        inChannels,
        2,
        2,
        outChannels,
      ]),
      { perm: [0, 2, 3, 1] },
    );
    this.bias = this.param('bias', tf.tensor(rng.uniformArray(outChannels, -bound, bound)));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const o = this.outChannels;
      const y = tf.matMul(tf.reshape(x, [n * h * w, c]), tf.reshape(this.weight, [c, 4 * o]));
      const t = tf.transpose(tf.reshape(y, [n * h, w, 2, 2, o]), [0, 2, 1, 3, 4]);
      return tf.add(tf.reshape(t, [n, 2 * h, 2 * w, o]), this.bias) as tf.Tensor4D;
    });
  }
}

interface BlockOutput {
  /** The block output (the UNet skip when the block downsamples). */
  out: tf.Tensor4D;
  /** The 4×4 stride-2 downsampled output, for blocks that downsample. */
  down?: tf.Tensor4D;
}

class UNetConvBlock extends Module {
  readonly identity: Conv2d;
  readonly conv_1: Conv2d;
  readonly conv_2: Conv2d;
  readonly csff_enc?: Conv2d;
  readonly csff_dec?: Conv2d;
  readonly norm?: InstanceNorm2d;
  readonly downsample?: Conv2d;

  constructor(
    inSize: number,
    readonly outSize: number,
    downsample: boolean,
    readonly reluSlope: number,
    rng: Rng,
    options: { use_csff?: boolean; use_HIN?: boolean } = {},
  ) {
    super();
    this.identity = this.child('identity', new Conv2d(inSize, outSize, 1, rng.fork('identity')));
    this.conv_1 = this.child('conv_1', new Conv2d(inSize, outSize, 3, rng.fork('conv_1'), { padding: 1 }));
    this.conv_2 = this.child('conv_2', new Conv2d(outSize, outSize, 3, rng.fork('conv_2'), { padding: 1 }));
    if (downsample && options.use_csff) {
      this.csff_enc = this.child(
        'csff_enc',
        new Conv2d(outSize, outSize, 3, rng.fork('enc'), { padding: 1 }),
      );
      this.csff_dec = this.child(
        'csff_dec',
        new Conv2d(outSize, outSize, 3, rng.fork('dec'), { padding: 1 }),
      );
    }
    if (options.use_HIN) this.norm = this.child('norm', new InstanceNorm2d(Math.floor(outSize / 2)));
    if (downsample) {
      this.downsample = this.child(
        'downsample',
        new Conv2d(outSize, outSize, 4, rng.fork('down'), { stride: 2, padding: 1, bias: false }),
      );
    }
  }

  apply(x: tf.Tensor4D, enc?: tf.Tensor4D, dec?: tf.Tensor4D): BlockOutput {
    return tf.tidy(() => {
      let out = this.conv_1.apply(x);
      if (this.norm) {
        // torch.chunk(out, 2, dim=1): the first half gets the instance norm.
        const first = Math.ceil(out.shape[3] / 2);
        const [a, b] = tf.split<tf.Tensor4D>(out, [first, out.shape[3] - first], 3);
        out = tf.concat([this.norm.apply(a!), b!], 3);
      }
      out = leakyRelu(out, this.reluSlope);
      out = leakyRelu(this.conv_2.apply(out), this.reluSlope);
      out = tf.add(out, this.identity.apply(x));
      if (enc && dec) {
        if (!this.csff_enc || !this.csff_dec)
          throw new Error('HINet: CSFF inputs given to a block without CSFF');
        out = tf.add(tf.add(out, this.csff_enc.apply(enc)), this.csff_dec.apply(dec));
      }
      return this.downsample ? { down: this.downsample.apply(out), out } : { out };
    });
  }
}

class UNetUpBlock extends Module {
  readonly up: ConvTranspose2x2;
  readonly conv_block: UNetConvBlock;

  constructor(inSize: number, outSize: number, reluSlope: number, rng: Rng) {
    super();
    this.up = this.child('up', new ConvTranspose2x2(inSize, outSize, rng.fork('up')));
    this.conv_block = this.child(
      'conv_block',
      new UNetConvBlock(inSize, outSize, false, reluSlope, rng.fork('block')),
    );
  }

  apply(x: tf.Tensor4D, bridge: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.conv_block.apply(tf.concat([this.up.apply(x), bridge], 3)).out);
  }
}

/** Supervised attention module: returns the attended feature and the stage-1 image. */
class Sam extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;

  constructor(nFeat: number, rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(nFeat, nFeat, 3, rng.fork('conv1'), { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(nFeat, 3, 3, rng.fork('conv2'), { padding: 1 }));
    this.conv3 = this.child('conv3', new Conv2d(3, nFeat, 3, rng.fork('conv3'), { padding: 1 }));
  }

  apply(x: tf.Tensor4D, image: tf.Tensor4D): { feature: tf.Tensor4D; image: tf.Tensor4D } {
    return tf.tidy(() => {
      const img = tf.add(this.conv2.apply(x), image) as tf.Tensor4D;
      const attention = tf.sigmoid(this.conv3.apply(img));
      const feature = tf.add(tf.mul(this.conv1.apply(x), attention), x) as tf.Tensor4D;
      return { feature, image: img };
    });
  }
}

export type HiNetOutput = {
  /** Stage-1 image (SAM output). */
  out_1: tf.Tensor4D;
  /** Final image. */
  out_2: tf.Tensor4D;
  /** Stage-2 decoder output (`wf` channels, full resolution): ResModule's F_regression. */
  feature: tf.Tensor4D;
};

export class HiNet extends Module {
  readonly options: Required<HiNetOptions>;
  readonly conv_01: Conv2d;
  /** Loaded from checkpoints but never applied: the official stage 2 re-uses conv_01. */
  readonly conv_02: Conv2d;
  readonly down_path_1: ModuleList<UNetConvBlock>;
  readonly down_path_2: ModuleList<UNetConvBlock>;
  readonly up_path_1: ModuleList<UNetUpBlock>;
  readonly up_path_2: ModuleList<UNetUpBlock>;
  readonly skip_conv_1: ModuleList<Conv2d>;
  readonly skip_conv_2: ModuleList<Conv2d>;
  readonly sam12: Sam;
  readonly cat12: Conv2d;
  readonly last: Conv2d;

  constructor(options: HiNetOptions, rng: Rng) {
    super();
    const o = { ...HINET_DEFAULTS, ...options };
    this.options = o;
    const { in_chn, wf, depth, relu_slope: slope } = o;
    this.conv_01 = this.child('conv_01', new Conv2d(in_chn, wf, 3, rng.fork('conv_01'), { padding: 1 }));
    this.conv_02 = this.child('conv_02', new Conv2d(in_chn, wf, 3, rng.fork('conv_02'), { padding: 1 }));
    this.down_path_1 = this.child('down_path_1', new ModuleList());
    this.down_path_2 = this.child('down_path_2', new ModuleList());
    let prev = wf;
    for (let i = 0; i < depth; i++) {
      const use_HIN = o.hin_position_left <= i && i <= o.hin_position_right;
      const downsample = i + 1 < depth;
      const size = 2 ** i * wf;
      const r = rng.fork(`level${i}`);
      this.down_path_1.push(new UNetConvBlock(prev, size, downsample, slope, r.fork(1), { use_HIN }));
      this.down_path_2.push(
        new UNetConvBlock(prev, size, downsample, slope, r.fork(2), { use_HIN, use_csff: downsample }),
      );
      prev = size;
    }
    this.up_path_1 = this.child('up_path_1', new ModuleList());
    this.up_path_2 = this.child('up_path_2', new ModuleList());
    this.skip_conv_1 = this.child('skip_conv_1', new ModuleList());
    this.skip_conv_2 = this.child('skip_conv_2', new ModuleList());
    for (let i = depth - 2; i >= 0; i--) {
      const size = 2 ** i * wf;
      const r = rng.fork(`up${i}`);
      this.up_path_1.push(new UNetUpBlock(prev, size, slope, r.fork(1)));
      this.up_path_2.push(new UNetUpBlock(prev, size, slope, r.fork(2)));
      this.skip_conv_1.push(new Conv2d(size, size, 3, r.fork(3), { padding: 1 }));
      this.skip_conv_2.push(new Conv2d(size, size, 3, r.fork(4), { padding: 1 }));
      prev = size;
    }
    this.sam12 = this.child('sam12', new Sam(prev, rng.fork('sam12')));
    this.cat12 = this.child('cat12', new Conv2d(prev * 2, prev, 1, rng.fork('cat12')));
    this.last = this.child('last', new Conv2d(prev, in_chn, 3, rng.fork('last'), { padding: 1 }));
  }

  get featureChannels(): number {
    return this.options.wf;
  }

  private checkSize(x: tf.Tensor4D): void {
    const m = 2 ** (this.options.depth - 1);
    const [, h, w] = x.shape;
    if (h % m !== 0 || w % m !== 0) {
      throw new UserError(`hinet: input ${h}×${w} must have H and W divisible by ${m} (2^(depth-1))`);
    }
  }

  /** Both stages; `withImages` false skips the image heads (return_f=True). */
  private run(image: tf.Tensor4D, withImages: boolean): Partial<HiNetOutput> & { feature: tf.Tensor4D } {
    const depth = this.options.depth;
    let x1 = this.conv_01.apply(image);
    const encs: tf.Tensor4D[] = [];
    const decs: tf.Tensor4D[] = [];
    this.down_path_1.items.forEach((down) => {
      const r = down.apply(x1);
      if (r.down) {
        encs.push(r.out);
        x1 = r.down;
      } else x1 = r.out;
    });
    this.up_path_1.items.forEach((up, i) => {
      x1 = up.apply(x1, this.skip_conv_1.items[i]!.apply(encs[encs.length - 1 - i]!));
      decs.push(x1);
    });
    const sam = this.sam12.apply(x1, image);
    let x2 = this.cat12.apply(tf.concat([this.conv_01.apply(image), sam.feature], 3));
    const blocks: tf.Tensor4D[] = [];
    this.down_path_2.items.forEach((down, i) => {
      if (i + 1 < depth) {
        const r = down.apply(x2, encs[i], decs[decs.length - 1 - i]);
        blocks.push(r.out);
        x2 = r.down!;
      } else x2 = down.apply(x2).out;
    });
    this.up_path_2.items.forEach((up, i) => {
      x2 = up.apply(x2, this.skip_conv_2.items[i]!.apply(blocks[blocks.length - 1 - i]!));
    });
    if (!withImages) return { feature: x2 };
    const out_2 = tf.add(this.last.apply(x2), image) as tf.Tensor4D;
    return { out_1: sam.image, out_2, feature: x2 };
  }

  /** forward(x): [out_1, out_2]. */
  apply(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    this.checkSize(x);
    return tf.tidy(() => {
      const r = this.run(x, true);
      return [r.out_1!, r.out_2!];
    });
  }

  /** forward(x, return_f=True): the stage-2 feature only. */
  applyFeature(x: tf.Tensor4D): tf.Tensor4D {
    this.checkSize(x);
    return tf.tidy(() => this.run(x, false).feature);
  }

  /** All three outputs of one pass. */
  applyAll(x: tf.Tensor4D): HiNetOutput {
    this.checkSize(x);
    return tf.tidy(() => this.run(x, true) as HiNetOutput);
  }
}
