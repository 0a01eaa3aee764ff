// oneDNN kernels for tfjs-backend-wasm, run in place on the wasm heap: JavaScript passes the heap
// (a Uint8Array over its ArrayBuffer or SharedArrayBuffer) and byte offsets; nothing is copied
// through JavaScript. Primitives are built once per shape and cached. Tensors are NHWC, filters
// HWIO (dense) or [kh, kw, C, multiplier] (depthwise, as oneDNN groups).
#include <node_api.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnnl.hpp"
#include "elementwise.h"

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

engine &cpu() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}

stream &cpuStream() {
  static stream s(cpu());
  return s;
}

/** One operand of a primitive: where it lies in the heap (user layout) and the layout it wants. */
struct Slot {
  int arg;           // DNNL_ARG_*
  int param;         // index of its heap offset in the call's parameters
  bool output;
  memory::desc user;
  memory::desc inner;
  bool reorders;
  dnnl::reorder reorder;  // user → inner (inputs) or inner → user (outputs)
};

struct Entry {
  primitive prim;
  std::vector<Slot> slots;
  std::string impl;
};

std::map<std::vector<double>, Entry> cache;

/** Scratch buffers for reordered operands, one per slot position, reused by every call. */
std::vector<std::pair<void *, size_t>> pool;

void *scratch(size_t index, size_t bytes) {
  if (pool.size() <= index) pool.resize(index + 1, {nullptr, 0});
  auto &[ptr, size] = pool[index];
  if (size < bytes) {
    std::free(ptr);
    size = (bytes + 63) / 64 * 64;
    ptr = std::aligned_alloc(64, size);
  }
  return ptr;
}

void addSlot(Entry &e, int arg, int param, bool output, const memory::desc &user, const memory::desc &inner) {
  Slot s{arg, param, output, user, inner, user != inner, dnnl::reorder()};
  if (s.reorders) {
    memory::desc from = output ? inner : user, to = output ? user : inner;
    s.reorder = reorder(reorder::primitive_desc(cpu(), from, cpu(), to));
  }
  e.slots.push_back(s);
}

void run(Entry &e, uint8_t *heap, const double *p) {
  auto &s = cpuStream();
  std::unordered_map<int, memory> args;
  std::vector<std::pair<Slot *, std::pair<memory, memory>>> outputs;
  size_t index = 0;
  for (auto &slot : e.slots) {
    memory user(slot.user, cpu(), heap + static_cast<size_t>(p[slot.param]));
    if (!slot.reorders) {
      args.insert({slot.arg, user});
      continue;
    }
    memory inner(slot.inner, cpu(), scratch(index++, slot.inner.get_size()));
    if (!slot.output) slot.reorder.execute(s, user, inner);
    else outputs.push_back({&slot, {inner, user}});
    args.insert({slot.arg, inner});
  }
  e.prim.execute(s, args);
  for (auto &[slot, mems] : outputs) slot->reorder.execute(s, mems.first, mems.second);
  s.wait();
}

// ---- convolutions ----------------------------------------------------------------------------
// Parameters (all numbers): 0 kind (0 forward, 1 input gradient, 2 filter gradient), 1 x/dx offset,
// 2 w/dw offset, 3 y/dy offset, 4 bias offset (-1: none), 5 N, 6 H, 7 W, 8 Ci, 9 Co, 10 Ho, 11 Wo,
// 12 KH, 13 KW, 14 SH, 15 SW, 16 DH, 17 DW, 18 pad top, 19 pad left, 20 groups (1 or Ci),
// 21 activation (0 none, 1 relu, 2 leaky relu), 22 alpha, 23 layout: 0 plain NHWC/HWIO; 1 NHWC
// activations and the weights in oneDNN's choice of layout (its brgconv and nxc kernels read NHWC, so
// no activation is reordered); 2 oneDNN's choice for every operand (reorders in and out).
enum { KIND, X, WEI, Y, BIAS, N, H, W, CI, CO, HO, WO, KH, KW, SH, SW, DH, DW, PT, PL, GROUPS, ACT, ALPHA, LAYOUT, CONV_PARAMS };

