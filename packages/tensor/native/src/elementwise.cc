#include "elementwise.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ugp {
namespace {

// Below this many elements per thread, waking a second thread costs more than it saves.
constexpr int64_t kGrain = 1 << 15;

int threadsFor(int64_t work) {
  const int64_t wanted = work / kGrain;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), wanted)));
}

/** body(begin, end) over [0, n) in one contiguous slice per thread (static: results never depend
 *  on timing). */
template <class Body>
void parallelSlices(int64_t n, int threads, Body body) {
  if (threads <= 1) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
    const int64_t slice = ((n + count - 1) / count + 15) / 16 * 16;
    const int64_t begin = std::min(n, t * slice), end = std::min(n, begin + slice);
    if (begin < end) body(begin, end);
  }
}

template <BinaryOp Op>
inline float apply(float a, float b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  if constexpr (Op == BinaryOp::Sub) return a - b;
  if constexpr (Op == BinaryOp::Mul) return a * b;
  if constexpr (Op == BinaryOp::Div) return a / b;
  if constexpr (Op == BinaryOp::Max) return a > b ? a : b;
  if constexpr (Op == BinaryOp::Min) return a < b ? a : b;
  if constexpr (Op == BinaryOp::SquaredDifference) return (a - b) * (a - b);
}

/** Output elements [begin, end): rows of the innermost dimension, operands walked by strides. */
template <BinaryOp Op>
void binarySlice(const float *a, const float *b, float *y, const BroadcastShape &s, int64_t begin, int64_t end) {
  const int last = s.rank - 1;
  const int64_t inner = s.dims[last];
  const bool aRuns = s.aStrides[last] != 0, bRuns = s.bStrides[last] != 0;
  // The multi-index of the first row, then carried forward row by row.
  int64_t index[4] = {0, 0, 0, 0};
  int64_t row = begin / inner, aRow = 0, bRow = 0;
  for (int d = last - 1; d >= 0; d--) {
    index[d] = row % s.dims[d];
    row /= s.dims[d];
    aRow += index[d] * s.aStrides[d];
    bRow += index[d] * s.bStrides[d];
  }
  int64_t col = begin % inner;
  for (int64_t i = begin; i < end;) {
    const int64_t n = std::min(inner - col, end - i);
    const float *ar = a + aRow + (aRuns ? col : 0), *br = b + bRow + (bRuns ? col : 0);
    float *yr = y + i;
    if (aRuns && bRuns) {
      for (int64_t k = 0; k < n; k++) yr[k] = apply<Op>(ar[k], br[k]);
    } else if (aRuns) {
      const float bv = br[0];
      for (int64_t k = 0; k < n; k++) yr[k] = apply<Op>(ar[k], bv);
    } else if (bRuns) {
      const float av = ar[0];
      for (int64_t k = 0; k < n; k++) yr[k] = apply<Op>(av, br[k]);
    } else {
      std::fill(yr, yr + n, apply<Op>(ar[0], br[0]));
    }
    i += n;
    col = 0;
    for (int d = last - 1; d >= 0; d--) {
      aRow += s.aStrides[d];
      bRow += s.bStrides[d];
      if (++index[d] < s.dims[d]) break;
      aRow -= index[d] * s.aStrides[d];
      bRow -= index[d] * s.bStrides[d];
      index[d] = 0;
    }
  }
}

/** Rows [r0, r1) of a rank-2 broadcast, each operand either a whole row (Runs) or one value per
 *  row. Both known at compile time, and the row length too where it is a common channel count (a
 *  runtime count of 8 leaves the vector loop's set-up cost on every row). */
template <BinaryOp Op, bool ARuns, bool BRuns, int64_t Inner>
void binaryRows(const float *a, const float *b, float *y, const BroadcastShape &s, int64_t r0, int64_t r1) {
  const int64_t inner = Inner > 0 ? Inner : s.dims[1];
  for (int64_t r = r0; r < r1; r++) {
    const float *ar = a + r * s.aStrides[0], *br = b + r * s.bStrides[0];
    float *yr = y + r * inner;
    for (int64_t k = 0; k < inner; k++) yr[k] = apply<Op>(ARuns ? ar[k] : ar[0], BRuns ? br[k] : br[0]);
  }
}

