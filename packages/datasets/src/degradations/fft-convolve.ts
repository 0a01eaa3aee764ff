// 2-D convolution of an RGB image with one real kernel through the FFT (exact linear
// convolution, not an approximation). Border handling: the image is extended by reflection
// without repeating the edge pixel (numpy 'reflect', OpenCV BORDER_REFLECT_101) by half the
// kernel size on every side; the transform size is the next 5-smooth size ≥ the padded size,
// which is large enough that the circular wrap never reaches the pixels that are kept.
//
// Cost: R and G travel as one complex plane (R + iG); B shares a plane with the kernel
// (B + iK) and the two spectra are separated by Hermitian symmetry, so a sample costs two
// forward and two inverse 2-D transforms.
import type { RgbImage } from '../image.js';
import { FftPlan, nextFftSize } from './fft.js';

interface Workspace {
  rows: number;
  cols: number;
  rowPlan: FftPlan;
  colPlan: FftPlan;
  aRe: Float64Array;
  aIm: Float64Array;
  bRe: Float64Array;
  bIm: Float64Array;
  scratchRe: Float64Array;
  scratchIm: Float64Array;
}

const workspaces = new Map<string, Workspace>();

function workspace(rows: number, cols: number): Workspace {
  const key = `${rows}x${cols}`;
  let ws = workspaces.get(key);
  if (!ws) {
    // Keep at most a couple of sizes alive: each 576² workspace is ~16 MB.
    if (workspaces.size >= 2) workspaces.clear();
    const n = rows * cols;
    ws = {
      rows,
      cols,
      rowPlan: new FftPlan(cols),
      colPlan: new FftPlan(rows),
      aRe: new Float64Array(n),
      aIm: new Float64Array(n),
      bRe: new Float64Array(n),
      bIm: new Float64Array(n),
      scratchRe: new Float64Array(n),
      scratchIm: new Float64Array(n),
    };
    workspaces.set(key, ws);
  }
  return ws;
}

/** Index into [0, n) of position i on a signal extended by reflect-101 (period 2n − 2). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let r = i % period;
  if (r < 0) r += period;
  return r < n ? r : period - r;
}

function rowPass(ws: Workspace, re: Float64Array, im: Float64Array, backward: boolean): void {
  const { rows, cols, rowPlan } = ws;
  for (let y = 0; y < rows; y++) {
    const r = re.subarray(y * cols, (y + 1) * cols);
    const i = im.subarray(y * cols, (y + 1) * cols);
    if (backward) rowPlan.backward(r, i);
    else rowPlan.forward(r, i);
  }
}

/**
 * Convolves an RGB image (HWC, float) with a square real kernel of odd size `ksize`
 * (row-major, centre at (ksize−1)/2), returning an image of the same size.
 * True convolution: out(y, x) = Σ k(dy, dx) · in(y − dy, x − dx).
 */
export function convolveRgb(image: RgbImage, kernel: Float32Array | Float64Array, ksize: number): RgbImage {
  if (ksize % 2 !== 1 || kernel.length !== ksize * ksize) {
    throw new Error(`kernel must be ${ksize}×${ksize} with an odd size, got ${kernel.length} values`);
  }
  const { width: w, height: h, data } = image;
  const pad = (ksize - 1) / 2;
  const ph = h + 2 * pad;
  const pw = w + 2 * pad;
  const ws = workspace(nextFftSize(ph), nextFftSize(pw));
  const { rows, cols, aRe, aIm, bRe, bIm } = ws;
  aRe.fill(0);
  aIm.fill(0);
  bRe.fill(0);
  bIm.fill(0);

  // Reflect-padded image: R + iG in plane A, B in the real part of plane B.
  const colSrc = new Int32Array(pw);
  for (let x = 0; x < pw; x++) colSrc[x] = reflectIndex(x - pad, w) * 3;
  for (let y = 0; y < ph; y++) {
    const src = reflectIndex(y - pad, h) * w * 3;
    const dst = y * cols;
    for (let x = 0; x < pw; x++) {
      const s = src + colSrc[x]!;
      aRe[dst + x] = data[s]!;
      aIm[dst + x] = data[s + 1]!;
      bRe[dst + x] = data[s + 2]!;
    }
  }
  // Kernel, centred on the origin (wrapped), in the imaginary part of plane B.
  for (let ky = 0; ky < ksize; ky++) {
    const y = (ky - pad + rows) % rows;
    for (let kx = 0; kx < ksize; kx++) {
      const x = (kx - pad + cols) % cols;
      bIm[y * cols + x] = kernel[ky * ksize + kx]!;
    }
  }

  // Forward: columns first (plane A only has data in the first pw columns), then rows.
  const { colPlan, scratchRe, scratchIm } = ws;
  colPlan.forwardColumns(aRe, aIm, cols, scratchRe, scratchIm, 0, pw);
  rowPass(ws, aRe, aIm, false);
  colPlan.forwardColumns(bRe, bIm, cols, scratchRe, scratchIm);
  rowPass(ws, bRe, bIm, false);

  // Separate B's spectrum X and the kernel's H from Z = FFT(b + ik):
  // X(u) = (Z(u) + conj Z(−u)) / 2, H(u) = (Z(u) − conj Z(−u)) / 2i; then A·H and X·H.
  // The inverse transforms are unscaled, so H carries the 1/(rows·cols) factor.
  const half = 0.5 / (rows * cols);
  for (let u = 0; u < rows; u++) {
    const mu = u === 0 ? 0 : rows - u;
    for (let v = 0; v < cols; v++) {
      const mv = v === 0 ? 0 : cols - v;
      const i = u * cols + v;
      const j = mu * cols + mv;
      if (j < i) continue;
      const zr = bRe[i]!;
      const zi = bIm[i]!;
      const yr = bRe[j]!;
      const yi = bIm[j]!;
      // at i: X = ((zr + yr) + i(zi − yi))/2, H = ((zi + yi) − i(zr − yr))/2
      const xr = 0.5 * (zr + yr);
      const xi = 0.5 * (zi - yi);
      const hr = half * (zi + yi);
      const hi = -half * (zr - yr);
      const ar = aRe[i]!;
      const ai = aIm[i]!;
      aRe[i] = ar * hr - ai * hi;
      aIm[i] = ar * hi + ai * hr;
      bRe[i] = xr * hr - xi * hi;
      bIm[i] = xr * hi + xi * hr;
      if (j !== i) {
        // at j the spectra are the conjugates: X(j) = conj X(i), H(j) = conj H(i)
        const cr = aRe[j]!;
        const ci = aIm[j]!;
        aRe[j] = cr * hr + ci * hi;
        aIm[j] = ci * hr - cr * hi;
        bRe[j] = xr * hr - xi * hi;
        bIm[j] = -(xr * hi + xi * hr);
      }
    }
  }

  // Inverse: rows first, then only the columns that are kept.
  rowPass(ws, aRe, aIm, true);
  colPlan.backwardColumns(aRe, aIm, cols, scratchRe, scratchIm, pad, pad + w);
  rowPass(ws, bRe, bIm, true);
  colPlan.backwardColumns(bRe, bIm, cols, scratchRe, scratchIm, pad, pad + w);

  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = (y + pad) * cols + pad;
    const dst = y * w * 3;
    for (let x = 0; x < w; x++) {
      out[dst + 3 * x] = aRe[src + x]!;
      out[dst + 3 * x + 1] = aIm[src + x]!;
      out[dst + 3 * x + 2] = bRe[src + x]!;
    }
  }
  return { width: w, height: h, data: out };
}
