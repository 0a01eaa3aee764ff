// Byte-level helpers for the file readers: typed-array views need aligned, host-endian
// memory, while file data sits at arbitrary offsets in a fixed byte order.

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A fresh, aligned copy of bytes[start, end) (never a view: Buffer.slice would share memory). */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.byteLength): ArrayBuffer {
  return new Uint8Array(bytes.subarray(start, end)).buffer;
}

/** Reverses the byte order of every `itemSize`-byte element in place. */
export function byteswap(buffer: ArrayBuffer, itemSize: number): void {
  if (itemSize === 1) return;
  const u8 = new Uint8Array(buffer);
  for (let i = 0; i + itemSize <= u8.length; i += itemSize) u8.subarray(i, i + itemSize).reverse();
}

/** Copies bytes[start, end), stored with the given byte order, into host order. */
export function hostOrderCopy(
  bytes: Uint8Array,
  start: number,
  end: number,
  itemSize: number,
  littleEndian: boolean,
): ArrayBuffer {
  const buffer = copyBytes(bytes, start, end);
  if (littleEndian !== HOST_LITTLE_ENDIAN) byteswap(buffer, itemSize);
  return buffer;
}

/** Product of a shape's dimensions (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** True when every dimension is a non-negative safe integer. */
export function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}
