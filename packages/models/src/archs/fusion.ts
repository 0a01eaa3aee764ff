// models/fusmodule.py FusionNet: merges the generator feature F_G with the restoration
// feature F_R into the final image I_F = last(body(conv(F_G) + F_R)).
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Module, ModuleList, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { initializeWeights } from '../blocks/initialize-weights.js';
import { int } from '../config/fields.js';
import { Sequential } from '../blocks/sequential.js';

export const fusionNetOptionsSchema = z.strictObject({
  num_block: int(0).optional(),
  /** Channels of F_G (64 for faces, 128 for church). */
  chan: int(1).optional(),
  /** Width of the body and channels of F_R (ours; the reference hard-codes 64). */
  num_feat: int(1).optional(),
});
export type FusionNetOptions = z.infer<typeof fusionNetOptionsSchema>;

export const FUSIONNET_DEFAULTS: Required<FusionNetOptions> = { num_block: 8, chan: 64, num_feat: 64 };

/** archs/blocks.py ResBlock(64): relu(conv(relu(conv(x))) + x); keys body.0, body.2. */
class ResBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;

  constructor(nFilters: number, rng: Rng) {
    super();
    const body = this.child('body', new Sequential());
    this.conv1 = body.add(0, new Conv2d(nFilters, nFilters, 3, rng.fork(0), { padding: 1 }));
    this.conv2 = body.add(2, new Conv2d(nFilters, nFilters, 3, rng.fork(2), { padding: 1 }));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.relu(tf.add(this.conv2.apply(tf.relu(this.conv1.apply(x))), x)) as tf.Tensor4D);
  }
}

export class FusionNet extends Module {
  readonly options: Required<FusionNetOptions>;
  readonly conv: Conv2d;
  readonly body: ModuleList<ResBlock>;
  readonly last: Conv2d;

  constructor(options: FusionNetOptions, rng: Rng) {
    super();
    const o = { ...FUSIONNET_DEFAULTS, ...options };
    this.options = o;
    this.conv = this.child('conv', new Conv2d(o.chan, o.num_feat, 3, rng.fork('conv'), { padding: 1 }));
    this.body = this.child('body', new ModuleList<ResBlock>());
    for (let i = 0; i < o.num_block; i++) this.body.push(new ResBlock(o.num_feat, rng.fork(`body${i}`)));
    this.last = this.child('last', new Conv2d(o.num_feat, 3, 3, rng.fork('last'), { padding: 1 }));
    initializeWeights(this, rng.fork('init'));
  }

  /** I_F from F_G (`chan` channels) and F_R (64 channels) of the same size; no output activation. */
  apply(fG: tf.Tensor4D, fR: tf.Tensor4D): tf.Tensor4D {
    const sameSize = fG.shape[1] === fR.shape[1] && fG.shape[2] === fR.shape[2];
    if (!sameSize || fG.shape[3] !== this.options.chan || fR.shape[3] !== this.options.num_feat) {
      throw new UserError(
        `fusion: F_G is ${fG.shape.slice(1).join('×')} and F_R ${fR.shape.slice(1).join('×')}; ` +
          `they need the same size, F_G ${this.options.chan} channels (chan) and F_R ${this.options.num_feat} (num_feat)`,
      );
    }
    return tf.tidy(() => {
      let x = tf.add(this.conv.apply(fG), fR) as tf.Tensor4D;
      for (const block of this.body.items) x = block.apply(x);
      return this.last.apply(x);
    });
  }
}
