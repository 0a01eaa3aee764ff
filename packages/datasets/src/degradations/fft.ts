// Mixed-radix (2, 3, 4, 5) complex FFT, self-sorting Stockham form, on split re/im Float64Arrays.
// Sizes are 5-smooth (2^a·3^b·5^c) so a padded 512 image fits a 576 transform instead of 1024.

/** Smallest 5-smooth integer ≥ n (a size this FFT handles). */
export function nextFftSize(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

interface Stage {
  radix: number;
  /** Stride of the already-transformed sub-blocks (s in the Stockham recursion). */
  stride: number;
  /** Butterflies per stride (m = n / (s·radix)). */
  m: number;
  /** Twiddles w_n^{j·p} for j = 1..radix-1, p = 0..m-1, as [p·(radix-1) + j-1]. */
  twRe: Float64Array;
  twIm: Float64Array;
}

/** A precomputed plan for one transform length. */
export class FftPlan {
  readonly n: number;
  private readonly stages: Stage[] = [];
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private readonly rowRe: Float64Array;
  private readonly rowIm: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`FFT size must be a positive integer, got ${n}`);
    this.n = n;
    const radices: number[] = [];
    let r = n;
    while (r % 4 === 0) {
      radices.push(4);
      r /= 4;
    }
    for (const p of [2, 3, 5]) {
      while (r % p === 0) {
        radices.push(p);
        r /= p;
      }
    }
    if (r !== 1) throw new Error(`FFT size ${n} is not 5-smooth (use nextFftSize)`);
    let stride = 1;
    for (const radix of radices) {
      const len = n / stride;
      const m = len / radix;
      const twRe = new Float64Array(m * (radix - 1));
      const twIm = new Float64Array(m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let j = 1; j < radix; j++) {
          const angle = (-2 * Math.PI * j * p) / len;
          twRe[p * (radix - 1) + j - 1] = Math.cos(angle);
          twIm[p * (radix - 1) + j - 1] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, stride, m, twRe, twIm });
      stride *= radix;
    }
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    this.rowRe = new Float64Array(n);
    this.rowIm = new Float64Array(n);
  }

  /** In-place forward DFT (sign −1, unscaled) of re/im: the column transform of a one-column array. */
  forward(re: Float64Array, im: Float64Array): void {
    const [xr, xi] = this.forwardColumnsInto(re, im, 1, this.bufRe, this.bufIm);
    if (xr !== re) {
      re.set(xr);
      im.set(xi);
    }
  }

  /** Unscaled inverse DFT (conjugation via swapped re/im): n times the inverse. */
  backward(re: Float64Array, im: Float64Array): void {
    this.forward(im, re);
  }

  /**
   * Forward DFT of every row of a rows×n row-major array, in place (each row is copied into
   * the plan's buffers, so no views are allocated). Pass (im, re) for the unscaled inverse.
   */
  forwardRows(re: Float64Array, im: Float64Array, rows: number): void {
    const n = this.n;
    const ar = this.rowRe;
    const ai = this.rowIm;
    for (let y = 0; y < rows; y++) {
      const o = y * n;
      for (let k = 0; k < n; k++) {
        ar[k] = re[o + k]!;
        ai[k] = im[o + k]!;
      }
      this.forward(ar, ai);
      for (let k = 0; k < n; k++) {
        re[o + k] = ar[k]!;
        im[o + k] = ai[k]!;
      }
    }
  }

  /**
   * Forward DFT along the first axis of an n×cols row-major array, for the columns x0 ≤ x < x1
   * only (each butterfly runs over a row segment, so the inner loop is contiguous). Returns the
   * pair of arrays (input or scratch, each n·cols values) that holds the result, so callers swap
   * buffers instead of copying a whole plane.
   */
  forwardColumnsInto(
    re: Float64Array,
    im: Float64Array,
    cols: number,
    scratchRe: Float64Array,
    scratchIm: Float64Array,
    x0 = 0,
    x1 = cols,
  ): [Float64Array, Float64Array] {
    let xr = re;
    let xi = im;
    let yr = scratchRe;
    let yi = scratchIm;
    for (const stage of this.stages) {
      columnStage(stage, cols, x0, x1, xr, xi, yr, yi);
      const tr = xr;
      xr = yr;
      yr = tr;
      const ti = xi;
      xi = yi;
      yi = ti;
    }
    return [xr, xi];
  }
}

