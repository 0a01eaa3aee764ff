// The same FFT convolution as fft-convolve.ts on PFFFT (Pommier's SIMD FFT, compiled to
// WebAssembly with 128-bit SIMD: @echogarden/pffft-wasm), about 2–3× faster than the
// JavaScript transforms. Planes are interleaved complex float32 in the module's heap; 2-D
// transforms are row transforms, a blocked transpose, and row transforms again, so spectra
// live transposed (which the point-wise product does not mind). Loaded once per thread with
// loadWasmFft(); when it cannot load, or a size is not a multiple of 16, the JavaScript path
// is used.
import type { RgbImage } from '../image.js';
import { reflectIndex } from './border.js';

interface PffftModule {
  _pffft_new_setup(n: number, transform: number): number;
  _pffft_transform_ordered(
    setup: number,
    input: number,
    output: number,
    work: number,
    direction: number,
  ): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
  HEAPF32: Float32Array;
}

const PFFFT_COMPLEX = 1;
const FORWARD = 0;
const BACKWARD = 1;

/** Smallest size ≥ n that PFFFT's complex transform takes: a multiple of 16 with factors 2, 3, 5. */
export function pffftSize(n: number): number {
  for (let m = Math.max(16, Math.ceil(n / 16) * 16); ; m += 16) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

interface Buffers {
  rows: number;
  cols: number;
  a: number;
  b: number;
  t: number;
  work: number;
  row: number;
}

export class WasmFft {
  private readonly setups = new Map<number, number>();
  private buffers: Buffers | undefined;

  constructor(private readonly m: PffftModule) {}

  private setup(n: number): number {
    let s = this.setups.get(n);
    if (s === undefined) {
      s = this.m._pffft_new_setup(n, PFFFT_COMPLEX);
      if (!s) throw new Error(`pffft: no setup for size ${n}`);
      this.setups.set(n, s);
    }
    return s;
  }

  private alloc(rows: number, cols: number): Buffers {
    const b = this.buffers;
    if (b && b.rows === rows && b.cols === cols) return b;
    if (b) for (const p of [b.a, b.b, b.t, b.work, b.row]) this.m._pffft_aligned_free(p);
    const plane = rows * cols * 8;
    const big = Math.max(rows, cols) * 8;
    this.buffers = {
      rows,
      cols,
      a: this.m._pffft_aligned_malloc(plane),
      b: this.m._pffft_aligned_malloc(plane),
      t: this.m._pffft_aligned_malloc(plane),
      work: this.m._pffft_aligned_malloc(big),
      row: this.m._pffft_aligned_malloc(big),
    };
    return this.buffers;
  }

  /** Row transforms (length n) of `count` consecutive rows starting at row `from` of the plane at `ptr`. */
  private rowsFft(
    ptr: number,
    n: number,
    from: number,
    count: number,
    direction: number,
    work: number,
  ): void {
    const setup = this.setup(n);
    const f = this.m._pffft_transform_ordered;
    for (let r = from; r < from + count; r++) f(setup, ptr + r * n * 8, ptr + r * n * 8, work, direction);
  }

  /** See convolveRgb: the same contract (exact linear convolution, reflect-101 borders). */
  convolve(
    image: RgbImage,
    kernel: Float32Array | Float64Array,
    ksize: number,
    box: { top: number; left: number; ph: number; pw: number },
    out?: Float32Array,
  ): RgbImage {
    const { width: w, height: h, data } = image;
    const { top, left, ph, pw } = box;
    const R = pffftSize(ph);
    const C = pffftSize(pw);
    const buf = this.alloc(R, C);
    const heap = this.m.HEAPF32; // after alloc: memory may have grown
    const f64 = new Float64Array(heap.buffer);
    let A = buf.a >> 2;
    let B = buf.b >> 2;
    let T = buf.t >> 2;

    // pad: A = R + iG, B = Bch + iK (image at (top, left), reflect-101 outside)
    heap.fill(0, A, A + R * C * 2);
    heap.fill(0, B, B + R * C * 2);
    const colSrc = new Int32Array(pw);
    for (let x = 0; x < pw; x++) colSrc[x] = reflectIndex(x - left, w) * 3;
    for (let y = 0; y < ph; y++) {
      const src = reflectIndex(y - top, h) * w * 3;
      let da = A + y * C * 2;
      let db = B + y * C * 2;
      for (let x = 0; x < pw; x++) {
        const s = src + colSrc[x]!;
        heap[da] = data[s]!;
        heap[da + 1] = data[s + 1]!;
        heap[db] = data[s + 2]!;
        da += 2;
        db += 2;
      }
    }
    const pad = (ksize - 1) / 2;
    for (let ky = 0; ky < ksize; ky++) {
      const y = (ky - pad + R) % R;
      for (let kx = 0; kx < ksize; kx++) {
        const v = kernel[ky * ksize + kx]!;
        if (v !== 0) heap[B + (y * C + ((kx - pad + C) % C)) * 2 + 1] = v;
      }
    }

    // forward: rows (A only has ph non-zero rows), transpose, rows again → spectra transposed (C × R)
    const work = buf.work;
    this.rowsFft(A << 2, C, 0, ph, FORWARD, work);
    transpose(f64, A >> 1, T >> 1, R, C);
    this.rowsFft(T << 2, R, 0, C, FORWARD, work);
    [A, T] = [T, A];
    this.rowsFft(B << 2, C, 0, R, FORWARD, work);
    transpose(f64, B >> 1, T >> 1, R, C);
    this.rowsFft(T << 2, R, 0, C, FORWARD, work);
    [B, T] = [T, B];

    multiplyInterleaved(heap, A, B, C, R);

    // inverse of A: rows (along u), transpose back, rows (along v) for the kept rows only
    this.rowsFft(A << 2, R, 0, C, BACKWARD, work);
    transpose(f64, A >> 1, T >> 1, C, R);
    this.rowsFft(T << 2, C, top, h, BACKWARD, work);
    const result = out ?? new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      let s = T + ((y + top) * C + left) * 2;
      let o = y * w * 3;
      for (let x = 0; x < w; x++) {
        result[o] = heap[s]!;
        result[o + 1] = heap[s + 1]!;
        o += 3;
        s += 2;
      }
    }

    // inverse of B (Hermitian spectrum, real output): rows v ≤ C/2 only, then the kept image
    // rows two at a time through one complex transform (Z = row₁ + i·row₂)
    const half = C >> 1;
    this.rowsFft(B << 2, R, 0, half + 1, BACKWARD, work);
    const Z = buf.row >> 2;
    for (let y = top; y < top + h; y += 2) {
      const pair = y + 1 < top + h;
      for (let v = 0; v < C; v++) {
        const src = v <= half ? v : C - v;
        const sign = v <= half ? 1 : -1;
        const p = B + (src * R + y) * 2;
        const p1r = heap[p]!;
        const p1i = sign * heap[p + 1]!;
        const p2r = pair ? heap[p + 2]! : 0;
        const p2i = pair ? sign * heap[p + 3]! : 0;
        heap[Z + 2 * v] = p1r - p2i;
        heap[Z + 2 * v + 1] = p1i + p2r;
      }
      this.rowsFft(buf.row, C, 0, 1, BACKWARD, work);
      let o = (y - top) * w * 3 + 2;
      for (let x = 0; x < w; x++) {
        result[o] = heap[Z + 2 * (x + left)]!;
        if (pair) result[o + w * 3] = heap[Z + 2 * (x + left) + 1]!;
        o += 3;
      }
    }
    return { width: w, height: h, data: result };
  }
}

