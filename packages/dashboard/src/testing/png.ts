// A minimal PNG encoder (8-bit RGB) for test sample strips: no image dependency needed.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** Encodes `rgb` (height × width × 3 bytes, row-major) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A solid-colour PNG. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set([r, g, b], i * 3);
  return encodePng(width, height, rgb);
}

/**
 * A small recognisable picture (a lit disc on a gradient, with a pattern per `seed`) so pages show
 * distinct, pixel-level images; `noise` (0…1) adds deterministic speckle, like a worse restoration.
 */
export function patternPng(size: number, seed: number, noise: number): Buffer {
  const rgb = new Uint8Array(size * size * 3);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - c) ** 2 + (y - c * 0.9) ** 2 < (size * 0.3) ** 2;
      const stripe = ((x + y * (seed + 1)) >> 2) % 2;
      const speckle = noise * ((((x * 73856093) ^ (y * 19349663) ^ (seed * 83492791)) >>> 0) % 97) * 1.6;
      const base = inside ? [230, 180 + 30 * stripe, 150] : [40 + x * 8, 60 + 40 * stripe, 120 + y * 6];
      rgb.set(
        base.map((v) => Math.max(0, Math.min(255, Math.round(v + speckle - 77 * noise)))),
        (y * size + x) * 3,
      );
    }
  }
  return encodePng(size, size, rgb);
}