template <BinaryOp Op, bool ARuns, bool BRuns>
void binaryRowsOf(const float *a, const float *b, float *y, const BroadcastShape &s, int threads) {
  parallelSlices(s.dims[0], threads, [&](int64_t r0, int64_t r1) {
    switch (s.dims[1]) {
      case 8: return binaryRows<Op, ARuns, BRuns, 8>(a, b, y, s, r0, r1);
      case 16: return binaryRows<Op, ARuns, BRuns, 16>(a, b, y, s, r0, r1);
      case 32: return binaryRows<Op, ARuns, BRuns, 32>(a, b, y, s, r0, r1);
      case 64: return binaryRows<Op, ARuns, BRuns, 64>(a, b, y, s, r0, r1);
      default: return binaryRows<Op, ARuns, BRuns, 0>(a, b, y, s, r0, r1);
    }
  });
}

template <BinaryOp Op>
void binaryAll(const float *a, const float *b, float *y, const BroadcastShape &s) {
  int64_t total = 1;
  for (int d = 0; d < s.rank; d++) total *= s.dims[d];
  const int threads = threadsFor(total);
  // [rows, channels] with a per-channel vector or a per-pixel scalar: most broadcasts of a step.
  if (s.rank == 2 && s.dims[1] < 256) {
    const bool aRuns = s.aStrides[1] != 0, bRuns = s.bStrides[1] != 0;
    if (aRuns && bRuns) return binaryRowsOf<Op, true, true>(a, b, y, s, threads);
    if (aRuns) return binaryRowsOf<Op, true, false>(a, b, y, s, threads);
    if (bRuns) return binaryRowsOf<Op, false, true>(a, b, y, s, threads);
  }
  parallelSlices(total, threads, [&](int64_t begin, int64_t end) { binarySlice<Op>(a, b, y, s, begin, end); });
}

inline uint32_t bitsOf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

/** 1 for x > 0, alpha otherwise, NaN for NaN; with bit masks, which vectorise (a branch on random
 *  signs mispredicts half the time, and gcc leaves the select form scalar). */
inline float step(float v, float alpha) {
  const uint32_t positive = 0u - static_cast<uint32_t>(v > 0.f);
  const uint32_t nan = 0u - static_cast<uint32_t>(v != v);
  const uint32_t value = (positive & bitsOf(1.f)) | (~positive & bitsOf(alpha));
  const uint32_t bits = (nan & bitsOf(v)) | (~nan & value);
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

template <UnaryOp Op>
void unaryAll(const float *x, float *y, int64_t count, float alpha) {
  parallelSlices(count, threadsFor(count), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      const float v = x[i];
      if constexpr (Op == UnaryOp::Square) y[i] = v * v;
      if constexpr (Op == UnaryOp::Sqrt) y[i] = std::sqrt(v);
      if constexpr (Op == UnaryOp::Neg) y[i] = -v;
      if constexpr (Op == UnaryOp::Step) y[i] = step(v, alpha);
      if constexpr (Op == UnaryOp::Rsqrt) y[i] = 1.f / std::sqrt(v);
      if constexpr (Op == UnaryOp::Exp) y[i] = std::exp(v);
      if constexpr (Op == UnaryOp::Abs) y[i] = std::fabs(v);
      if constexpr (Op == UnaryOp::Reciprocal) y[i] = 1.f / v;
    }
  });
}

/** y[o, i0..i1] = Σ_r x[o, r, i] for o in [o0, o1): each sum runs over r in order, one float at a
 *  time, as tfjs' kernels sum (faster orders change a step's result enough to show in training). */
