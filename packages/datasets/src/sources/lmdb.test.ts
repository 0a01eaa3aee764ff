import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BadImageError } from '../bad-files.js';
import { fixtureBytes } from '../testing/fixtures.js';
import { LmdbReader, META, PAGE_HEADER } from './lmdb-reader.js';
import { writeLmdb } from './lmdb-writer.js';
import { openLsunLmdb } from './lsun-lmdb.js';

const dir = mkdtempSync(join(tmpdir(), 'ugp-lmdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (i: number) => createHash('sha1').update(String(i)).digest('hex');
const value = (i: number) => Buffer.alloc(i % 7 === 0 ? 3000 + 13 * i : 5 + (i % 200), i % 251);

/** Python's lmdb module, when this machine has it (Debian: python3-lmdb), for cross-checks. */
function pythonLmdb(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import lmdb'], { stdio: 'ignore' });
      return python;
    } catch {}
  }
  return undefined;
}
const python = pythonLmdb();

describe('LMDB reader (format 1, read-only) and writer', () => {
  it('round-trips inline and overflow values through a multi-level tree, in key order', () => {
    const env = join(dir, 'rt');
    const entries: [string, Buffer][] = Array.from({ length: 1500 }, (_, i) => [key(i), value(i)]);
    writeLmdb(env, entries);
    const reader = LmdbReader.open(env);
    expect(reader.entries).toBe(1500);
    const scanned = reader.scan();
    expect(scanned.map((e) => e.key.toString())).toEqual(entries.map(([k]) => k).sort());
    for (const e of scanned.slice(0, 200)) {
      const i = entries.findIndex(([k]) => k === e.key.toString());
      expect(reader.read(e)).toEqual(value(i));
    }
    expect(reader.get(key(7))).toEqual(value(7));
    expect(reader.get(key(8))).toEqual(value(8));
    expect(reader.get('missing')).toBeUndefined();
    // depth > 1: the root is a branch page
    const meta = readFileSync(join(env, 'data.mdb')).subarray(4096, 8192);
    expect(meta.readUInt16LE(META.mainDepth)).toBeGreaterThan(1);
    reader.close();
  });

  it('never writes: data.mdb and lock.mdb are untouched, and a read-only copy opens', () => {
    const env = join(dir, 'ro');
    writeLmdb(env, [
      ['a', Buffer.from('x')],
      ['b', Buffer.alloc(5000, 1)],
    ]);
    writeFileSync(join(env, 'lock.mdb'), Buffer.alloc(8192, 7));
    const before = [readFileSync(join(env, 'data.mdb')), readFileSync(join(env, 'lock.mdb'))];
    const mtimes = [statSync(join(env, 'data.mdb')).mtimeMs, statSync(join(env, 'lock.mdb')).mtimeMs];
    const reader = LmdbReader.open(env);
    expect(reader.scan()).toHaveLength(2);
    reader.close();
    expect(readFileSync(join(env, 'data.mdb'))).toEqual(before[0]);
    expect(readFileSync(join(env, 'lock.mdb'))).toEqual(before[1]);
    expect([statSync(join(env, 'data.mdb')).mtimeMs, statSync(join(env, 'lock.mdb')).mtimeMs]).toEqual(
      mtimes,
    );
  });

  it('rejects non-LMDB files and LMDB data format 2 (npm lmdb) with a clear error', () => {
    writeFileSync(join(dir, 'junk.mdb'), Buffer.alloc(8192, 3));
    expect(() => LmdbReader.open(join(dir, 'junk.mdb'))).toThrow(/not an LMDB data file/);
    const env = join(dir, 'v2');
    writeLmdb(env, [['k', Buffer.from('v')]]);
    const data = readFileSync(join(env, 'data.mdb'));
    data.writeUInt32LE(2, META.version);
    writeFileSync(join(env, 'data.mdb'), data);
    expect(() => LmdbReader.open(env)).toThrow(UserError);
    expect(() => LmdbReader.open(env)).toThrow(/version 2 is not supported/);
    expect(() => LmdbReader.open(join(dir, 'none'))).toThrow(/no data.mdb/);
  });

  it('refuses a corrupt header or page with one clear error (page size 0 or ~4 GiB, root beyond the file)', () => {
    const env = join(dir, 'hostile');
    writeLmdb(env, [['k', Buffer.from('v')]]);
    const good = readFileSync(join(env, 'data.mdb'));
    const corrupt = (name: string, edit: (data: Buffer) => void) => {
      const data = Buffer.from(good);
      edit(data);
      const file = join(dir, `${name}.mdb`);
      writeFileSync(file, data);
      const error = (() => {
        try {
          LmdbReader.open(file).scan();
        } catch (err) {
          return err;
        }
      })();
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
      return (error as Error).message;
    };
    expect(corrupt('page0', (d) => d.writeUInt32LE(0, META.freePageSize))).toMatch(
      /corrupt LMDB header: page size 0 \(expected a power of two from 256 to 65536\)/,
    );
    expect(corrupt('page4g', (d) => d.writeUInt32LE(0xfffff000, META.freePageSize))).toMatch(
      /page size 4294963200/,
    );
    const pageSize = good.readUInt32LE(META.freePageSize);
    const both = (d: Buffer, at: number, v: bigint) => {
      d.writeBigUInt64LE(v, at);
      d.writeBigUInt64LE(v, pageSize + at);
    };
    expect(corrupt('root', (d) => both(d, META.mainRoot, 1n << 40n))).toMatch(
      /corrupt LMDB header: root page 1099511627776 lies beyond/,
    );
    // The root leaf page's first node pointer aimed past the page end.
    expect(
      corrupt('node', (d) => {
        const newer = d.readBigUInt64LE(pageSize + META.txnId) > d.readBigUInt64LE(META.txnId) ? pageSize : 0;
        const root = Number(d.readBigUInt64LE(newer + META.mainRoot));
        d.writeUInt16LE(pageSize - 2, root * pageSize + PAGE_HEADER);
      }),
    ).toMatch(/corrupt LMDB page/);
  });

  it.runIf(python)("reads what Python's lmdb writes, and Python reads what we write", () => {
    const py = join(dir, 'py');
    execFileSync(python!, [
      '-c',
      `import lmdb, hashlib, random
env = lmdb.open(${JSON.stringify(py)}, map_size=1 << 26)
ids = list(range(800)); random.Random(1).shuffle(ids)
with env.begin(write=True) as txn:
    for i in ids:
        txn.put(hashlib.sha1(str(i).encode()).hexdigest().encode(), bytes([i % 251]) * (3000 + 13 * i if i % 7 == 0 else 5 + i % 200))
env.close()`,
    ]);
    const reader = LmdbReader.open(py);
    const scanned = reader.scan();
    expect(scanned).toHaveLength(800);
    for (let i = 0; i < 800; i += 37) expect(reader.get(key(i))).toEqual(value(i));
    reader.close();
    const ours = join(dir, 'ours');
    writeLmdb(
      ours,
      Array.from({ length: 800 }, (_, i) => [key(i), value(i)] as [string, Buffer]),
    );
    const out = execFileSync(python!, [
      '-c',
      `import lmdb, hashlib
env = lmdb.open(${JSON.stringify(ours)}, readonly=True, lock=False)
bad = 0
with env.begin() as txn:
    n = sum(1 for _ in txn.cursor())
    for i in range(800):
        want = bytes([i % 251]) * (3000 + 13 * i if i % 7 == 0 else 5 + i % 200)
        bad += txn.get(hashlib.sha1(str(i).encode()).hexdigest().encode()) != want
print(n, bad, env.stat()['depth'])`,
    ]);
    const [n, bad, depth] = out.toString().trim().split(' ').map(Number);
    expect([n, bad]).toEqual([800, 0]);
    expect(depth).toBeGreaterThan(1);
  });
});

