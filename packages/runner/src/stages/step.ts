// One optimisation step with explicit tensor lifetimes: grads of `loss` for the optimizer's
// variables, applied, everything disposed; the loss comes back as a number.
import * as tf from '@tensorflow/tfjs-core';
import type { Adam, Module } from '@ugpnet/tensor';

/** A module's trainable parameters under their official keys (the optimizer's state keys). */
export function namedTrainable(module: Module, prefix = ''): Array<[string, tf.Variable]> {
  return module
    .namedEntries(prefix)
    .filter(([, e]) => !e.isBuffer)
    .map(([key, e]) => [key, e.variable]);
}

/** One step of one optimizer, or of several over disjoint variables (per-module learning rates). */
export function stepWithGrads(adam: Adam | Adam[], loss: () => tf.Scalar): number {
  const adams = Array.isArray(adam) ? adam : [adam];
  const { value, grads } = tf.variableGrads(
    loss,
    adams.flatMap((a) => a.variables()),
  );
  for (const a of adams) a.step(grads);
  const out = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}
