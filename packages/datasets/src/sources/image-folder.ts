// A folder tree of images (CelebA-HQ as people have it: CelebA-HQ-img/0.jpg … 29999.jpg,
// celeba_hq/{train,val}/{female,male}/*.jpg, or any tree of jpg/png/webp), centre-cropped
// and Lanczos-resized to the experiment's size. Splits, in order of precedence: a split file
// ("name label" lines, label 0/1/2 or train/val/test, as CelebA's list_eval_partition.txt),
// train/ val/ test/ sub-folders, or natural file-name order (held-out items at the end).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { UserError } from '@ugpnet/core';
import { BadImageError } from '../bad-files.js';
import { decodeImage } from '../decode.js';
import { listImages } from './files.js';
import {
  checkCount,
  checkSize,
  checkSplit,
  type ImageSource,
  type LoadTarget,
  SPLIT_DEFAULTS,
  type SourceItem,
  type Split,
  type SplitOptions,
  splitByOrder,
} from './source.js';

export interface ImageFolderOptions extends SplitOptions {
  root: string;
  /** Output side; default 512 (CelebA-HQ in the paper). */
  size?: number;
  /** "name label" lines choosing each file's split. */
  splitFile?: string;
  /** Allow images smaller than `size` (upscaled) instead of skipping them; default false. */
  upscale?: boolean;
}

const SPLIT_LABELS: Record<string, Exclude<Split, 'all'>> = {
  '0': 'train',
  '1': 'val',
  '2': 'test',
  train: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
};

function readSplitFile(path: string): Map<string, Exclude<Split, 'all'>> {
  if (!existsSync(path)) throw new UserError(`splitFile: ${path} does not exist`);
  const map = new Map<string, Exclude<Split, 'all'>>();
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const text = line.trim();
      if (!text || text.startsWith('#')) return;
      const parts = text.split(/[\s,]+/);
      const label = SPLIT_LABELS[parts[1]?.toLowerCase() ?? ''];
      if (parts.length < 2 || !label) {
        throw new UserError(
          `splitFile ${path}:${i + 1}: expected "<file name> <0|1|2|train|val|test>", got "${text}"`,
        );
      }
      map.set(parts[0]!, label);
    });
  return map;
}

export async function openImageFolder(options: ImageFolderOptions): Promise<ImageSource> {
  const { root } = options;
  if (typeof root !== 'string' || !root)
    throw new UserError('image-folder: root (a folder path) is required');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserError(`${root}: not a folder`);
  const size = checkSize(options.size, `${root}`, 512);
  const split = checkSplit(options.split, root);
  const valSize = checkCount(options.valSize ?? SPLIT_DEFAULTS.valSize, `${root}: valSize`);
  const upscale = options.upscale ?? false;
  let files: string[];
  let mode: string;
  const listed = (dir: string) => listImages(dir);
  let list = listed(root);
  if (options.splitFile) {
    const labels = readSplitFile(options.splitFile);
    files =
      split === 'all'
        ? list.files
        : list.files.filter((f) => (labels.get(relative(root, f)) ?? labels.get(basename(f))) === split);
    if (split === 'val') files = files.slice(0, valSize);
    mode = `split file ${basename(options.splitFile)}`;
  } else if (['train', 'val', 'test'].some((d) => existsSync(join(root, d)))) {
    if (split !== 'all') {
      if (!existsSync(join(root, split))) throw new UserError(`${root}: has split folders but no ${split}/`);
      list = listed(join(root, split));
    }
    files = split === 'val' ? list.files.slice(0, valSize) : list.files;
    mode = split === 'all' ? 'all split folders' : `${split}/ folder`;
  } else {
    const picked = splitByOrder(list.files.length, { ...options, split, valSize }, root);
    files = picked.map((i) => list.files[i]!);
    mode = 'file-name order';
  }
  if (files.length === 0) {
    throw new UserError(
      `${root}: no usable images (jpg, png, webp, tif) in split '${split}'${list.bad.length ? ` (${list.bad.length} empty files)` : ''}`,
    );
  }
  return {
    type: 'image-folder',
    root,
    size,
    length: files.length,
    badAtOpen: list.bad,
    description: `image folder ${root}: ${split} split by ${mode}, ${files.length} images at ${size}×${size}${list.ignored ? ` (${list.ignored} non-image files ignored)` : ''}`,
    key: (i) => files[i]!,
    async load(i: number, into?: LoadTarget): Promise<SourceItem> {
      const path = files[i]!;
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (err) {
        throw new BadImageError(path, `cannot read (${(err as Error).message.split('\n')[0]})`);
      }
      return { gt: await decodeImage(bytes, path, { size, upscale, into: into?.gt }), path };
    },
    close() {},
  };
}
