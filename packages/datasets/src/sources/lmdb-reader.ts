// A read-only reader for LMDB environments as Python's `lmdb` module (LMDB 0.9.x, data format
// version 1) writes them, e.g. LSUN's church_outdoor_train_lmdb/. It reads data.mdb with
// positioned reads and never opens lock.mdb, so it takes no locks, writes nothing, and works
// on read-only media. (The npm `lmdb` package bundles LMDB 1.0, data format 2: it cannot open
// these files, and touches lock.mdb while trying.) Plain main databases only: no named
// sub-databases or DUPSORT. A writer changing the file while we read is not supported.
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';

const MDB_MAGIC = 0xbeefc0de;
const MDB_DATA_VERSION = 1;
const PAGE_HEADER = 16;
const NODE_HEADER = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const P_INVALID = 0xffffffffffffffffn;

/** Layout offsets inside a meta page (64-bit build): see MDB_meta / MDB_db in mdb.c. */
export const META = {
  magic: 16,
  version: 20,
  mapSize: 32,
  freePageSize: 40, // mm_dbs[FREE_DBI].md_pad holds the page size
  mainFlags: 92,
  mainDepth: 94,
  mainBranch: 96,
  mainLeaf: 104,
  mainOverflow: 112,
  mainEntries: 120,
  mainRoot: 128,
  lastPage: 136,
  txnId: 144,
} as const;

/** Where one value lives in data.mdb: a byte range, read with one positioned read. */
export interface LmdbEntry {
  key: Buffer;
  offset: number;
  length: number;
}

interface Meta {
  pageSize: number;
  root: bigint;
  depth: number;
  entries: number;
  txnId: bigint;
}

export class LmdbReader {
  private fd: number | undefined;
  readonly pageSize: number;
  readonly entries: number;
  private readonly root: bigint;

  private constructor(
    readonly file: string,
    fd: number,
    meta: Meta,
    private readonly fileSize: number,
  ) {
    this.fd = fd;
    this.pageSize = meta.pageSize;
    this.entries = meta.entries;
    this.root = meta.root;
  }

