// NAFNet (Chen et al. 2022), as in UGPNet's archs/nafnet.py (megvii-research NAFNet_arch.py),
// plus the TLC "local" variant (NAFNetLocal, archs/nafnet_util.py Local_Base) as a transform
// of a built network. Attribute names are the official ones, so the checkpoint keys map 1:1.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { flag, int, intList } from '../config/fields.js';

export const nafnetOptionsSchema = z.strictObject({
  img_channel: int(1).optional(),
  width: int(1).optional(),
  middle_blk_num: int(0).optional(),
  enc_blk_nums: intList(0).optional(),
  dec_blk_nums: intList(0).optional(),
});
export type NafNetOptions = z.infer<typeof nafnetOptionsSchema>;

export const nafnetLocalOptionsSchema = nafnetOptionsSchema.extend({
  /** The (N, C, H, W) training crop the local pools are sized for; official default (1,3,256,256). */
  train_size: z
    .tuple([int(1), int(1), int(1), int(1)], { error: 'expected [N, C, H, W], 4 integers ≥ 1' })
    .optional(),
  /** Only the exact (cumsum) local pool is supported; the official code never uses fast_imp. */
  fast_imp: flag().optional(),
});
export type NafNetLocalOptions = z.infer<typeof nafnetLocalOptionsSchema>;

/** NAFNet's defaults (the class signature: width 16, one middle block, no levels). */
export const NAFNET_DEFAULTS: Required<NafNetOptions> = {
  img_channel: 3,
  width: 16,
  middle_blk_num: 1,
  enc_blk_nums: [],
  dec_blk_nums: [],
};

/** A channel-attention pooling: global mean, or TLC's local box mean. Output broadcasts over x. */
type ChannelPool = (x: tf.Tensor4D) => tf.Tensor4D;

const globalAvgPool: ChannelPool = (x) => tf.mean(x, [1, 2], true);

/** Edge-replicating pad (F.pad mode='replicate') on H and W. */
function replicatePad(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const rows: tf.Tensor4D[] = [];
  if (top > 0) rows.push(tf.tile(tf.slice(x, [0, 0, 0, 0], [-1, 1, -1, -1]), [1, top, 1, 1]));
  rows.push(x);
  if (bottom > 0) rows.push(tf.tile(tf.slice(x, [0, h - 1, 0, 0], [-1, 1, -1, -1]), [1, bottom, 1, 1]));
  const y = rows.length > 1 ? tf.concat(rows, 1) : x;
  const cols: tf.Tensor4D[] = [];
  if (left > 0) cols.push(tf.tile(tf.slice(y, [0, 0, 0, 0], [-1, -1, 1, -1]), [1, 1, left, 1]));
  cols.push(y);
  if (right > 0) cols.push(tf.tile(tf.slice(y, [0, 0, w - 1, 0], [-1, -1, 1, -1]), [1, 1, right, 1]));
  return cols.length > 1 ? tf.concat(cols, 2) : y;
}

/**
 * nafnet_util.AvgPool2d (fast_imp=False, auto_pad=True): a kh×kw box mean computed from a
 * zero-padded 2-D cumulative sum, its valid part replicate-padded back to H×W; the global
 * mean when the kernel covers the whole map.
 */
export function localAvgPool(kernel: [number, number]): ChannelPool {
  return (x) => {
    const [n, h, w, c] = x.shape;
    if (kernel[0] >= h && kernel[1] >= w) return globalAvgPool(x);
    return tf.tidy(() => {
      const k1 = Math.min(h, kernel[0]);
      const k2 = Math.min(w, kernel[1]);
      const s = tf.pad(tf.cumsum(tf.cumsum(x, 2), 1), [
        [0, 0],
        [1, 0],
        [1, 0],
        [0, 0],
      ]);
      const oh = h + 1 - k1;
      const ow = w + 1 - k2;
      const s1 = tf.slice(s, [0, 0, 0, 0], [n, oh, ow, c]);
      const s2 = tf.slice(s, [0, 0, k2, 0], [n, oh, ow, c]);
      const s3 = tf.slice(s, [0, k1, 0, 0], [n, oh, ow, c]);
      const s4 = tf.slice(s, [0, k1, k2, 0], [n, oh, ow, c]);
      const out = tf.div(tf.sub(tf.sub(tf.add(s4, s1), s2), s3), k1 * k2) as tf.Tensor4D;
      return replicatePad(
        out,
        Math.floor((h - oh) / 2),
        Math.floor((h - oh + 1) / 2),
        Math.floor((w - ow) / 2),
        Math.floor((w - ow + 1) / 2),
      );
    });
  };
}

