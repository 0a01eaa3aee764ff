// Convolution gradients written as forward convolutions, so they run on whatever fast forward conv
// the backend has (XNNPACK on wasm). NHWC only; filters HWIO ([kh, kw, in, out]) or depthwise
// [kh, kw, C, multiplier].
//
// Input gradient: a correlation of dy with the spatially flipped filter (in/out swapped). A stride s
// splits into s×s output phases, each a stride-1 correlation with the sub-filter of the taps that
// reach it, interleaved by one stack and transpose — the same multiply count as the forward pass and no
// zero-stuffing. Filter gradient: a convolution with batch and channels swapped (input x as
// [C, H, W, N], filter dy as [Ho, Wo, N, K]); forward stride becomes dilation and dilation stride.
import * as tf from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * The filter window in the order the native and SIMD kernels take it: filter size, stride, dilation,
 * top/left padding (height before width).
 */
export function filterWindowArgs(g: ConvGeometry): number[] {
  return [
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
  ];
}

/** Geometry of a forward NHWC convolution, from tfjs' own shape rules (pads, rounding, 'same'). */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad as 'same',
    dimRoundingMode,
    depthwise,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** One output phase along one axis of the input gradient. */
interface AxisPhase {
  /** Filter taps in correlation order (already flipped). Empty: this phase gets no gradient. */
  taps: number[];
  /** Zero rows to add before / after dy (negative: crop dy instead). */
  before: number;
  after: number;
}

/**
 * Splits one spatial axis of the input gradient into `stride` phases. Phase r holds input rows
 * y = q·stride + r (q < ceil(size/stride)); each is a stride-1 correlation of dy with its taps.
 */
function axisPhases(
  size: number,
  outSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
): AxisPhase[] {
  const rows = Math.ceil(size / stride);
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    // Padded row y·s + r + pad is reached by taps i ≡ (r + pad) mod s, from dy row q + c − m.
    const first = (r + padBefore) % stride;
    const shift = Math.floor((r + padBefore) / stride);
    const count = first < kernel ? Math.ceil((kernel - first) / stride) : 0;
    const taps = Array.from({ length: count }, (_, m) => first + stride * (count - 1 - m));
    const before = (count - 1) * dilation - shift;
    const after = rows + (count - 1) * dilation - before - outSize;
    phases.push({ taps, before, after });
  }
  return phases;
}

/** Pads dy with zeros (positive amounts) or crops it (negative ones) on H and W. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number) {
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const height = x.shape[1] - cropTop - Math.max(0, -bottom);
  const width = x.shape[2] - cropLeft - Math.max(0, -right);
  const cropped =
    cropTop || cropLeft || height !== x.shape[1] || width !== x.shape[2]
      ? tf.slice(x, [0, cropTop, cropLeft, 0], [-1, height, width, -1])
      : x;
  const pads: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { x: cropped, pads };
}

type Correlate = (
  dy: tf.Tensor4D,
  subFilter: tf.Tensor4D,
  pads: tf.backend_util.ExplicitPadding,
  dilations: [number, number],
) => tf.Tensor4D;

function inputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  g: ConvGeometry,
  outChannels: number,
  correlate: Correlate,
): tf.Tensor4D {
  const rowsPh = axisPhases(
    g.inHeight,
    g.outHeight,
    g.filterHeight,
    g.strideHeight,
    g.dilationHeight,
    g.padTop,
  );
  const colsPh = axisPhases(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.dilationWidth, g.padLeft);
  const rows = Math.ceil(g.inHeight / g.strideHeight);
  const cols = Math.ceil(g.inWidth / g.strideWidth);
  const parts: tf.Tensor4D[] = [];
  for (const ph of rowsPh) {
    for (const pw of colsPh) {
      if (!ph.taps.length || !pw.taps.length) {
        parts.push(tf.zeros([g.batch, rows, cols, outChannels]));
        continue;
      }
      const sub = tf.gather(tf.gather(filter, ph.taps, 0), pw.taps, 1) as tf.Tensor4D;
      const { x, pads } = padOrCrop(dy, ph.before, ph.after, pw.before, pw.after);
      parts.push(correlate(x, sub, pads, [g.dilationHeight, g.dilationWidth]));
    }
  }
  if (parts.length === 1) return parts[0]!;
  return tf.slice(
    interleave(parts, g.strideHeight, g.strideWidth),
    [0, 0, 0, 0],
    [-1, g.inHeight, g.inWidth, -1],
  );
}

/** dx[n, q·sh + a, p·sw + b] = parts[a·sw + b][n, q, p]: a stack and one run-copying transpose. */
function interleave(parts: tf.Tensor4D[], sh: number, sw: number): tf.Tensor4D {
  const [n, rows, cols, c] = parts[0]!.shape;
  const grid = tf.reshape(tf.stack(parts, 3), [n, rows, cols, sh, sw, c]);
  return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [n, rows * sh, cols * sw, c]);
}

/** dL/dx of a dense conv: dy [N, Ho, Wo, K], filter [kh, kw, C, K] → [N, H, W, C]. */
export function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  // Swapping in/out turns the forward filter into the gradient's filter [kh, kw, K, C].
  const swapped = tf.transpose(filter, [0, 1, 3, 2]) as tf.Tensor4D;
  return inputGrad(dy, swapped, g, g.inChannels, (x, sub, pads, dilations) =>
    tf.conv2d(x, sub, 1, pads, 'NHWC', dilations),
  );
}

