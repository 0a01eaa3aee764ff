// ×8 super-resolution input (supplement S.7): MATLAB-style antialiased bicubic downsampling
// (a 512 image gives the 64×64 input RRDBNet×8 takes), clipped and 8-bit quantised by default.
import { UserError } from '@ugpnet/core';
import type { Rng } from '@ugpnet/tensor';
import { clipAndQuantise, type RgbImage } from '../image.js';
import type { Degradation } from './degradation.js';
import { imresize } from './imresize.js';

export interface BicubicDownsampleOptions {
  /** Integer downsampling factor; default 8. */
  factor?: number;
  /** Round to the 8-bit grid after clipping; default true. */
  quantise?: boolean;
}

export class BicubicDownsample implements Degradation {
  readonly name: string;
  readonly factor: number;
  readonly quantise: boolean;

  constructor(options: BicubicDownsampleOptions = {}) {
    const factor = options.factor ?? 8;
    if (!Number.isInteger(factor) || factor < 1) {
      throw new UserError(`sr.factor: expected an integer ≥ 1, got ${JSON.stringify(options.factor)}`);
    }
    this.factor = factor;
    this.name = `sr${factor}`;
    this.quantise = options.quantise ?? true;
  }

  lqSize(size: number): number {
    return Math.ceil(size / this.factor);
  }

  apply(gt: RgbImage, _rng: Rng, out?: Float32Array): RgbImage {
    return clipAndQuantise(imresize(gt, 1 / this.factor, true, out), this.quantise);
  }
}
