// UGPNet `models/synmodule.py: Wmodule` (a single map2style): strided 3×3 convs from
// spatial_size down to 1×1, then wpdim−4 linear heads giving the generator's w+ latent.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Linear, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { initializeWeights } from '../blocks/initialize-weights.js';
import { int } from '../config/fields.js';

/** Constructor arguments of `Wmodule` (official names). */
export const wmoduleOptionsSchema = z.strictObject({
  in_c: int(1).optional(),
  /** = the generator's num_style_feat. */
  out_c: int(1).optional(),
  /** Number of w vectors returned (= the generator's num_latent). */
  wpdim: int(1).optional(),
  /** Input resolution (w_input is spatial_size × spatial_size). */
  spatial_size: int(1).optional(),
});
export type WmoduleOptions = z.infer<typeof wmoduleOptionsSchema>;

export const WMODULE_DEFAULTS: Required<WmoduleOptions> = {
  in_c: 128,
  out_c: 512,
  wpdim: 18,
  spatial_size: 32,
};

/** Leading copies of head 0 (the reference's "dummy w"). */
const REPEATS_OF_FIRST = 5;

/** nn.Sequential of [Conv2d, LeakyReLU]×n: convs at even indices 0, 2, 4, …. */
class StridedConvs extends Module {
  readonly convs: Conv2d[] = [];

  constructor(inC: number, outC: number, count: number, rng: Rng) {
    super();
    for (let i = 0; i < count; i++) {
      this.convs.push(
        this.child(
          String(2 * i),
          new Conv2d(i === 0 ? inC : outC, outC, 3, rng.fork(i), { stride: 2, padding: 1 }),
        ),
      );
    }
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    // nn.LeakyReLU() default slope 0.01.
    return tf.tidy(() => this.convs.reduce((y, conv) => tf.leakyRelu(conv.apply(y), 0.01), x));
  }
}

export class Wmodule extends Module {
  readonly options: Required<WmoduleOptions>;
  readonly styleCount: number;
  readonly convs: StridedConvs;
  readonly linear: ModuleList<Linear>;

  constructor(options: WmoduleOptions, rng: Rng) {
    super();
    const o = { ...WMODULE_DEFAULTS, ...options };
    this.options = o;
    this.styleCount = o.wpdim - 4;
    if (this.styleCount < 1) throw new UserError(`wmodule.wpdim: expected ≥ 5, got ${o.wpdim}`);
    const pools = Math.log2(o.spatial_size);
    if (!Number.isInteger(pools) || pools < 1) {
      throw new UserError(`wmodule.spatial_size: expected a power of two ≥ 2, got ${o.spatial_size}`);
    }
    this.convs = this.child('convs', new StridedConvs(o.in_c, o.out_c, pools, rng.fork('convs')));
    this.linear = this.child('linear', new ModuleList<Linear>());
    for (let i = 0; i < this.styleCount; i++)
      this.linear.push(new Linear(o.out_c, o.out_c, rng.fork(`linear${i}`)));
    initializeWeights(this, rng.fork('init'));
  }

  /** w_input [B, s, s, in_c] → w+ latent [B, wpdim, out_c]: [head0]×5, then heads 1…. */
  apply(x: tf.Tensor4D): tf.Tensor3D {
    const s = this.options.spatial_size;
    if (x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== this.options.in_c) {
      throw new UserError(`wmodule: input must be [B, ${s}, ${s}, ${this.options.in_c}], got [${x.shape}]`);
    }
    return tf.tidy(() => {
      const v = tf.reshape(this.convs.apply(x), [x.shape[0], this.options.out_c]) as tf.Tensor2D;
      const heads = this.linear.items.map((l) => l.apply(v));
      const first = heads[0]!;
      return tf.stack(
        [...Array<tf.Tensor2D>(REPEATS_OF_FIRST).fill(first), ...heads.slice(1)],
        1,
      ) as tf.Tensor3D;
    });
  }
}