Entry makeConv(const double *p) {
  auto i = [&](int k) { return static_cast<memory::dim>(p[k]); };
  const int kind = static_cast<int>(p[KIND]);
  const bool grouped = i(GROUPS) > 1;
  const memory::dims src{i(N), i(CI), i(H), i(W)}, dst{i(N), i(CO), i(HO), i(WO)};
  const memory::dims wei = grouped ? memory::dims{i(GROUPS), i(CO) / i(GROUPS), i(CI) / i(GROUPS), i(KH), i(KW)}
                                   : memory::dims{i(CO), i(CI), i(KH), i(KW)};
  const memory::dims strides{i(SH), i(SW)}, dilates{i(DH) - 1, i(DW) - 1};
  const memory::dims padL{i(PT), i(PL)};
  const memory::dims padR{(i(HO) - 1) * i(SH) + (i(KH) - 1) * i(DH) + 1 - i(H) - i(PT),
                          (i(WO) - 1) * i(SW) + (i(KW) - 1) * i(DW) + 1 - i(W) - i(PL)};
  const memory::desc srcUser(src, dt::f32, tag::nhwc), dstUser(dst, dt::f32, tag::nhwc);
  const memory::desc weiUser(wei, dt::f32, grouped ? tag::hwigo : tag::hwio);
  const int layout = static_cast<int>(p[LAYOUT]);
  const memory::desc srcAny = layout == 2 ? memory::desc(src, dt::f32, tag::any) : srcUser;
  const memory::desc dstAny = layout == 2 ? memory::desc(dst, dt::f32, tag::any) : dstUser;
  const memory::desc weiAny = layout >= 1 ? memory::desc(wei, dt::f32, tag::any) : weiUser;
  const bool bias = p[BIAS] >= 0;
  const memory::desc biasMd({i(CO)}, dt::f32, tag::x);

  primitive_attr attr;
  if (kind == 0 && p[ACT] != 0) {
    post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, p[ACT] == 2 ? static_cast<float>(p[ALPHA]) : 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  auto fwdDesc = bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, srcAny,
                                                  weiAny, biasMd, dstAny, strides, dilates, padL, padR)
                      : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, srcAny,
                                                  weiAny, dstAny, strides, dilates, padL, padR);
  convolution_forward::primitive_desc fwd(fwdDesc, attr, cpu());
  Entry e;
  if (kind == 0) {
    e.prim = convolution_forward(fwd);
    e.impl = fwd.impl_info_str();
    addSlot(e, DNNL_ARG_SRC, X, false, srcUser, fwd.src_desc());
    addSlot(e, DNNL_ARG_WEIGHTS, WEI, false, weiUser, fwd.weights_desc());
    if (bias) addSlot(e, DNNL_ARG_BIAS, BIAS, false, biasMd, fwd.bias_desc());
    addSlot(e, DNNL_ARG_DST, Y, true, dstUser, fwd.dst_desc());
  } else if (kind == 1) {
    convolution_backward_data::primitive_desc bwd(
        convolution_backward_data::desc(algorithm::convolution_direct, srcAny, weiAny, dstAny, strides, dilates, padL,
                                        padR),
        cpu(), fwd);
    e.prim = convolution_backward_data(bwd);
    e.impl = bwd.impl_info_str();
    addSlot(e, DNNL_ARG_DIFF_DST, Y, false, dstUser, bwd.diff_dst_desc());
    addSlot(e, DNNL_ARG_WEIGHTS, WEI, false, weiUser, bwd.weights_desc());
    addSlot(e, DNNL_ARG_DIFF_SRC, X, true, srcUser, bwd.diff_src_desc());
  } else {
    convolution_backward_weights::primitive_desc bwd(
        convolution_backward_weights::desc(algorithm::convolution_direct, srcAny, weiAny, dstAny, strides, dilates,
                                           padL, padR),
        cpu(), fwd);
    e.prim = convolution_backward_weights(bwd);
    e.impl = bwd.impl_info_str();
    addSlot(e, DNNL_ARG_SRC, X, false, srcUser, bwd.src_desc());
    addSlot(e, DNNL_ARG_DIFF_DST, Y, false, dstUser, bwd.diff_dst_desc());
    addSlot(e, DNNL_ARG_DIFF_WEIGHTS, WEI, true, weiUser, bwd.diff_weights_desc());
  }
  return e;
}

// ---- matrix products -------------------------------------------------------------------------
// Parameters: 0 a offset, 1 b offset, 2 c offset, 3 batch of a, 4 batch of b, 5 M, 6 K, 7 N,
// 8 transpose a, 9 transpose b. Batches are equal or one of them is 1 (broadcast).
enum { MA, MB, MC, BA, BB, MM, MK, MN, TA, TB, MATMUL_PARAMS };