/** nn.PixelShuffle(r) in NHWC: channel c·r² + i·r + j goes to pixel (h·r + i, w·r + j). */
function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, crr] = x.shape;
    const c = crr / (r * r);
    const t = tf.transpose(tf.reshape(x, [n * h, w, c, r, r]), [0, 3, 1, 4, 2]);
    return tf.reshape(t, [n, h * r, w * r, c]);
  });
}

/** nafnet_util.LayerNorm2d: per-pixel normalisation over channels (biased variance, eps 1e-6). */
class LayerNorm2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    channels: number,
    readonly eps = 1e-6,
  ) {
    super();
    this.weight = this.param('weight', tf.ones([channels]));
    this.bias = this.param('bias', tf.zeros([channels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const mu = tf.mean(x, 3, true);
      const d = tf.sub(x, mu);
      const variance = tf.mean(tf.square(d), 3, true);
      const y = tf.div(d, tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(y, this.weight), this.bias) as tf.Tensor4D;
    });
  }
}

/** SimpleGate: the two channel halves multiplied. */
function simpleGate(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [a, b] = tf.split(x, 2, 3);
    return tf.mul(a!, b!) as tf.Tensor4D;
  });
}

/** `sca` = Sequential(AdaptiveAvgPool2d(1) → conv1×1); index 0 has no weights. */
class SimplifiedChannelAttention extends Module {
  readonly conv: Conv2d;
  pool: ChannelPool = globalAvgPool;

  constructor(channels: number, rng: Rng) {
    super();
    this.conv = this.child('1', new Conv2d(channels, channels, 1, rng));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.mul(x, this.conv.apply(this.pool(x))) as tf.Tensor4D);
  }
}

/** A zero-initialised [1, C, 1, 1] layer scale, stored as [1, 1, 1, C] for NHWC broadcasting. */
const LAYER_SCALE_LAYOUT = { perm: [0, 2, 3, 1] };

export class NafBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;
  readonly sca: SimplifiedChannelAttention;
  readonly conv4: Conv2d;
  readonly conv5: Conv2d;
  readonly norm1: LayerNorm2d;
  readonly norm2: LayerNorm2d;
  readonly beta: tf.Variable;
  readonly gamma: tf.Variable;

  constructor(
    readonly channels: number,
    rng: Rng,
  ) {
    super();
    const c = channels;
    const dw = c * 2;
    const ffn = c * 2;
    this.conv1 = this.child('conv1', new Conv2d(c, dw, 1, rng.fork('conv1')));
    this.conv2 = this.child('conv2', new Conv2d(dw, dw, 3, rng.fork('conv2'), { padding: 1, groups: dw }));
    this.conv3 = this.child('conv3', new Conv2d(dw / 2, c, 1, rng.fork('conv3')));
    this.sca = this.child('sca', new SimplifiedChannelAttention(dw / 2, rng.fork('sca')));
    this.conv4 = this.child('conv4', new Conv2d(c, ffn, 1, rng.fork('conv4')));
    this.conv5 = this.child('conv5', new Conv2d(ffn / 2, c, 1, rng.fork('conv5')));
    this.norm1 = this.child('norm1', new LayerNorm2d(c));
    this.norm2 = this.child('norm2', new LayerNorm2d(c));
    this.beta = this.param('beta', tf.zeros([1, 1, 1, c]), LAYER_SCALE_LAYOUT);
    this.gamma = this.param('gamma', tf.zeros([1, 1, 1, c]), LAYER_SCALE_LAYOUT);
  }

  apply(inp: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let x = this.conv2.apply(this.conv1.apply(this.norm1.apply(inp)));
      x = this.conv3.apply(this.sca.apply(simpleGate(x)));
      const y = tf.add(inp, tf.mul(x, this.beta)) as tf.Tensor4D;
      x = this.conv5.apply(simpleGate(this.conv4.apply(this.norm2.apply(y))));
      return tf.add(y, tf.mul(x, this.gamma)) as tf.Tensor4D;
    });
  }
}