describe('lsun-lmdb source', () => {
  it('decodes webp/jpeg values, centre-crops to the size, and counts empty values as bad', async () => {
    const env = join(dir, 'church_outdoor_train_lmdb');
    const sharp = (await import('sharp')).default;
    const wide = await sharp(await fixtureBytes('png', 40))
      .resize(60, 40, { fit: 'fill' })
      .webp()
      .toBuffer();
    writeLmdb(env, [
      ['0001', wide],
      ['0002', await fixtureBytes('jpeg', 40, 1)],
      ['0003', Buffer.alloc(0)],
      ['0004', await fixtureBytes('truncated', 40)],
    ]);
    const src = await openLsunLmdb({ root: env, size: 32 });
    expect(src.length).toBe(3);
    expect(src.badAtOpen).toEqual([{ path: `${env}:0003`, reason: 'empty value' }]);
    const first = await src.load(0);
    expect([first.gt.width, first.gt.height, first.path]).toEqual([32, 32, `${env}:0001`]);
    expect((await src.load(1)).gt.data.length).toBe(32 * 32 * 3);
    await expect(src.load(2)).rejects.toBeInstanceOf(BadImageError);
    src.close();
    const train = await openLsunLmdb({ root: env, size: 32, split: 'train', valSize: 1, testSize: 0 });
    expect(train.length).toBe(2);
  });
});
