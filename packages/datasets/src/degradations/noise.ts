// Poisson–Gaussian noise (supplement S.7): y = Poisson(k·x)/k + N(0, σ²), then clipped to
// [0, 1] and, by default, quantised to 8 bits as a saved PNG would be. k and σ may be ranges.
import type { Rng } from '@ugpnet/tensor';
import { type RgbImage, toLevel } from '../image.js';
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

  /** The smallest k with CDF_λ(k) > u (u in (0, 1)). */
  quantile(lambda: number, u: number): number {
    if (lambda > 0 && lambda <= 1000) return searchCdf(this.cdf(lambda), u);
    return this.quantileSlow(lambda, u);
  }

  /** The CDF table for λ ≤ 1000 (cached). */
  cdf(lambda: number): Float64Array {
    let cdf = this.tables.get(lambda);
    if (!cdf) {
      if (this.tables.size > 4096) this.tables.clear();
      cdf = poissonCdf(lambda);
      this.tables.set(lambda, cdf);
    }
    return cdf;
  }

  private quantileSlow(lambda: number, u: number): number {
    if (lambda <= 0) return 0;
    // far from zero the normal approximation is accurate and needs no table
    if (lambda > 1000) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normalQuantile(u)));
    return searchCdf(this.cdf(lambda), u);
  }
}

/** A CDF with a 256-bucket guide (Chen & Asau): the first k worth testing for each u/256. */
interface GuidedCdf {
  cdf: Float64Array;
  guide: Uint16Array;
}

function guided(cdf: Float64Array): GuidedCdf {
  const guide = new Uint16Array(256);
  let k = 0;
  for (let b = 0; b < 256; b++) {
    while (k < cdf.length - 1 && cdf[k]! <= b / 256) k++;
    guide[b] = k;
  }
  return { cdf, guide };
}

function searchGuided(t: GuidedCdf, u: number): number {
  const { cdf } = t;
  let k = t.guide[(u * 256) | 0]!;
  const last = cdf.length - 1;
  while (k < last && cdf[k]! <= u) k++;
  return k;
}

function searchCdf(cdf: Float64Array, u: number): number {
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

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

let gaussTable: Float64Array | undefined;

/** Φ⁻¹ at the 65 536 mid-points (k + ½)/65536: a normal draw from 16 random bits (|z| ≤ 4.17). */
function gaussianTable(): Float64Array {
  if (!gaussTable) {
    gaussTable = new Float64Array(65536);
    for (let k = 0; k < 65536; k++) gaussTable[k] = normalQuantile((k + 0.5) / 65536);
  }
  return gaussTable;
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

  apply(gt: RgbImage, rng: Rng, into?: Float32Array): RgbImage {
    const k = drawValue(this.k, rng);
    const sigma = drawValue(this.sigma, rng);
    const src = gt.data;
    const out = into ?? new Float32Array(src.length);
    const gauss = gaussianTable();
    const quantise = this.quantise;
    // 8-bit ground truth has 256 levels: their tables are found by index, not by a Map lookup
    const levels = new Array<GuidedCdf | undefined>(256);
    for (let i = 0; i < src.length; i++) {
      // one 32-bit draw per value: 16 bits pick the Poisson quantile, 16 the Gaussian one
      const bits = rng.nextUint32();
      const u = ((bits & 0xffff) + 0.5) / 65536;
      const v = Math.max(0, src[i]!);
      const level = Math.round(v * 255);
      let count: number;
      if (level <= 255 && Math.abs(v * 255 - level) < 1e-3) {
        if (level === 0) count = 0;
        else {
          let table = levels[level];
          if (!table) {
            table = guided(this.tables.cdf((k * level) / 255));
            levels[level] = table;
          }
          count = searchGuided(table, u);
        }
      } else count = this.tables.quantile(k * v, u);
      const y = count / k + sigma * gauss[bits >>> 16]!;
      out[i] = quantise ? toLevel(y) : Math.min(Math.max(y, 0), 1);
    }
    return { width: gt.width, height: gt.height, data: out };
  }
}
