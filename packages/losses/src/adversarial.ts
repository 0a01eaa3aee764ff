// loss/gan_loss.py and basicsr's r1_penalty: the non-saturating generator loss, the logistic
// discriminator loss and the lazy R1 gradient penalty. D is passed in as a function, so
// this package does not depend on the models.
import * as tf from '@tensorflow/tfjs-core';

/** cal_adv_loss: mean softplus(−D(fake)). */
export function nonSaturatingGLoss(fakePred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakePred))) as tf.Scalar);
}

/** cal_adv_d_loss: mean softplus(−D(real)) + mean softplus(D(fake)). */
export function logisticDLoss(fakePred: tf.Tensor, realPred: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () => tf.add(tf.mean(tf.softplus(tf.neg(realPred))), tf.mean(tf.softplus(fakePred))) as tf.Scalar,
  );
}

/** r1_penalty given dD/dx: mean over the batch of Σ_chw (dD/dx)². */
export function r1PenaltyFromGradient(gradReal: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const n = gradReal.shape[0]!;
    return tf.mean(tf.sum(tf.reshape(tf.square(gradReal), [n, -1]), 1)) as tf.Scalar;
  });
}

export interface R1Result {
  /** mean_n Σ (d Σ D(x) / dx)², differentiable with respect to D's variables. */
  penalty: tf.Scalar;
  /** D(real), reused by the caller if it needs the logits. */
  realPred: tf.Tensor;
}

/**
 * basicsr r1_penalty(D(x), x): the gradient of Σ D(x) with respect to the real images.
 * Called inside tf.variableGrads the penalty stays differentiable with respect to D's
 * variables (tfjs records the inner backward pass on the outer tape). Caveat of tfjs 4.22:
 * ops whose gradient uses their saved OUTPUT (Exp, Tanh, Sigmoid, Softmax, LogSoftmax, Max,
 * Min, MaxPool, Pow, Elu) lose that path in second-order gradients (the saved clone is taped
 * before the op that produces it), so D should avoid them or the R1 gradient is incomplete.
 */
export function r1Penalty(d: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D): R1Result {
  let realPred: tf.Tensor | undefined;
  const grad = tf.grad((x: tf.Tensor) => {
    const pred = d(x as tf.Tensor4D);
    realPred = tf.keep(pred);
    return tf.sum(pred);
  })(real);
  const penalty = r1PenaltyFromGradient(grad);
  grad.dispose();
  return { penalty, realPred: realPred! };
}

export interface LazyR1Options {
  /** γ (basicsr r1_reg_weight), default 10. */
  weight?: number;
  /** The penalty is applied every `every` D steps (net_d_reg_every), default 10. */
  every?: number;
}

/** regd's scaling: γ/2 · penalty · every (the reference: 10/2 · r1 · 10 = 50 · r1). */
export function lazyR1Loss(penalty: tf.Scalar, options: LazyR1Options = {}): tf.Scalar {
  const weight = options.weight ?? 10;
  const every = options.every ?? 10;
  return tf.tidy(() => tf.mul(penalty, (weight / 2) * every) as tf.Scalar);
}
