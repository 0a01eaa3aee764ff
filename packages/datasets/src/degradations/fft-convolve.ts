// 2-D convolution of an RGB image with one real kernel through the FFT (exact linear
// convolution, not an approximation). Border handling: the image is extended by reflection
// without repeating the edge pixel (numpy 'reflect', OpenCV BORDER_REFLECT_101) as far as the
// kernel's non-zero support reaches (at most half the kernel size per side); the transform
// size is the next 5-smooth size ≥ the padded size, large enough that the circular wrap never
// reaches the pixels that are kept.
//
// Cost: R and G travel as one complex plane (R + iG); B shares a plane with the kernel
// (B + iK) and the two spectra are separated by Hermitian symmetry, so a sample costs two
// forward 2-D transforms; the inverse costs one complex transform for R and G and about half
// of one for B (its spectrum is Hermitian, see inverseRealB).
import type { RgbImage } from '../image.js';
import { reflectIndex } from './border.js';
import { FftPlan, nextFftSize } from './fft.js';
import { wasmFft } from './fft-wasm.js';

export { reflectIndex } from './border.js';

/** Which transforms convolveRgb uses: PFFFT when loaded (auto), or force one. */
export type FftEngine = 'auto' | 'js' | 'wasm';

interface Workspace {
  rows: number;
  cols: number;
  rowPlan: FftPlan;
  colPlan: FftPlan;
  /** Eight planes: A (re, im) and B (re, im), each with a spare for the column passes to ping-pong into. */
  planes: Float64Array[];
}

const workspaces = new Map<string, Workspace>();

function workspace(rows: number, cols: number): Workspace {
  const key = `${rows}x${cols}`;
  let ws = workspaces.get(key);
  if (!ws) {
    // Keep at most a couple of sizes alive: each 576² workspace is ~21 MB.
    if (workspaces.size >= 2) workspaces.clear();
    ws = {
      rows,
      cols,
      rowPlan: new FftPlan(cols),
      colPlan: new FftPlan(rows),
      planes: Array.from({ length: 8 }, () => new Float64Array(rows * cols)),
    };
    workspaces.set(key, ws);
  }
  return ws;
}

/** A complex plane with a spare pair; column passes leave the result in either pair. */
class Plane {
  constructor(
    public re: Float64Array,
    public im: Float64Array,
    public re2: Float64Array,
    public im2: Float64Array,
  ) {}

  columns(plan: FftPlan, cols: number, x0: number, x1: number, backward: boolean): void {
    if (backward) {
      // conjugation trick: the inverse is the forward transform with re and im swapped
      const [im, re] = plan.forwardColumnsInto(this.im, this.re, cols, this.im2, this.re2, x0, x1);
      this.swapTo(re, im);
    } else {
      const [re, im] = plan.forwardColumnsInto(this.re, this.im, cols, this.re2, this.im2, x0, x1);
      this.swapTo(re, im);
    }
  }

  rows(plan: FftPlan, rows: number, backward: boolean): void {
    if (backward) plan.forwardRows(this.im, this.re, rows);
    else plan.forwardRows(this.re, this.im, rows);
  }

  private swapTo(re: Float64Array, im: Float64Array): void {
    if (re !== this.re) {
      this.re2 = this.re;
      this.im2 = this.im;
      this.re = re;
      this.im = im;
    }
  }
}

// The per-pixel loops live in small functions so V8 optimises each on its own.

