// Weight initialisers of the official code, applied after construction (layers start
// from PyTorch's defaults). All draws come from the given Rng.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, type Module, type Rng } from '@ugpnet/tensor';

function fill(variable: tf.Variable, values: Float32Array | number): void {
  const t = typeof values === 'number' ? tf.fill(variable.shape, values) : tf.tensor(values, variable.shape);
  variable.assign(t);
  t.dispose();
}

function convFans(conv: Conv2d): { fanIn: number; fanOut: number } {
  const k = conv.kernelSize * conv.kernelSize;
  // Depthwise weights are [C, 1, k, k] in PyTorch: fan_in k², fan_out C·k² / groups = k².
  if (conv.depthwise) return { fanIn: k, fanOut: k };
  return { fanIn: conv.inChannels * k, fanOut: conv.outChannels * k };
}

export interface KaimingOptions {
  mode?: 'fan_in' | 'fan_out';
  /** Negative slope `a` of init.kaiming_normal_ (gain √(2/(1+a²))). */
  a?: number;
  /** Multiplies the weights afterwards (basicsr default_init_weights' `scale`). */
  scale?: number;
  biasFill?: number;
}

/** torch.nn.init.kaiming_normal_ on a conv or linear weight; bias filled with a constant. */
export function kaimingNormal(layer: Conv2d | Linear, rng: Rng, options: KaimingOptions = {}): void {
  const { fanIn, fanOut } =
    layer instanceof Conv2d ? convFans(layer) : { fanIn: layer.inFeatures, fanOut: layer.outFeatures };
  const a = options.a ?? 0;
  const gain = Math.sqrt(2 / (1 + a * a));
  const std = (gain / Math.sqrt(options.mode === 'fan_out' ? fanOut : fanIn)) * (options.scale ?? 1);
  fill(layer.weight, rng.normalArray(layer.weight.size, std));
  if (layer.bias) fill(layer.bias, options.biasFill ?? 0);
}

/** Visits `module` and every module below it, parents first. */
export function walkModules(module: Module, visit: (m: Module) => void): void {
  visit(module);
  for (const [, child] of module.namedChildren()) walkModules(child, visit);
}

/**
 * UGPNet utils.initialize_weights: convs kaiming-normal (fan_out, leaky_relu with a = 0),
 * zero bias; BatchNorm weight 1, bias 0; Linear N(0, 0.01), zero bias.
 */
export function initializeWeights(module: Module, rng: Rng): void {
  let i = 0;
  walkModules(module, (m) => {
    const r = rng.fork(i++);
    if (m instanceof Conv2d) kaimingNormal(m, r, { mode: 'fan_out' });
    else if (m instanceof BatchNorm2d) {
      fill(m.weight, 1);
      fill(m.bias, 0);
    } else if (m instanceof Linear) {
      fill(m.weight, r.normalArray(m.weight.size, 0.01));
      if (m.bias) fill(m.bias, 0);
    }
  });
}

/** basicsr arch_util.default_init_weights: kaiming-normal (fan_in) × scale, bias `biasFill`. */
export function defaultInitWeights(modules: Module[], rng: Rng, scale = 1, biasFill = 0): void {
  let i = 0;
  for (const module of modules) {
    walkModules(module, (m) => {
      const r = rng.fork(i++);
      if (m instanceof Conv2d || m instanceof Linear) kaimingNormal(m, r, { scale, biasFill });
      else if (m instanceof BatchNorm2d) {
        fill(m.weight, 1);
        fill(m.bias, biasFill);
      }
    });
  }
}
