// safetensors: our own checkpoint format (official key names, PyTorch layouts, float32).
// Layout: u64 little-endian header length N, N bytes of JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}},
// then the raw little-endian tensor bytes, offsets relative to the end of the header.
// Reading also accepts other producers' dtypes (F16/BF16/F64 and integers, all → float32).
import { UserError } from '@ugpnet/core';
import type { TorchTensor } from '../nn/module.js';
import { HOST_LITTLE_ENDIAN, hostOrderCopy, isValidShape, shapeSize } from './bytes.js';
import { bfloat16ToFloat32, halfToFloat32 } from './float16.js';
import { readFileBytes, writeFileAtomic } from './files.js';

export interface SafetensorsFile {
  tensors: Map<string, TorchTensor>;
  metadata: Record<string, string>;
}

const ITEM_SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

// The reference implementation's cap; a larger "header" means a corrupt or foreign file.
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

function toFloat32(dtype: string, buffer: ArrayBuffer): Float32Array {
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer);
    case 'F64':
      return Float32Array.from(new Float64Array(buffer));
    case 'F16':
      return halfToFloat32(new Uint16Array(buffer));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(buffer));
    case 'I64':
      return Float32Array.from(new BigInt64Array(buffer), (v) => Number(v));
    case 'U64':
      return Float32Array.from(new BigUint64Array(buffer), (v) => Number(v));
    case 'I32':
      return Float32Array.from(new Int32Array(buffer));
    case 'U32':
      return Float32Array.from(new Uint32Array(buffer));
    case 'I16':
      return Float32Array.from(new Int16Array(buffer));
    case 'U16':
      return Float32Array.from(new Uint16Array(buffer));
    case 'I8':
      return Float32Array.from(new Int8Array(buffer));
    default:
      return Float32Array.from(new Uint8Array(buffer));
  }
}

/** Decodes safetensors bytes; every tensor comes back as float32. `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const bad = (what: string): never => {
    throw new UserError(`${source}: invalid safetensors file: ${what}`);
  };
  if (bytes.byteLength < 8) bad(`${bytes.byteLength} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    bad(
      `header length ${headerLength} exceeds the file (${bytes.byteLength} bytes): truncated or not safetensors`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    bad(`header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    bad('header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`metadata '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof info !== 'object' || info === null) bad(`entry '${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = info!;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZES)) {
      bad(
        `tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ITEM_SIZES)})`,
      );
    }
    if (!isValidShape(shape)) bad(`tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !isValidShape(offsets) ||
      offsets[0]! > offsets[1]!
    ) {
      bad(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    const expected = shapeSize(shape as number[]) * ITEM_SIZES[dtype as string]!;
    if (end! - begin! !== expected) {
      bad(
        `tensor '${name}' (${dtype} [${shape}]) needs ${expected} bytes but data_offsets span ${end! - begin!}`,
      );
    }
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin: begin!, end: end! });
  }

  // The tensors must tile the data section exactly: no gaps, overlaps or trailing bytes.
  const dataLength = bytes.byteLength - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor)
      bad(`tensor '${e.name}' starts at byte ${e.begin}, expected ${cursor} (gap or overlap)`);
    cursor = e.end;
  }
  if (cursor > dataLength)
    bad(`data section has ${dataLength} bytes, tensors need ${cursor}: truncated file`);
  if (cursor < dataLength) bad(`${dataLength - cursor} bytes after the last tensor`);

  const tensors = new Map<string, TorchTensor>();
  for (const e of entries) {
    const itemSize = ITEM_SIZES[e.dtype]!;
    const buffer = hostOrderCopy(bytes, dataStart + e.begin, dataStart + e.end, itemSize, true);
    tensors.set(e.name, { shape: e.shape, data: toFloat32(e.dtype, buffer) });
  }
  return { tensors, metadata };
}

/** Reads a safetensors file; tensors of any float or integer dtype come back as float32. */
export function readSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileBytes(path), path);
}

/** Header and data chunks of a float32 safetensors file (tensors in the map's order). */
function safetensorsChunks(
  tensors: Map<string, TorchTensor>,
  metadata: Record<string, string> | undefined,
  source: string,
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new UserError(`${source}: metadata '${k}' must be a string`);
    }
    header[METADATA_KEY] = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '' || name === METADATA_KEY) throw new UserError(`${source}: invalid tensor name '${name}'`);
    if (!isValidShape(t.shape) || shapeSize(t.shape) !== t.data.length) {
      throw new UserError(`${source}: tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    chunks.push(HOST_LITTLE_ENDIAN ? raw : new Uint8Array(hostOrderCopy(raw, 0, raw.byteLength, 4, true)));
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces to 8 bytes, as the reference writer does, so the data stays aligned.
  const padded = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return [head, ...chunks];
}

/** Encodes float32 tensors (and string metadata) as safetensors bytes. */
export function encodeSafetensors(
  tensors: Map<string, TorchTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const chunks = safetensorsChunks(tensors, metadata, 'safetensors');
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Writes float32 tensors (F32, in the map's order) and string metadata atomically. */
export function writeSafetensors(
  path: string,
  tensors: Map<string, TorchTensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, safetensorsChunks(tensors, metadata, path));
}