/** Reflect-padded image (ph × pw, image at (top, left)): R + iG in plane A, B in plane B's real part. */
function padImage(
  data: Float32Array,
  w: number,
  h: number,
  top: number,
  left: number,
  ph: number,
  pw: number,
  cols: number,
  aRe: Float64Array,
  aIm: Float64Array,
  bRe: Float64Array,
): void {
  const colSrc = new Int32Array(pw);
  for (let x = 0; x < pw; x++) colSrc[x] = reflectIndex(x - left, w) * 3;
  for (let y = 0; y < ph; y++) {
    const src = reflectIndex(y - top, h) * w * 3;
    const dst = y * cols;
    for (let x = 0; x < pw; x++) {
      const s = src + colSrc[x]!;
      aRe[dst + x] = data[s]!;
      aIm[dst + x] = data[s + 1]!;
      bRe[dst + x] = data[s + 2]!;
    }
    aRe.fill(0, dst + pw, dst + cols);
    aIm.fill(0, dst + pw, dst + cols);
    bRe.fill(0, dst + pw, dst + cols);
  }
  aRe.fill(0, ph * cols);
  aIm.fill(0, ph * cols);
  bRe.fill(0, ph * cols);
}

/** Offsets (relative to the centre) of the kernel's non-zero rows and columns. */
function support(
  kernel: Float32Array | Float64Array,
  ksize: number,
): { y0: number; y1: number; x0: number; x1: number } {
  const c = (ksize - 1) / 2;
  let y0 = ksize;
  let y1 = -1;
  let x0 = ksize;
  let x1 = -1;
  for (let y = 0; y < ksize; y++) {
    for (let x = 0; x < ksize; x++) {
      if (kernel[y * ksize + x] !== 0) {
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
    }
  }
  if (y1 < 0) return { y0: 0, y1: 0, x0: 0, x1: 0 };
  return { y0: y0 - c, y1: y1 - c, x0: x0 - c, x1: x1 - c };
}

/** Kernel centred on the origin (wrapped), alone in the imaginary part of plane B. */
function placeKernel(
  kernel: Float32Array | Float64Array,
  ksize: number,
  rows: number,
  cols: number,
  bIm: Float64Array,
): void {
  const pad = (ksize - 1) / 2;
  bIm.fill(0);
  for (let ky = 0; ky < ksize; ky++) {
    const y = (ky - pad + rows) % rows;
    for (let kx = 0; kx < ksize; kx++) {
      const x = (kx - pad + cols) % cols;
      bIm[y * cols + x] = kernel[ky * ksize + kx]!;
    }
  }
}

/**
 * Separates B's spectrum X and the kernel's H from Z = FFT(b + ik) by Hermitian symmetry,
 * X(u) = (Z(u) + conj Z(−u)) / 2, H(u) = (Z(u) − conj Z(−u)) / 2i, and leaves A·H and X·H in
 * the planes. The inverse transforms are unscaled, so H carries the 1/(rows·cols) factor.
 */
function multiplySpectra(
  rows: number,
  cols: number,
  aRe: Float64Array,
  aIm: Float64Array,
  bRe: Float64Array,
  bIm: Float64Array,
): void {
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
        // at −u the spectra are the conjugates: X(j) = conj X(i), H(j) = conj H(i)
        const cr = aRe[j]!;
        const ci = aIm[j]!;
        aRe[j] = cr * hr + ci * hi;
        aIm[j] = ci * hr - cr * hi;
        bRe[j] = xr * hr - xi * hi;
        bIm[j] = -(xr * hi + xi * hr);
      }
    }
  }
}

/**
 * Inverse transform of plane B when its spectrum is Hermitian (the output, blurred B, is
 * real): columns v ≤ cols/2 only (the others are conjugates), then the kept rows two at a
 * time through one complex transform (Z = row₁ + i·row₂ gives both real rows). About half
 * the work of a full complex inverse. Results land in `re` (rows top … top + h − 1).
 */
