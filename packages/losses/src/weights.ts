// Pretrained feature weights: the official files, where they come from, how they are checked,
// and the cache they are imported into. Files are read only through the safe .pth reader and
// stored as safetensors with the official key names and layouts.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@ugpnet/core';
import { pthStateDict, readPth, readSafetensors, type TorchTensor, writeSafetensors } from '@ugpnet/tensor';
import { downloadFile } from './download.js';
import { LpipsHeads } from './lpips.js';
import { vggFeatureStateDict, type VggKind, vggLayers } from './vgg.js';

export type WeightName = 'lpips' | 'vgg16' | 'vgg19';
export const WEIGHT_NAMES: WeightName[] = ['lpips', 'vgg16', 'vgg19'];

export interface WeightSource {
  url: string;
  /** Name of the downloaded file (torchvision's names carry the sha256 prefix). */
  file: string;
  /** Leading sha256 hex digits known for the file (torchvision: the first 8, in the name). */
  sha256Prefix?: string;
  /** The cached, imported file. */
  cached: string;
  describe: string;
}

export const WEIGHT_SOURCES: Record<WeightName, WeightSource> = {
  vgg16: {
    url: 'https://download.pytorch.org/models/vgg16-397923af.pth',
    file: 'vgg16-397923af.pth',
    sha256Prefix: '397923af',
    cached: 'vgg16-features.safetensors',
    describe: "torchvision VGG16 ImageNet weights (features only are kept); LPIPS' trunk",
  },
  vgg19: {
    url: 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth',
    file: 'vgg19-dcbb9e9d.pth',
    sha256Prefix: 'dcbb9e9d',
    cached: 'vgg19-features.safetensors',
    describe: 'torchvision VGG19 ImageNet weights (features only are kept); the contextual loss trunk',
  },
  lpips: {
    url: 'https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/vgg.pth',
    file: 'lpips-vgg-v0.1.pth',
    // No published checksum: the first download's sha256 is recorded in checksums.json and
    // later downloads must match it.
    cached: 'lpips-vgg-v0.1.safetensors',
    describe: 'LPIPS v0.1 linear heads for VGG (lin0..lin4); needs vgg16 as its trunk',
  },
};

/** UGP_WEIGHTS_DIR, else $XDG_CACHE_HOME/ugpnet/weights, else ~/.cache/ugpnet/weights. */
export function defaultWeightsDir(): string {
  if (process.env.UGP_WEIGHTS_DIR) return process.env.UGP_WEIGHTS_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'ugpnet', 'weights');
}

export function cachedWeightsPath(name: WeightName, dir = defaultWeightsDir()): string {
  return join(dir, WEIGHT_SOURCES[name].cached);
}

export function hasCachedWeights(name: WeightName, dir = defaultWeightsDir()): boolean {
  return existsSync(cachedWeightsPath(name, dir));
}

/** Keeps and checks the keys a weight file must provide, in official layout. */
export function selectWeights(
  name: WeightName,
  dict: Map<string, TorchTensor>,
  source: string,
): Map<string, TorchTensor> {
  if (name === 'lpips') {
    LpipsHeads.channelsOf(dict, source);
    const out = new Map<string, TorchTensor>();
    for (const [k, v] of dict) if (/^lin\d\.model\.1\.weight$/.test(k)) out.set(k, v);
    return out;
  }
  const features = vggFeatureStateDict(dict);
  const convs = vggLayers(name).filter((l) => l.type === 'conv');
  const missing = convs.flatMap((l) =>
    [`features.${l.index}.weight`, `features.${l.index}.bias`].filter((k) => !features.has(k)),
  );
  if (missing.length) {
    throw new UserError(
      `${source}: not a ${name} checkpoint (missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''})`,
    );
  }
  return features;
}

interface Checksums {
  [file: string]: { sha256: string; url?: string; recordedAt: string };
}

