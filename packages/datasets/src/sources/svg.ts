// Small helpers for the procedural sources: SVG rasterised by sharp (librsvg) to RGB.
import type { Rng } from '@ugpnet/tensor';
import sharp from 'sharp';
import { BadImageError } from '../bad-files.js';
import { fromUint8, type RgbImage } from '../image.js';

/** Renders an SVG drawn in a 512×512 viewBox at size×size pixels. */
export async function renderSvg(
  body: string,
  size: number,
  name: string,
  into?: Float32Array,
): Promise<RgbImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 512 512">${body}</svg>`;
  try {
    const { data, info } = await sharp(Buffer.from(svg))
      .flatten({ background: '#000000' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new Error(`rendered ${info.width}×${info.height}×${info.channels}`);
    }
    return fromUint8(size, size, data, into);
  } catch (err) {
    throw new BadImageError(
      name,
      `procedural render failed (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/** #rrggbb from HSL (h in degrees, s and l in [0, 1]). */
export function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * Math.min(1, Math.max(0, c)))
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** A number with at most one decimal, for compact SVG. */
export const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

export interface GrainOptions {
  /** Amplitude of per-pixel (white) luminance noise. */
  fine: number;
  /** Amplitude of smooth value noise with `cell`-pixel cells (pores, fabric, stone). */
  coarse: number;
  cell: number;
}

/**
 * Adds seeded luminance texture in place and re-quantises to the 8-bit grid (as a saved
 * image would be): white noise for grain plus bilinear value noise for mid-frequency detail.
 */
export function addGrain(image: RgbImage, rng: Rng, options: GrainOptions): RgbImage {
  const { width: w, height: h, data } = image;
  // scale the cell with the image so the texture is the same at every size (in 512 units)
  const cell = Math.max(1, (options.cell * w) / 512);
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = rng.uniformArray(gw * gh, -1, 1);
  // white noise with 8-bit resolution: four values per 32-bit draw keeps this cheap
  const fine = new Float32Array(w * h);
  for (let i = 0; i < fine.length; i += 4) {
    const bits = rng.nextUint32();
    for (let b = 0; b < 4 && i + b < fine.length; b++) fine[i + b] = ((bits >>> (8 * b)) & 255) / 127.5 - 1;
  }
  for (let y = 0; y < h; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const g = y0 * gw + x0;
      const v =
        (grid[g]! * (1 - fx) + grid[g + 1]! * fx) * (1 - fy) +
        (grid[g + gw]! * (1 - fx) + grid[g + gw + 1]! * fx) * fy;
      const delta = options.coarse * v + options.fine * fine[y * w + x]!;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p = data[o + c]! + delta;
        data[o + c] = Math.round(Math.min(1, Math.max(0, p)) * 255) / 255;
      }
    }
  }
  return image;
}