function inverseRealB(
  b: Plane,
  rowPlan: FftPlan,
  colPlan: FftPlan,
  cols: number,
  top: number,
  h: number,
): void {
  const half = cols >> 1;
  b.columns(colPlan, cols, 0, half + 1, true);
  const re = b.re;
  const im = b.im;
  const zr = new Float64Array(cols);
  const zi = new Float64Array(cols);
  for (let y = top; y < top + h; y += 2) {
    const o1 = y * cols;
    const pair = y + 1 < top + h;
    const o2 = pair ? o1 + cols : -1;
    for (let v = 0; v < cols; v++) {
      // c_v(y) for v > cols/2 is conj(c_{cols−v}(y))
      const src = v <= half ? v : cols - v;
      const sign = v <= half ? 1 : -1;
      const p1r = re[o1 + src]!;
      const p1i = sign * im[o1 + src]!;
      const p2r = pair ? re[o2 + src]! : 0;
      const p2i = pair ? sign * im[o2 + src]! : 0;
      zr[v] = p1r - p2i;
      zi[v] = p1i + p2r;
    }
    rowPlan.backward(zr, zi);
    re.set(zr, o1);
    if (pair) re.set(zi, o2);
  }
}

/** The kept w×h window of the three real outputs, interleaved as RGB. */
function extract(
  w: number,
  h: number,
  top: number,
  left: number,
  cols: number,
  r: Float64Array,
  g: Float64Array,
  b: Float64Array,
  into?: Float32Array,
): Float32Array {
  const out = into ?? new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = (y + top) * cols + left;
    let o = y * w * 3;
    for (let x = 0; x < w; x++) {
      out[o++] = r[src + x]!;
      out[o++] = g[src + x]!;
      out[o++] = b[src + x]!;
    }
  }
  return out;
}

/**
 * Convolves an RGB image (HWC, float) with a square real kernel of odd size `ksize`
 * (row-major, centre at (ksize−1)/2), returning an image of the same size.
 * True convolution: out(y, x) = Σ k(dy, dx) · in(y − dy, x − dx). Writes into `out` when given
 * (large fresh buffers are expensive where page faults are slow, so the loader passes its own).
 */
export function convolveRgb(
  image: RgbImage,
  kernel: Float32Array | Float64Array,
  ksize: number,
  out?: Float32Array,
  engine: FftEngine = 'auto',
): RgbImage {
  if (ksize % 2 !== 1 || kernel.length !== ksize * ksize) {
    throw new Error(`kernel must be ${ksize}×${ksize} with an odd size, got ${kernel.length} values`);
  }
  const { width: w, height: h, data } = image;
  // Pad only as far as the kernel's non-zero support reaches (camera-shake kernels rarely
  // fill their 51×51 square), so many kernels fit a smaller transform.
  const k = support(kernel, ksize);
  const top = Math.max(0, k.y1);
  const left = Math.max(0, k.x1);
  const ph = h + top + Math.max(0, -k.y0);
  const pw = w + left + Math.max(0, -k.x0);
  if (engine !== 'js') {
    const fast = wasmFft();
    if (fast) return fast.convolve(image, kernel, ksize, { top, left, ph, pw }, out);
    if (engine === 'wasm') throw new Error('convolveRgb: PFFFT is not loaded (await loadWasmFft() first)');
  }
  const { rows, cols, rowPlan, colPlan, planes } = workspace(nextFftSize(ph), nextFftSize(pw));
  const a = new Plane(planes[0]!, planes[1]!, planes[2]!, planes[3]!);
  const b = new Plane(planes[4]!, planes[5]!, planes[6]!, planes[7]!);
  padImage(data, w, h, top, left, ph, pw, cols, a.re, a.im, b.re);
  placeKernel(kernel, ksize, rows, cols, b.im);
  // Forward: columns first (plane A only has data in the first pw columns), then rows.
  a.columns(colPlan, cols, 0, pw, false);
  a.rows(rowPlan, rows, false);
  b.columns(colPlan, cols, 0, cols, false);
  b.rows(rowPlan, rows, false);
  multiplySpectra(rows, cols, a.re, a.im, b.re, b.im);
  // Inverse: rows first, then only the columns that are kept.
  a.rows(rowPlan, rows, true);
  a.columns(colPlan, cols, left, left + w, true);
  inverseRealB(b, rowPlan, colPlan, cols, top, h);
  return { width: w, height: h, data: extract(w, h, top, left, cols, a.re, a.im, b.re, out) };
}
