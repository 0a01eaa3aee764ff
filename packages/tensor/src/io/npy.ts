// NumPy .npy arrays: the golden references and `ugp restore --format npy` exchange float32
// tensors in PyTorch's layout (NCHW), little-endian and C-ordered, in this format.
// float16/float64 files are widened/narrowed to float32 on read; any other dtype, Fortran
// order and truncated files are refused with the file's name.
import { UserError } from '@ugpnet/core';
import type { TorchTensor } from '../nn/module.js';
import { halfToFloat32 } from './float16.js';
import { readFileBytes, writeFileAtomic } from './files.js';
import { HOST_LITTLE_ENDIAN, hostOrderCopy, isValidShape, shapeSize } from './bytes.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface ReadNpyOptions {
  /** Expected shape; `null` entries accept any size in that dimension. */
  shape?: ReadonlyArray<number | null>;
}

function parseHeader(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new UserError(`${source}: unreadable .npy header ${JSON.stringify(text.trim())}`);
  }
  const dims = shapeText
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  if (!dims.every((d) => /^\d+L?$/.test(d))) {
    throw new UserError(`${source}: bad shape (${shapeText}) in the .npy header`);
  }
  return { descr, fortran: fortran === 'True', shape: dims.map((d) => Number.parseInt(d, 10)) };
}

/** Decodes .npy bytes; `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source: string): TorchTensor {
  if (bytes.byteLength < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new UserError(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new UserError(`${source}: unsupported .npy format version ${major}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.byteLength < 8 + lengthBytes) throw new UserError(`${source}: truncated .npy header`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.byteLength) throw new UserError(`${source}: truncated .npy header`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(8 + lengthBytes, dataStart),
  );
  const { descr, fortran, shape } = parseHeader(text, source);

  const match = /^([<>=|])f([248])$/.exec(descr);
  if (!match) {
    throw new UserError(
      `${source}: dtype '${descr}' is not supported (expected float32 '<f4'; float16/float64 are converted)`,
    );
  }
  if (fortran) {
    throw new UserError(
      `${source}: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)`,
    );
  }
  const itemSize = Number(match[2]);
  const littleEndian = match[1] !== '>';
  const size = shapeSize(shape);
  const expected = size * itemSize;
  const found = bytes.byteLength - dataStart;
  if (found < expected) {
    throw new UserError(
      `${source}: truncated .npy file: shape [${shape}] needs ${expected} data bytes, found ${found}`,
    );
  }
  if (found > expected) {
    throw new UserError(`${source}: ${found - expected} unexpected bytes after the data of shape [${shape}]`);
  }
  const buffer = hostOrderCopy(bytes, dataStart, dataStart + expected, itemSize, littleEndian);
  let data: Float32Array;
  if (itemSize === 4) data = new Float32Array(buffer);
  else if (itemSize === 8) data = Float32Array.from(new Float64Array(buffer));
  else data = halfToFloat32(new Uint16Array(buffer));
  return { shape, data };
}

/** Checks a shape against an expected one (`null` = any size); throws a UserError naming `source`. */
export function checkShape(
  shape: readonly number[],
  expected: ReadonlyArray<number | null>,
  source: string,
): void {
  const ok = shape.length === expected.length && expected.every((d, i) => d === null || d === shape[i]);
  if (!ok) {
    const want = expected.map((d) => (d === null ? '*' : String(d))).join(', ');
    throw new UserError(`${source}: expected shape [${want}], found [${shape.join(', ')}]`);
  }
}

/** Reads a .npy file as float32 in the stored (C) order. */
export function readNpy(path: string, options: ReadNpyOptions = {}): TorchTensor {
  const tensor = decodeNpy(readFileBytes(path), path);
  if (options.shape) checkShape(tensor.shape, options.shape, path);
  return tensor;
}

/** The .npy header and data chunks for a float32 tensor (format 1.0, or 2.0 for huge headers). */
function npyChunks(t: TorchTensor, source: string): [Uint8Array, Uint8Array] {
  if (!isValidShape(t.shape)) throw new UserError(`${source}: invalid shape [${t.shape}]`);
  if (shapeSize(t.shape) !== t.data.length) {
    throw new UserError(
      `${source}: shape [${t.shape}] holds ${shapeSize(t.shape)} values, data has ${t.data.length}`,
    );
  }
  const shapeText = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // numpy pads the header with spaces so that the data starts on a 64-byte boundary.
  const major = dict.length + 1 + 10 > 0xffff ? 2 : 1;
  const prefix = major === 1 ? 10 : 12;
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = new Uint8Array(prefix + padded);
  header.set(MAGIC, 0);
  header[6] = major;
  header[7] = 0;
  const view = new DataView(header.buffer);
  if (major === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  const text = `${dict}${' '.repeat(padded - dict.length - 1)}\n`;
  for (let i = 0; i < text.length; i++) header[prefix + i] = text.charCodeAt(i);
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const data = HOST_LITTLE_ENDIAN ? raw : new Uint8Array(hostOrderCopy(raw, 0, raw.byteLength, 4, true));
  return [header, data];
}

/** Encodes a float32 tensor as .npy bytes. */
export function encodeNpy(t: TorchTensor, source = 'tensor'): Uint8Array {
  const [header, data] = npyChunks(t, source);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/** Writes a float32 tensor as a little-endian, C-ordered .npy file (atomically). */
export function writeNpy(path: string, t: TorchTensor): void {
  writeFileAtomic(path, npyChunks(t, path));
}
