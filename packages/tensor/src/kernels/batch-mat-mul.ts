// BatchMatMul on wasm: tfjs-backend-wasm hands only an untransposed, unbatched product to XNNPACK;
// a transposed operand (every Linear layer's gradients) or a batch > 1 (attention-like products)
// falls to a scalar triple loop. Here the transposed operand is transposed once (our blocked
// Transpose) and a batch is split into products of one, so each runs on XNNPACK.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

const MIN_ROWS = 16;

export function batchMatMulConfig(): tf.KernelConfig {
  const fallback = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  const viaXnnpack = opsKernelFunc(({ a, b }, attrs) => {
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const batchShape = a!.shape.slice(0, -2);
    const batch = tf.util.sizeFromShape(batchShape);
    const asBatch = (t: tf.Tensor, transpose: boolean) => {
      const [rows, cols] = t.shape.slice(-2) as [number, number];
      const t3 = tf.reshape(t, [batch, rows, cols]) as tf.Tensor3D;
      return transpose ? tf.transpose(t3, [0, 2, 1]) : t3;
    };
    const left = asBatch(a!, transposeA);
    const right = asBatch(b!, transposeB);
    const product =
      batch === 1
        ? tf.matMul(left, right)
        : tf.concat(
            Array.from({ length: batch }, (_, i) =>
              tf.matMul(tf.slice(left, [i, 0, 0], [1, -1, -1]), tf.slice(right, [i, 0, 0], [1, -1, -1])),
            ),
          );
    return tf.reshape(product, [...batchShape, left.shape[1], right.shape[2]]);
  });
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    setupFunc: fallback.setupFunc,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
      const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const alreadyFast = !transposeA && !transposeB && batchA === 1 && batchB === 1;
      const broadcast = !tf.util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
      // With few output rows (a Linear layer's forward or input gradient at a small batch) the loop
      // beats packing a fresh XNNPACK operand.
      const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
      const worth = rows >= MIN_ROWS;
      return alreadyFast || broadcast || !worth ? fallback.kernelFunc(args) : viaXnnpack(args);
    },
  };
}
