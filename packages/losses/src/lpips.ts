// LPIPS-VGG v0.1 (richzhang/PerceptualSimilarity lpips.LPIPS(net='vgg'), v0.1.4):
// ScalingLayer → VGG16 relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 → unit-normalise over
// channels → squared difference → non-negative 1×1 "lin" heads (`lin{k}.model.1.weight`) →
// spatial mean → sum over layers. Plus UGPNet's loss/Lpips.py wrapper ([0,1] → [-1,1],
// bicubic resize to 256×256, batch mean). Inputs are NHWC.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Module, type Rng, type TorchTensor } from '@ugpnet/tensor';
import { resizeBicubic } from './resize-bicubic.js';
import { freeze, type Vgg } from './vgg.js';

export const LPIPS_TAPS = ['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3'];
const SHIFT = [-0.03, -0.088, -0.188];
const SCALE = [0.458, 0.448, 0.45];

/** Where LPIPS values came from: the real v0.1 weights, or the fixed-seed random stand-in. */
export type LpipsKind = 'lpips' | 'lpips_proxy';

/** One position of a torch Sequential whose other entries hold no weights (Dropout). */
class SequentialSlot extends Module {
  constructor(index: number, module: Module) {
    super();
    this.child(String(index), module);
  }
}

/** lpips NetLinLayer: Sequential(Dropout, Conv2d(C, 1, 1, bias=False)) → `model.1.weight`. */
class NetLinLayer extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng) {
    super();
    this.conv = new Conv2d(channels, 1, 1, rng, { bias: false });
    this.child('model', new SequentialSlot(1, this.conv));
  }
}

/** The five lin heads, keyed `lin0.model.1.weight` … as in lpips' weights/v0.1/vgg.pth. */
export class LpipsHeads extends Module {
  readonly lins: NetLinLayer[] = [];

  constructor(channels: number[], rng: Rng) {
    super();
    channels.forEach((c, k) => {
      this.lins.push(this.child(`lin${k}`, new NetLinLayer(c, rng)));
    });
    freeze(this);
  }

  /** Channel counts read from a lin state dict (`lin{k}.model.1.weight` of shape [1, C, 1, 1]). */
  static channelsOf(dict: Map<string, TorchTensor>, source = 'lpips weights'): number[] {
    const channels: number[] = [];
    for (let k = 0; k < LPIPS_TAPS.length; k++) {
      const w = dict.get(`lin${k}.model.1.weight`);
      if (!w) throw new UserError(`${source}: missing key lin${k}.model.1.weight (LPIPS v0.1 linear head)`);
      channels.push(w.shape[1]!);
    }
    return channels;
  }
}

/** A type alias (not an interface) so tf.tidy accepts it as a TensorContainer. */
export type LpipsResult = {
  /** Per-image distance [N]. */
  distance: tf.Tensor1D;
  /** Per-layer contributions [N, 5] (retPerLayer). */
  perLayer: tf.Tensor2D;
};

/** Unit-normalise over channels: f / (sqrt(Σc f²) + 1e-10). The 1e-24 only keeps sqrt's gradient finite at 0. */
function normalizeChannels(f: tf.Tensor4D): tf.Tensor4D {
  return tf.div(f, tf.add(tf.sqrt(tf.add(tf.sum(tf.square(f), -1, true), 1e-24)), 1e-10));
}

export class Lpips {
  constructor(
    readonly vgg: Vgg,
    readonly heads: LpipsHeads,
    /** 'lpips' with the real v0.1 weights; 'lpips_proxy' for the fixed-seed random stand-in. */
    readonly kind: LpipsKind,
  ) {
    if (vgg.kind !== 'vgg16') throw new Error('LPIPS-VGG needs a vgg16 trunk');
  }

  /** LPIPS(in0, in1) for images in [-1, 1] (the official call with normalize=False). */
  forward(in0: tf.Tensor4D, in1: tf.Tensor4D): LpipsResult {
    return tf.tidy(() => {
      const shift = tf.tensor1d(SHIFT);
      const scale = tf.tensor1d(SCALE);
      const n = in0.shape[0];
      const both = tf.div(tf.sub(tf.concat([in0, in1], 0), shift), scale) as tf.Tensor4D;
      const feats = this.vgg.apply(both, LPIPS_TAPS);
      const layers = feats.map((f, k) => {
        const fn = normalizeChannels(f);
        const [f0, f1] = tf.split(fn, [n, n], 0) as [tf.Tensor4D, tf.Tensor4D];
        const d = tf.squaredDifference(f0, f1) as tf.Tensor4D;
        const lin = this.heads.lins[k]!.conv.weight as tf.Tensor4D;
        // 1×1 conv to one channel, then the spatial mean.
        return tf.mean(tf.conv2d(d, lin, 1, 'valid'), [1, 2, 3]);
      });
      const perLayer = tf.stack(layers, 1) as tf.Tensor2D;
      return { distance: tf.sum(perLayer, 1) as tf.Tensor1D, perLayer };
    });
  }

  /** Per-image distance for images in [0, 1] (LPIPS(..., normalize=True)). */
  distance01(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => {
      const r = this.forward(to11(a), to11(b));
      return r.distance;
    });
  }

  dispose(): void {
    this.vgg.dispose();
    this.heads.dispose();
  }
}

function to11(x: tf.Tensor4D): tf.Tensor4D {
  return tf.sub(tf.mul(x, 2), 1);
}

export interface LpipsLossOptions {
  /** Resize both images bicubically to size×size before LPIPS (reference 256); null keeps the size. */
  size?: number | null;
}

/**
 * UGPNet loss/Lpips.py LpipsLoss: images in [0,1] → [-1,1] → bicubic resize (align_corners
 * False, A −0.75, no clamp) → mean LPIPS over the batch. Differentiable in `output`.
 */
export function lpipsLoss(
  lpips: Lpips,
  output: tf.Tensor4D,
  gt: tf.Tensor4D,
  options: LpipsLossOptions = {},
): tf.Scalar {
  const size = options.size === undefined ? 256 : options.size;
  return tf.tidy(() => {
    let o = to11(output);
    let g = to11(gt);
    if (size !== null) {
      o = resizeBicubic(o, [size, size]);
      g = resizeBicubic(g, [size, size]);
    }
    return tf.mean(lpips.forward(o, g).distance) as tf.Scalar;
  });
}

/**
 * The LPIPS metric for [0,1] images at their own size, batched to bound memory; returns one
 * distance per image.
 */
export async function lpipsMetric(
  lpips: Lpips,
  pred: tf.Tensor4D,
  gt: tf.Tensor4D,
  options: { batchSize?: number } = {},
): Promise<Float32Array> {
  if (pred.shape.join(',') !== gt.shape.join(',')) {
    throw new UserError(`lpips: shapes differ ([${pred.shape}] vs [${gt.shape}])`);
  }
  const n = pred.shape[0];
  const batch = Math.max(1, options.batchSize ?? 8);
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const d = tf.tidy(() =>
      lpips.distance01(
        tf.slice(pred, [start, 0, 0, 0], [size, -1, -1, -1]),
        tf.slice(gt, [start, 0, 0, 0], [size, -1, -1, -1]),
      ),
    );
    out.set(await d.data(), start);
    d.dispose();
  }
  return out;
}
