// MATLAB's imresize (bicubic, antialiased when shrinking), as BasicSR ports it in
// basicsr/utils/matlab_functions.py (calculate_weights_indices + imresize): Keys cubic
// (a = −0.5) widened by 1/scale when shrinking, weights normalised per output pixel,
// half-sample symmetric borders, rows (H) first and then columns (W), float32 in between.
import type { RgbImage } from '../image.js';

/** Keys' cubic convolution kernel with a = −0.5 (MATLAB's 'bicubic'). */
export function cubic(x: number): number {
  const a = Math.abs(x);
  const a2 = a * a;
  const a3 = a2 * a;
  if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
  if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
  return 0;
}

export interface ResizeWeights {
  /** Taps per output sample. */
  taps: number;
  /** [out × taps] weights (rows sum to 1). */
  weights: Float64Array;
  /** [out × taps] source indices, already mirrored into [0, inLength). */
  indices: Int32Array;
}

/** Half-sample symmetric extension: … 1 0 | 0 1 … n−1 | n−1 n−2 … (MATLAB's 'symmetric'). */
function mirror(p: number, n: number): number {
  const period = 2 * n;
  let r = p % period;
  if (r < 0) r += period;
  return r < n ? r : period - 1 - r;
}

/** calculate_weights_indices: which inputs, with which weights, make each output sample. */
export function resizeWeights(
  inLength: number,
  outLength: number,
  scale: number,
  antialiasing = true,
): ResizeWeights {
  const shrink = scale < 1 && antialiasing;
  const kernelWidth = shrink ? 4 / scale : 4;
  const p = Math.ceil(kernelWidth) + 2;
  const all = new Float64Array(outLength * p);
  const left = new Float64Array(outLength);
  for (let i = 0; i < outLength; i++) {
    // 1-based output coordinate x maps to input coordinate u (1-based, MATLAB convention)
    const u = (i + 1) / scale + 0.5 * (1 - 1 / scale);
    left[i] = Math.floor(u - kernelWidth / 2);
    let sum = 0;
    for (let j = 0; j < p; j++) {
      const d = u - (left[i]! + j);
      const w = shrink ? scale * cubic(d * scale) : cubic(d);
      all[i * p + j] = w;
      sum += w;
    }
    for (let j = 0; j < p; j++) all[i * p + j]! /= sum;
  }
  // Drop the first / last tap when it is zero for some output (as the reference does).
  let first = 0;
  let last = p;
  for (let i = 0; i < outLength; i++) if (all[i * p] === 0) first = 1;
  for (let i = 0; i < outLength; i++) if (all[i * p + p - 1] === 0) last = p - 1;
  const taps = last - first;
  const weights = new Float64Array(outLength * taps);
  const indices = new Int32Array(outLength * taps);
  for (let i = 0; i < outLength; i++) {
    for (let j = 0; j < taps; j++) {
      weights[i * taps + j] = all[i * p + first + j]!;
      // left is 1-based; convert to a 0-based index, then mirror into the image
      indices[i * taps + j] = mirror(left[i]! + first + j - 1, inLength);
    }
  }
  return { taps, weights, indices };
}

/**
 * Bicubic resize by `scale` (same factor for both axes; output side = ceil(side · scale)),
 * antialiased when shrinking, without rounding or clipping (as the reference returns it).
 */
export function imresize(image: RgbImage, scale: number, antialiasing = true, into?: Float32Array): RgbImage {
  const { width: inW, height: inH, data } = image;
  const outH = Math.ceil(inH * scale);
  const outW = Math.ceil(inW * scale);
  const wh = resizeWeights(inH, outH, scale, antialiasing);
  const ww = resizeWeights(inW, outW, scale, antialiasing);
  // H pass: out1[i, x, c] = Σ_j w[i, j] · img[idx[i, j], x, c]
  const rowLen = inW * 3;
  const out1 = new Float32Array(outH * rowLen);
  const acc = new Float64Array(rowLen);
  for (let i = 0; i < outH; i++) {
    acc.fill(0);
    for (let j = 0; j < wh.taps; j++) {
      const w = wh.weights[i * wh.taps + j]!;
      const src = wh.indices[i * wh.taps + j]! * rowLen;
      for (let k = 0; k < rowLen; k++) acc[k]! += w * data[src + k]!;
    }
    out1.set(acc, i * rowLen);
  }
  // W pass
  const out = into ?? new Float32Array(outH * outW * 3);
  for (let y = 0; y < outH; y++) {
    const row = y * rowLen;
    for (let i = 0; i < outW; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ww.taps; j++) {
        const w = ww.weights[i * ww.taps + j]!;
        const s = row + ww.indices[i * ww.taps + j]! * 3;
        r += w * out1[s]!;
        g += w * out1[s + 1]!;
        b += w * out1[s + 2]!;
      }
      const o = (y * outW + i) * 3;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { width: outW, height: outH, data: out };
}
