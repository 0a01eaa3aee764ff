// A minimal bulk writer for LMDB data format 1 (what Python's lmdb writes), so tests and
// `ugp bench data` can build an LSUN-style environment without Python. It writes a fresh
// data.mdb in one go: sorted leaves packed bottom-up, overflow pages for large values,
// branch levels above, and two meta pages (txn 0 empty, txn 1 current) as LMDB does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  F_BIGDATA,
  META,
  NODE_HEADER,
  P_BRANCH,
  P_INVALID,
  P_LEAF,
  P_META,
  P_OVERFLOW,
  PAGE_HEADER,
} from './lmdb-reader.js';

const PAGE_SIZE = 4096;
// me_nodemax for 4 KiB pages: (((psize − PAGEHDRSZ) / MDB_MINKEYS) & −2) − sizeof(indx_t)
const NODE_MAX = (((PAGE_SIZE - PAGE_HEADER) / 2) & -2) - 2;

const even = (n: number) => (n + 1) & ~1;

interface Node {
  key: Buffer;
  /** inline value bytes, or the overflow page number */
  data: Buffer | bigint;
  size: number;
}

/** Writes `entries` (any order; keys must be unique) as an LMDB environment in `dir`. */
export function writeLmdb(dir: string, entries: Iterable<[Buffer | string, Uint8Array]>): void {
  const sorted = [...entries]
    .map(([k, v]) => [typeof k === 'string' ? Buffer.from(k) : k, Buffer.from(v)] as [Buffer, Buffer])
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  for (let i = 1; i < sorted.length; i++) {
    if (Buffer.compare(sorted[i - 1]![0], sorted[i]![0]) === 0)
      throw new Error(`duplicate key ${sorted[i]![0]}`);
  }
  const pages: Buffer[] = [Buffer.alloc(PAGE_SIZE), Buffer.alloc(PAGE_SIZE)];
  let leafPages = 0;
  let branchPages = 0;
  let overflowPages = 0;

  const newPage = (flags: number): [Buffer, number] => {
    const page = Buffer.alloc(PAGE_SIZE);
    const pgno = pages.length;
    page.writeBigUInt64LE(BigInt(pgno), 0);
    page.writeUInt16LE(flags, 10);
    page.writeUInt16LE(PAGE_HEADER, 12); // lower
    page.writeUInt16LE(PAGE_SIZE, 14); // upper
    pages.push(page);
    return [page, pgno];
  };

  // Values too large for a node go to overflow pages first.
  const leafNodes: Node[] = sorted.map(([key, value]) => {
    if (NODE_HEADER + key.length + value.length <= NODE_MAX) return { key, data: value, size: value.length };
    const count = Math.ceil((PAGE_HEADER + value.length) / PAGE_SIZE);
    const first = pages.length;
    const block = Buffer.alloc(count * PAGE_SIZE);
    block.writeBigUInt64LE(BigInt(first), 0);
    block.writeUInt16LE(P_OVERFLOW, 10);
    block.writeUInt32LE(count, 12); // mp_pages
    value.copy(block, PAGE_HEADER);
    for (let i = 0; i < count; i++) pages.push(block.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
    overflowPages += count;
    return { key, data: BigInt(first), size: value.length };
  });

  const addNode = (page: Buffer, node: Node, branch: boolean): boolean => {
    const inline = typeof node.data !== 'bigint';
    const dataLen = branch ? 0 : inline ? (node.data as Buffer).length : 8;
    const size = even(NODE_HEADER + node.key.length + dataLen);
    const lower = page.readUInt16LE(12);
    const upper = page.readUInt16LE(14);
    if (lower + 2 > upper - size) return false;
    const at = upper - size;
    if (branch) {
      const child = node.data as bigint;
      page.writeUInt16LE(Number(child & 0xffffn), at);
      page.writeUInt16LE(Number((child >> 16n) & 0xffffn), at + 2);
      page.writeUInt16LE(Number((child >> 32n) & 0xffffn), at + 4);
    } else {
      page.writeUInt16LE(node.size & 0xffff, at);
      page.writeUInt16LE(node.size >>> 16, at + 2);
      page.writeUInt16LE(inline ? 0 : F_BIGDATA, at + 4);
    }
    page.writeUInt16LE(node.key.length, at + 6);
    node.key.copy(page, at + NODE_HEADER);
    if (!branch) {
      if (inline) (node.data as Buffer).copy(page, at + NODE_HEADER + node.key.length);
      else page.writeBigUInt64LE(node.data as bigint, at + NODE_HEADER + node.key.length);
    }
    page.writeUInt16LE(at, lower);
    page.writeUInt16LE(lower + 2, 12);
    page.writeUInt16LE(at, 14);
    return true;
  };

  // Leaves, then branch levels until one root remains: level entries are (first key, pgno).
  let level: { key: Buffer; pgno: number }[] = [];
  let current: [Buffer, number] | undefined;
  for (const node of leafNodes) {
    if (!current || !addNode(current[0], node, false)) {
      current = newPage(P_LEAF);
      leafPages++;
      if (!addNode(current[0], node, false)) throw new Error(`key too large: ${node.key.length} bytes`);
      level.push({ key: node.key, pgno: current[1] });
    }
  }
  let depth = level.length ? 1 : 0;
  while (level.length > 1) {
    const next: { key: Buffer; pgno: number }[] = [];
    let page: [Buffer, number] | undefined;
    for (const child of level) {
      // the first node of each branch page has an empty key (−∞)
      const fresh = !page;
      const node: Node = { key: fresh ? Buffer.alloc(0) : child.key, data: BigInt(child.pgno), size: 0 };
      if (fresh || !addNode(page![0], node, true)) {
        page = newPage(P_BRANCH);
        branchPages++;
        addNode(page[0], { ...node, key: Buffer.alloc(0) }, true);
        next.push({ key: child.key, pgno: page[1] });
      }
    }
    level = next;
    depth++;
  }
  const root = level.length ? BigInt(level[0]!.pgno) : P_INVALID;

  const writeMeta = (pgno: number, txn: number, withData: boolean) => {
    const page = pages[pgno]!;
    page.writeBigUInt64LE(BigInt(pgno), 0);
    page.writeUInt16LE(P_META, 10);
    page.writeUInt32LE(0xbeefc0de, META.magic);
    page.writeUInt32LE(1, META.version);
    const mapSize = Math.max(10 * 1024 * 1024, pages.length * PAGE_SIZE);
    page.writeBigUInt64LE(BigInt(Math.ceil(mapSize / PAGE_SIZE) * PAGE_SIZE), META.mapSize);
    page.writeUInt32LE(PAGE_SIZE, META.freePageSize);
    page.writeUInt16LE(0x08, META.freePageSize + 4); // free DB: MDB_INTEGERKEY
    page.writeBigUInt64LE(P_INVALID, META.freePageSize + 40); // free DB root
    page.writeUInt16LE(withData ? depth : 0, META.mainDepth);
    page.writeBigUInt64LE(BigInt(withData ? branchPages : 0), META.mainBranch);
    page.writeBigUInt64LE(BigInt(withData ? leafPages : 0), META.mainLeaf);
    page.writeBigUInt64LE(BigInt(withData ? overflowPages : 0), META.mainOverflow);
    page.writeBigUInt64LE(BigInt(withData ? sorted.length : 0), META.mainEntries);
    page.writeBigUInt64LE(withData ? root : P_INVALID, META.mainRoot);
    page.writeBigUInt64LE(BigInt(withData ? pages.length - 1 : 1), META.lastPage);
    page.writeBigUInt64LE(BigInt(txn), META.txnId);
  };
  writeMeta(0, 0, false);
  writeMeta(1, 1, true);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.mdb'), Buffer.concat(pages));
}