void sumInOrder(const float *x, float *y, int64_t o0, int64_t o1, int64_t i0, int64_t i1, int64_t reduced,
                int64_t inner) {
  for (int64_t o = o0; o < o1; o++) {
    float *out = y + o * inner;
    const float *block = x + o * reduced * inner;
    if (inner == 1) {
      float sum = 0.f;
      for (int64_t r = 0; r < reduced; r++) sum += block[r];
      out[0] = sum;
      continue;
    }
    // Columns in blocks summed in a local array, which the compiler keeps in vector registers.
    constexpr int64_t kBlock = 64;
    for (int64_t b0 = i0; b0 < i1; b0 += kBlock) {
      const int64_t width = std::min(kBlock, i1 - b0);
      float acc[kBlock] = {};
      for (int64_t r = 0; r < reduced; r++) {
        const float *row = block + r * inner + b0;
        for (int64_t i = 0; i < width; i++) acc[i] += row[i];
      }
      std::copy(acc, acc + width, out + b0);
    }
  }
}

}  // namespace

void binary(BinaryOp op, const float *a, const float *b, float *y, const BroadcastShape &shape) {
  switch (op) {
    case BinaryOp::Add: return binaryAll<BinaryOp::Add>(a, b, y, shape);
    case BinaryOp::Sub: return binaryAll<BinaryOp::Sub>(a, b, y, shape);
    case BinaryOp::Mul: return binaryAll<BinaryOp::Mul>(a, b, y, shape);
    case BinaryOp::Div: return binaryAll<BinaryOp::Div>(a, b, y, shape);
    case BinaryOp::Max: return binaryAll<BinaryOp::Max>(a, b, y, shape);
    case BinaryOp::Min: return binaryAll<BinaryOp::Min>(a, b, y, shape);
    case BinaryOp::SquaredDifference: return binaryAll<BinaryOp::SquaredDifference>(a, b, y, shape);
  }
}

void unary(UnaryOp op, const float *x, float *y, int64_t count, float alpha) {
  switch (op) {
    case UnaryOp::Square: return unaryAll<UnaryOp::Square>(x, y, count, alpha);
    case UnaryOp::Sqrt: return unaryAll<UnaryOp::Sqrt>(x, y, count, alpha);
    case UnaryOp::Neg: return unaryAll<UnaryOp::Neg>(x, y, count, alpha);
    case UnaryOp::Step: return unaryAll<UnaryOp::Step>(x, y, count, alpha);
    case UnaryOp::Rsqrt: return unaryAll<UnaryOp::Rsqrt>(x, y, count, alpha);
    case UnaryOp::Exp: return unaryAll<UnaryOp::Exp>(x, y, count, alpha);
    case UnaryOp::Abs: return unaryAll<UnaryOp::Abs>(x, y, count, alpha);
    case UnaryOp::Reciprocal: return unaryAll<UnaryOp::Reciprocal>(x, y, count, alpha);
  }
}

void reduceSum(const float *x, float *y, int64_t outer, int64_t reduced, int64_t inner, float divisor) {
  const int threads = threadsFor(outer * reduced * inner);
  if (threads > 1 && outer >= threads) {
    // Threads own whole output rows (layer norm statistics: many short sums).
    parallelSlices(outer, threads, [&](int64_t o0, int64_t o1) { sumInOrder(x, y, o0, o1, 0, inner, reduced, inner); });
  } else if (threads > 1 && inner >= 16 * threads) {
    // Threads own runs of columns (bias gradients: a few long sums side by side).
    parallelSlices(inner, threads, [&](int64_t i0, int64_t i1) { sumInOrder(x, y, 0, outer, i0, i1, reduced, inner); });
  } else {
    sumInOrder(x, y, 0, outer, 0, inner, reduced, inner);
  }
  if (divisor != 1.f)
    for (int64_t k = 0; k < outer * inner; k++) y[k] /= divisor;
}

void adamUpdate(const AdamStep &step, const float *param, const float *grad, const float *expAvg,
                const float *expAvgSq, float *paramOut, float *expAvgOut, float *expAvgSqOut, int64_t count) {
  parallelSlices(count, threadsFor(count * 4), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i++) {
      const float g = grad[i];
      const float m = expAvg[i] * step.beta1 + g * step.oneMinusBeta1;
      const float v = expAvgSq[i] * step.beta2 + (g * g) * step.oneMinusBeta2;
      const float denom = std::sqrt(v) / step.sqrtBias2 + step.eps;
      expAvgOut[i] = m;
      expAvgSqOut[i] = v;
      paramOut[i] = param[i] - (m / denom) * step.stepSize;
    }
  });
}

}  // namespace ugp