function readChecksums(dir: string): Checksums {
  const path = join(dir, 'checksums.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Checksums) : {};
}

function recordChecksum(dir: string, file: string, sha256: string, url?: string): void {
  const all = readChecksums(dir);
  all[file] = { sha256, url, recordedAt: new Date().toISOString() };
  writeFileSync(join(dir, 'checksums.json'), `${JSON.stringify(all, null, 2)}\n`);
}

export interface ImportResult {
  name: WeightName;
  path: string;
  tensors: number;
  /** sha256 of the source file. */
  sha256?: string;
}

/** Reads a .pth through the safe reader, checks its keys and stores them in the cache. */
export async function importWeights(
  name: WeightName,
  file: string,
  options: { dir?: string; sha256?: string; url?: string } = {},
): Promise<ImportResult> {
  const dir = options.dir ?? defaultWeightsDir();
  if (!existsSync(file)) throw new UserError(`--from ${file}: no such file`);
  const dict = selectWeights(name, pthStateDict(await readPth(file)), file);
  mkdirSync(dir, { recursive: true });
  const path = cachedWeightsPath(name, dir);
  const metadata: Record<string, string> = { source: options.url ?? file, format: 'pt' };
  if (options.sha256) metadata.sha256 = options.sha256;
  writeSafetensors(path, dict, metadata);
  return { name, path, tensors: dict.size, sha256: options.sha256 };
}

export interface FetchOptions {
  dir?: string;
  /** Import this local file instead of downloading. */
  from?: string;
  /** Download again even if the cache has the file. */
  force?: boolean;
  /** Override the URL (tests, mirrors). */
  url?: string;
  onProgress?: (received: number, total: number | undefined) => void;
  retries?: number;
  retryDelayMs?: number;
}

export interface FetchResult extends ImportResult {
  /** 'cached' when nothing had to be done. */
  action: 'downloaded' | 'imported' | 'cached';
  /** Notes to show the user (unknown checksums, first-use records). */
  notes: string[];
}

/**
 * `ugp weights fetch NAME`: downloads the official file into the cache (resumable, sha256
 * checked), or imports `from`; then keeps only the tensors we use, as safetensors.
 */
export async function fetchWeights(name: WeightName, options: FetchOptions = {}): Promise<FetchResult> {
  const dir = options.dir ?? defaultWeightsDir();
  const src = WEIGHT_SOURCES[name];
  const notes: string[] = [];
  if (options.from) {
    if (!existsSync(options.from)) throw new UserError(`--from ${options.from}: no such file`);
    const { sha256File } = await import('./download.js');
    const sha256 = await sha256File(options.from);
    if (src.sha256Prefix && !sha256.startsWith(src.sha256Prefix)) {
      notes.push(
        `${options.from}: sha256 ${sha256} does not start with the official ${src.sha256Prefix} (imported anyway; its keys and shapes were checked)`,
      );
    }
    const result = await importWeights(name, options.from, { dir, sha256 });
    return { ...result, action: 'imported', notes };
  }
  const cached = cachedWeightsPath(name, dir);
  if (existsSync(cached) && !options.force) {
    return {
      name,
      path: cached,
      tensors: 0,
      action: 'cached',
      notes: [`${cached} already present (--force to fetch again)`],
    };
  }
  mkdirSync(dir, { recursive: true });
  const url = options.url ?? src.url;
  const recorded = readChecksums(dir)[src.file]?.sha256;
  const download = await downloadFile({
    url,
    dest: join(dir, src.file),
    sha256Prefix: src.sha256Prefix,
    sha256: recorded,
    onProgress: options.onProgress,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
  });
  if (src.sha256Prefix) {
    notes.push(
      `sha256 ${download.sha256}: matches the official prefix ${src.sha256Prefix} (the full checksum is not published)`,
    );
  } else if (recorded) {
    notes.push(`sha256 ${download.sha256}: matches the checksum recorded at the first download`);
  } else {
    recordChecksum(dir, src.file, download.sha256, url);
    notes.push(
      `sha256 ${download.sha256}: no official checksum exists; recorded in checksums.json, later downloads must match`,
    );
  }
  const result = await importWeights(name, download.path, { dir, sha256: download.sha256, url });
  // The imported safetensors holds everything we use; the torchvision files also carry the
  // ~500 MB classifier, so the download is not kept.
  rmSync(download.path, { force: true });
  return { ...result, action: 'downloaded', notes };
}

/** Loads a cached weight file (official keys and layout). */
export function loadCachedWeights(name: WeightName, dir = defaultWeightsDir()): Map<string, TorchTensor> {
  const path = cachedWeightsPath(name, dir);
  if (!existsSync(path)) throw new UserError(`${path}: not found (run ugp weights fetch ${name})`);
  return readSafetensors(path).tensors;
}

export type { VggKind };
