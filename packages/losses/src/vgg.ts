// torchvision VGG16 / VGG19 `.features` as frozen feature extractors, keyed like torchvision
// (`features.N.weight`, `features.N.bias`). Channel widths come from the weights, so the
// narrowed golden trunks (widths ÷ 8) load as well as the ImageNet ones. Inputs are NHWC.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';
import { Conv2d, Module, Rng, type TorchTensor } from '@ugpnet/tensor';

export type VggKind = 'vgg16' | 'vgg19';

/** torchvision cfgs 'D' (vgg16) and 'E' (vgg19); 'M' is a 2×2 max pool. */
const CFG: Record<VggKind, Array<number | 'M'>> = {
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [
    64,
    64,
    'M',
    128,
    128,
    'M',
    256,
    256,
    256,
    256,
    'M',
    512,
    512,
    512,
    512,
    'M',
    512,
    512,
    512,
    512,
    'M',
  ],
};

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

interface LayerSpec {
  /** Index in torchvision's `features` Sequential. */
  index: number;
  /** conv3_4, relu3_4, pool3 … */
  name: string;
  type: 'conv' | 'relu' | 'pool';
}

/** The `features` layers of a VGG with their names (conv1_1, relu1_1, …, pool5). */
export function vggLayers(kind: VggKind): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let block = 1;
  let conv = 1;
  for (const entry of CFG[kind]) {
    if (entry === 'M') {
      layers.push({ index: layers.length, name: `pool${block}`, type: 'pool' });
      block++;
      conv = 1;
    } else {
      layers.push({ index: layers.length, name: `conv${block}_${conv}`, type: 'conv' });
      layers.push({ index: layers.length, name: `relu${block}_${conv}`, type: 'relu' });
      conv++;
    }
  }
  return layers;
}

/** Conv widths of the cfg (64 … 512), in order. */
export function vggWidths(kind: VggKind): number[] {
  return CFG[kind].filter((e): e is number => e !== 'M');
}

export interface VggOptions {
  /** Output channels of each conv in order; default torchvision's (64 … 512). */
  widths?: number[];
  /** Build only the layers up to and including this one (e.g. relu3_4). */
  upTo?: string;
}

/** torchvision `vgg.features` (a Sequential): conv children under their indices. */
class VggFeatures extends Module {
  readonly convs = new Map<number, Conv2d>();

  constructor(layers: LayerSpec[], widths: number[], rng: Rng) {
    super();
    let inChannels = 3;
    let k = 0;
    for (const layer of layers) {
      if (layer.type !== 'conv') continue;
      const out = widths[k++]!;
      this.convs.set(layer.index, this.child(String(layer.index), new Conv2d(inChannels, out, 3, rng)));
      inChannels = out;
    }
  }
}

export class Vgg extends Module {
  readonly layers: LayerSpec[];
  readonly features: VggFeatures;

  constructor(
    readonly kind: VggKind,
    rng: Rng,
    options: VggOptions = {},
  ) {
    super();
    const all = vggLayers(kind);
    const last = options.upTo ? all.findIndex((l) => l.name === options.upTo) : all.length - 1;
    if (last < 0) throw new UserError(`${kind}: unknown layer '${options.upTo}' (e.g. relu3_4)`);
    this.layers = all.slice(0, last + 1);
    const widths = options.widths ?? vggWidths(kind);
    this.features = this.child('features', new VggFeatures(this.layers, widths, rng));
    freeze(this);
  }

  /** Index of a named layer (relu1_2 …) in `features`. */
  layerIndex(name: string): number {
    const layer = this.layers.find((l) => l.name === name);
    if (!layer) {
      const names = this.layers.filter((l) => l.type === 'relu').map((l) => l.name);
      throw new UserError(`${this.kind}: no layer '${name}' (known: ${names.join(', ')})`);
    }
    return layer.index;
  }