/** `ups.i` = Sequential(conv1×1 C→2C without bias, PixelShuffle(2)). */
class UpSample extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng) {
    super();
    this.conv = this.child('0', new Conv2d(channels, channels * 2, 1, rng, { bias: false }));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => pixelShuffle(this.conv.apply(x), 2));
  }
}

function applySequence(blocks: ModuleList<NafBlock>, x: tf.Tensor4D): tf.Tensor4D {
  for (const block of blocks.items) x = block.apply(x);
  return x;
}

/** The restored image and NAFNet's feature (the last decoder output, at the padded size). */
export type NafNetOutput = {
  image: tf.Tensor4D;
  feature: tf.Tensor4D;
};

export class NafNet extends Module {
  readonly options: Required<NafNetOptions>;
  readonly intro: Conv2d;
  readonly ending: Conv2d;
  readonly encoders: ModuleList<ModuleList<NafBlock>>;
  readonly decoders: ModuleList<ModuleList<NafBlock>>;
  readonly middle_blks: ModuleList<NafBlock>;
  readonly ups: ModuleList<UpSample>;
  readonly downs: ModuleList<Conv2d>;
  /** Inputs are zero-padded (bottom/right) to a multiple of this. */
  readonly padderSize: number;
  /** Set once the TLC transform ran: the options it ran with. */
  local?: { train_size: [number, number, number, number]; base_size: [number, number] };

  constructor(options: NafNetOptions, rng: Rng) {
    super();
    const o = { ...NAFNET_DEFAULTS, ...options };
    if (o.enc_blk_nums.length !== o.dec_blk_nums.length) {
      throw new UserError(
        `nafnet: enc_blk_nums (${o.enc_blk_nums.length} levels) and dec_blk_nums (${o.dec_blk_nums.length} levels) must have the same length`,
      );
    }
    this.options = o;
    const { img_channel, width } = o;
    this.intro = this.child('intro', new Conv2d(img_channel, width, 3, rng.fork('intro'), { padding: 1 }));
    this.ending = this.child('ending', new Conv2d(width, img_channel, 3, rng.fork('ending'), { padding: 1 }));
    this.encoders = this.child('encoders', new ModuleList());
    this.decoders = this.child('decoders', new ModuleList());
    this.middle_blks = this.child('middle_blks', new ModuleList());
    this.ups = this.child('ups', new ModuleList());
    this.downs = this.child('downs', new ModuleList());

    let chan = width;
    o.enc_blk_nums.forEach((num, level) => {
      const r = rng.fork(`enc${level}`);
      this.encoders.push(
        new ModuleList(Array.from({ length: num }, (_, i) => new NafBlock(chan, r.fork(i)))),
      );
      this.downs.push(new Conv2d(chan, 2 * chan, 2, r.fork('down'), { stride: 2 }));
      chan *= 2;
    });
    const rm = rng.fork('middle');
    for (let i = 0; i < o.middle_blk_num; i++) this.middle_blks.push(new NafBlock(chan, rm.fork(i)));
    o.dec_blk_nums.forEach((num, level) => {
      const r = rng.fork(`dec${level}`);
      this.ups.push(new UpSample(chan, r.fork('up')));
      chan /= 2;
      this.decoders.push(
        new ModuleList(Array.from({ length: num }, (_, i) => new NafBlock(chan, r.fork(i)))),
      );
    });
    this.padderSize = 2 ** o.enc_blk_nums.length;
  }

