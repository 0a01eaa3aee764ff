// RRDBNetX8 (ESRGAN's RRDBNet with three nearest ×2 upsampling stages), as in UGPNet's
// archs/RRDBNet.py. UGPNet uses it directly as the restoration module of its ×8 SR variant:
// I_R = conv_last(F_R), F_R = lrelu(conv_hr(·)).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, leakyRelu, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { int } from '../config/fields.js';
import { defaultInitWeights } from '../blocks/initialize-weights.js';
import type { RestorationModule, RestorationOutput } from './restoration-module.js';

export const rrdbNetOptionsSchema = z.strictObject({
  num_in_ch: int(1).optional(),
  num_out_ch: int(1).optional(),
  /** Only 8 (RRDBNetX8: no pixel-unshuffle, three ×2 upsamplings). */
  scale: int(1).optional(),
  num_feat: int(1).optional(),
  num_block: int(0).optional(),
  num_grow_ch: int(1).optional(),
});
export type RrdbNetOptions = z.infer<typeof rrdbNetOptionsSchema>;

/** RRDBNetX8(3, 3)'s defaults: the official SR configuration. */
export const RRDBNET_DEFAULTS: Required<RrdbNetOptions> = {
  num_in_ch: 3,
  num_out_ch: 3,
  scale: 8,
  num_feat: 64,
  num_block: 23,
  num_grow_ch: 32,
};

const conv3x3 = (cin: number, cout: number, rng: Rng) => new Conv2d(cin, cout, 3, rng, { padding: 1 });

class ResidualDenseBlock extends Module {
  readonly convs: Conv2d[];

  constructor(numFeat: number, numGrowCh: number, rng: Rng) {
    super();
    this.convs = [1, 2, 3, 4, 5].map((k) =>
      this.child(
        `conv${k}`,
        conv3x3(numFeat + (k - 1) * numGrowCh, k === 5 ? numFeat : numGrowCh, rng.fork(k)),
      ),
    );
    // basicsr: default_init_weights([conv1..conv5], 0.1)
    defaultInitWeights(this.convs, rng.fork('init'), 0.1);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const feats = [x];
      for (let k = 0; k < 4; k++) feats.push(leakyRelu(this.convs[k]!.apply(tf.concat(feats, 3)), 0.2));
      const x5 = this.convs[4]!.apply(tf.concat(feats, 3));
      return tf.add(tf.mul(x5, 0.2), x) as tf.Tensor4D;
    });
  }
}

class Rrdb extends Module {
  readonly rdbs: ResidualDenseBlock[];

  constructor(numFeat: number, numGrowCh: number, rng: Rng) {
    super();
    this.rdbs = [1, 2, 3].map((k) =>
      this.child(`rdb${k}`, new ResidualDenseBlock(numFeat, numGrowCh, rng.fork(k))),
    );
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let out = x;
      for (const rdb of this.rdbs) out = rdb.apply(out);
      return tf.add(tf.mul(out, 0.2), x) as tf.Tensor4D;
    });
  }
}

function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
}

export class RrdbNetX8 extends Module implements RestorationModule {
  readonly options: Required<RrdbNetOptions>;
  readonly conv_first: Conv2d;
  readonly body: ModuleList<Rrdb>;
  readonly conv_body: Conv2d;
  readonly conv_up1: Conv2d;
  readonly conv_up2: Conv2d;
  readonly conv_up3: Conv2d;
  readonly conv_hr: Conv2d;
  readonly conv_last: Conv2d;

  constructor(options: RrdbNetOptions, rng: Rng) {
    super();
    const o = { ...RRDBNET_DEFAULTS, ...options };
    if (o.scale !== 8) throw new UserError(`rrdb_x8: scale must be 8 (got ${o.scale})`);
    this.options = o;
    const f = o.num_feat;
    this.conv_first = this.child('conv_first', conv3x3(o.num_in_ch, f, rng.fork('conv_first')));
    this.body = this.child('body', new ModuleList<Rrdb>());
    const rb = rng.fork('body');
    for (let i = 0; i < o.num_block; i++) this.body.push(new Rrdb(f, o.num_grow_ch, rb.fork(i)));
    this.conv_body = this.child('conv_body', conv3x3(f, f, rng.fork('conv_body')));
    this.conv_up1 = this.child('conv_up1', conv3x3(f, f, rng.fork('conv_up1')));
    this.conv_up2 = this.child('conv_up2', conv3x3(f, f, rng.fork('conv_up2')));
    this.conv_up3 = this.child('conv_up3', conv3x3(f, f, rng.fork('conv_up3')));
    this.conv_hr = this.child('conv_hr', conv3x3(f, f, rng.fork('conv_hr')));
    this.conv_last = this.child('conv_last', conv3x3(f, o.num_out_ch, rng.fork('conv_last')));
  }

  /** F_R's channels (`num_feat`). */
  /** RRDBNetX8 is R and the whole restoration module at once. */
  regressionNetwork(): RrdbNetX8 {
    return this;
  }

  get featureChannels(): number {
    return this.options.num_feat;
  }

  /** forward(x, return_f=True): the ×8 image (no activation, no global residual) and F_R. */
  restore(x: tf.Tensor4D): RestorationOutput {
    return tf.tidy(() => {
      let feat = this.conv_first.apply(x);
      let body = feat;
      for (const block of this.body.items) body = block.apply(body);
      feat = tf.add(feat, this.conv_body.apply(body));
      for (const up of [this.conv_up1, this.conv_up2, this.conv_up3]) {
        feat = leakyRelu(up.apply(upsampleNearest2x(feat)), 0.2);
      }
      const feature = leakyRelu(this.conv_hr.apply(feat), 0.2);
      return { image: this.conv_last.apply(feature), feature };
    });
  }

  /** forward(x): the ×8 image. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.restore(x).image);
  }
}
