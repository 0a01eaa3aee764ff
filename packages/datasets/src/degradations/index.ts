// The degradation registry: short names → builders with typed options (STYLE.md: a registry per kind).
import { Registry, UserError } from '@ugpnet/core';
import type { Rng } from '@ugpnet/tensor';
import type { RgbImage } from '../image.js';
import type { Degradation } from './degradation.js';
import { MotionBlur } from './motion-blur.js';
import { PoissonGaussianNoise } from './noise.js';
import { BicubicDownsample } from './sr-bicubic.js';

/** A config block naming a degradation: `type` plus that builder's options. */
export interface DegradationSpec {
  type: string;
  [option: string]: unknown;
}

export interface DegradationEntry {
  describe: string;
  /** Option names the builder accepts (anything else is an error naming the key). */
  options: readonly string[];
  create(options: Record<string, unknown>): Degradation | Promise<Degradation>;
}

/** Paired data or a plain copy: lq = gt. */
export class NoDegradation implements Degradation {
  readonly name = 'none';
  lqSize(size: number): number {
    return size;
  }
  apply(gt: RgbImage, _rng: Rng, out?: Float32Array): RgbImage {
    const data = out ?? new Float32Array(gt.data.length);
    data.set(gt.data);
    return { width: gt.width, height: gt.height, data };
  }
}

export const degradations = new Registry<DegradationEntry>('degradation')
  .register('none', {
    describe: 'lq = gt (paired folders bring their own lq)',
    options: [],
    create: () => new NoDegradation(),
  })
  .register('noise', {
    describe: 'Poisson(k·x)/k + N(0, σ²), clipped and 8-bit quantised (k 30, σ 0.3)',
    options: ['k', 'sigma', 'quantise'],
    create: (o) => new PoissonGaussianNoise(o),
  })
  .register('blur', {
    describe: 'one of 2 000 random 51×51 camera-shake kernels (FFT, reflect-101 borders)',
    options: ['count', 'kernelSize', 'seed', 'steps', 'length', 'anxiety', 'cacheDir', 'quantise'],
    create: (o) => MotionBlur.open(o),
  })
  .register('sr8', {
    describe: '×8 MATLAB-style antialiased bicubic downsampling (512 → 64)',
    options: ['factor', 'quantise'],
    create: (o) => new BicubicDownsample({ factor: 8, ...o }),
  });

/** Builds the degradation a spec names; `where` prefixes errors (a flag or config path). */
export async function createDegradation(
  spec: DegradationSpec | string,
  where = 'degradation',
): Promise<Degradation> {
  const { type, ...options } = typeof spec === 'string' ? { type: spec } : spec;
  const entry = degradations.get(type, where);
  for (const key of Object.keys(options)) {
    if (!entry.options.includes(key)) {
      throw new UserError(
        `${where}: '${type}' has no option '${key}' (options: ${entry.options.join(', ') || 'none'})`,
      );
    }
  }
  return entry.create(options);
}

export type { Degradation } from './degradation.js';
