// Decodes image files into 8-bit RGB with sharp (imported lazily: it is a native module).
import { UserError } from '@ugpnet/core';
import type { Image8 } from './image.js';

export async function readImage8(path: string): Promise<Image8> {
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({
      resolveWithObject: true,
    });
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data) };
  } catch (err) {
    throw new UserError(`${path}: cannot decode image (${err instanceof Error ? err.message : String(err)})`);
  }
}
