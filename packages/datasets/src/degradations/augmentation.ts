// Synthesis-stage augmentation (DESIGN §3, the reference's data_augmentation.py): x_reg and
// the ground truth get the same random geometric transform, whose kind cycles by iteration
// (it % 3: scale U[7/8, 9/8], translate ±128 / ±50 px at 512, rotate ±5° in whole degrees),
// about the image centre, nearest-neighbour, fill 0, clamped to [0, 1] (torchvision's
// TF.affine on tensors). Translations scale with the image (±64 / ±25 at 256). The
// reference draws randint(-128, 128 + 1), one pixel wider on the positive side; we draw a
// symmetric range.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@ugpnet/tensor';

export interface AugmentationOptions {
  /** Scale factor range; default [7/8, 9/8]. */
  scale?: [number, number];
  /** Max |translation| (x, y) in pixels at `referenceSize`; default [128, 50]. */
  translate?: [number, number];
  /** Max |rotation| in whole degrees; default 5. */
  rotate?: number;
  /** Image side the translation is given for; default 512. */
  referenceSize?: number;
}

export type AugmentationKind = 'scale' | 'translate' | 'rotate';

export interface AffineParams {
  kind: AugmentationKind;
  scale: number;
  /** Translation in pixels of the image it is applied to (+x right, +y down). */
  tx: number;
  ty: number;
  /** Degrees, clockwise on screen for positive values (torchvision's F.affine convention). */
  angle: number;
}

export const AUGMENTATION_DEFAULTS = {
  scale: [7 / 8, 9 / 8] as [number, number],
  translate: [128, 50] as [number, number],
  rotate: 5,
  referenceSize: 512,
};

const KINDS: AugmentationKind[] = ['scale', 'translate', 'rotate'];

/**
 * tf.image.transform's 8 coefficients mapping each output pixel (x, y) to the input pixel it
 * samples: input = c + M·(output − c − t), M = [[cos, sin], [−sin, cos]]/scale,
 * c = ((w−1)/2, (h−1)/2): torchvision's _get_inverse_affine_matrix with zero shear.
 */
export function affineTransform(p: AffineParams, width: number, height: number): number[] {
  const rad = (p.angle * Math.PI) / 180;
  const cos = Math.cos(rad) / p.scale;
  const sin = Math.sin(rad) / p.scale;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const ox = cx + p.tx;
  const oy = cy + p.ty;
  return [cos, sin, cx - cos * ox - sin * oy, -sin, cos, cy + sin * ox - cos * oy, 0, 0];
}

export class PairAugmentation {
  readonly options: Required<AugmentationOptions>;

  constructor(options: AugmentationOptions = {}) {
    this.options = { ...AUGMENTATION_DEFAULTS, ...options };
  }

  /** The transform for one iteration (the same for the whole batch, as the reference). */
  params(iteration: number, size: number, rng: Rng): AffineParams {
    const kind = KINDS[iteration % 3]!;
    const { scale, translate, rotate, referenceSize } = this.options;
    const p: AffineParams = { kind, scale: 1, tx: 0, ty: 0, angle: 0 };
    if (kind === 'scale') p.scale = rng.range(scale[0], scale[1]);
    else if (kind === 'translate') {
      const mx = Math.round((translate[0] * size) / referenceSize);
      const my = Math.round((translate[1] * size) / referenceSize);
      p.tx = rng.int(2 * mx + 1) - mx;
      p.ty = rng.int(2 * my + 1) - my;
    } else p.angle = rng.int(2 * rotate + 1) - rotate;
    return p;
  }

  /** Applies one transform to NHWC images (nearest, fill 0, clamped to [0, 1]). */
  apply(image: tf.Tensor4D, p: AffineParams): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w] = image.shape;
      const t = tf.tensor2d([affineTransform(p, w, h)], [1, 8]).tile([b, 1]) as tf.Tensor2D;
      return tf.image.transform(image, t, 'nearest', 'constant', 0).clipByValue(0, 1) as tf.Tensor4D;
    });
  }

  /** x_reg and gt with the same transform for this iteration; the caller disposes both. */
  augmentPair(
    xReg: tf.Tensor4D,
    gt: tf.Tensor4D,
    iteration: number,
    rng: Rng,
  ): [tf.Tensor4D, tf.Tensor4D, AffineParams] {
    const p = this.params(iteration, gt.shape[2], rng);
    return [this.apply(xReg, p), this.apply(gt, p), p];
  }
}