Entry makeMatMul(const double *p) {
  auto i = [&](int k) { return static_cast<memory::dim>(p[k]); };
  const memory::dim m = i(MM), k = i(MK), n = i(MN), ba = i(BA), bb = i(BB);
  const memory::desc a({ba, m, k}, dt::f32, p[TA] != 0 ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  const memory::desc b({bb, k, n}, dt::f32, p[TB] != 0 ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  const memory::desc c({std::max(ba, bb), m, n}, dt::f32, tag::abc);
  matmul::primitive_desc pd(matmul::desc(a, b, c), cpu());
  Entry e;
  e.prim = matmul(pd);
  e.impl = pd.impl_info_str();
  addSlot(e, DNNL_ARG_SRC, MA, false, a, a);
  addSlot(e, DNNL_ARG_WEIGHTS, MB, false, b, b);
  addSlot(e, DNNL_ARG_DST, MC, true, c, c);
  return e;
}

// ---- elementwise ------------------------------------------------------------------------------
// Parameters: 0 x offset, 1 y offset, 2 element count, 3 alpha. Leaky relu in one pass.
enum { EX, EY, EN, EALPHA, ELTWISE_PARAMS };

Entry makeLeakyRelu(const double *p) {
  const memory::desc md({static_cast<memory::dim>(p[EN])}, dt::f32, tag::a);
  eltwise_forward::primitive_desc pd(
      eltwise_forward::desc(prop_kind::forward_inference, algorithm::eltwise_relu, md, static_cast<float>(p[EALPHA])),
      cpu());
  Entry e;
  e.prim = eltwise_forward(pd);
  e.impl = pd.impl_info_str();
  addSlot(e, DNNL_ARG_SRC, EX, false, md, md);
  addSlot(e, DNNL_ARG_DST, EY, true, md, md);
  return e;
}

// ---- N-API glue ------------------------------------------------------------------------------

bool check(napi_env env, napi_status status) {
  if (status == napi_ok) return true;
  const napi_extended_error_info *info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, nullptr, info && info->error_message ? info->error_message : "N-API call failed");
  return false;
}

/** The data of a typed array (also over a SharedArrayBuffer) and its length in bytes. */
bool typedArrayData(napi_env env, napi_value value, void **data, size_t *bytes) {
  napi_typedarray_type type;
  size_t length, offset;
  napi_value buffer;
  if (!check(env, napi_get_typedarray_info(env, value, &type, &length, data, &buffer, &offset))) return false;
  size_t element = (type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array) ? 8
                   : (type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array)  ? 4
                   : (type == napi_int16_array || type == napi_uint16_array)                                ? 2
                                                                                                            : 1;
  *bytes = length * element;
  return true;
}

/** Reads a call's (heap: Uint8Array, params: Float64Array) arguments; false with an exception pending. */
bool heapCall(napi_env env, napi_callback_info info, size_t paramCount, uint8_t **heap, const double **params) {
  size_t argc = 2;
  napi_value argv[2];
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return false;
  void *heapData, *paramData;
  size_t heapBytes, paramBytes;
  if (argc < 2 || !typedArrayData(env, argv[0], &heapData, &heapBytes) ||
      !typedArrayData(env, argv[1], &paramData, &paramBytes))
    return false;
  if (paramBytes != paramCount * sizeof(double)) {
    napi_throw_error(env, nullptr, "ugp native: wrong parameter count");
    return false;
  }
  *heap = static_cast<uint8_t *>(heapData);
  *params = static_cast<const double *>(paramData);
  return true;
}

/** (heap, params) → implementation name; shared by conv, matMul and leakyRelu. */
/** Offsets is a bit mask of the parameters that are heap offsets (not part of the cache key). */
template <int Params, Entry (*Make)(const double *), unsigned Offsets>
napi_value runCached(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  const double *p;
  if (!heapCall(env, info, Params, &heap, &p)) return nullptr;
  std::vector<double> key(p, p + Params);
  // Offsets are not part of the primitive; only the geometry is.
  for (int k = 0; k < Params; k++)
    if (Offsets & (1u << k)) key[k] = p[k] >= 0 ? 0 : -1;  // a missing operand (-1) changes the primitive
  try {
    auto found = cache.find(key);
    if (found == cache.end()) found = cache.emplace(key, Make(p)).first;
    run(found->second, heap, p);
    napi_value result;
    napi_create_string_utf8(env, found->second.impl.c_str(), NAPI_AUTO_LENGTH, &result);
    return result;
  } catch (const dnnl::error &err) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + err.what()).c_str());
  } catch (const std::exception &err) {
    napi_throw_error(env, nullptr, err.what());
  }
  return nullptr;
}

