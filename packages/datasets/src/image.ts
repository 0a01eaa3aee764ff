// The in-memory image every source, degradation and loader step passes around.

/** An RGB image, HWC interleaved, float values nominally in [0, 1]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function createImage(width: number, height: number): RgbImage {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/** k/255 for k = 0…255, as float32: the values an 8-bit image decodes to. */
const LEVELS = Float32Array.from({ length: 256 }, (_, k) => k / 255);

/** One value clipped to [0, 1] and rounded to the 8-bit grid (NaN becomes 0). */
export function toLevel(value: number): number {
  const v = value * 255;
  return LEVELS[v >= 255 ? 255 : v > 0 ? Math.round(v) : 0]!;
}

/** Clips to [0, 1] and, when `quantise`, rounds to the 8-bit grid a saved PNG would hold (in place). */
export function clipAndQuantise(image: RgbImage, quantise: boolean): RgbImage {
  const d = image.data;
  if (quantise) {
    for (let i = 0; i < d.length; i++) d[i] = toLevel(d[i]!);
  } else {
    for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i]!, 0), 1);
  }
  return image;
}

/** 8-bit interleaved RGB (what sharp reads and writes as raw pixels). */
export function toUint8(image: RgbImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  const d = image.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return out;
}

/** 8-bit pixels to [0, 1] floats, into `into` when given (the loader's batch memory). */
export function fromUint8(width: number, height: number, pixels: Uint8Array, into?: Float32Array): RgbImage {
  const data = into ?? new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) data[i] = LEVELS[pixels[i]!]!;
  return { width, height, data };
}
