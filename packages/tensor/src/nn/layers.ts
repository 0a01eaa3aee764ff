// The PyTorch layers every network here is built from, with PyTorch's default init and
// official parameter names (`weight`, `bias`, `running_mean`, …). Inputs are NHWC.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import { CONV2D_LAYOUT, DEPTHWISE_LAYOUT, LINEAR_LAYOUT, Module } from './module.js';

/** PyTorch's default init for conv/linear: U(±1/sqrt(fan_in)) for weight and bias. */
function defaultUniform(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniformArray(size, -bound, bound), shape);
}

export interface Conv2dOptions {
  stride?: number;
  /** Zero padding on every side, as PyTorch's integer `padding`. */
  padding?: number;
  bias?: boolean;
  /** Only 1 (dense) or inChannels (depthwise) are supported. */
  groups?: number;
  dilation?: number;
}

/** torch.nn.Conv2d (dense or depthwise). Weight [kh, kw, in, out] (depthwise: [kh, kw, C, 1]). */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly depthwise: boolean;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    rng: Rng,
    options: Conv2dOptions = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    const groups = options.groups ?? 1;
    this.depthwise = groups !== 1;
    if (this.depthwise && (groups !== inChannels || outChannels !== inChannels)) {
      throw new Error(`Conv2d: only dense or depthwise (groups = in = out) convolutions are supported`);
    }
    const k = kernelSize;
    const fanIn = (inChannels / groups) * k * k;
    const shape = this.depthwise ? [k, k, inChannels, 1] : [k, k, inChannels, outChannels];
    this.weight = this.param(
      'weight',
      defaultUniform(rng, shape, fanIn),
      this.depthwise ? DEPTHWISE_LAYOUT : CONV2D_LAYOUT,
    );
    if (options.bias !== false) this.bias = this.param('bias', defaultUniform(rng, [outChannels], fanIn));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.padding;
      // wasm and cpu pad inside the convolution (saving a padded copy and its gradient); other
      // backends (tfjs-node's TensorFlow kernels) get an explicit pad and a 'valid' conv.
      const inside = p > 0 && PAD_INSIDE_CONV.has(tf.getBackend());
      const input =
        p > 0 && !inside
          ? tf.pad(x, [
              [0, 0],
              [p, p],
              [p, p],
              [0, 0],
            ])
          : x;
      const pad: 'valid' | tf.backend_util.ExplicitPadding = inside
        ? [
            [0, 0],
            [p, p],
            [p, p],
            [0, 0],
          ]
        : 'valid';
      const y = this.depthwise
        ? tf.depthwiseConv2d(
            input,
            this.weight as tf.Tensor4D,
            this.stride,
            pad as 'valid',
            'NHWC',
            this.dilation,
          )
        : tf.conv2d(input, this.weight as tf.Tensor4D, this.stride, pad, 'NHWC', this.dilation);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

const PAD_INSIDE_CONV = new Set(['wasm', 'cpu']);

/** torch.nn.Linear. Weight [in, out]. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param(
      'weight',
      defaultUniform(rng, [inFeatures, outFeatures], inFeatures),
      LINEAR_LAYOUT,
    );
    if (options.bias !== false)
      this.bias = this.param('bias', defaultUniform(rng, [outFeatures], inFeatures));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = tf.matMul(x, this.weight as tf.Tensor2D);
      return (this.bias ? tf.add(y, this.bias) : y) as tf.Tensor2D;
    });
  }
}

/**
 * torch.nn.BatchNorm2d. Training mode normalises with batch statistics and updates the
 * running stats (momentum 0.1, unbiased running variance, as PyTorch); eval mode uses them.
 */
export class BatchNorm2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  training = false;

  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.param('weight', tf.ones([channels]));
    this.bias = this.param('bias', tf.zeros([channels]));
    this.runningMean = this.buffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.buffer('running_var', tf.ones([channels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (!this.training) {
      return tf.tidy(() =>
        tf.batchNorm4d(
          x,
          this.runningMean as tf.Tensor1D,
          this.runningVar as tf.Tensor1D,
          this.bias as tf.Tensor1D,
          this.weight as tf.Tensor1D,
          this.eps,
        ),
      );
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    tf.tidy(() => {
      const m = this.momentum;
      const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
    });
    const y = tf.tidy(() =>
      tf.batchNorm4d(
        x,
        mean as tf.Tensor1D,
        variance as tf.Tensor1D,
        this.bias as tf.Tensor1D,
        this.weight as tf.Tensor1D,
        this.eps,
      ),
    );
    mean.dispose();
    variance.dispose();
    return y;
  }
}

export function leakyRelu<T extends tf.Tensor>(x: T, slope = 0.2): T {
  return tf.leakyRelu(x, slope);
}