const SIN60 = Math.sqrt(3) / 2;
const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

// One Stockham stage, every element a whole row of `cols` values (one value for a row transform):
// for p < m, q < s: a_k = x[q + s(p + k·m)], y[q + s(radix·p + j)] = DFT_radix(a)_j · w^{j·p}.
function columnStage(
  st: Stage,
  cols: number,
  x0: number,
  x1: number,
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
): void {
  const { radix, stride: s, m, twRe, twIm } = st;
  const sm = s * m * cols;
  const r1 = radix - 1;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      const i0 = (q + s * p) * cols;
      const o = (q + s * radix * p) * cols;
      const os = s * cols;
      if (radix === 4) {
        const w1r = twRe[3 * p]!;
        const w1i = twIm[3 * p]!;
        const w2r = twRe[3 * p + 1]!;
        const w2i = twIm[3 * p + 1]!;
        const w3r = twRe[3 * p + 2]!;
        const w3i = twIm[3 * p + 2]!;
        for (let x = x0; x < x1; x++) {
          const a = i0 + x;
          const a0r = xr[a]!;
          const a0i = xi[a]!;
          const a1r = xr[a + sm]!;
          const a1i = xi[a + sm]!;
          const a2r = xr[a + 2 * sm]!;
          const a2i = xi[a + 2 * sm]!;
          const a3r = xr[a + 3 * sm]!;
          const a3i = xi[a + 3 * sm]!;
          const t0r = a0r + a2r;
          const t0i = a0i + a2i;
          const t1r = a0r - a2r;
          const t1i = a0i - a2i;
          const t2r = a1r + a3r;
          const t2i = a1i + a3i;
          const t3r = a1i - a3i;
          const t3i = a3r - a1r;
          const b = o + x;
          yr[b] = t0r + t2r;
          yi[b] = t0i + t2i;
          const b1r = t1r + t3r;
          const b1i = t1i + t3i;
          const b2r = t0r - t2r;
          const b2i = t0i - t2i;
          const b3r = t1r - t3r;
          const b3i = t1i - t3i;
          yr[b + os] = b1r * w1r - b1i * w1i;
          yi[b + os] = b1r * w1i + b1i * w1r;
          yr[b + 2 * os] = b2r * w2r - b2i * w2i;
          yi[b + 2 * os] = b2r * w2i + b2i * w2r;
          yr[b + 3 * os] = b3r * w3r - b3i * w3i;
          yi[b + 3 * os] = b3r * w3i + b3i * w3r;
        }
      } else if (radix === 2) {
        const wr = twRe[p]!;
        const wi = twIm[p]!;
        for (let x = x0; x < x1; x++) {
          const a = i0 + x;
          const ar = xr[a]!;
          const ai = xi[a]!;
          const br = xr[a + sm]!;
          const bi = xi[a + sm]!;
          const b = o + x;
          yr[b] = ar + br;
          yi[b] = ai + bi;
          const dr = ar - br;
          const di = ai - bi;
          yr[b + os] = dr * wr - di * wi;
          yi[b + os] = dr * wi + di * wr;
        }
      } else if (radix === 3) {
        const w1r = twRe[2 * p]!;
        const w1i = twIm[2 * p]!;
        const w2r = twRe[2 * p + 1]!;
        const w2i = twIm[2 * p + 1]!;
        for (let x = x0; x < x1; x++) {
          const a = i0 + x;
          const a0r = xr[a]!;
          const a0i = xi[a]!;
          const a1r = xr[a + sm]!;
          const a1i = xi[a + sm]!;
          const a2r = xr[a + 2 * sm]!;
          const a2i = xi[a + 2 * sm]!;
          const sr = a1r + a2r;
          const si = a1i + a2i;
          const cr = a0r - 0.5 * sr;
          const ci = a0i - 0.5 * si;
          const dr = SIN60 * (a1i - a2i);
          const di = -SIN60 * (a1r - a2r);
          const b = o + x;
          yr[b] = a0r + sr;
          yi[b] = a0i + si;
          const b1r = cr + dr;
          const b1i = ci + di;
          const b2r = cr - dr;
          const b2i = ci - di;
          yr[b + os] = b1r * w1r - b1i * w1i;
          yi[b + os] = b1r * w1i + b1i * w1r;
          yr[b + 2 * os] = b2r * w2r - b2i * w2i;
          yi[b + 2 * os] = b2r * w2i + b2i * w2r;
        }
      } else {
        const w1r = twRe[r1 * p]!;
        const w1i = twIm[r1 * p]!;
        const w2r = twRe[r1 * p + 1]!;
        const w2i = twIm[r1 * p + 1]!;
        const w3r = twRe[r1 * p + 2]!;
        const w3i = twIm[r1 * p + 2]!;
        const w4r = twRe[r1 * p + 3]!;
        const w4i = twIm[r1 * p + 3]!;
        for (let x = x0; x < x1; x++) {
          const a = i0 + x;
          const a0r = xr[a]!;
          const a0i = xi[a]!;
          const a1r = xr[a + sm]!;
          const a1i = xi[a + sm]!;
          const a2r = xr[a + 2 * sm]!;
          const a2i = xi[a + 2 * sm]!;
          const a3r = xr[a + 3 * sm]!;
          const a3i = xi[a + 3 * sm]!;
          const a4r = xr[a + 4 * sm]!;
          const a4i = xi[a + 4 * sm]!;
          const s1r = a1r + a4r;
          const s1i = a1i + a4i;
          const d1r = a1r - a4r;
          const d1i = a1i - a4i;
          const s2r = a2r + a3r;
          const s2i = a2i + a3i;
          const d2r = a2r - a3r;
          const d2i = a2i - a3i;
          const c1r = a0r + C1 * s1r + C2 * s2r;
          const c1i = a0i + C1 * s1i + C2 * s2i;
          const c2r = a0r + C2 * s1r + C1 * s2r;
          const c2i = a0i + C2 * s1i + C1 * s2i;
          const e1r = S1 * d1r + S2 * d2r;
          const e1i = S1 * d1i + S2 * d2i;
          const e2r = S2 * d1r - S1 * d2r;
          const e2i = S2 * d1i - S1 * d2i;
          const b = o + x;
          yr[b] = a0r + s1r + s2r;
          yi[b] = a0i + s1i + s2i;
          const b1r = c1r + e1i;
          const b1i = c1i - e1r;
          const b2r = c2r + e2i;
          const b2i = c2i - e2r;
          const b3r = c2r - e2i;
          const b3i = c2i + e2r;
          const b4r = c1r - e1i;
          const b4i = c1i + e1r;
          yr[b + os] = b1r * w1r - b1i * w1i;
          yi[b + os] = b1r * w1i + b1i * w1r;
          yr[b + 2 * os] = b2r * w2r - b2i * w2i;
          yi[b + 2 * os] = b2r * w2i + b2i * w2r;
          yr[b + 3 * os] = b3r * w3r - b3i * w3i;
          yi[b + 3 * os] = b3r * w3i + b3i * w3r;
          yr[b + 4 * os] = b4r * w4r - b4i * w4i;
          yi[b + 4 * os] = b4r * w4i + b4i * w4r;
        }
      }
    }
  }
}
