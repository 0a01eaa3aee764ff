// Elementwise kernels and reductions on float32 tensors of the wasm heap, threaded with OpenMP.
// A training step runs thousands of them (layer norms, gates, attention scales, optimizer moments);
// tfjs-backend-wasm runs each on one thread or with a thread pool that spins between calls.
#pragma once

#include <cstdint>

namespace ugp {

enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, Max = 4, Min = 5, SquaredDifference = 6 };
enum class UnaryOp { Square = 0, Sqrt = 1, Neg = 2, Step = 3, Rsqrt = 4, Exp = 5, Abs = 6, Reciprocal = 7 };

/** Up to four output dimensions after the caller merged contiguous ones; strides are 0 where an
 *  operand broadcasts. The innermost stride of each operand is 0 or 1. */
struct BroadcastShape {
  int rank;
  int64_t dims[4];
  int64_t aStrides[4];
  int64_t bStrides[4];
};

void binary(BinaryOp op, const float *a, const float *b, float *y, const BroadcastShape &shape);

/** alpha: Step's value for x ≤ 0. */
void unary(UnaryOp op, const float *x, float *y, int64_t count, float alpha);

/** y[o, i] = Σ_r x[o, r, i] / divisor, x laid out [outer, reduced, inner]. */
void reduceSum(const float *x, float *y, int64_t outer, int64_t reduced, int64_t inner, float divisor);

/** torch.optim.Adam's update of one parameter, with the float32 operations of its unfused form in
 *  the same order (so the result is bit for bit that of the separate kernels). */
struct AdamStep {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, sqrtBias2, eps, stepSize;
};
void adamUpdate(const AdamStep &step, const float *param, const float *grad, const float *expAvg,
                const float *expAvgSq, float *paramOut, float *expAvgOut, float *expAvgSqOut, int64_t count);

}  // namespace ugp
