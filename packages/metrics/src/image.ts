// 8-bit RGB images as metrics see them (HWC, row-major), and the reference's rounding of
// [0,1] tensors to 8 bits (image_tools.postprocess: clip(x·255 + 0.5, 0, 255) → uint8).
import * as tf from '@tensorflow/tfjs-core';

export interface Image8 {
  width: number;
  height: number;
  /** 3 (RGB) or 1 (gray). */
  channels: number;
  /** HWC, row-major. */
  data: Uint8Array;
}

/** Rounds an NHWC [0,1] batch to 8-bit images the way the reference saves its outputs. */
export async function tensorToImages8(x: tf.Tensor4D): Promise<Image8[]> {
  const [n, height, width, channels] = x.shape;
  const bytes = tf.tidy(() =>
    tf.cast(tf.floor(tf.clipByValue(tf.add(tf.mul(x, 255), 0.5), 0, 255)), 'int32'),
  );
  const data = await bytes.data();
  bytes.dispose();
  const size = height * width * channels;
  return Array.from({ length: n }, (_, i) => ({
    width,
    height,
    channels,
    data: Uint8Array.from(data.subarray(i * size, (i + 1) * size)),
  }));
}

/** Images → an NHWC float batch in [0,1] (all images must share a size). */
export function images8ToTensor(images: Image8[]): tf.Tensor4D {
  const { width, height, channels } = images[0]!;
  const size = width * height * channels;
  const data = new Float32Array(images.length * size);
  images.forEach((img, i) => {
    for (let k = 0; k < size; k++) data[i * size + k] = img.data[k]! / 255;
  });
  return tf.tensor4d(data, [images.length, height, width, channels]);
}

/** Drops `crop` pixels on every border (BasicSR crop_border) and returns float64 planes, one per channel. */
export function planes(img: Image8, crop = 0): { width: number; height: number; planes: Float64Array[] } {
  const width = img.width - 2 * crop;
  const height = img.height - 2 * crop;
  if (width <= 0 || height <= 0)
    throw new RangeError(`crop ${crop} leaves nothing of a ${img.width}×${img.height} image`);
  const out = Array.from({ length: img.channels }, () => new Float64Array(width * height));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = ((y + crop) * img.width + (x + crop)) * img.channels;
      for (let c = 0; c < img.channels; c++) out[c]![y * width + x] = img.data[src + c]!;
    }
  }
  return { width, height, planes: out };
}

/**
 * BasicSR to_y_channel on RGB input, in the 0–255 range: Y = 16 + (65.481 R + 128.553 G +
 * 24.966 B)/255 (BT.601, not rounded).
 */
export function yPlane(rgb: Float64Array[]): Float64Array {
  const [r, g, b] = rgb as [Float64Array, Float64Array, Float64Array];
  const y = new Float64Array(r.length);
  for (let i = 0; i < y.length; i++) y[i] = (r[i]! * 65.481 + g[i]! * 128.553 + b[i]! * 24.966) / 255 + 16;
  return y;
}
