// A minimal module tree in the spirit of torch.nn.Module: named parameters, buffers and
// children whose dotted paths are the official state-dict keys. Tensors are stored in our
// NHWC-friendly layout; each parameter knows how to convert to and from PyTorch's layout.
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '@ugpnet/core';

/**
 * How a tensor maps between PyTorch's layout and ours: ours = reshape(transpose(torch, perm), shape).
 * `perm` is undefined for tensors whose layout is the same in both.
 */
export interface TorchLayout {
  perm?: number[];
}

/** PyTorch Conv2d weight [O, I, kh, kw] → ours [kh, kw, I, O]. */
export const CONV2D_LAYOUT: TorchLayout = { perm: [2, 3, 1, 0] };
/** PyTorch depthwise Conv2d weight [C, 1, kh, kw] → ours [kh, kw, C, 1]. */
export const DEPTHWISE_LAYOUT: TorchLayout = { perm: [2, 3, 0, 1] };
/** PyTorch Linear weight [out, in] → ours [in, out]. */
export const LINEAR_LAYOUT: TorchLayout = { perm: [1, 0] };
export const SAME_LAYOUT: TorchLayout = {};

/** A tensor as it appears in an official checkpoint: PyTorch layout, row-major data. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

export interface ParamEntry {
  variable: tf.Variable;
  layout: TorchLayout;
  /** Shape in PyTorch's layout, as the official state dict holds it. */
  torchShape: number[];
  /** Buffers (BatchNorm running stats, StyleGAN2 noise) are saved but not optimised. */
  isBuffer: boolean;
}

export class StateDictError extends UserError {
  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly wrongShape: string[],
    source: string,
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
    if (wrongShape.length) parts.push(`wrong shapes: ${wrongShape.join('; ')}`);
    super(`${source}: state dict does not match the model (${parts.join(' | ')})`);
    this.name = 'StateDictError';
  }
}

function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

export function torchShapeOf(ourShape: number[], layout: TorchLayout): number[] {
  if (!layout.perm) return [...ourShape];
  const inv = inversePerm(layout.perm);
  return inv.map((i) => ourShape[i]!);
}

/** Converts an official tensor into our layout. */
export function fromTorch(t: TorchTensor, layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    const raw = tf.tensor(t.data, t.shape, 'float32');
    return layout.perm ? tf.transpose(raw, layout.perm) : raw;
  });
}

/** Converts one of our tensors back into the official layout. */
export function toTorch(t: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return layout.perm ? tf.transpose(t, inversePerm(layout.perm)) : t.clone();
}

export interface LoadOptions {
  /** Used in error messages: the file and section the weights came from. */
  source?: string;
  /** Keys in the file that are fine to leave unused (default: BatchNorm's num_batches_tracked). */
  ignore?: (key: string) => boolean;
  /** When false, missing keys keep their current values instead of failing. */
  strict?: boolean;
}

const ignoreBatchCounter = (key: string) => key.endsWith('num_batches_tracked');

export abstract class Module {
  private readonly ownParams = new Map<string, ParamEntry>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter; `initial` is in our layout and is kept (not copied). */
  protected param(name: string, initial: tf.Tensor, layout: TorchLayout = SAME_LAYOUT): tf.Variable {
    return this.register(name, initial, layout, false);
  }

  /** Registers a non-trainable tensor that still belongs to the state dict. */
  protected buffer(name: string, initial: tf.Tensor, layout: TorchLayout = SAME_LAYOUT): tf.Variable {
    return this.register(name, initial, layout, true);
  }

  private register(name: string, initial: tf.Tensor, layout: TorchLayout, isBuffer: boolean): tf.Variable {
    if (this.ownParams.has(name) || this.children.has(name))
      throw new Error(`duplicate module entry '${name}'`);
    const variable = tf.variable(initial, !isBuffer);
    initial.dispose();
    this.ownParams.set(name, {
      variable,
      layout,
      isBuffer,
      torchShape: torchShapeOf(variable.shape, layout),
    });
    return variable;
  }

  /** Registers a sub-module under `name` (its keys become `name.*`). */
  protected child<M extends Module>(name: string, module: M): M {
    if (this.ownParams.has(name) || this.children.has(name))
      throw new Error(`duplicate module entry '${name}'`);
    this.children.set(name, module);
    return module;
  }

  /** Every parameter and buffer under its official dotted key. */
  namedEntries(prefix = ''): Array<[string, ParamEntry]> {
    const out: Array<[string, ParamEntry]> = [];
    for (const [name, entry] of this.ownParams) out.push([prefix + name, entry]);
    for (const [name, module] of this.children) out.push(...module.namedEntries(`${prefix}${name}.`));
    return out;
  }

  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /** The trainable parameters (no buffers) under their official dotted keys, as optimizers take them. */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    return this.namedEntries(prefix)
      .filter(([, e]) => !e.isBuffer)
      .map(([key, e]) => [key, e.variable]);
  }

  trainableVariables(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  parameterCount(): number {
    return this.namedParameters().reduce((n, [, v]) => n + v.size, 0);
  }

  /** Snapshot in the official layout and key names (caller disposes the tensors). */
  torchStateDict(): Map<string, tf.Tensor> {
    return new Map(this.namedEntries().map(([key, e]) => [key, toTorch(e.variable, e.layout)]));
  }

  /** Loads official-layout tensors; mismatches are reported together, by key. */
  loadTorchStateDict(dict: Map<string, TorchTensor>, options: LoadOptions = {}): void {
    const ignore = options.ignore ?? ignoreBatchCounter;
    const entries = new Map(this.namedEntries());
    const missing: string[] = [];
    const wrongShape: string[] = [];
    for (const [key, entry] of entries) {
      const t = dict.get(key);
      if (!t) {
        if (options.strict !== false) missing.push(key);
        continue;
      }
      if (t.shape.join(',') !== entry.torchShape.join(',')) {
        wrongShape.push(`${key} is [${t.shape}] in the file, [${entry.torchShape}] in the model`);
      }
    }
    const unexpected = [...dict.keys()].filter((k) => !entries.has(k) && !ignore(k));
    if (missing.length || unexpected.length || wrongShape.length) {
      throw new StateDictError(missing, unexpected, wrongShape, options.source ?? 'checkpoint');
    }
    for (const [key, entry] of entries) {
      const t = dict.get(key);
      if (!t) continue;
      const value = fromTorch(t, entry.layout);
      entry.variable.assign(value);
      value.dispose();
    }
  }

  dispose(): void {
    for (const entry of this.ownParams.values()) entry.variable.dispose();
    for (const module of this.children.values()) module.dispose();
  }
}

/** An indexed container whose children are keyed 0, 1, 2… like torch.nn.ModuleList. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];

  constructor(items: M[] = []) {
    super();
    for (const item of items) this.push(item);
  }

  push(item: M): M {
    this.child(String(this.items.length), item);
    this.items.push(item);
    return item;
  }

  get length(): number {
    return this.items.length;
  }
}