/** dL/dx of a depthwise conv: dy [N, Ho, Wo, C·m], filter [kh, kw, C, m] → [N, H, W, C]. */
export function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [, , channels, multiplier] = filter.shape;
  return inputGrad(dy, filter, g, channels, (x, sub, pads, dilations) => {
    const [kh, kw] = sub.shape;
    const flat = tf.reshape(sub, [kh, kw, channels * multiplier, 1]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(x, flat, 1, pads, 'NHWC', dilations);
    if (multiplier === 1) return out;
    const [n, h, w] = out.shape;
    return tf.sum(tf.reshape(out, [n, h, w, channels, multiplier]), 4) as tf.Tensor4D;
  });
}

/** Rows of the padded input that the forward conv reads, as pads (negative: crop) around x. */
function usedExtent(g: ConvGeometry) {
  const needH = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const needW = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  return {
    top: g.padTop,
    bottom: needH - g.inHeight - g.padTop,
    left: g.padLeft,
    right: needW - g.inWidth - g.padLeft,
  };
}

/** dL/dW of a 1×1 conv: xᵀ·dy over all pixels, one XNNPACK matrix product after one transpose. */
function pointwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const e = usedExtent(g);
  const { x: used, pads } = padOrCrop(x, e.top, e.bottom, e.left, e.right);
  const padded = pads[1][0] || pads[1][1] || pads[2][0] || pads[2][1] ? tf.pad(used, pads) : used;
  const sampled =
    g.strideHeight > 1 || g.strideWidth > 1
      ? tf.stridedSlice(padded, [0, 0, 0, 0], padded.shape, [1, g.strideHeight, g.strideWidth, 1])
      : padded;
  const c = x.shape[3];
  const k = dy.shape[3];
  const rows = dy.size / k;
  const xT = tf.transpose(tf.reshape(sampled, [rows, c])); // [C, M]
  return tf.reshape(tf.matMul(xT, tf.reshape(dy, [rows, k])), [1, 1, c, k]);
}

/** dL/dW of a dense conv: x [N, H, W, C], dy [N, Ho, Wo, K] → [kh, kw, C, K]. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  if (g.filterHeight === 1 && g.filterWidth === 1) return pointwiseFilterGrad(x, dy, g);
  const e = usedExtent(g);
  const { x: used, pads } = padOrCrop(x, e.top, e.bottom, e.left, e.right);
  const xT = tf.transpose(used, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, N]
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, K]
  const out = tf.conv2d(xT, dyT, [g.dilationHeight, g.dilationWidth], pads, 'NHWC', [
    g.strideHeight,
    g.strideWidth,
  ]); // [C, kh, kw, K]
  return tf.transpose(out, [1, 2, 0, 3]);
}

/**
 * dL/dW of a depthwise conv: x [N, H, W, C], dy [N, Ho, Wo, C·m] → [kh, kw, C, m]. Each channel
 * correlates with its own dy, which no XNNPACK product can express without computing every channel
 * pair, so each tap is an elementwise product with the shifted input, reduced by an (XNNPACK)
 * average pool over the whole image. (A depthwise conv with dy as a 128×128 filter is ~3× slower.)
 */
export function depthwiseFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  multiplier: number,
): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const [, ho, wo] = dy.shape;
  const e = usedExtent(g);
  const { x: used, pads } = padOrCrop(x, e.top, e.bottom, e.left, e.right);
  const padded = pads[1][0] || pads[1][1] || pads[2][0] || pads[2][1] ? tf.pad(used, pads) : used;
  const dyPerChannel = multiplier === 1 ? dy : tf.reshape(dy, [n, ho, wo, c, multiplier]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < g.filterHeight; i++) {
    for (let j = 0; j < g.filterWidth; j++) {
      const top = i * g.dilationHeight;
      const left = j * g.dilationWidth;
      const window =
        g.strideHeight === 1 && g.strideWidth === 1
          ? tf.slice(padded, [0, top, left, 0], [n, ho, wo, c])
          : tf.stridedSlice(
              padded,
              [0, top, left, 0],
              [n, top + (ho - 1) * g.strideHeight + 1, left + (wo - 1) * g.strideWidth + 1, c],
              [1, g.strideHeight, g.strideWidth, 1],
            );
      const product =
        multiplier === 1
          ? tf.mul(window, dyPerChannel)
          : tf.reshape(tf.mul(tf.reshape(window, [n, ho, wo, c, 1]), dyPerChannel), [
              n,
              ho,
              wo,
              c * multiplier,
            ]);
      const mean = tf.avgPool(product as tf.Tensor4D, [ho, wo], 1, 'valid');
      taps.push(tf.mul(tf.sum(mean, [0, 1, 2]), ho * wo));
      // Freed tap by tap, so every tap reuses the same wasm memory.
      tf.dispose([window, product, mean]);
    }
  }
  return tf.reshape(tf.stack(taps), [g.filterHeight, g.filterWidth, c, multiplier]);
}

/** The wasm convolutions are NHWC-only, so their gradients are too. */
export function requireNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
}
