import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '@ugpnet/core';
import type { TorchTensor } from '../nn/module.js';
import { Rng } from '../rng.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A safetensors file from an explicit header object and data section (as another producer might write it). */
function rawFile(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json = json.padEnd(Math.ceil(json.length / 8) * 8);
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function invalid(bytes: Uint8Array, name = 'x.safetensors'): string {
  try {
    decodeSafetensors(bytes, name);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(`${name}: invalid safetensors file`);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata, keeping key order, through an atomic write', () => {
    const rng = new Rng(5);
    const tensors = new Map<string, TorchTensor>([
      ['regression.intro.weight', { shape: [8, 3, 3, 3], data: rng.normalArray(216) }],
      ['regression.intro.bias', { shape: [8], data: rng.normalArray(8) }],
      ['generator.noises.noise0', { shape: [1, 1, 4, 4], data: rng.normalArray(16) }],
      ['scalar', { shape: [], data: Float32Array.of(3.5) }],
      ['empty', { shape: [0, 5], data: new Float32Array(0) }],
    ]);
    const metadata = { arch: '{"preset":"tiny-32"}', step: '1200' };
    const path = join(dir, 'model.safetensors');
    writeSafetensors(path, tensors, metadata);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const back = readSafetensors(path);
    expect(back.metadata).toEqual(metadata);
    expect([...back.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [k, t] of tensors) expect(back.tensors.get(k), k).toEqual(t);

    // The layout follows the format: u64 LE length, space-padded JSON, 8-byte-aligned data.
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header.__metadata__).toEqual(metadata);
    expect(header['regression.intro.bias']).toEqual({ dtype: 'F32', shape: [8], data_offsets: [864, 896] });
    expect(bytes.length).toBe(8 + n + 4 * (216 + 8 + 16 + 1));
    expect(encodeSafetensors(tensors, metadata)).toEqual(new Uint8Array(bytes));
  });

  it('overwrites atomically: the old file stays intact when a write fails', () => {
    const path = join(dir, 'keep.safetensors');
    writeSafetensors(path, new Map([['a', { shape: [2], data: Float32Array.of(1, 2) }]]));
    expect(() =>
      writeSafetensors(path, new Map([['a', { shape: [3], data: Float32Array.of(1, 2) }]])),
    ).toThrow(/keep\.safetensors: tensor 'a' has shape \[3\] but 2 values/);
    expect(readSafetensors(path).tensors.get('a')!.data).toEqual(Float32Array.of(1, 2));
  });

  it('reads F16, BF16, F64 and integer tensors from other producers as float32', () => {
    const parts = [
      bytesOf(Float64Array.of(0.1, -3)),
      bytesOf(Uint16Array.of(0x3c00, 0xc000)),
      bytesOf(Uint16Array.of(0x3f80, 0xc0a0)),
      bytesOf(BigInt64Array.of(12n)),
      Uint8Array.of(1, 0, 1, 1),
    ];
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    const offsets: number[][] = [];
    for (const p of parts) {
      data.set(p, at);
      offsets.push([at, at + p.length]);
      at += p.length;
    }
    const file = decodeSafetensors(
      rawFile(
        {
          f64: { dtype: 'F64', shape: [2], data_offsets: offsets[0] },
          f16: { dtype: 'F16', shape: [1, 2], data_offsets: offsets[1] },
          bf16: { dtype: 'BF16', shape: [2], data_offsets: offsets[2] },
          count: { dtype: 'I64', shape: [], data_offsets: offsets[3] },
          mask: { dtype: 'BOOL', shape: [2, 2], data_offsets: offsets[4] },
        },
        data,
        false,
      ),
      'other.safetensors',
    );
    expect(file.metadata).toEqual({});
    expect(Array.from(file.tensors.get('f64')!.data)).toEqual([Math.fround(0.1), -3]);
    expect(file.tensors.get('f16')).toEqual({ shape: [1, 2], data: Float32Array.of(1, -2) });
    expect(Array.from(file.tensors.get('bf16')!.data)).toEqual([1, -5]);
    expect(file.tensors.get('count')).toEqual({ shape: [], data: Float32Array.of(12) });
    expect(Array.from(file.tensors.get('mask')!.data)).toEqual([1, 0, 1, 1]);
  });

  it('validates the header and offsets with clear errors', () => {
    const four = new Uint8Array(16);
    const entry = (extra: object) => ({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16], ...extra } });
    expect(invalid(new Uint8Array(3))).toMatch(/too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(invalid(huge)).toMatch(/header length 1000 exceeds the file/);
    expect(invalid(rawFile('x'.repeat(3), four).fill(0x7b, 8, 9))).toMatch(/not UTF-8 JSON/);
    expect(invalid(rawFile([1, 2], four))).toMatch(/not a JSON object/);
    expect(invalid(rawFile(entry({ dtype: 'F8_E4M3' }), four))).toMatch(
      /tensor 'w' has unsupported dtype "F8_E4M3"/,
    );
    expect(invalid(rawFile(entry({ shape: [4, -1] }), four))).toMatch(
      /tensor 'w' has invalid shape \[4,-1\]/,
    );
    expect(invalid(rawFile(entry({ data_offsets: [16, 0] }), four))).toMatch(/invalid data_offsets/);
    expect(invalid(rawFile(entry({ shape: [5] }), four))).toMatch(/needs 20 bytes but data_offsets span 16/);
    expect(invalid(rawFile(entry({}), four.subarray(0, 12)))).toMatch(
      /data section has 12 bytes, tensors need 16/,
    );
    expect(invalid(rawFile(entry({}), new Uint8Array(20)))).toMatch(/4 bytes after the last tensor/);
    const overlap = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expect(invalid(rawFile(overlap, new Uint8Array(12)))).toMatch(/tensor 'b' starts at byte 4, expected 8/);
    expect(invalid(rawFile({ ...entry({}), __metadata__: { step: 3 } }, four))).toMatch(
      /metadata 'step' is not a string/,
    );
  });

  it('reports missing and foreign files by name', () => {
    expect(() => readSafetensors(join(dir, 'none.safetensors'))).toThrow(/none\.safetensors: no such file/);
    const text = join(dir, 'text.safetensors');
    writeFileSync(text, 'hello, this is not a checkpoint');
    expect(() => readSafetensors(text)).toThrow(/text\.safetensors: invalid safetensors file: header length/);
  });
});