// ---- elementwise and reductions (elementwise.cc; no oneDNN, nothing cached) ----------------------

template <class T = float>
T *at(uint8_t *heap, double offset) {
  return reinterpret_cast<T *>(heap + static_cast<size_t>(offset));
}

// Parameters: 0 op, 1 a offset, 2 b offset, 3 y offset, 4 rank, 5–8 dims, 9–12 a strides, 13–16 b strides.
napi_value binaryCall(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  const double *p;
  if (!heapCall(env, info, 17, &heap, &p)) return nullptr;
  ugp::BroadcastShape shape{static_cast<int>(p[4]), {}, {}, {}};
  for (int d = 0; d < 4; d++) {
    shape.dims[d] = static_cast<int64_t>(p[5 + d]);
    shape.aStrides[d] = static_cast<int64_t>(p[9 + d]);
    shape.bStrides[d] = static_cast<int64_t>(p[13 + d]);
  }
  ugp::binary(static_cast<ugp::BinaryOp>(p[0]), at(heap, p[1]), at(heap, p[2]), at(heap, p[3]), shape);
  return nullptr;
}

// Parameters: 0 op, 1 x offset, 2 y offset, 3 count, 4 alpha.
napi_value unaryCall(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  const double *p;
  if (!heapCall(env, info, 5, &heap, &p)) return nullptr;
  ugp::unary(static_cast<ugp::UnaryOp>(p[0]), at(heap, p[1]), at(heap, p[2]), static_cast<int64_t>(p[3]),
             static_cast<float>(p[4]));
  return nullptr;
}

// Parameters: 0 x offset, 1 y offset, 2 outer, 3 reduced, 4 inner, 5 divisor (1: sum, reduced: mean).
napi_value reduceSumCall(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  const double *p;
  if (!heapCall(env, info, 6, &heap, &p)) return nullptr;
  ugp::reduceSum(at(heap, p[0]), at(heap, p[1]), static_cast<int64_t>(p[2]), static_cast<int64_t>(p[3]),
                 static_cast<int64_t>(p[4]), static_cast<float>(p[5]));
  return nullptr;
}

// Parameters: 0–6 offsets of param, grad, exp_avg, exp_avg_sq and the three outputs, 7 count,
// 8 beta1, 9 1 − beta1, 10 beta2, 11 1 − beta2, 12 sqrt(bias correction 2), 13 eps, 14 step size.
napi_value adamCall(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  const double *p;
  if (!heapCall(env, info, 15, &heap, &p)) return nullptr;
  auto f = [&](int k) { return static_cast<float>(p[k]); };
  const ugp::AdamStep step{f(8), f(9), f(10), f(11), f(12), f(13), f(14)};
  ugp::adamUpdate(step, at(heap, p[0]), at(heap, p[1]), at(heap, p[2]), at(heap, p[3]), at(heap, p[4]),
                  at(heap, p[5]), at(heap, p[6]), static_cast<int64_t>(p[7]));
  return nullptr;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads = 1;
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return nullptr;
  if (argc >= 1 && !check(env, napi_get_value_int32(env, argv[0], &threads))) return nullptr;
  omp_set_num_threads(threads < 1 ? 1 : threads);
  return nullptr;
}

napi_value version(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &result);
  return result;
}

napi_value clearCache(napi_env, napi_callback_info) {
  cache.clear();
  return nullptr;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv", nullptr, runCached<CONV_PARAMS, makeConv, (1u << X) | (1u << WEI) | (1u << Y) | (1u << BIAS)>, nullptr,
       nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, runCached<MATMUL_PARAMS, makeMatMul, (1u << MA) | (1u << MB) | (1u << MC)>, nullptr, nullptr,
       nullptr, napi_default, nullptr},
      {"leakyRelu", nullptr, runCached<ELTWISE_PARAMS, makeLeakyRelu, (1u << EX) | (1u << EY)>, nullptr, nullptr,
       nullptr, napi_default, nullptr},
      {"binary", nullptr, binaryCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, unaryCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, reduceSumCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, adamCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clearCache", nullptr, clearCache, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
