import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { describeGolden, GOLDEN_DIR as GOLDEN } from '@ugpnet/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { nchwToNhwc, nhwcToNchw } from './image-layout.js';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A .npy file with an arbitrary header dict and payload, as numpy would lay it out. */
function rawNpy(dict: string, payload: Uint8Array, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const length = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = `${dict.padEnd(length - 1)}\n`;
  const out = new Uint8Array(prefix + length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, length, true);
  else view.setUint32(8, length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(payload, prefix + length);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function userError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('npy', () => {
  it('round-trips float32 tensors of any rank, with numpy-style 64-byte aligned headers', () => {
    for (const shape of [[1, 3, 5, 7], [4], [], [2, 0, 3]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = { shape, data: Float32Array.from({ length: size }, (_, i) => i * 0.25 - 3) };
      const path = join(dir, `rt-${shape.join('x') || 'scalar'}.npy`);
      writeNpy(path, t);
      const bytes = readFileSync(path);
      expect((10 + bytes.readUInt16LE(8)) % 64).toBe(0);
      const header = bytes.subarray(10, 10 + bytes.readUInt16LE(8)).toString('latin1');
      const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
      expect(header).toContain(`'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}`);
      expect(readNpy(path)).toEqual(t);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('widens float16 and narrows float64, big-endian too, and reads format 2.0', () => {
    const f64 = decodeNpy(
      rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", bytesOf(Float64Array.of(0.1, -2))),
      'a',
    );
    expect(Array.from(f64.data)).toEqual([Math.fround(0.1), -2]);
    const f16 = decodeNpy(
      rawNpy(
        "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
        bytesOf(Uint16Array.of(0x3c00, 0xc000)),
      ),
      'b',
    );
    expect(Array.from(f16.data)).toEqual([1, -2]);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setFloat32(0, 1.5, false);
    new DataView(big.buffer).setFloat32(4, -7, false);
    const be = decodeNpy(rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", big, 2), 'c');
    expect(be).toEqual({ shape: [1, 2], data: Float32Array.of(1.5, -7) });
  });

  it('refuses other dtypes, Fortran order, truncated and foreign files, naming the file', () => {
    const ints = rawNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16));
    expect(userError(() => decodeNpy(ints, 'ints.npy'))).toMatch(/ints\.npy: dtype '<i8' is not supported/);
    const fortran = rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16));
    expect(userError(() => decodeNpy(fortran, 'f.npy'))).toMatch(/f\.npy: Fortran-ordered/);
    const good = encodeNpy({ shape: [2, 3], data: new Float32Array(6) });
    expect(userError(() => decodeNpy(good.subarray(0, good.length - 4), 'cut.npy'))).toMatch(
      /cut\.npy: truncated \.npy file: shape \[2,3\] needs 24 data bytes, found 20/,
    );
    expect(userError(() => decodeNpy(good.subarray(0, 30), 'cut2.npy'))).toMatch(
      /cut2\.npy: truncated \.npy header/,
    );
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(userError(() => decodeNpy(extra, 'extra.npy'))).toMatch(/4 unexpected bytes/);
    expect(userError(() => decodeNpy(new TextEncoder().encode('hello world'), 'x.txt'))).toMatch(
      /x\.txt: not a \.npy file/,
    );
    expect(userError(() => decodeNpy(new Uint8Array(0), 'empty.npy'))).toMatch(
      /empty\.npy: not a \.npy file/,
    );
    expect(userError(() => readNpy(join(dir, 'missing.npy')))).toMatch(/missing\.npy: no such file/);
    expect(
      userError(() => writeNpy(join(dir, 'bad.npy'), { shape: [2, 2], data: new Float32Array(3) })),
    ).toMatch(/bad\.npy: shape \[2,2\] holds 4 values, data has 3/);
    expect(
      userError(() => writeNpy(join(dir, 'no-such-dir', 'x.npy'), { shape: [1], data: new Float32Array(1) })),
    ).toMatch(/cannot write .*no-such-dir\/x\.npy/);
  });

  it('checks an expected shape, with null as a wildcard', () => {
    const path = join(dir, 'img.npy');
    writeNpy(path, { shape: [1, 3, 4, 4], data: new Float32Array(48) });
    expect(readNpy(path, { shape: [null, 3, null, null] }).shape).toEqual([1, 3, 4, 4]);
    expect(userError(() => readNpy(path, { shape: [null, 1, null, null] }))).toMatch(
      /img\.npy: expected shape \[\*, 1, \*, \*\], found \[1, 3, 4, 4\]/,
    );
  });

  describeGolden('golden tensors', () => {
    it('read with the shapes and statistics their manifests list', () => {
      let checked = 0;
      for (const c of readdirSync(GOLDEN!)) {
        const manifestPath = join(GOLDEN!, c, 'manifest.json');
        if (!existsSync(manifestPath)) continue;
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
        const listed = [...(manifest.inputs ?? []), ...(manifest.outputs ?? []), ...(manifest.tensors ?? [])];
        for (const entry of listed) {
          if (typeof entry.file !== 'string' || !entry.file.endsWith('.npy')) continue;
          const t = readNpy(join(GOLDEN!, c, entry.file), { shape: entry.shape });
          let min = Number.POSITIVE_INFINITY;
          let max = Number.NEGATIVE_INFINITY;
          let sum = 0;
          for (const v of t.data) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
          }
          expect(min, entry.file).toBe(Math.fround(entry.min));
          expect(max, entry.file).toBe(Math.fround(entry.max));
          expect(sum / t.data.length).toBeCloseTo(entry.mean, 5);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
    });
  });
});

describe('NCHW <-> NHWC', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: null });
  });

  it('moves channels last and back without changing values', () => {
    const shape = [2, 3, 4, 5];
    const t = { shape, data: Float32Array.from({ length: 120 }, (_, i) => i) };
    const before = tf.memory().numTensors;
    const x = nchwToNhwc(t);
    expect(x.shape).toEqual([2, 4, 5, 3]);
    // element (n=1, c=2, h=3, w=4) of NCHW sits at [1, 3, 4, 2] in NHWC
    expect(x.arraySync()[1]![3]![4]![2]).toBe(60 + 40 + 15 + 4);
    const back = nhwcToNchw(x);
    x.dispose();
    expect(back).toEqual(t);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => nchwToNhwc({ shape: [3, 4], data: new Float32Array(12) })).toThrow(UserError);
  });
});
