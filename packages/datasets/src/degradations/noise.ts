// Poisson–Gaussian noise (supplement S.7): y = Poisson(k·x)/k + N(0, σ²), then clipped to
// [0, 1] and, by default, quantised to 8 bits as a saved PNG would be. k and σ may be ranges.
import type { Rng } from '@ugpnet/tensor';
import { clipAndQuantise, type RgbImage } from '../image.js';
import { checkValueOrRange, type Degradation, drawValue, type ValueOrRange } from './degradation.js';

export interface NoiseOptions {
  /** Photon count scale k (Poisson(k·x)/k); default 30. */
  k?: ValueOrRange;
  /** Gaussian standard deviation on the [0, 1] scale; default 0.3. */
  sigma?: ValueOrRange;
  /** Round to the 8-bit grid after clipping; default true. */
  quantise?: boolean;
}

export const NOISE_DEFAULTS = { k: 30, sigma: 0.3, quantise: true } as const;

/**
 * Inverse-CDF Poisson sampling with one table per distinct mean. Ground truth lives on the
 * 8-bit grid, so a run needs at most 256 tables per k and a draw is one uniform and a short
 * binary search (Knuth's method would need ~k uniforms per pixel).
 */
export class PoissonTables {
  private readonly tables = new Map<number, Float64Array>();

  sample(lambda: number, rng: Rng): number {
    if (lambda <= 0) return 0;
    // Far from zero the normal approximation is accurate and needs no table.
    if (lambda > 1000) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
    const u = rng.uniform();
    let cdf = this.tables.get(lambda);
    if (!cdf) {
      if (this.tables.size > 4096) this.tables.clear();
      cdf = poissonCdf(lambda);
      this.tables.set(lambda, cdf);
    }
    let lo = 0;
    let hi = cdf.length - 1;
    if (u >= cdf[hi]!) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function poissonCdf(lambda: number): Float64Array {
  const kmax = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 12);
  const cdf = new Float64Array(kmax + 1);
  // log-space pmf recursion keeps large λ from underflowing exp(−λ)
  let logP = -lambda;
  let sum = 0;
  for (let k = 0; k <= kmax; k++) {
    if (k > 0) logP += Math.log(lambda / k);
    sum += Math.exp(logP);
    cdf[k] = sum;
  }
  return cdf;
}

export class PoissonGaussianNoise implements Degradation {
  readonly name = 'noise';
  private readonly tables = new PoissonTables();
  readonly k: ValueOrRange;
  readonly sigma: ValueOrRange;
  readonly quantise: boolean;

  constructor(options: NoiseOptions = {}) {
    this.k = checkValueOrRange(options.k ?? NOISE_DEFAULTS.k, 'noise.k', Number.MIN_VALUE);
    this.sigma = checkValueOrRange(options.sigma ?? NOISE_DEFAULTS.sigma, 'noise.sigma', 0);
    this.quantise = options.quantise ?? NOISE_DEFAULTS.quantise;
  }

  lqSize(size: number): number {
    return size;
  }

  apply(gt: RgbImage, rng: Rng): RgbImage {
    const k = drawValue(this.k, rng);
    const sigma = drawValue(this.sigma, rng);
    const src = gt.data;
    const out = new Float32Array(src.length);
    let spare = Number.NaN;
    for (let i = 0; i < src.length; i++) {
      const lambda = Math.fround(k * Math.max(0, src[i]!));
      const count = this.tables.sample(lambda, rng);
      // Box–Muller, both outputs used: one pair of uniforms per two pixels.
      let z: number;
      if (Number.isNaN(spare)) {
        let u1 = rng.uniform();
        while (u1 <= 0) u1 = rng.uniform();
        const r = Math.sqrt(-2 * Math.log(u1));
        const t = 2 * Math.PI * rng.uniform();
        z = r * Math.cos(t);
        spare = r * Math.sin(t);
      } else {
        z = spare;
        spare = Number.NaN;
      }
      out[i] = count / k + sigma * z;
    }
    return clipAndQuantise({ width: gt.width, height: gt.height, data: out }, this.quantise);
  }
}