  /**
   * Runs the trunk on already-normalised NHWC images up to the deepest tap and returns the
   * activations of the named layers (relu1_2 …) in the order asked for.
   */
  apply(x: tf.Tensor4D, taps: string[]): tf.Tensor4D[] {
    const indices = taps.map((t) => this.layerIndex(t));
    const deepest = Math.max(...indices);
    return tf.tidy(() => {
      const out = new Map<number, tf.Tensor4D>();
      let h = x;
      for (const layer of this.layers) {
        if (layer.index > deepest) break;
        if (layer.type === 'conv') {
          const conv = this.features.convs.get(layer.index)!;
          // 3×3, stride 1, padding 1 = 'same'.
          h = tf.add(tf.conv2d(h, conv.weight as tf.Tensor4D, 1, 'same'), conv.bias!);
        } else if (layer.type === 'relu') {
          h = tf.relu(h);
        } else {
          h = tf.maxPool(h, 2, 2, 'valid');
        }
        if (indices.includes(layer.index)) out.set(layer.index, h);
      }
      return indices.map((i) => out.get(i)!);
    });
  }
}

/** Frozen feature nets: their variables never appear in tf.variableGrads of a training step. */
export function freeze(module: Module): void {
  for (const [, entry] of module.namedEntries()) entry.variable.trainable = false;
}

/** (x − mean)/std with ImageNet's RGB statistics; x in [0,1], NHWC. */
export function imagenetNormalize(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() =>
    tf.div(tf.sub(x, tf.tensor1d(IMAGENET_MEAN)), tf.tensor1d(IMAGENET_STD)),
  ) as tf.Tensor4D;
}

/**
 * Maps the key layouts VGG weights come in onto `features.N.*`: torchvision's full model
 * (`features.N.*`, classifier dropped), a bare `features` state dict (`N.*`), UGPNet's
 * loss/vgg.py VGG19 (`sliceK.N.*`) and lpips' trunk (`net.sliceK.N.*`).
 */
export function vggFeatureStateDict(dict: Map<string, TorchTensor>): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  for (const [key, value] of dict) {
    const m = /^(?:features\.|(?:net\.)?slice\d+\.)?(\d+)\.(weight|bias)$/.exec(key);
    if (m) out.set(`features.${m[1]}.${m[2]}`, value);
  }
  return out;
}

/** Conv widths read from a `features.N.weight` dict (PyTorch layout [out, in, 3, 3]). */
export function widthsFromStateDict(kind: VggKind, dict: Map<string, TorchTensor>, upTo?: string): number[] {
  const all = vggLayers(kind);
  const last = upTo ? all.findIndex((l) => l.name === upTo) : all.length - 1;
  const widths: number[] = [];
  for (const layer of all.slice(0, last + 1)) {
    if (layer.type !== 'conv') continue;
    const w = dict.get(`features.${layer.index}.weight`);
    if (!w) break;
    widths.push(w.shape[0]!);
  }
  return widths;
}

/**
 * Builds a VGG from a checkpoint dict in any supported key layout, taking channel widths
 * from the weight shapes; layers past `upTo` in the file are ignored.
 */
export function vggFromStateDict(
  kind: VggKind,
  dict: Map<string, TorchTensor>,
  options: { upTo?: string; source?: string } = {},
): Vgg {
  const features = vggFeatureStateDict(dict);
  const widths = widthsFromStateDict(kind, features, options.upTo);
  const needed = vggWidths(kind).slice(0, countConvs(kind, options.upTo));
  if (widths.length < needed.length) {
    throw new UserError(
      `${options.source ?? 'checkpoint'}: ${kind} needs ${needed.length} conv layers${
        options.upTo ? ` up to ${options.upTo}` : ''
      }, found ${widths.length} (keys like features.0.weight)`,
    );
  }
  const vgg = new Vgg(kind, new Rng(0), { widths, upTo: options.upTo });
  const own = new Set(vgg.namedEntries().map(([k]) => k));
  const subset = new Map([...features].filter(([k]) => own.has(k)));
  vgg.loadTorchStateDict(subset, { source: options.source });
  return vgg;
}

function countConvs(kind: VggKind, upTo?: string): number {
  const all = vggLayers(kind);
  const last = upTo ? all.findIndex((l) => l.name === upTo) : all.length - 1;
  return all.slice(0, last + 1).filter((l) => l.type === 'conv').length;
}
