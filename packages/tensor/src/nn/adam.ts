// Adam exactly as torch.optim.Adam computes it (eps added to sqrt(v̂), bias corrections
// applied per step), with its state keyed by the parameters' official names so an
// optimizer checkpoint is readable and resumable.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../kernels/native/adam.js';
import type { TorchTensor } from './module.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
}

interface Slot {
  variable: tf.Variable;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Number of steps taken (PyTorch's `state['step']`). */
  stepCount = 0;
  private readonly slots = new Map<string, Slot>();

  constructor(params: Iterable<[string, tf.Variable]>, options: AdamOptions) {
    this.lr = options.lr;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    for (const [key, variable] of params) {
      if (this.slots.has(key)) throw new Error(`Adam: parameter '${key}' given twice`);
      this.slots.set(key, {
        variable,
        expAvg: tf.variable(tf.zerosLike(variable), false),
        expAvgSq: tf.variable(tf.zerosLike(variable), false),
      });
    }
  }

  /** The optimised variables, in the order grads must be computed for. */
  variables(): tf.Variable[] {
    return [...this.slots.values()].map((s) => s.variable);
  }

  /**
   * Applies one update. `grads` maps variable name (tfjs' Variable.name, as returned by
   * tf.variableGrads) to its gradient; variables without a gradient are left alone.
   */
  step(grads: tf.NamedTensorMap): void {
    this.stepCount++;
    const t = this.stepCount;
    const bias1 = 1 - this.beta1 ** t;
    const bias2 = 1 - this.beta2 ** t;
    const stepSize = this.lr / bias1;
    // The native addon's one-pass update, where the backend has it (same float32 rounding).
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    const attrs: AdamUpdateAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      sqrtBias2: Math.sqrt(bias2),
      stepSize,
    };
    tf.tidy(() => {
      for (const slot of this.slots.values()) {
        const g = grads[slot.variable.name];
        if (!g) continue;
        if (fused && g.dtype === 'float32') {
          const inputs = { param: slot.variable, grad: g, expAvg: slot.expAvg, expAvgSq: slot.expAvgSq };
          const [param, m, v] = tf
            .engine()
            .runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          slot.expAvg.assign(m!);
          slot.expAvgSq.assign(v!);
          slot.variable.assign(param!);
          continue;
        }
        const m = tf.add(tf.mul(slot.expAvg, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.expAvgSq, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        slot.expAvg.assign(m);
        slot.expAvgSq.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bias2)), this.eps);
        slot.variable.assign(tf.sub(slot.variable, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /** Optimizer state as named tensors in our layout (`<key>.exp_avg`, `<key>.exp_avg_sq`). */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [key, slot] of this.slots) {
      out.set(`${key}.exp_avg`, slot.expAvg);
      out.set(`${key}.exp_avg_sq`, slot.expAvgSq);
    }
    return out;
  }

  /** Restores state written by stateTensors (missing or mis-shaped entries are an error). */
  loadState(tensors: Map<string, TorchTensor>, stepCount: number): void {
    for (const [key, slot] of this.slots) {
      for (const [suffix, target] of [
        ['exp_avg', slot.expAvg],
        ['exp_avg_sq', slot.expAvgSq],
      ] as const) {
        const t = tensors.get(`${key}.${suffix}`);
        if (!t || t.shape.join(',') !== target.shape.join(',')) {
          throw new Error(`optimizer state for '${key}.${suffix}' is missing or has the wrong shape`);
        }
        const value = tf.tensor(t.data, t.shape);
        target.assign(value);
        value.dispose();
      }
    }
    this.stepCount = stepCount;
  }

  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.expAvg.dispose();
      slot.expAvgSq.dispose();
    }
    this.slots.clear();
  }
}
