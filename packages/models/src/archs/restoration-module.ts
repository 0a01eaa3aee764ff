// The restoration module (models/resmodule.py ResModule): a regression network R plus the
// residual encoder, returning (I_R, F_R). The ×8 SR variant uses RRDBNetX8 directly instead.
import type * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Module, type Rng } from '@ugpnet/tensor';
import { z } from 'zod';
import { HiNet, hinetOptionsSchema } from './hinet.js';
import { createNafNetLocal, NafNet, nafnetLocalOptionsSchema, nafnetOptionsSchema } from './nafnet.js';
import { ResidualEncoder, type ResidualEncoderOptions } from './residual-encoder.js';
import { RrdbNetX8, rrdbNetOptionsSchema } from './rrdb.js';

/** I_R (restored image) and F_R (restoration feature handed to the fusion module). */
export type RestorationOutput = {
  image: tf.Tensor4D;
  feature: tf.Tensor4D;
};

/** What the UGPNet pipeline needs from a restoration module. */
export interface RestorationModule extends Module {
  restore(x: tf.Tensor4D): RestorationOutput;
  /** I_R alone. */
  apply(x: tf.Tensor4D): tf.Tensor4D;
  /** Channels of F_R (the residual encoder's num_feat, 64 officially; num_feat for RRDBNetX8). */
  readonly featureChannels: number;
  /**
   * R, the (pretrainable) regression network: ResModule's `regression`; RRDBNetX8 itself, which is
   * the whole restoration module. A pretrained R loads into it; a separate lr trains its parameters.
   */
  regressionNetwork(): Module;
}

/** A regression network usable inside ResModule: forward(x, return_f=True). */
export interface RegressionNetwork extends Module {
  applyFeature(x: tf.Tensor4D): tf.Tensor4D;
  /** The restored image(s): HINet gives two, both supervised when R is trained alone. */
  apply(x: tf.Tensor4D): tf.Tensor4D | [tf.Tensor4D, tf.Tensor4D];
  readonly featureChannels: number;
}

/** The `regression` block of the architecture config: `type` plus the class's constructor arguments. */
export const regressionConfigSchema = z.discriminatedUnion('type', [
  nafnetOptionsSchema.extend({ type: z.literal('nafnet') }),
  nafnetLocalOptionsSchema.extend({ type: z.literal('nafnet_local') }),
  hinetOptionsSchema.extend({ type: z.literal('hinet') }),
  rrdbNetOptionsSchema.extend({ type: z.literal('rrdb_x8') }),
]);
export type RegressionConfig = z.infer<typeof regressionConfigSchema>;

/** A regression block's constructor arguments (the block without its `type`). */
function constructorOptions<T extends { type: string }>({ type: _type, ...options }: T): Omit<T, 'type'> {
  return options;
}

export function buildRegression(config: RegressionConfig, rng: Rng): RegressionNetwork {
  switch (config.type) {
    case 'nafnet':
      return new NafNet(constructorOptions(config), rng);
    case 'nafnet_local':
      return createNafNetLocal(constructorOptions(config), rng);
    case 'hinet':
      return new HiNet(constructorOptions(config), rng);
    case 'rrdb_x8':
      throw new UserError(
        'regression type rrdb_x8 is a whole restoration module, not a ResModule regression',
      );
  }
}

export class ResModule extends Module implements RestorationModule {
  readonly regression: RegressionNetwork;
  readonly encoder: ResidualEncoder;

  constructor(regression: RegressionNetwork, encoder: ResidualEncoder) {
    super();
    if (encoder.chan !== regression.featureChannels) {
      throw new UserError(
        `residual_encoder.chan (${encoder.chan}) must equal the regression feature channels (${regression.featureChannels})`,
      );
    }
    this.regression = this.child('regression', regression);
    this.encoder = this.child('encoder', encoder);
  }

  get featureChannels(): number {
    return this.encoder.numFeat;
  }

  regressionNetwork(): RegressionNetwork {
    return this.regression;
  }

  /** forward(x, return_f=True): (I_output, F_res). */
  restore(x: tf.Tensor4D): RestorationOutput {
    const fRegression = this.regression.applyFeature(x);
    try {
      return this.encoder.apply(x, fRegression);
    } finally {
      fRegression.dispose();
    }
  }

  /** forward(x): I_output. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const { image, feature } = this.restore(x);
    feature.dispose();
    return image;
  }
}

export interface RestorationConfig {
  regression: RegressionConfig;
  /** Absent for rrdb_x8; `chan` defaults to the regression network's feature channels. */
  residual_encoder?: ResidualEncoderOptions;
}

/**
 * R alone, built with the random stream it gets inside the restoration module (so its keys and
 * initial weights match): the regression network, or RRDBNetX8 for `rrdb_x8`.
 */
export function buildRegressionNetwork(
  config: RestorationConfig,
  rng: Rng,
): RegressionNetwork | RestorationModule {
  return config.regression.type === 'rrdb_x8'
    ? buildRestorationModule(config, rng)
    : buildRegression(config.regression, rng.fork('regression'));
}

/** ResModule(regression, ResidualEncoder), or RRDBNetX8 itself for `rrdb_x8`. */
export function buildRestorationModule(config: RestorationConfig, rng: Rng): RestorationModule {
  if (config.regression.type === 'rrdb_x8') {
    return new RrdbNetX8(constructorOptions(config.regression), rng.fork('regression'));
  }
  const regression = buildRegression(config.regression, rng.fork('regression'));
  const chan = config.residual_encoder?.chan ?? regression.featureChannels;
  const encoder = new ResidualEncoder({ ...config.residual_encoder, chan }, rng.fork('encoder'));
  return new ResModule(regression, encoder);
}
