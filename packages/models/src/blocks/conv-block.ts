// archs/blocks.py ConvBlock: 3 × (conv3×3 → [BatchNorm] → LeakyReLU(0.2)) → [AvgPool].
// Shared by the ResidualEncoder (restoration) and the F-encoder (synthesis).
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, leakyRelu, Module, ModuleList, type Rng } from '@ugpnet/tensor';

export interface ConvBlockOptions {
  /** Average-pool by `downscale` at the end. */
  down?: boolean;
  downscale?: number;
  batch_norm?: boolean;
}

export class ConvBlock extends Module {
  readonly conv: ModuleList<Conv2d>;
  readonly bn?: ModuleList<BatchNorm2d>;
  readonly down: boolean;
  readonly downscale: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    rng: Rng,
    options: ConvBlockOptions = {},
  ) {
    super();
    this.down = options.down ?? false;
    this.downscale = options.downscale ?? 2;
    this.conv = this.child('conv', new ModuleList<Conv2d>());
    if (options.batch_norm) this.bn = this.child('bn', new ModuleList<BatchNorm2d>());
    let cin = inChannels;
    for (let i = 0; i < 3; i++) {
      this.conv.push(new Conv2d(cin, outChannels, 3, rng.fork(`conv${i}`), { padding: 1 }));
      this.bn?.push(new BatchNorm2d(outChannels));
      cin = outChannels;
    }
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      for (let i = 0; i < 3; i++) {
        x = this.conv.items[i]!.apply(x);
        if (this.bn) x = this.bn.items[i]!.apply(x);
        x = leakyRelu(x, 0.2);
      }
      return this.down ? tf.avgPool(x, this.downscale, this.downscale, 'valid') : x;
    });
  }
}
