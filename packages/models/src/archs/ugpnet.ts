// models/UGPNet.py UGPNet: restoration module → synthesis module → FusionNet.
// forward(lq, return_all=True) = (I_R, I_G, I_F); children keep the official attribute names, so
// our keys are exactly the official UGPNet state dict's: resmodule.*, synmodule.{generator,
// fencoder,wmodule}.*, fusmodule.*.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Module, type Rng } from '@ugpnet/tensor';
import type { ArchConfig } from '../config/arch.js';
import { FusionNet } from './fusion.js';
import { buildRestorationModule, type RestorationModule } from './restoration-module.js';
import { SynthesisModule } from './synthesis-module.js';

/** The three images UGPNet produces, NHWC, none clamped (as the reference returns them). */
export type UgpNetOutput = {
  /** Restoration module output. */
  I_R: tf.Tensor4D;
  /** Synthesis module output, (G + 1)/2. */
  I_G: tf.Tensor4D;
  /** Fusion output: the final image. */
  I_F: tf.Tensor4D;
};

export class UgpNet extends Module {
  readonly arch: ArchConfig;
  readonly resmodule: RestorationModule;
  readonly synmodule: SynthesisModule;
  readonly fusmodule: FusionNet;

  constructor(arch: ArchConfig, rng: Rng) {
    super();
    this.arch = arch;
    // Official construction order: resmodule, synmodule, fusmodule.
    this.resmodule = this.child('resmodule', buildRestorationModule(arch, rng.fork('resmodule')));
    this.synmodule = this.child(
      'synmodule',
      new SynthesisModule(
        { generator: arch.generator, fencoder: arch.fencoder, wmodule: arch.wmodule },
        rng.fork('synmodule'),
      ),
    );
    this.fusmodule = this.child('fusmodule', new FusionNet(arch.fusion, rng.fork('fusion')));
    const { chan, num_feat } = this.fusmodule.options;
    if (chan !== this.synmodule.featureChannels) {
      throw new UserError(
        `fusion.chan (${chan}) must equal the channels of F_G (${this.synmodule.featureChannels}: the generator's final-resolution width)`,
      );
    }
    if (num_feat !== this.resmodule.featureChannels) {
      throw new UserError(
        `fusion.num_feat (${num_feat}) must equal the channels of F_R (${this.resmodule.featureChannels}: residual_encoder.num_feat, or num_feat for rrdb_x8)`,
      );
    }
  }

  /** Side of the square input: image_size, or image_size/8 for the ×8 SR restoration module. */
  get inputSize(): number {
    return this.arch.regression.type === 'rrdb_x8' ? this.arch.image_size / 8 : this.arch.image_size;
  }

  /** forward(lq, return_all=True) with the stored generator noise (randomize_noise=False). */
  forward(lq: tf.Tensor4D): UgpNetOutput {
    const [, h, w, c] = lq.shape;
    const size = this.inputSize;
    if (h !== size || w !== size || c !== 3) {
      throw new UserError(
        `UGPNet: the input is ${w}×${h}×${c}, this architecture takes ${size}×${size} RGB inputs` +
          (size !== this.arch.image_size ? ` (×8 SR to ${this.arch.image_size})` : ''),
      );
    }
    this.synmodule.randomizeNoise = false;
    return tf.tidy(() => {
      const { image: I_R, feature: F_R } = this.resmodule.restore(lq);
      const { image: I_G, feature: F_G } = this.synmodule.apply(I_R);
      return { I_R, I_G, I_F: this.fusmodule.apply(F_G, F_R) };
    });
  }

  /** forward(lq): I_F. */
  apply(lq: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.forward(lq).I_F);
  }
}
