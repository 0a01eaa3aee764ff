// Paired LQ/GT folders, the reference's layout for fixed test sets (and what `ugp data synth`
// writes): the same file names in gt/ and lq/. Pixels are used as stored (no resizing); every
// gt must be size×size and every lq lqSize×lqSize, taken from the first pair unless given.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '@ugpnet/core';
import { type BadFile, BadImageError } from '../bad-files.js';
import { decodeImage } from '../decode.js';
import { listImages } from './files.js';
import {
  checkSize,
  checkSplit,
  type ImageSource,
  type LoadTarget,
  type SourceItem,
  type SplitOptions,
  splitByOrder,
} from './source.js';

export interface PairedFoldersOptions extends SplitOptions {
  /** Folder holding gt/ and lq/ (or give gtDir and lqDir). */
  root?: string;
  gtDir?: string;
  lqDir?: string;
  /** gt side; default: the first gt image's. */
  size?: number;
  /** lq side; default: the first lq image's. */
  lqSize?: number;
}

async function sideOf(path: string): Promise<number> {
  try {
    const meta = await sharp(path).metadata();
    if (meta.width !== meta.height) throw new Error(`not square (${meta.width}×${meta.height})`);
    return meta.width!;
  } catch (err) {
    throw new UserError(`${path}: cannot read the image size of the first pair (${(err as Error).message})`);
  }
}

export async function openPairedFolders(options: PairedFoldersOptions): Promise<ImageSource> {
  const root = options.root ?? '';
  const gtDir = options.gtDir ?? join(root, 'gt');
  const lqDir = options.lqDir ?? join(root, 'lq');
  for (const dir of [gtDir, lqDir]) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserError(
        `paired-folders: ${dir} is not a folder (expected gt/ and lq/ with the same file names)`,
      );
    }
  }
  const split = checkSplit(options.split ?? 'all', gtDir);
  const gtList = listImages(gtDir);
  const lqByStem = new Map<string, string>();
  for (const f of listImages(lqDir).files) {
    lqByStem.set(basename(f), f);
    lqByStem.set(basename(f, extname(f)), f);
  }
  const bad: BadFile[] = [...gtList.bad];
  const pairs: [string, string][] = [];
  for (const gt of gtList.files) {
    const lq = lqByStem.get(basename(gt)) ?? lqByStem.get(basename(gt, extname(gt)));
    if (lq) pairs.push([gt, lq]);
    else bad.push({ path: gt, reason: `no lq counterpart in ${lqDir}` });
  }
  const picked = splitByOrder(pairs.length, { ...options, split }, gtDir).map((i) => pairs[i]!);
  if (picked.length === 0) throw new UserError(`${gtDir}: no usable gt/lq image pairs`);
  const size = checkSize(options.size, gtDir, await sideOf(picked[0]![0]));
  const lqSize = checkSize(options.lqSize, lqDir, await sideOf(picked[0]![1]));
  return {
    type: 'paired-folders',
    root: root || gtDir,
    size,
    lqSize,
    length: picked.length,
    badAtOpen: bad,
    description: `paired folders ${gtDir} | ${lqDir}: ${picked.length} pairs, gt ${size}×${size}, lq ${lqSize}×${lqSize}`,
    key: (i) => picked[i]![0],
    async load(i: number, into?: LoadTarget): Promise<SourceItem> {
      const [gtPath, lqPath] = picked[i]!;
      const read = async (path: string) => {
        try {
          return await readFile(path);
        } catch (err) {
          throw new BadImageError(path, `cannot read (${(err as Error).message.split('\n')[0]})`);
        }
      };
      const gt = await decodeImage(await read(gtPath), gtPath, { size, exact: true, into: into?.gt });
      const lq = await decodeImage(await read(lqPath), lqPath, { size: lqSize, exact: true, into: into?.lq });
      return { gt, lq, path: gtPath };
    },
    close() {},
  };
}
