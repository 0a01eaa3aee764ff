// One optimisation step with explicit tensor lifetimes: grads of `loss` for the optimizer's
// variables, applied, everything disposed; the loss comes back as a number.
import * as tf from '@tensorflow/tfjs-core';
import type { Adam } from '@ugpnet/tensor';

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

/**
 * Runs `fn` as if no gradient were being recorded, even inside tf.variableGrads: the synthesis
 * step updates D between computing x_syn and the generator loss (train_synmodule.py's order),
 * and neither D's step nor its saved activations belong on the generator's tape. tfjs nests
 * tapes by depth and frees them only at depth 0, so the outer tape is set aside and restored.
 */
export function outsideTape<T>(fn: () => T): T {
  const state = tf.engine().state;
  const { activeTape, gradientDepth } = state;
  if (gradientDepth === 0) return fn();
  state.gradientDepth = 0;
  state.activeTape = [];
  try {
    return fn();
  } finally {
    state.activeTape = activeTape;
    state.gradientDepth = gradientDepth;
  }
}
