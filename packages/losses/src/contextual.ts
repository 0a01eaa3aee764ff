// loss/contextual.py: the contextual loss (Mechrez et al.) as UGPNet computes it, and its
// patch-wise version on VGG19 relu3_4 features. Features are NHWC.
// Memory grows with (H·W)² per patch: the loss keeps ~15 [N, HW, HW] float32 tensors for
// backward. Measured on wasm (fwd+bwd peak tensor memory): 256² distances 13 MB, 1024² (one
// 128 px patch) 139 MB, 4096² (a whole 256 px image) 2.0 GB. With full-width VGG19 the
// patch loss took 1.25 GB for one 256 px image (4 patches); one 512 px image (16 patches)
// exceeds wasm's 4 GB heap — a reference fusion batch (8 × 512²) needs a GPU backend.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { imagenetNormalize, type Vgg } from './vgg.js';

/**
 * 'reference': the official code — maxima weighted by exp((1 − d_raw)/0.5) at the arg-max
 * (the 0.5 is hard-coded, independent of the band width). 'plain': the paper's Eq. 3,
 * the unweighted mean of the maxima.
 */
export type ContextualVariant = 'reference' | 'plain';

export interface ContextualOptions {
  /** h in the paper; default 0.5. */
  bandWidth?: number;
  variant?: ContextualVariant;
}

/** Divides by max(‖f‖₂ over channels, 1e-12) as F.normalize; the 1e-24 keeps sqrt's gradient finite at 0. */
function l2Normalize(f: tf.Tensor4D): tf.Tensor4D {
  return tf.div(f, tf.maximum(tf.sqrt(tf.add(tf.sum(tf.square(f), -1, true), 1e-24)), 1e-12));
}

/**
 * contextual_loss(x, y, band_width): features centred by the mean of y over batch AND space,
 * L2-normalised over channels; d = max(0, 1 − cos) [N, i∈x, j∈y]; d̃ = d / (min_j d + 1e-5);
 * cx = softmax_j((1 − d̃)/h); for each y position j, max over x positions i; then the
 * (weighted) mean over j and mean_n −log(· + 1e-5).
 */
export function contextualLoss(x: tf.Tensor4D, y: tf.Tensor4D, options: ContextualOptions = {}): tf.Scalar {
  const h = options.bandWidth ?? 0.5;
  const variant = options.variant ?? 'reference';
  if (x.shape[0] !== y.shape[0] || x.shape[3] !== y.shape[3]) {
    throw new UserError(
      `contextual loss: features [${x.shape}] and [${y.shape}] differ in batch or channels`,
    );
  }
  return tf.tidy(() => {
    const [n, , , c] = x.shape;
    const yMu = tf.mean(y, [0, 1, 2]);
    const xn = tf.reshape(l2Normalize(tf.sub(x, yMu)), [n, -1, c]) as tf.Tensor3D;
    const yn = tf.reshape(l2Normalize(tf.sub(y, yMu)), [n, -1, c]) as tf.Tensor3D;
    const dist = tf.relu(tf.sub(1, tf.matMul(xn, yn, false, true))) as tf.Tensor3D; // [N, i, j]
    const distMin = tf.min(dist, 2, true);
    const distTilde = tf.div(dist, tf.add(distMin, 1e-5));
    // w / Σ_j w with w = exp((1 − d̃)/h): a softmax over j.
    const cx = tf.softmax(tf.div(tf.sub(1, distTilde), h)) as tf.Tensor3D;
    const maxima = tf.max(cx, 1); // [N, j]
    let perImage: tf.Tensor1D;
    if (variant === 'plain') {
      perImage = tf.mean(maxima, 1) as tf.Tensor1D;
    } else {
      // The official gather of exp((1 − d_raw)/0.5) at the arg-max i, as a one-hot mask.
      const argmax = tf.argMax(cx, 1); // [N, j]
      const mask = tf.transpose(tf.oneHot(argmax, dist.shape[1]), [0, 2, 1]); // [N, i, j]
      const dAtMax = tf.sum(tf.mul(dist, mask), 1); // [N, j]
      const weight = tf.exp(tf.div(tf.sub(1, dAtMax), 0.5));
      perImage = tf.div(tf.sum(tf.mul(maxima, weight), 1), tf.sum(weight, 1)) as tf.Tensor1D;
    }
    return tf.mean(tf.neg(tf.log(tf.add(perImage, 1e-5)))) as tf.Scalar;
  });
}

/**
 * PatchContextualLoss.make_patches: non-overlapping size×size patches (remainder dropped,
 * as torch.unfold), ordered (row, col, batch) like the reference. NHWC in and out.
 */
export function makePatches(x: tf.Tensor4D, size: number): tf.Tensor4D {
  const [b, height, width, c] = x.shape;
  const rows = Math.floor(height / size);
  const cols = Math.floor(width / size);
  if (rows === 0 || cols === 0) {
    throw new UserError(
      `patch contextual loss: image ${height}×${width} is smaller than the ${size}px patch`,
    );
  }
  return tf.tidy(() => {
    const cropped =
      rows * size === height && cols * size === width
        ? x
        : tf.slice(x, [0, 0, 0, 0], [b, rows * size, cols * size, c]);
    const patches: tf.Tensor4D[] = [];
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        patches.push(tf.slice(cropped, [0, r * size, q * size, 0], [b, size, size, c]));
      }
    }
    return tf.concat(patches, 0);
  });
}

export interface PatchContextualOptions extends ContextualOptions {
  /** Patch side in pixels (reference 128). */
  patchSize?: number;
  /** VGG19 layer (reference relu3_4). */
  layer?: string;
}

/**
 * PatchContextualLoss(band_width 0.5, relu3_4, patch 128): patches of x and y → ImageNet
 * normalisation → VGG19 features → contextual loss over all patch pairs at once. `kind`
 * says whether the VGG19 is the real ImageNet one or the fixed-seed random proxy.
 */
export class PatchContextualLoss {
  readonly patchSize: number;
  readonly layer: string;
  readonly options: ContextualOptions;

  constructor(
    readonly vgg: Vgg,
    readonly kind: 'contextual' | 'contextual_proxy',
    options: PatchContextualOptions = {},
  ) {
    this.patchSize = options.patchSize ?? 128;
    this.layer = options.layer ?? 'relu3_4';
    this.options = { bandWidth: options.bandWidth ?? 0.5, variant: options.variant ?? 'reference' };
    vgg.layerIndex(this.layer);
  }

  /** VGG features of the normalised patches of an NHWC [0,1] image batch. */
  features(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.vgg.apply(imagenetNormalize(makePatches(x, this.patchSize)), [this.layer])[0]!);
  }

  /** Loss between x (I_F in training) and y (I_G); differentiable in both. */
  apply(x: tf.Tensor4D, y: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => contextualLoss(this.features(x), this.features(y), this.options));
  }

  dispose(): void {
    this.vgg.dispose();
  }
}
