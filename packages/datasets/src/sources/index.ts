// The source registry: short names → builders with typed options (STYLE.md: a registry per
// kind), and `--dataset <name|path>` resolution.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Registry, UserError } from '@ugpnet/core';
import { openImageFolder } from './image-folder.js';
import { openLsunLmdb } from './lsun-lmdb.js';
import { openPairedFolders } from './paired-folders.js';
import { openChurches, openPortraits } from './procedural.js';
import type { ImageSource, SourceSpec } from './source.js';

export interface SourceEntry {
  describe: string;
  options: readonly string[];
  open(options: Record<string, unknown>): Promise<ImageSource>;
}

const SPLIT = ['split', 'valSize', 'testSize'];

export const sources = new Registry<SourceEntry>('source')
  .register('portraits', {
    describe: 'procedural face-like portraits (stand-in for CelebA-HQ), 512 px default',
    options: ['seed', 'size', 'count', ...SPLIT],
    open: (o) => openPortraits(o),
  })
  .register('churches', {
    describe: 'procedural church scenes (stand-in for LSUN-Church), 256 px default',
    options: ['seed', 'size', 'count', ...SPLIT],
    open: (o) => openChurches(o),
  })
  .register('image-folder', {
    describe: 'a tree of jpg/png/webp images (CelebA-HQ), centre-cropped and Lanczos-resized',
    options: ['root', 'size', 'splitFile', 'upscale', ...SPLIT],
    open: (o) => openImageFolder(o as never),
  })
  .register('lsun-lmdb', {
    describe: "an LSUN LMDB directory written by Python's lmdb (read-only, no locks)",
    options: ['root', 'size', 'upscale', ...SPLIT],
    open: (o) => openLsunLmdb(o as never),
  })
  .register('paired-folders', {
    describe: 'gt/ and lq/ folders with the same file names (fixed test sets)',
    options: ['root', 'gtDir', 'lqDir', 'size', 'lqSize', ...SPLIT],
    open: (o) => openPairedFolders(o as never),
  });

/** Opens the source a spec names; `where` prefixes errors (a flag or config path). */
export async function openSource(spec: SourceSpec, where = 'source'): Promise<ImageSource> {
  const { type, ...options } = spec;
  const entry = sources.get(type, where);
  for (const key of Object.keys(options)) {
    if (options[key] === undefined) delete options[key];
    else if (!entry.options.includes(key)) {
      throw new UserError(
        `${where}: '${type}' has no option '${key}' (options: ${entry.options.join(', ')})`,
      );
    }
  }
  return entry.open(options);
}

/**
 * `--dataset <name|path>`: a registered source name, or a path whose layout picks the
 * source (an LMDB directory or data.mdb → lsun-lmdb; gt/ + lq/ → paired-folders; any other
 * folder → image-folder). `options` are merged in (size, split, seed, …); a path with no
 * split given uses all of its images (split 'all').
 */
export function resolveDataset(
  value: string,
  options: Record<string, unknown> = {},
  where = '--dataset',
): SourceSpec {
  if (sources.has(value) && !existsSync(value)) return { type: value, ...options };
  if (!existsSync(value)) {
    throw new UserError(
      `${where}: '${value}' is neither a known dataset (${sources.names().join(', ')}) nor an existing path`,
    );
  }
  const procedural = new Set(['seed', 'count']);
  const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !procedural.has(k)));
  rest.split ??= 'all';
  if (statSync(value).isFile()) {
    if (basename(value) === 'data.mdb') return { type: 'lsun-lmdb', root: value, ...rest };
    throw new UserError(`${where}: ${value} is a file; expected a folder of images or an LMDB directory`);
  }
  if (existsSync(join(value, 'data.mdb'))) return { type: 'lsun-lmdb', root: value, ...rest };
  if (existsSync(join(value, 'gt')) && existsSync(join(value, 'lq')))
    return { type: 'paired-folders', root: value, ...rest };
  return { type: 'image-folder', root: value, ...rest };
}

export type { ImageSource, SourceItem, SourceSpec, Split } from './source.js';