/** Blocked transpose of a rows × cols plane of complex pairs (each pair one float64 slot). */
function transpose(f64: Float64Array, src: number, dst: number, rows: number, cols: number): void {
  const B = 32;
  for (let y0 = 0; y0 < rows; y0 += B) {
    const y1 = Math.min(rows, y0 + B);
    for (let x0 = 0; x0 < cols; x0 += B) {
      const x1 = Math.min(cols, x0 + B);
      for (let y = y0; y < y1; y++) {
        let s = src + y * cols + x0;
        for (let x = x0; x < x1; x++) f64[dst + x * rows + y] = f64[s++]!;
      }
    }
  }
}

/**
 * Transposed spectra (C rows of R): separate B's spectrum X and the kernel's H from
 * Z = FFT(b + ik) by Hermitian symmetry, then A·H and X·H, with the 1/(R·C) scale in H.
 */
function multiplyInterleaved(heap: Float32Array, A: number, B: number, C: number, R: number): void {
  const half = 0.5 / (R * C);
  for (let v = 0; v < C; v++) {
    const mv = v === 0 ? 0 : C - v;
    for (let u = 0; u < R; u++) {
      const mu = u === 0 ? 0 : R - u;
      const i = v * R + u;
      const j = mv * R + mu;
      if (j < i) continue;
      const bi = B + 2 * i;
      const bj = B + 2 * j;
      const zr = heap[bi]!;
      const zi = heap[bi + 1]!;
      const yr = heap[bj]!;
      const yi = heap[bj + 1]!;
      const xr = 0.5 * (zr + yr);
      const xi = 0.5 * (zi - yi);
      const hr = half * (zi + yi);
      const hi = -half * (zr - yr);
      const ai = A + 2 * i;
      const ar = heap[ai]!;
      const aim = heap[ai + 1]!;
      heap[ai] = ar * hr - aim * hi;
      heap[ai + 1] = ar * hi + aim * hr;
      heap[bi] = xr * hr - xi * hi;
      heap[bi + 1] = xr * hi + xi * hr;
      if (j !== i) {
        const aj = A + 2 * j;
        const cr = heap[aj]!;
        const ci = heap[aj + 1]!;
        heap[aj] = cr * hr + ci * hi;
        heap[aj + 1] = ci * hr - cr * hi;
        heap[bj] = xr * hr - xi * hi;
        heap[bj + 1] = -(xr * hi + xi * hr);
      }
    }
  }
}

let loading: Promise<WasmFft | undefined> | undefined;
let loaded: WasmFft | undefined;

/** Loads PFFFT (SIMD build) once per thread; resolves undefined when it is unavailable. */
export function loadWasmFft(): Promise<WasmFft | undefined> {
  loading ??= (async () => {
    try {
      const factory = (await import('@echogarden/pffft-wasm/simd')).default as () => Promise<PffftModule>;
      loaded = new WasmFft(await factory());
      return loaded;
    } catch {
      return undefined;
    }
  })();
  return loading;
}

/** The loaded PFFFT instance, if loadWasmFft() has finished successfully in this thread. */
export function wasmFft(): WasmFft | undefined {
  return loaded;
}
