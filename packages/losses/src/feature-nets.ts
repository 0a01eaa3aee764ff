// Builds the perceptual losses from the weight cache: real pretrained nets when their files
// are there, else the fixed-seed proxies — and says which, through `kind`.
import { UserError } from '@ugpnet/core';
import { Rng, type TorchTensor } from '@ugpnet/tensor';
import { type ContextualOptions, PatchContextualLoss, type PatchContextualOptions } from './contextual.js';
import { Lpips, LpipsHeads, LPIPS_TAPS } from './lpips.js';
import { proxyLpipsHeads, proxyVgg } from './proxy.js';
import { type Vgg, type VggKind, vggFromStateDict } from './vgg.js';
import { defaultWeightsDir, hasCachedWeights, loadCachedWeights } from './weights.js';

export interface FeatureNetOptions {
  /** Weight cache to look in (default: defaultWeightsDir()); null forces the proxy. */
  weightsDir?: string | null;
  /** Fail instead of falling back to the proxy when the files are missing. */
  requirePretrained?: boolean;
  /** Width divisor of the proxy VGG (1 = full width; larger is faster on CPU). */
  proxyWidthDivisor?: number;
}

/** An LPIPS from a VGG16 features dict and a lin-heads dict (official keys, any VGG key layout). */
export function lpipsFromStateDicts(
  vggDict: Map<string, TorchTensor>,
  linDict: Map<string, TorchTensor>,
  kind: 'lpips' | 'lpips_proxy' = 'lpips',
  source = 'lpips weights',
): Lpips {
  const vgg = vggFromStateDict('vgg16', vggDict, { upTo: 'relu5_3', source });
  const heads = new LpipsHeads(LpipsHeads.channelsOf(linDict, source), new Rng(0));
  const lins = new Map([...linDict].filter(([k]) => /^lin\d\.model\.1\.weight$/.test(k)));
  heads.loadTorchStateDict(lins, { source });
  return new Lpips(vgg, heads, kind);
}

function pretrainedAvailable(
  names: Array<'lpips' | VggKind>,
  options: FeatureNetOptions,
): string | undefined {
  if (options.weightsDir === null) return undefined;
  const dir = options.weightsDir ?? defaultWeightsDir();
  const missing = names.filter((n) => !hasCachedWeights(n, dir));
  if (missing.length === 0) return dir;
  if (options.requirePretrained) {
    throw new UserError(
      `${dir}: pretrained ${missing.join(' and ')} weights not found (run ugp weights fetch ${missing.join(' / ')})`,
    );
  }
  return undefined;
}

/** LPIPS-VGG v0.1 with the cached official weights, else the `lpips_proxy`. */
export function createLpips(options: FeatureNetOptions = {}): Lpips {
  const dir = pretrainedAvailable(['lpips', 'vgg16'], options);
  if (dir) return lpipsFromStateDicts(loadCachedWeights('vgg16', dir), loadCachedWeights('lpips', dir));
  const vgg = proxyVgg('vgg16', { upTo: LPIPS_TAPS.at(-1), widthDivisor: options.proxyWidthDivisor });
  return new Lpips(vgg, proxyLpipsHeads(vgg), 'lpips_proxy');
}

/** A frozen VGG up to `upTo` from the cache, or the proxy; `proxy` says which. */
export function createVgg(
  kind: VggKind,
  upTo: string,
  options: FeatureNetOptions = {},
): { vgg: Vgg; proxy: boolean } {
  const dir = pretrainedAvailable([kind], options);
  if (dir)
    return { vgg: vggFromStateDict(kind, loadCachedWeights(kind, dir), { upTo, source: dir }), proxy: false };
  return { vgg: proxyVgg(kind, { upTo, widthDivisor: options.proxyWidthDivisor }), proxy: true };
}

/** PatchContextualLoss on VGG19 (ImageNet weights from the cache, else `contextual_proxy`). */
export function createPatchContextualLoss(
  options: FeatureNetOptions & PatchContextualOptions = {},
): PatchContextualLoss {
  const layer = options.layer ?? 'relu3_4';
  const { vgg, proxy } = createVgg('vgg19', layer, options);
  return new PatchContextualLoss(vgg, proxy ? 'contextual_proxy' : 'contextual', options);
}

export type { ContextualOptions };