  /** Channels of the feature handed to the residual encoder (`width`). */
  get featureChannels(): number {
    return this.options.width;
  }

  /** check_image_size: zero padding on the bottom/right up to a multiple of 2^levels. */
  private padInput(x: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = x.shape;
    const p = this.padderSize;
    const ph = (p - (h % p)) % p;
    const pw = (p - (w % p)) % p;
    if (ph === 0 && pw === 0) return x;
    return tf.pad(x, [
      [0, 0],
      [0, ph],
      [0, pw],
      [0, 0],
    ]);
  }

  private trunk(inp: tf.Tensor4D): tf.Tensor4D {
    let x = this.intro.apply(inp);
    const encs: tf.Tensor4D[] = [];
    this.encoders.items.forEach((encoder, i) => {
      x = applySequence(encoder, x);
      encs.push(x);
      x = this.downs.items[i]!.apply(x);
    });
    x = applySequence(this.middle_blks, x);
    this.decoders.items.forEach((decoder, i) => {
      x = tf.add(this.ups.items[i]!.apply(x), encs[encs.length - 1 - i]!) as tf.Tensor4D;
      x = applySequence(decoder, x);
    });
    return x;
  }

  /** forward(x, return_f=True): the feature before `ending`, at the padded size, not cropped. */
  applyFeature(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.trunk(this.padInput(x)));
  }

  /** forward(x, return_f_img=True): the image (cropped to the input size) and the feature. */
  applyWithFeature(x: tf.Tensor4D): NafNetOutput {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const inp = this.padInput(x);
      const feature = this.trunk(inp);
      const full = tf.add(this.ending.apply(feature), inp) as tf.Tensor4D;
      const image = full.shape[1] === h && full.shape[2] === w ? full : tf.slice(full, 0, [n, h, w, c]);
      return { image, feature };
    });
  }

  /** forward(x): the restored image. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const { image } = this.applyWithFeature(x);
      return image;
    });
  }

  /** Every NAFBlock with the resolution level it runs at (0 = full resolution). */
  private blocksByLevel(): Array<[NafBlock, number]> {
    const levels = this.encoders.length;
    const out: Array<[NafBlock, number]> = [];
    this.encoders.items.forEach((enc, l) => {
      for (const b of enc.items) out.push([b, l]);
    });
    for (const b of this.middle_blks.items) out.push([b, levels]);
    this.decoders.items.forEach((dec, i) => {
      for (const b of dec.items) out.push([b, levels - 1 - i]);
    });
    return out;
  }

  /**
   * The TLC transform (Local_Base.convert): every channel-attention global pool becomes a
   * local box mean whose kernel is fixed as at a forward pass of `train_size` with
   * base_size = int(1.5 · train H/W): kernel = feature size at train_size · base // train.
   * It applies in training and inference alike, as in the official NAFNetLocal.
   */
  toLocal(options: { train_size?: [number, number, number, number]; fast_imp?: boolean } = {}): this {
    if (options.fast_imp) {
      throw new UserError('nafnet_local: fast_imp=true is not supported (the official UGPNet never uses it)');
    }
    const train = options.train_size ?? [1, 3, 256, 256];
    const [, , th, tw] = train;
    const base: [number, number] = [Math.floor(th * 1.5), Math.floor(tw * 1.5)];
    const p = this.padderSize;
    const ph = Math.ceil(th / p) * p;
    const pw = Math.ceil(tw / p) * p;
    for (const [block, level] of this.blocksByLevel()) {
      const fh = ph / 2 ** level;
      const fw = pw / 2 ** level;
      block.sca.pool = localAvgPool([Math.floor((fh * base[0]) / th), Math.floor((fw * base[1]) / tw)]);
    }
    this.local = { train_size: train, base_size: base };
    return this;
  }
}

/** NAFNetLocal: a NAFNet with the TLC transform applied; same weights and keys. */
export function createNafNetLocal(options: NafNetLocalOptions, rng: Rng): NafNet {
  const { train_size, fast_imp, ...net } = options;
  return new NafNet(net, rng).toLocal({ train_size, fast_imp });
}
