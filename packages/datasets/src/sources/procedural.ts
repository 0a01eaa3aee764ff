// The embedded default data sets: procedural portraits (for CelebA-HQ) and churches (for
// LSUN-Church), generated from a seed with nothing to download. Splits are disjoint streams
// (train, val, test), each item a pure function of (seed, split, index, size).
import { UserError } from '@ugpnet/core';
import type { RgbImage } from '../image.js';
import { renderChurch } from './procedural-churches.js';
import { renderPortrait } from './procedural-portraits.js';
import {
  checkCount,
  checkSize,
  checkSplit,
  type ImageSource,
  SPLIT_DEFAULTS,
  type SplitOptions,
} from './source.js';

export interface ProceduralOptions extends SplitOptions {
  seed?: number;
  /** Output side, 32 to 512; default 512 for portraits, 256 for churches. */
  size?: number;
  /** Training items (and items of split 'all'); default 10 000. */
  count?: number;
}

type Renderer = (
  seed: number,
  split: string,
  index: number,
  size: number,
  into?: Float32Array,
) => Promise<RgbImage>;

function openProcedural(
  type: string,
  render: Renderer,
  defaultSize: number,
  options: ProceduralOptions,
): ImageSource {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed))
    throw new UserError(`${type}: seed must be an integer, got ${JSON.stringify(seed)}`);
  const size = checkSize(options.size, type, defaultSize);
  if (size < 32 || size > 512) throw new UserError(`${type}: size must be in [32, 512], got ${size}`);
  const split = checkSplit(options.split, type);
  const count = checkCount(options.count ?? 10_000, `${type}: count`);
  const length =
    split === 'val'
      ? checkCount(options.valSize ?? SPLIT_DEFAULTS.valSize, `${type}: valSize`)
      : split === 'test'
        ? checkCount(options.testSize ?? SPLIT_DEFAULTS.testSize, `${type}: testSize`)
        : count;
  if (length === 0) throw new UserError(`${type}: split '${split}' has no items`);
  const stream = split === 'all' ? 'train' : split;
  const key = (i: number) => `${type}/${stream}/${String(i).padStart(6, '0')}`;
  return {
    type,
    root: type,
    size,
    length,
    badAtOpen: [],
    description: `procedural ${type} (seed ${seed}): ${split} split, ${length} images at ${size}×${size}`,
    key,
    load: async (i, into) => ({ gt: await render(seed, stream, i, size, into?.gt), path: key(i) }),
    close() {},
  };
}

export const openPortraits = async (options: ProceduralOptions = {}) =>
  openProcedural('portraits', renderPortrait, 512, options);
export const openChurches = async (options: ProceduralOptions = {}) =>
  openProcedural('churches', renderChurch, 256, options);
