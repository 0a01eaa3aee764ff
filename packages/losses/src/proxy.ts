// Fixed-seed random feature nets, used when the pretrained files are not in the cache (the
// embedded default, CI). Values computed with them are NOT LPIPS or the paper's contextual
// loss: they are always labelled `lpips_proxy` / `contextual_proxy`.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@ugpnet/tensor';
import { LpipsHeads } from './lpips.js';
import { Vgg, type VggKind, vggWidths } from './vgg.js';

/** The seed every proxy is drawn from, so proxy values compare across runs and machines. */
export const PROXY_SEED = 20240101;

export interface ProxyVggOptions {
  upTo?: string;
  /** Divide every width by this (1 = torchvision's 64 … 512; 8 = the golden narrow trunks). */
  widthDivisor?: number;
  seed?: number;
}

/**
 * A VGG with torchvision's own init (kaiming-normal fan-out for weights, zero bias), so
 * activations keep their scale through the 13/16 convs and deep taps still see the image.
 */
export function proxyVgg(kind: VggKind, options: ProxyVggOptions = {}): Vgg {
  const rng = new Rng(options.seed ?? PROXY_SEED).fork(`${kind}/${options.widthDivisor ?? 1}`);
  const divisor = options.widthDivisor ?? 1;
  const widths = vggWidths(kind).map((w) => Math.max(1, Math.round(w / divisor)));
  const vgg = new Vgg(kind, rng, { widths, upTo: options.upTo });
  for (const conv of vgg.features.convs.values()) {
    const [kh, kw, cin, cout] = conv.weight.shape;
    const std = Math.sqrt(2 / (cout! * kh! * kw!));
    tf.tidy(() => {
      conv.weight.assign(tf.tensor(rng.normalArray(kh! * kw! * cin! * cout!, std), conv.weight.shape));
      conv.bias!.assign(tf.zerosLike(conv.bias!));
    });
  }
  return vgg;
}

/** Lin heads drawn U[0,1) (non-negative like the trained ones, as the golden file does). */
export function proxyLpipsHeads(vgg: Vgg, seed = PROXY_SEED): LpipsHeads {
  const rng = new Rng(seed).fork('lpips-lin');
  const channels = ['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3'].map((tap) => {
    const conv = vgg.features.convs.get(vgg.layerIndex(tap) - 1)!;
    return conv.outChannels;
  });
  const heads = new LpipsHeads(channels, rng);
  for (const lin of heads.lins) {
    tf.tidy(() =>
      lin.conv.weight.assign(tf.tensor(rng.uniformArray(lin.conv.weight.size), lin.conv.weight.shape)),
    );
  }
  return heads;
}
