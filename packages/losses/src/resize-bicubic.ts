// Bicubic resizing exactly as PyTorch's F.interpolate(mode='bicubic', align_corners=False):
// cubic convolution with A = -0.75, source index scale·(i + 0.5) − 0.5, border taps clamped,
// no antialiasing (also when downsampling). Written as two small interpolation matrices so it
// runs on every backend and is differentiable through plain matMul.
import * as tf from '@tensorflow/tfjs-core';

const A = -0.75;

function cubicNear(t: number): number {
  return ((A + 2) * t - (A + 3)) * t * t + 1;
}

function cubicFar(t: number): number {
  return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
}

/** Rows = output positions, columns = input positions: out = M · in along one axis. */
export function bicubicMatrix(inSize: number, outSize: number, alignCorners = false): Float32Array {
  const m = new Float64Array(outSize * inSize);
  const scale = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const real = alignCorners ? scale * o : scale * (o + 0.5) - 0.5;
    const index = Math.floor(real);
    const t = real - index;
    const weights = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    for (let k = 0; k < 4; k++) {
      const src = Math.min(Math.max(index - 1 + k, 0), inSize - 1);
      m[o * inSize + src]! += weights[k]!;
    }
  }
  return Float32Array.from(m);
}

/** Resizes an NHWC batch to [outH, outW] (PyTorch bicubic, align_corners=False by default). */
export function resizeBicubic(
  x: tf.Tensor4D,
  size: [number, number],
  options: { alignCorners?: boolean } = {},
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [outH, outW] = size;
  if (outH === h && outW === w) return x.clone();
  return tf.tidy(() => {
    const mh = tf.tensor2d(bicubicMatrix(h, outH, options.alignCorners), [outH, h]);
    const mw = tf.tensor2d(bicubicMatrix(w, outW, options.alignCorners), [outW, w]);
    // Along H: [H, N·W·C] → [outH, N·W·C].
    const byRows = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]);
    const rows = tf.reshape(tf.matMul(mh, byRows), [outH, n, w, c]);
    // Along W: [W, outH·N·C] → [outW, …].
    const byCols = tf.reshape(tf.transpose(rows, [2, 0, 1, 3]), [w, outH * n * c]);
    const cols = tf.reshape(tf.matMul(mw, byCols), [outW, outH, n, c]);
    return tf.transpose(cols, [2, 1, 0, 3]) as tf.Tensor4D;
  });
}
