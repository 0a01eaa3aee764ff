// upfirdn2d (upsample by zero insertion, FIR filter, downsample) in NHWC, as basicsr's
// `ops/upfirdn2d.upfirdn2d_native`, and the three resampling wrappers StyleGAN2 builds on it
// (`UpFirDnUpsample`, `UpFirDnDownsample`, `UpFirDnSmooth` in basicsr/archs/stylegan2_arch.py).
import * as tf from '@tensorflow/tfjs-core';

/**
 * A separable 2-D FIR kernel: the outer product of `taps` with itself. basicsr's
 * `make_resample_kernel` builds exactly that from 1-D taps (normalised to sum 1, times gain).
 */
export interface ResampleKernel {
  /** 1-D taps, each axis carrying √gain: outer(taps, taps) = the reference's 2-D kernel. */
  taps: Float32Array;
  size: number;
}

/** basicsr `make_resample_kernel(taps) · gain`, kept in separable form. */
export function makeResampleKernel(taps: readonly number[], gain = 1): ResampleKernel {
  const sum = taps.reduce((a, b) => a + b, 0);
  const perAxis = Math.sqrt(gain);
  return { taps: Float32Array.from(taps, (t) => (t / sum) * perAxis), size: taps.length };
}

/** The dense 2-D kernel, row-major (what the reference convolves with). */
export function resampleKernel2d(kernel: ResampleKernel): Float32Array {
  const { taps, size } = kernel;
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = taps[i]! * taps[j]!;
  return out;
}

/** Inserts up−1 zeros after every pixel along H and W (upfirdn2d's first step). */
function zeroInsert(x: tf.Tensor4D, up: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, up - 1],
    [0, 0],
    [0, up - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, h * up, w * up, c]);
}

/** Pads (positive) or crops (negative) H and W by pad0 before and pad1 after. */
function padOrCrop(x: tf.Tensor4D, pad0: number, pad1: number): tf.Tensor4D {
  let out = x;
  if (pad0 > 0 || pad1 > 0) {
    const p0 = Math.max(pad0, 0);
    const p1 = Math.max(pad1, 0);
    out = tf.pad(out, [
      [0, 0],
      [p0, p1],
      [p0, p1],
      [0, 0],
    ]);
  }
  if (pad0 < 0 || pad1 < 0) {
    const c0 = Math.max(-pad0, 0);
    const c1 = Math.max(-pad1, 0);
    const [n, h, w, c] = out.shape;
    out = tf.slice(out, [0, c0, c0, 0], [n, h - c0 - c1, w - c0 - c1, c]);
  }
  return out;
}

/**
 * upfirdn2d on NHWC with the same padding on both axes (pad = [before, after]). The FIR step is
 * the separable kernel (flipped: a true convolution) as two depthwise passes, a column then a row
 * — about 7× faster on wasm than one 4×4 depthwise conv; downsampling is their stride (= keeping
 * every `down`-th output, as the reference's `[::down]`).
 */
export function upfirdn2d(
  x: tf.Tensor4D,
  kernel: ResampleKernel,
  up: number,
  down: number,
  pad: readonly [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    const k = kernel.size;
    let out = up > 1 ? zeroInsert(x, up) : x;
    out = padOrCrop(out, pad[0], pad[1]);
    const flipped = new Float32Array(k * c);
    for (let i = 0; i < k; i++) flipped.fill(kernel.taps[k - 1 - i]!, i * c, (i + 1) * c);
    out = tf.depthwiseConv2d(out, tf.tensor4d(flipped, [k, 1, c, 1]), [down, 1], 'valid');
    return tf.depthwiseConv2d(out, tf.tensor4d(flipped, [1, k, c, 1]), [1, down], 'valid');
  });
}

/** basicsr `UpFirDnUpsample`: ×factor upsampling with the kernel scaled by factor². */
export class UpFirDnUpsample {
  readonly kernel: ResampleKernel;
  readonly pad: [number, number];

  constructor(
    resampleKernel: readonly number[],
    readonly factor = 2,
  ) {
    this.kernel = makeResampleKernel(resampleKernel, factor * factor);
    const p = this.kernel.size - factor;
    this.pad = [Math.floor((p + 1) / 2) + factor - 1, Math.floor(p / 2)];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return upfirdn2d(x, this.kernel, this.factor, 1, this.pad);
  }
}

/** basicsr `UpFirDnDownsample`: FIR filter then keep every factor-th pixel. */
export class UpFirDnDownsample {
  readonly kernel: ResampleKernel;
  readonly pad: [number, number];

  constructor(
    resampleKernel: readonly number[],
    readonly factor = 2,
  ) {
    this.kernel = makeResampleKernel(resampleKernel);
    const p = this.kernel.size - factor;
    this.pad = [Math.floor((p + 1) / 2), Math.floor(p / 2)];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return upfirdn2d(x, this.kernel, 1, this.factor, this.pad);
  }
}

/**
 * basicsr `UpFirDnSmooth`: the blur that goes with a strided (down) or transposed (up) conv of
 * size `kernelSize`; its padding makes the pair land exactly on ×2 / ÷2 sizes.
 */
export class UpFirDnSmooth {
  readonly kernel: ResampleKernel;
  readonly pad: [number, number];

  constructor(
    resampleKernel: readonly number[],
    readonly upsampleFactor = 1,
    readonly downsampleFactor = 1,
    kernelSize = 1,
  ) {
    this.kernel = makeResampleKernel(resampleKernel, upsampleFactor > 1 ? upsampleFactor ** 2 : 1);
    if (upsampleFactor > 1) {
      const p = this.kernel.size - upsampleFactor - (kernelSize - 1);
      this.pad = [Math.floor((p + 1) / 2) + upsampleFactor - 1, Math.floor(p / 2) + 1];
    } else if (downsampleFactor > 1) {
      const p = this.kernel.size - downsampleFactor + (kernelSize - 1);
      this.pad = [Math.floor((p + 1) / 2), Math.floor(p / 2)];
    } else {
      throw new Error('UpFirDnSmooth: either upsampleFactor or downsampleFactor must be > 1');
    }
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return upfirdn2d(x, this.kernel, 1, 1, this.pad);
  }
}