  /** Opens an environment directory (holding data.mdb) or a data.mdb file, read-only. */
  static open(path: string): LmdbReader {
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'data.mdb') : path;
    if (!existsSync(file)) throw new UserError(`${path}: not an LMDB environment (no data.mdb)`);
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const first = readAt(fd, 0, Math.min(4096, size), file);
      const m0 = parseMeta(first, file, size);
      const second = readAt(fd, m0.pageSize, Math.min(m0.pageSize, Math.max(0, size - m0.pageSize)), file);
      // LMDB keeps two meta pages and uses the one with the newer transaction
      let meta = m0;
      if (second.length >= 152) {
        const m1 = parseMeta(second, file, size);
        if (m1.txnId > m0.txnId) meta = m1;
      }
      return new LmdbReader(file, fd, meta, size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  private page(pgno: bigint): Buffer {
    if (this.fd === undefined) throw new Error(`${this.file}: reader is closed`);
    if ((pgno + 1n) * BigInt(this.pageSize) > BigInt(this.fileSize)) {
      throw new UserError(
        `${this.file}: corrupt LMDB file: page ${pgno} lies beyond its ${this.fileSize} bytes`,
      );
    }
    return readAt(this.fd, Number(pgno) * this.pageSize, this.pageSize, this.file);
  }

  /** A node or pointer outside its page (Buffer's RangeError) means a corrupt file, not a bug. */
  private corruptOnRangeError<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RangeError) {
        throw new UserError(`${this.file}: corrupt LMDB page (${err.message.split('\n')[0]})`);
      }
      throw err;
    }
  }

  /** Every entry in key order (memcmp order, as LMDB sorts), as value byte ranges. */
  scan(): LmdbEntry[] {
    return this.corruptOnRangeError(() => this.scanPages());
  }

  private scanPages(): LmdbEntry[] {
    const out: LmdbEntry[] = [];
    if (this.root === P_INVALID) return out;
    const walk = (pgno: bigint, depth: number) => {
      if (depth > 64) throw new UserError(`${this.file}: corrupt LMDB tree (too deep)`);
      const page = this.page(pgno);
      const flags = page.readUInt16LE(10);
      const count = (page.readUInt16LE(12) - PAGE_HEADER) >> 1;
      for (let i = 0; i < count; i++) {
        const at = page.readUInt16LE(PAGE_HEADER + 2 * i);
        const lo = page.readUInt16LE(at);
        const hi = page.readUInt16LE(at + 2);
        const nodeFlags = page.readUInt16LE(at + 4);
        const ksize = page.readUInt16LE(at + 6);
        if (flags & P_BRANCH) {
          walk(BigInt(lo) + (BigInt(hi) << 16n) + (BigInt(nodeFlags) << 32n), depth + 1);
        } else if (flags & P_LEAF) {
          if (nodeFlags & (F_SUBDATA | F_DUPDATA)) {
            throw new UserError(`${this.file}: named sub-databases / DUPSORT entries are not supported`);
          }
          const key = Buffer.from(page.subarray(at + NODE_HEADER, at + NODE_HEADER + ksize));
          const length = lo + hi * 65536;
          const dataAt = at + NODE_HEADER + ksize;
          const offset =
            nodeFlags & F_BIGDATA
              ? Number(page.readBigUInt64LE(dataAt)) * this.pageSize + PAGE_HEADER
              : Number(pgno) * this.pageSize + dataAt;
          out.push({ key, offset, length });
        } else {
          throw new UserError(
            `${this.file}: unexpected LMDB page type 0x${flags.toString(16)} at page ${pgno}`,
          );
        }
      }
    };
    walk(this.root, 0);
    return out;
  }

  /** The value bytes of one entry. */
  read(entry: Pick<LmdbEntry, 'offset' | 'length'>): Buffer {
    if (this.fd === undefined) throw new Error(`${this.file}: reader is closed`);
    if (entry.offset + entry.length > this.fileSize) {
      throw new UserError(
        `${this.file}: corrupt LMDB file: a value of ${entry.length} bytes at ${entry.offset} lies beyond its ${this.fileSize} bytes`,
      );
    }
    return readAt(this.fd, entry.offset, entry.length, this.file);
  }

  /** Looks one key up by descending the tree (binary search per page). */
  get(key: Buffer | string): Buffer | undefined {
    return this.corruptOnRangeError(() => this.lookup(key));
  }

  private lookup(key: Buffer | string): Buffer | undefined {
    const k = typeof key === 'string' ? Buffer.from(key) : key;
    if (this.root === P_INVALID) return undefined;
    let pgno = this.root;
    for (let depth = 0; depth < 64; depth++) {
      const page = this.page(pgno);
      const flags = page.readUInt16LE(10);
      const count = (page.readUInt16LE(12) - PAGE_HEADER) >> 1;
      const nodeAt = (i: number) => page.readUInt16LE(PAGE_HEADER + 2 * i);
      const keyOf = (at: number) =>
        page.subarray(at + NODE_HEADER, at + NODE_HEADER + page.readUInt16LE(at + 6));
      if (flags & P_BRANCH) {
        // last child whose separator ≤ key (node 0's key is implicitly −∞)
        let lo = 1;
        let hi = count - 1;
        let child = 0;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (Buffer.compare(keyOf(nodeAt(mid)), k) <= 0) {
            child = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        const at = nodeAt(child);
        pgno =
          BigInt(page.readUInt16LE(at)) +
          (BigInt(page.readUInt16LE(at + 2)) << 16n) +
          (BigInt(page.readUInt16LE(at + 4)) << 32n);
        continue;
      }
      let lo = 0;
      let hi = count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = nodeAt(mid);
        const c = Buffer.compare(keyOf(at), k);
        if (c === 0) {
          const ksize = page.readUInt16LE(at + 6);
          const length = page.readUInt16LE(at) + page.readUInt16LE(at + 2) * 65536;
          const dataAt = at + NODE_HEADER + ksize;
          const offset =
            page.readUInt16LE(at + 4) & F_BIGDATA
              ? Number(page.readBigUInt64LE(dataAt)) * this.pageSize + PAGE_HEADER
              : Number(pgno) * this.pageSize + dataAt;
          return this.read({ offset, length });
        }
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    }
    throw new UserError(`${this.file}: corrupt LMDB tree (too deep)`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readAt(fd: number, position: number, length: number, file: string): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new UserError(`${file}: LMDB file ends early (wanted ${length} bytes at ${position})`);
    done += n;
  }
  return buf;
}

/** LMDB pages are a power of two; 0.9 writes the OS page size and allows at most 64 KiB. */
const MIN_PAGE_SIZE = 256;
const MAX_PAGE_SIZE = 65536;

function parseMeta(page: Buffer, file: string, fileSize: number): Meta {
  if (page.length < 152 || !(page.readUInt16LE(10) & P_META) || page.readUInt32LE(META.magic) !== MDB_MAGIC) {
    throw new UserError(`${file}: not an LMDB data file (bad meta page)`);
  }
  const version = page.readUInt32LE(META.version);
  if (version !== MDB_DATA_VERSION) {
    throw new UserError(
      `${file}: LMDB data format version ${version} is not supported (expected ${MDB_DATA_VERSION}, as Python's lmdb / LMDB 0.9 writes)`,
    );
  }
  const pageSize = page.readUInt32LE(META.freePageSize);
  if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw new UserError(
      `${file}: corrupt LMDB header: page size ${pageSize} (expected a power of two from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE})`,
    );
  }
  const root = page.readBigUInt64LE(META.mainRoot);
  if (root !== P_INVALID && (root + 1n) * BigInt(pageSize) > BigInt(fileSize)) {
    throw new UserError(
      `${file}: corrupt LMDB header: root page ${root} lies beyond the file's ${fileSize} bytes`,
    );
  }
  return {
    pageSize,
    root,
    depth: page.readUInt16LE(META.mainDepth),
    entries: Number(page.readBigUInt64LE(META.mainEntries)),
    txnId: page.readBigUInt64LE(META.txnId),
  };
}

export { F_BIGDATA, NODE_HEADER, P_BRANCH, P_INVALID, P_LEAF, P_META, P_OVERFLOW, PAGE_HEADER };
