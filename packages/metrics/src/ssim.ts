// SSIM as BasicSR's calculate_ssim (the MATLAB-reference one): 11×11 Gaussian window σ 1.5,
// 'valid' filtering, C1 = (0.01·255)², C2 = (0.03·255)², mean of the map, averaged over the
// RGB channels (or on Y with `y: true`). Float64 throughout.
import { type Image8, planes, yPlane } from './image.js';
import { checkSameSize } from './psnr.js';

const RADIUS = 5;
const SIGMA = 1.5;

function gaussianKernel(): Float64Array {
  const k = new Float64Array(2 * RADIUS + 1);
  let sum = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) {
    k[i + RADIUS] = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
    sum += k[i + RADIUS]!;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

const KERNEL = gaussianKernel();

/** Separable Gaussian filter, valid region only: (H−10)×(W−10). */
function filterValid(src: Float64Array, width: number, height: number): Float64Array {
  const ow = width - 2 * RADIUS;
  const oh = height - 2 * RADIUS;
  const rows = new Float64Array(height * ow);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < KERNEL.length; k++) s += KERNEL[k]! * src[y * width + x + k]!;
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < KERNEL.length; k++) s += KERNEL[k]! * rows[(y + k) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

function ssimPlane(a: Float64Array, b: Float64Array, width: number, height: number): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const n = a.length;
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a[i]! * a[i]!;
    bb[i] = b[i]! * b[i]!;
    ab[i] = a[i]! * b[i]!;
  }
  const mu1 = filterValid(a, width, height);
  const mu2 = filterValid(b, width, height);
  const s11 = filterValid(aa, width, height);
  const s22 = filterValid(bb, width, height);
  const s12 = filterValid(ab, width, height);
  let sum = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m1 = mu1[i]!;
    const m2 = mu2[i]!;
    const sigma1 = s11[i]! - m1 * m1;
    const sigma2 = s22[i]! - m2 * m2;
    const sigma12 = s12[i]! - m1 * m2;
    sum += ((2 * m1 * m2 + c1) * (2 * sigma12 + c2)) / ((m1 * m1 + m2 * m2 + c1) * (sigma1 + sigma2 + c2));
  }
  return sum / mu1.length;
}

export function ssim(a: Image8, b: Image8, options: { crop?: number; y?: boolean } = {}): number {
  checkSameSize(a, b);
  const pa = planes(a, options.crop ?? 0);
  const pb = planes(b, options.crop ?? 0);
  if (pa.width <= 2 * RADIUS || pa.height <= 2 * RADIUS) {
    throw new RangeError(`ssim needs images larger than 11×11 after cropping (got ${pa.width}×${pa.height})`);
  }
  if (options.y && a.channels === 3) {
    return ssimPlane(yPlane(pa.planes), yPlane(pb.planes), pa.width, pa.height);
  }
  let total = 0;
  for (let c = 0; c < pa.planes.length; c++)
    total += ssimPlane(pa.planes[c]!, pb.planes[c]!, pa.width, pa.height);
  return total / pa.planes.length;
}
