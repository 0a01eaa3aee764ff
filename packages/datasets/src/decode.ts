// Image decoding through sharp (libvips): any jpeg/png/webp/tiff/avif, 8 or 16 bit, grey,
// CMYK or with alpha, becomes 8-bit sRGB at the requested size. Unusable inputs (empty,
// truncated, not an image, smaller than the target) raise BadImageError for the loader to skip.
import sharp, { type Metadata } from 'sharp';
import { BadImageError } from './bad-files.js';
import { fromUint8, type RgbImage, toUint8 } from './image.js';

export interface DecodeOptions {
  /** Output side in pixels (square): centre crop to a square, then Lanczos-3 resize. */
  size: number;
  /** Allow images whose short side is below `size` (they are upscaled); default false. */
  upscale?: boolean;
  /** Keep the pixels as stored: the image must already be size×size (paired test sets). */
  exact?: boolean;
  /** Write the pixels here (size²·3 floats) instead of a new array. */
  into?: Float32Array;
}

/**
 * Decodes an encoded image (bytes) to a size×size RGB image in [0, 1] on the 8-bit grid.
 * `path` only names the file in errors. EXIF orientation is applied; alpha is dropped (as
 * OpenCV and PIL's convert('RGB') do); a truncated file is an error, not a grey-padded image.
 */
export async function decodeImage(
  bytes: Uint8Array,
  path: string,
  options: DecodeOptions,
): Promise<RgbImage> {
  if (bytes.length === 0) throw new BadImageError(path, 'empty file');
  const { size, upscale = false, exact = false } = options;
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new BadImageError(path, `not a readable image (${firstLine(err)})`);
  }
  let width = meta.width ?? 0;
  let height = meta.height ?? 0;
  if ((meta.orientation ?? 1) >= 5) [width, height] = [height, width];
  if (exact && (width !== size || height !== size)) {
    throw new BadImageError(path, `expected ${size}×${size}, got ${width}×${height}`);
  }
  if (!upscale && Math.min(width, height) < size) {
    throw new BadImageError(path, `too small: ${width}×${height} < ${size}×${size}`);
  }
  try {
    let pipeline = sharp(bytes, { failOn: 'error' }).rotate();
    if (!exact) {
      pipeline = pipeline.resize(size, size, {
        fit: 'cover',
        position: 'centre',
        kernel: 'lanczos3',
        fastShrinkOnLoad: false,
      });
    }
    const { data, info } = await pipeline
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== size || info.height !== size) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    }
    return fromUint8(size, size, data, options.into);
  } catch (err) {
    throw new BadImageError(path, `cannot decode (${firstLine(err)})`);
  }
}

/** Encodes an RGB image as PNG (8-bit). */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  return sharp(toUint8(image), { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}
