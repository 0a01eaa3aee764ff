// Test helpers: small image files of every awkward kind, written with sharp.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';

/** A deterministic RGB test pattern (gradients and a checker), 8-bit. */
export function pattern(width: number, height: number, seed = 0): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      buf[o] = (x * 255) / Math.max(1, width - 1);
      buf[o + 1] = (y * 255) / Math.max(1, height - 1);
      buf[o + 2] = ((x >> 2) + (y >> 2) + seed) % 2 ? 200 : 40;
    }
  }
  return buf;
}

const raw = (w: number, h: number, seed = 0) =>
  sharp(pattern(w, h, seed), { raw: { width: w, height: h, channels: 3 } });

export type FixtureKind =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'png16'
  | 'gray'
  | 'cmyk'
  | 'alpha'
  | 'truncated'
  | 'empty'
  | 'text'
  | 'small';

/** Encoded bytes of one kind of file (`side` px square unless the kind says otherwise). */
export async function fixtureBytes(kind: FixtureKind, side: number, seed = 0): Promise<Buffer> {
  switch (kind) {
    case 'jpeg':
      return raw(side, side, seed).jpeg({ quality: 92 }).toBuffer();
    case 'png':
      return raw(side, side, seed).png().toBuffer();
    case 'webp':
      return raw(side, side, seed).webp({ quality: 90 }).toBuffer();
    case 'png16':
      return raw(side, side, seed).toColourspace('rgb16').png().toBuffer();
    case 'gray':
      return raw(side, side, seed).toColourspace('b-w').png().toBuffer();
    case 'cmyk':
      return raw(side, side, seed).toColourspace('cmyk').jpeg().toBuffer();
    case 'alpha':
      return raw(side, side, seed).ensureAlpha(0.5).png().toBuffer();
    case 'truncated': {
      const jpeg = await raw(side, side, seed).jpeg().toBuffer();
      return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'text':
      return Buffer.from('this is not an image\n');
    case 'small':
      return raw(Math.max(2, side >> 2), Math.max(2, side >> 2), seed)
        .png()
        .toBuffer();
  }
}

export async function writeFixture(path: string, kind: FixtureKind, side: number, seed = 0): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await fixtureBytes(kind, side, seed));
}
