// tf.image.transform's Transform kernel built from Gather, for backends that lack it:
// @tensorflow/tfjs-node 4.22 (libtensorflow, CPU and GPU) registers no Transform, and the
// synthesis stage's pair augmentation calls it every step. Nearest-neighbour with a constant fill
// (what the augmentation uses); the source pixel of every output pixel is computed on the host
// (8 coefficients per image) and one Gather moves the pixels on the device.
import * as tf from '@tensorflow/tfjs-core';
import { opsKernelFunc } from './ops-kernel.js';

/** TensorFlow's std::round: halves away from zero (Math.round sends −0.5 to −0). */
const roundHalfAway = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

export function transformByGather(
  image: tf.Tensor4D,
  transforms: tf.Tensor2D,
  attrs: {
    interpolation: string;
    fillMode: string;
    fillValue: number;
    outputShape?: [number, number] | null;
  },
): tf.Tensor4D {
  if (attrs.interpolation !== 'nearest' || attrs.fillMode !== 'constant') {
    throw new Error(
      `Transform on this backend supports interpolation 'nearest' with fillMode 'constant' only (got '${attrs.interpolation}', '${attrs.fillMode}')`,
    );
  }
  const [batch, height, width, channels] = image.shape;
  const [outH, outW] = attrs.outputShape ?? [height, width];
  const coeffs = transforms.dataSync();
  const fillRow = batch * height * width;
  const index = new Int32Array(batch * outH * outW);
  for (let b = 0; b < batch; b++) {
    const t = transforms.shape[0] === 1 ? 0 : 8 * b;
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const projection = coeffs[t + 6]! * x + coeffs[t + 7]! * y + 1;
        let source = fillRow;
        if (projection !== 0) {
          const inX = roundHalfAway((coeffs[t]! * x + coeffs[t + 1]! * y + coeffs[t + 2]!) / projection);
          const inY = roundHalfAway((coeffs[t + 3]! * x + coeffs[t + 4]! * y + coeffs[t + 5]!) / projection);
          if (inX >= 0 && inX < width && inY >= 0 && inY < height) source = (b * height + inY) * width + inX;
        }
        index[(b * outH + y) * outW + x] = source;
      }
    }
  }
  return tf.tidy(() => {
    const pixels = tf.concat([
      tf.reshape(image, [fillRow, channels]),
      tf.fill([1, channels], attrs.fillValue, image.dtype),
    ]);
    return tf.reshape(tf.gather(pixels, tf.tensor1d(index, 'int32')), [batch, outH, outW, channels]);
  });
}

/** The Transform kernel for `backendName`, built from the backend's own Gather/Concat/Reshape. */
export function transformGatherConfig(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Transform,
    backendName,
    kernelFunc: opsKernelFunc((inputs, attrs) =>
      transformByGather(
        inputs.image as tf.Tensor4D,
        inputs.transforms as tf.Tensor2D,
        attrs as unknown as Parameters<typeof transformByGather>[2],
      ),
    ),
  };
}
