// LSUN (e.g. church_outdoor_train_lmdb/) as distributed: an LMDB environment written by
// Python's lmdb, byte-string keys, encoded images (webp or jpeg) as values. Read-only through
// lmdb-reader.ts (no lock file is touched); each image is centre-cropped and resized (256 in
// the paper). Splits follow key order (held-out items at the end).
import { UserError } from '@ugpnet/core';
import { BadImageError, type BadFile } from '../bad-files.js';
import { decodeImage } from '../decode.js';
import { type LmdbEntry, LmdbReader } from './lmdb-reader.js';
import {
  checkSize,
  checkSplit,
  type ImageSource,
  type LoadTarget,
  type SourceItem,
  type SplitOptions,
  splitByOrder,
} from './source.js';

export interface LsunLmdbOptions extends SplitOptions {
  /** The LMDB directory (holding data.mdb) or the data.mdb file. */
  root: string;
  /** Output side; default 256 (LSUN-Church in the paper). */
  size?: number;
  /** Allow images smaller than `size` (upscaled) instead of skipping them; default false. */
  upscale?: boolean;
}

export async function openLsunLmdb(options: LsunLmdbOptions): Promise<ImageSource> {
  const { root } = options;
  if (typeof root !== 'string' || !root)
    throw new UserError('lsun-lmdb: root (an LMDB directory) is required');
  const size = checkSize(options.size, root, 256);
  const split = checkSplit(options.split ?? 'all', root);
  const reader = LmdbReader.open(root);
  const bad: BadFile[] = [];
  const usable: LmdbEntry[] = [];
  for (const entry of reader.scan()) {
    if (entry.length === 0)
      bad.push({ path: `${root}:${entry.key.toString('latin1')}`, reason: 'empty value' });
    else usable.push(entry);
  }
  const entries = splitByOrder(usable.length, { ...options, split }, root).map((i) => usable[i]!);
  if (entries.length === 0) {
    reader.close();
    throw new UserError(
      `${root}: no usable images in the LMDB (split '${split}', ${reader.entries} entries)`,
    );
  }
  const keyOf = (i: number) => `${root}:${entries[i]!.key.toString('latin1')}`;
  return {
    type: 'lsun-lmdb',
    root,
    size,
    length: entries.length,
    badAtOpen: bad,
    description: `LMDB ${root}: ${split} split by key order, ${entries.length} of ${reader.entries} images at ${size}×${size}`,
    key: keyOf,
    async load(i: number, into?: LoadTarget): Promise<SourceItem> {
      const path = keyOf(i);
      let bytes: Buffer;
      try {
        bytes = reader.read(entries[i]!);
      } catch (err) {
        throw new BadImageError(path, `cannot read (${(err as Error).message})`);
      }
      return { gt: await decodeImage(bytes, path, { size, upscale: options.upscale, into: into?.gt }), path };
    },
    close: () => reader.close(),
  };
}
