// medtl's native kernels: GEMM-based matmul and convolutions on OpenBLAS (convolutions on oneDNN
// where it is compiled in, see onednn.c), and a one-pass Adam update. They read and write tensors in place in the TF.js wasm heap (a Float32Array over the
// module's memory, passed on every call because growing the memory replaces the buffer), so no
// tensor is copied across the JS/native border. Offsets are float32 indices into that heap.
#include <cblas.h>
#include <math.h>
#include <node_api.h>
#include <omp.h>
#include <stdlib.h>

#include "onednn.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The addon is compiled for a portable baseline (x86-64-v2 on x86-64, see native/cflags.mjs), so
// a built addon runs on any CPU of its architecture. The elementwise loops below that gain from
// wider vectors are also compiled for AVX2 and picked at load time (GCC/Clang ifunc); OpenBLAS and
// oneDNN dispatch on the CPU themselves. The loops are elementwise or sum in a fixed order
// (no -ffast-math, -ffp-contract=off), so every clone gives the same bits.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(MEDTL_NO_CLONES)
#define HOT __attribute__((target_clones("avx2", "default")))
#else
#define HOT
#endif

// Declared here so the generic cblas.h (the Debian alternative) is enough at compile time.
extern void openblas_set_num_threads(int);

// Threads for medtl's parallel work. All of it runs on OpenMP's one pool (medtl's loops, oneDNN,
// and large GEMMs split across it); OpenBLAS itself stays on one thread, so no second pool of
// spinning workers competes with OpenMP's for the cores. Per calling thread, as OpenMP's own
// thread count is: each Node worker thread that loads the addon sets its own.
static _Thread_local int g_threads = 1;

// Convolutions go to oneDNN where it was compiled in (and MEDTL_ONEDNN is not 0), else to
// im2col + OpenBLAS; oneDNN declines some geometries, which then take the im2col path too.
static int g_onednn = -1;

static int use_onednn(void) {
  if (g_onednn < 0) {
    const char* env = getenv("MEDTL_ONEDNN");
    g_onednn = medtl_onednn_available() && !(env != NULL && strcmp(env, "0") == 0);
  }
  return g_onednn;
}

// Products under this many multiply-adds run on one thread: splitting them costs more in
// hand-off than it saves (threading every product made a 2-thread fusion_train step 13.3 ms
// against 10.2 ms, and a 9 M multiply-add convolution took twice as long).
#define THREADED_GEMM_MIN_MACS ((double)(1 << 24))

static void sgemm_block(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                        int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
              a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

// Row-major C = op(A) op(B) (+ beta C). Large products outside medtl's own parallel regions
// (`pooled`) split C into one block of rows (or of columns, when C is wide) per thread, each a
// single-threaded OpenBLAS call on its slice of A (or B).
static void sgemm_sized(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float beta,
                        float* c, int pooled) {
  int64_t lda = ta ? m : k, ldb = tb ? k : n;
  int T = pooled && g_threads > 1 && (double)m * (double)n * (double)k >= THREADED_GEMM_MIN_MACS ? g_threads : 1;
  int byRows = m >= n;
  int64_t len = byRows ? m : n;
  if (T > len) T = (int)len;
  if (T <= 1) {
    sgemm_block(ta, tb, m, n, k, a, lda, b, ldb, beta, c, n);
    return;
  }
#pragma omp parallel for num_threads(T) schedule(static)
  for (int t = 0; t < T; t++) {
    int64_t lo = len * t / T, hi = len * (t + 1) / T;
    if (byRows) {
      // Rows lo..hi of op(A): rows of A, or columns of A when it is transposed.
      sgemm_block(ta, tb, hi - lo, n, k, ta ? a + lo : a + lo * k, lda, b, ldb, beta, c + lo * n, n);
    } else {
      // Columns lo..hi of op(B): columns of B, or rows of B when it is transposed.
      sgemm_block(ta, tb, m, hi - lo, k, a, lda, tb ? b + lo * k : b + lo, ldb, beta, c + lo, n);
    }
  }
}

// Patch matrices are built in chunks of whole images of about this many floats (1 MiB), so a
// chunk is still in L2 cache when the GEMM reads it back.
#define MAX_PATCH_FLOATS ((int64_t)256 * 1024)

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, "MEDTL_NATIVE", "medtl native: bad argument");   \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "MEDTL_NATIVE", "medtl native: too few arguments");
    return 0;
  }
  return 1;
}

static float* heap_of(napi_env env, napi_value v, int64_t* length) {
  napi_typedarray_type type;
  size_t len;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, "MEDTL_NATIVE", "medtl native: the heap must be a Float32Array");
    return NULL;
  }
  *length = (int64_t)len;
  return (float*)data;
}

// The arguments of a kernel call whose first argument is the heap; NULL (with the error thrown)
// when there are too few or the heap is not a Float32Array.
static float* args_heap(napi_env env, napi_callback_info info, size_t want, napi_value* argv, int64_t* length) {
  return get_args(env, info, want, argv) ? heap_of(env, argv[0], length) : NULL;
}

static int64_t i64(napi_env env, napi_value v) {
  int64_t out = 0;
  napi_get_value_int64(env, v, &out);
  return out;
}

static double f64(napi_env env, napi_value v) {
  double out = 0;
  napi_get_value_double(env, v, &out);
  return out;
}

static int in_heap(napi_env env, int64_t heap_len, int64_t off, int64_t count) {
  if (off < 0 || count < 0 || off + count > heap_len) {
    napi_throw_range_error(env, "MEDTL_NATIVE", "medtl native: tensor lies outside the wasm heap");
    return 0;
  }
  return 1;
}

// gemm(heap, transA, transB, M, N, K, aOff, bOff, cOff, batch, strideA, strideB, strideC, beta)
// Row-major C[b] = op(A[b]) op(B[b]) (+ beta C[b]); a stride of 0 broadcasts that operand.
static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value a[14];
  int64_t hl;
  float* heap = args_heap(env, info, 14, a, &hl);
  if (heap == NULL) return NULL;
  bool ta, tb;
  CHECK(napi_get_value_bool(env, a[1], &ta));
  CHECK(napi_get_value_bool(env, a[2], &tb));
  int64_t m = i64(env, a[3]), n = i64(env, a[4]), k = i64(env, a[5]);
  int64_t ao = i64(env, a[6]), bo = i64(env, a[7]), co = i64(env, a[8]);
  int64_t batch = i64(env, a[9]), sa = i64(env, a[10]), sb = i64(env, a[11]), sc = i64(env, a[12]);
  float beta = (float)f64(env, a[13]);
  if (batch <= 0 || m <= 0 || n <= 0) return NULL;
  if (!in_heap(env, hl, ao, (batch - 1) * sa + m * k) || !in_heap(env, hl, bo, (batch - 1) * sb + k * n) ||
      !in_heap(env, hl, co, (batch - 1) * sc + m * n))
    return NULL;
  for (int64_t i = 0; i < batch; i++) {
    float* c = heap + co + i * sc;
    if (k == 0) {
      if (beta == 0.0f) memset(c, 0, sizeof(float) * (size_t)(m * n));
      continue;
    }
    sgemm_sized(ta, tb, m, n, k, heap + ao + i * sa, heap + bo + i * sb, beta, c, 1);
  }
  return NULL;
}

// Row-wise helpers over row-major [rows, n] blocks. Channel counts are small (8 to 64) and
// known only at run time; inlining each loop with n a constant lets the compiler unroll and
// vectorise across the row, where the generic loop pays its per-row overhead on 8 floats.
#define WITH_WIDTH(n, CALL)       \
  switch (n) {                    \
    case 8: CALL(8); break;       \
    case 16: CALL(16); break;     \
    case 32: CALL(32); break;     \
    case 64: CALL(64); break;     \
    default: CALL(n); break;      \
  }
#define INLINE static inline __attribute__((always_inline))

// TF.js's step(x) for the ReLU gradient: 1 above zero, NaN for NaN, else 0.
INLINE float relu_step(float x) { return x > 0.0f ? 1.0f : (x != x ? x : 0.0f); }

INLINE void rows_bias_relu(float* restrict c, const float* restrict b, int64_t rows, const int64_t n, int relu) {
  for (int64_t r = 0; r < rows; r++, c += n) {
    if (b != NULL)
      for (int64_t j = 0; j < n; j++) c[j] += b[j];
    if (relu)
      for (int64_t j = 0; j < n; j++) c[j] = c[j] > 0 ? c[j] : 0;
  }
}

INLINE void rows_sum(const float* restrict x, float* restrict out, int64_t rows, const int64_t n) {
  for (int64_t j = 0; j < n; j++) out[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++, x += n)
    for (int64_t j = 0; j < n; j++) out[j] += x[j];
}

INLINE void rows_add(const float* restrict a, const float* restrict b, float* restrict o, int64_t rows, const int64_t n) {
  for (int64_t i = 0; i < rows; i++, a += n, o += n)
    for (int64_t j = 0; j < n; j++) o[j] = a[j] + b[j];
}

INLINE void rows_relu_grad_bias(const float* restrict dy, const float* restrict y, float* restrict g, float* restrict db,
                                int64_t rows, const int64_t n) {
  for (int64_t j = 0; j < n; j++) db[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++, dy += n, y += n, g += n) {
    for (int64_t j = 0; j < n; j++) {
      g[j] = dy[j] * relu_step(y[j]);
      db[j] += g[j];
    }
  }
}

// Bias and optional ReLU over a row-major [rows, n] block, with the common widths unrolled.
HOT static void bias_relu_block(float* c, const float* b, int64_t rows, int64_t n, int relu) {
#define BIAS_RELU(w) rows_bias_relu(c, b, rows, w, relu)
  WITH_WIDTH(n, BIAS_RELU)
#undef BIAS_RELU
}

HOT static void sum_rows_block(const float* x, float* out, int64_t rows, int64_t n) {
#define SUM(w) rows_sum(x, out, rows, w)
  WITH_WIDTH(n, SUM)
#undef SUM
}

HOT static void add_rows_block(const float* a, const float* b, float* o, int64_t rows, int64_t n) {
#define ADD(w) rows_add(a, b, o, rows, w)
  WITH_WIDTH(n, ADD)
#undef ADD
}

HOT static void relu_grad_bias_block(const float* dy, const float* y, float* g, float* db, int64_t rows, int64_t n) {
#define RGB(w) rows_relu_grad_bias(dy, y, g, db, rows, w)
  WITH_WIDTH(n, RGB)
#undef RGB
}

HOT static void relu_grad_block(const float* restrict dy, const float* restrict x, float* restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = dy[i] * relu_step(x[i]);
}

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_ELU = 3, ACT_SIGMOID = 4, ACT_LEAKY = 5, ACT_PRELU = 6 };

// bias_act(heap, cOff, rows, n, biasOff (-1: none), act, alpha, preluOff (-1: none), preluLen)
// Adds a per-column bias and applies the activation to a row-major [rows, n] block in place.
static napi_value bias_act(napi_env env, napi_callback_info info) {
  napi_value a[9];
  int64_t hl;
  float* heap = args_heap(env, info, 9, a, &hl);
  if (heap == NULL) return NULL;
  int64_t co = i64(env, a[1]), rows = i64(env, a[2]), n = i64(env, a[3]), bo = i64(env, a[4]);
  int act = (int)i64(env, a[5]);
  float alpha = (float)f64(env, a[6]);
  int64_t po = i64(env, a[7]), pl = i64(env, a[8]);
  if (!in_heap(env, hl, co, rows * n)) return NULL;
  if (bo >= 0 && !in_heap(env, hl, bo, n)) return NULL;
  if (po >= 0 && (pl <= 0 || !in_heap(env, hl, po, pl))) return NULL;
  if (act == ACT_LINEAR || act == ACT_RELU) {
    float* c = heap + co;
    const float* b = bo >= 0 ? heap + bo : NULL;
    bias_relu_block(c, b, rows, n, act == ACT_RELU);
    return NULL;
  }
  for (int64_t r = 0; r < rows; r++) {
    float* c = heap + co + r * n;
    if (bo >= 0) {
      const float* b = heap + bo;
      for (int64_t j = 0; j < n; j++) c[j] += b[j];
    }
    switch (act) {
      case ACT_RELU:
        for (int64_t j = 0; j < n; j++) c[j] = c[j] > 0 ? c[j] : 0;
        break;
      case ACT_RELU6:
        for (int64_t j = 0; j < n; j++) c[j] = c[j] < 0 ? 0 : (c[j] > 6 ? 6 : c[j]);
        break;
      case ACT_ELU:
        for (int64_t j = 0; j < n; j++) c[j] = c[j] >= 0 ? c[j] : expm1f(c[j]);
        break;
      case ACT_SIGMOID:
        for (int64_t j = 0; j < n; j++) c[j] = 1.0f / (1.0f + expf(-c[j]));
        break;
      case ACT_LEAKY:
        for (int64_t j = 0; j < n; j++) c[j] = c[j] >= 0 ? c[j] : alpha * c[j];
        break;
      case ACT_PRELU: {
        // The weights broadcast against the output's trailing elements, as TF.js's prelu does.
        int64_t base = (r * n) % pl;
        for (int64_t j = 0; j < n; j++) {
          float w = heap[po + (base + j) % pl];
          c[j] = c[j] >= 0 ? c[j] : w * c[j];
        }
        break;
      }
      default:
        break;
    }
  }
  return NULL;
}

// Geom (onednn.h) is filled from an Int32Array in its field order.

static int geom_of(napi_env env, napi_value v, Geom* g) {
  napi_typedarray_type type;
  size_t len;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array ||
      len != 15) {
    napi_throw_type_error(env, "MEDTL_NATIVE", "medtl native: geometry must be an Int32Array of 15");
    return 0;
  }
  const int32_t* d = (const int32_t*)data;
  int64_t* f = &g->batch;
  for (int i = 0; i < 15; i++) f[i] = d[i];
  return 1;
}

static int64_t images_per_chunk(const Geom* g) {
  int64_t per = g->outH * g->outW * g->kH * g->kW * g->inC;
  int64_t c = per > 0 ? MAX_PATCH_FLOATS / per : g->batch;
  if (c < 1) c = 1;
  return c > g->batch ? g->batch : c;
}

// True when the patch matrix of an image is the image itself (1x1, stride 1, no padding).
static int is_pointwise(const Geom* g) {
  return g->kH == 1 && g->kW == 1 && g->sH == 1 && g->sW == 1 && g->padT == 0 && g->padL == 0 && g->outH == g->inH &&
         g->outW == g->inW;
}

// Output columns [lo, hi) whose input column ow*sW - padL + kw*dW lies inside [0, inW).
static void valid_cols(const Geom* g, int64_t kw, int64_t* lo, int64_t* hi) {
  int64_t shift = g->padL - kw * g->dW;  // iw = ow*sW - shift
  int64_t l = shift <= 0 ? 0 : (shift + g->sW - 1) / g->sW;
  int64_t h = (g->inW - 1 + shift) < 0 ? 0 : (g->inW - 1 + shift) / g->sW + 1;
  if (l > g->outW) l = g->outW;
  if (h > g->outW) h = g->outW;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

// Writes rows [n0*P, n1*P) of the patch matrix: one row per output pixel, (kh, kw, c) along it.
// The loops run tap by tap over whole output rows, so the bounds are worked out once per tap
// rather than per element (with one input channel the per-element version cost 6x the GEMM).
HOT static void im2col(const float* restrict x, const Geom* g, int64_t n0, int64_t n1, float* restrict cols) {
  int64_t K = g->kH * g->kW * g->inC, C = g->inC;
  for (int64_t n = n0; n < n1; n++) {
    const float* img = x + n * g->inH * g->inW * C;
    for (int64_t oh = 0; oh < g->outH; oh++) {
      float* rows = cols + ((n - n0) * g->outH + oh) * g->outW * K;
      for (int64_t kh = 0; kh < g->kH; kh++) {
        int64_t ih = oh * g->sH - g->padT + kh * g->dH;
        int inside = ih >= 0 && ih < g->inH;
        const float* src = img + (inside ? ih : 0) * g->inW * C;
        for (int64_t kw = 0; kw < g->kW; kw++) {
          float* dst = rows + (kh * g->kW + kw) * C;
          int64_t lo = 0, hi = 0;
          if (inside) valid_cols(g, kw, &lo, &hi);
          for (int64_t ow = 0; ow < lo; ow++)
            for (int64_t c = 0; c < C; c++) dst[ow * K + c] = 0.0f;
          int64_t iw = lo * g->sW - g->padL + kw * g->dW;
          if (C == 1) {
            for (int64_t ow = lo; ow < hi; ow++, iw += g->sW) dst[ow * K] = src[iw];
          } else {
            for (int64_t ow = lo; ow < hi; ow++, iw += g->sW)
              for (int64_t c = 0; c < C; c++) dst[ow * K + c] = src[iw * C + c];
          }
          for (int64_t ow = hi; ow < g->outW; ow++)
            for (int64_t c = 0; c < C; c++) dst[ow * K + c] = 0.0f;
        }
      }
    }
  }
}

// Adds patch-matrix rows back onto the images they came from (the adjoint of im2col).
HOT static void col2im_add(const float* restrict cols, const Geom* g, int64_t n0, int64_t n1, float* restrict x) {
  int64_t K = g->kH * g->kW * g->inC, C = g->inC;
  for (int64_t n = n0; n < n1; n++) {
    float* img = x + n * g->inH * g->inW * C;
    for (int64_t oh = 0; oh < g->outH; oh++) {
      const float* rows = cols + ((n - n0) * g->outH + oh) * g->outW * K;
      for (int64_t kh = 0; kh < g->kH; kh++) {
        int64_t ih = oh * g->sH - g->padT + kh * g->dH;
        if (ih < 0 || ih >= g->inH) continue;
        float* dst = img + ih * g->inW * C;
        for (int64_t kw = 0; kw < g->kW; kw++) {
          const float* src = rows + (kh * g->kW + kw) * C;
          int64_t lo, hi;
          valid_cols(g, kw, &lo, &hi);
          int64_t iw = lo * g->sW - g->padL + kw * g->dW;
          for (int64_t ow = lo; ow < hi; ow++, iw += g->sW)
            for (int64_t c = 0; c < C; c++) dst[iw * C + c] += src[ow * K + c];
        }
      }
    }
  }
}

typedef enum { CONV_FORWARD, CONV_FILTER, CONV_INPUT } ConvKind;

static void conv_epilogue(float* y, const float* bias, int64_t rows, int64_t n, int relu) {
  if (bias == NULL && !relu) return;
  bias_relu_block(y, bias, rows, n, relu);
}

// conv(heap, kind, aOff, bOff, outOff, geom): forward (x, w -> y), filter gradient (x, dy -> dw)
// or input gradient (dy, w -> dx), all as GEMMs over the patch matrix.
static napi_value conv(napi_env env, napi_callback_info info) {
  napi_value a[8];
  int64_t hl;
  float* heap = args_heap(env, info, 6, a, &hl);
  if (heap == NULL) return NULL;
  // The forward epilogue's two arguments are optional.
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  ConvKind kind = (ConvKind)i64(env, a[1]);
  int64_t ao = i64(env, a[2]), bo = i64(env, a[3]), oo = i64(env, a[4]);
  Geom g;
  if (!geom_of(env, a[5], &g)) return NULL;
  int64_t K = g.kH * g.kW * g.inC, P = g.outH * g.outW, X = g.inH * g.inW * g.inC;
  int64_t xLen = g.batch * X, yLen = g.batch * P * g.outC, wLen = K * g.outC;
  int ok = kind == CONV_FORWARD  ? in_heap(env, hl, ao, xLen) && in_heap(env, hl, bo, wLen) && in_heap(env, hl, oo, yLen)
           : kind == CONV_FILTER ? in_heap(env, hl, ao, xLen) && in_heap(env, hl, bo, yLen) && in_heap(env, hl, oo, wLen)
                                 : in_heap(env, hl, ao, yLen) && in_heap(env, hl, bo, wLen) && in_heap(env, hl, oo, xLen);
  if (!ok) return NULL;
  // Forward only: an optional per-channel bias (offset, -1 none) and ReLU (1), applied here.
  int64_t biasOff = kind == CONV_FORWARD && argc > 6 ? i64(env, a[6]) : -1;
  int relu = kind == CONV_FORWARD && argc > 7 ? (int)i64(env, a[7]) : 0;
  if (biasOff >= 0 && !in_heap(env, hl, biasOff, g.outC)) return NULL;
  const float* bias = biasOff >= 0 ? heap + biasOff : NULL;
  if (kind == CONV_FILTER) memset(heap + oo, 0, sizeof(float) * (size_t)wLen);
  if (kind == CONV_INPUT) memset(heap + oo, 0, sizeof(float) * (size_t)xLen);
  if (g.batch * P == 0 || g.outC == 0) return NULL;
  if (K == 0) {
    // An empty filter: the products are zeros, and the forward epilogue still applies.
    if (kind == CONV_FORWARD) {
      memset(heap + oo, 0, sizeof(float) * (size_t)yLen);
      conv_epilogue(heap + oo, bias, g.batch * P, g.outC, relu);
    }
    return NULL;
  }
  if (use_onednn()) {
    // oneDNN spreads every convolution over OpenMP's whole team. Below the size where the im2col
    // path threads (2 x THREADED_GEMM_MIN_MACS) a team only adds hand-offs, and on cores shared
    // with other processes each region waits for its slowest thread: the demo's training
    // convolutions (2-10 M multiply-adds) ran slower on 2 threads than on 1. A fixed size rule
    // keeps results a function of the thread count.
    int small = g_threads > 1 && (double)g.batch * (double)P * (double)K * (double)g.outC < 2 * THREADED_GEMM_MIN_MACS;
    if (small) omp_set_num_threads(1);
    int done = medtl_onednn_conv((int)kind, &g, heap + ao, heap + bo, heap + oo, bias, relu) == 0;
    if (small) omp_set_num_threads(g_threads);
    if (done) return NULL;
  }
  int pointwise = is_pointwise(&g);
  int64_t chunk = pointwise ? g.batch : images_per_chunk(&g);
  int64_t chunks = (g.batch + chunk - 1) / chunk;
  // Several chunks: one thread per chunk, each with single-threaded GEMMs (small products lose
  // more to a thread hand-off than they gain). One chunk: sgemm_sized splits the product.
  int T = g_threads < chunks ? g_threads : (int)chunks;
  if ((double)g.batch * (double)P * (double)K * (double)g.outC < 2 * THREADED_GEMM_MIN_MACS) T = 1;
  int64_t colsLen = pointwise ? 0 : chunk * P * K;
  float* cols = colsLen > 0 ? (float*)malloc(sizeof(float) * (size_t)(colsLen * T)) : NULL;
  // Each extra thread sums its filter-gradient share separately; a fixed split keeps the result
  // the same from run to run at a given thread count.
  float* partial = kind == CONV_FILTER && T > 1 ? (float*)calloc((size_t)(wLen * (T - 1)), sizeof(float)) : NULL;
  if ((colsLen > 0 && cols == NULL) || (kind == CONV_FILTER && T > 1 && partial == NULL)) {
    free(cols);
    free(partial);
    napi_throw_error(env, "MEDTL_NATIVE", "medtl native: out of memory for the convolution patch matrix");
    return NULL;
  }
#pragma omp parallel for num_threads(T) schedule(static)
  for (int64_t ci = 0; ci < chunks; ci++) {
    int t = omp_get_thread_num();
    float* mine = cols + (size_t)t * (size_t)colsLen;
    int64_t n0 = ci * chunk;
    int64_t n1 = n0 + chunk < g.batch ? n0 + chunk : g.batch;
    int rows = (int)((n1 - n0) * P);
    if (kind == CONV_FORWARD) {
      const float* src = heap + ao + n0 * X;
      if (!pointwise) {
        im2col(heap + ao, &g, n0, n1, mine);
        src = mine;
      }
      sgemm_sized(false, false, rows, g.outC, K, src, heap + bo, 0.0f, heap + oo + n0 * P * g.outC, T == 1);
    } else if (kind == CONV_FILTER) {
      const float* src = heap + ao + n0 * X;
      if (!pointwise) {
        im2col(heap + ao, &g, n0, n1, mine);
        src = mine;
      }
      float* dw = t == 0 ? heap + oo : partial + (size_t)(t - 1) * (size_t)wLen;
      sgemm_sized(true, false, K, g.outC, rows, src, heap + bo + n0 * P * g.outC, 1.0f, dw, T == 1);
    } else {
      float* dst = pointwise ? heap + oo + n0 * X : mine;
      sgemm_sized(false, true, rows, K, g.outC, heap + ao + n0 * P * g.outC, heap + bo, 0.0f, dst, T == 1);
      if (!pointwise) col2im_add(mine, &g, n0, n1, heap + oo);
    }
  }
  if (partial != NULL) {
    float* dw = heap + oo;
    for (int t = 0; t < T - 1; t++)
      for (int64_t i = 0; i < wLen; i++) dw[i] += partial[(size_t)t * (size_t)wLen + i];
  }
  free(cols);
  free(partial);
  if (kind == CONV_FORWARD) conv_epilogue(heap + oo, bias, g.batch * P, g.outC, relu);
  return NULL;
}

// Adam's update over elements [lo, hi); see adam() below.
HOT static void adam_range(const float* p, const float* gr, const float* m, const float* v, float* p2, float* m2, float* v2,
                           int64_t lo, int64_t hi, float l2, float negLr, float b1, float ob1, float b2, float ob2,
                           float eps, float c1, float c2) {
#pragma omp simd
  for (int64_t i = lo; i < hi; i++) {
    float g = l2 != 0.0f ? gr[i] + l2 * (2.0f * p[i]) : gr[i];
    float mi = m[i] * b1 + g * ob1;
    float vi = v[i] * b2 + (g * g) * ob2;
    float step = (mi / c1) / (sqrtf(vi / c2) + eps);
    p2[i] = step * negLr + p[i];
    m2[i] = mi;
    v2[i] = vi;
  }
}

// adam(heap, pOff, gOff, mOff, vOff, pOut, mOut, vOut, n, lr, b1, 1-b1, b2, 1-b2, eps, 1-b1^t, 1-b2^t, l2)
// With l2 > 0 the gradient of l2 * sum(p^2) is added first (g + l2 * 2p), as if the penalty were
// part of the loss.
// One pass of TF.js's Adam update into fresh outputs. The operations, their order and every
// constant's float32 rounding are TF.js's, so the result is bit-identical to its eight kernels.
static napi_value adam(napi_env env, napi_callback_info info) {
  napi_value a[18];
  int64_t hl;
  float* heap = args_heap(env, info, 18, a, &hl);
  if (heap == NULL) return NULL;
  float l2 = (float)f64(env, a[17]);
  int64_t offs[7];
  for (int i = 0; i < 7; i++) offs[i] = i64(env, a[1 + i]);
  int64_t n = i64(env, a[8]);
  float negLr = -(float)f64(env, a[9]);
  float b1 = (float)f64(env, a[10]), ob1 = (float)f64(env, a[11]);
  float b2 = (float)f64(env, a[12]), ob2 = (float)f64(env, a[13]);
  float eps = (float)f64(env, a[14]), c1 = (float)f64(env, a[15]), c2 = (float)f64(env, a[16]);
  for (int i = 0; i < 7; i++)
    if (!in_heap(env, hl, offs[i], n)) return NULL;
  // Each output is either a fresh buffer or its own input (m and v are updated in place when
  // nothing else holds them); every element is read before it is written at the same index, so
  // there is no dependence between iterations (omp simd) and the loop vectorises either way.
  const float* p = heap + offs[0];
  const float* gr = heap + offs[1];
  const float* m = heap + offs[2];
  const float* v = heap + offs[3];
  float* p2 = heap + offs[4];
  float* m2 = heap + offs[5];
  float* v2 = heap + offs[6];
  // One contiguous range per thread: the body is a call, so each range runs the CPU's clone.
  int T = n >= 262144 ? g_threads : 1;
#pragma omp parallel for num_threads(T) schedule(static)
  for (int t = 0; t < T; t++)
    adam_range(p, gr, m, v, p2, m2, v2, n * t / T, n * (t + 1) / T, l2, negLr, b1, ob1, b2, ob2, eps, c1, c2);
  return NULL;
}

// One image of the common 2x2, stride-2 pool over whole tiles. Inlined with C a constant, each
// window's compare-and-select becomes a few vector instructions (the general loop below spends
// more on its per-window bookkeeping than on the arithmetic when C is small).
static inline __attribute__((always_inline)) void pool2_grad_image(const float* restrict x, const float* restrict dy,
                                                                   float* restrict dx, int64_t W, int64_t OH,
                                                                   int64_t OW, const int64_t C) {
  for (int64_t oh = 0; oh < OH; oh++) {
    for (int64_t ow = 0; ow < OW; ow++) {
      int64_t o0 = (2 * oh * W + 2 * ow) * C, o2 = o0 + W * C;
      const float* g = dy + (oh * OW + ow) * C;
      for (int64_t c = 0; c < C; c++) {
        float v0 = x[o0 + c], v1 = x[o0 + C + c], v2 = x[o2 + c], v3 = x[o2 + C + c];
        // First strictly greater wins, from -inf, as in the general loop (NaN never wins).
        float b = -INFINITY;
        int k = -1;
        if (v0 > b) b = v0, k = 0;
        if (v1 > b) b = v1, k = 1;
        if (v2 > b) b = v2, k = 2;
        if (v3 > b) b = v3, k = 3;
        float gc = g[c];
        dx[o0 + c] = k == 0 ? gc : 0.0f;
        dx[o0 + C + c] = k == 1 ? gc : 0.0f;
        dx[o2 + c] = k == 2 ? gc : 0.0f;
        dx[o2 + C + c] = k == 3 ? gc : 0.0f;
      }
    }
  }
}

// One image of the 2x2 pool gradient, a function of its own so that each image runs the CPU's clone.
HOT static void pool2_grad_one(const float* xi, const float* gi, float* di, int64_t W, int64_t OH, int64_t OW, int64_t C) {
  switch (C) {
    case 1: pool2_grad_image(xi, gi, di, W, OH, OW, 1); break;
    case 2: pool2_grad_image(xi, gi, di, W, OH, OW, 2); break;
    case 4: pool2_grad_image(xi, gi, di, W, OH, OW, 4); break;
    case 8: pool2_grad_image(xi, gi, di, W, OH, OW, 8); break;
    case 16: pool2_grad_image(xi, gi, di, W, OH, OW, 16); break;
    case 32: pool2_grad_image(xi, gi, di, W, OH, OW, 32); break;
    case 64: pool2_grad_image(xi, gi, di, W, OH, OW, 64); break;
    default: pool2_grad_image(xi, gi, di, W, OH, OW, C); break;
  }
}

static void pool2_grad(const float* x, const float* dy, float* dx, int64_t N, int64_t H, int64_t W, int64_t C,
                       int64_t OH, int64_t OW) {
#pragma omp parallel for num_threads(g_threads) schedule(static) if (N > 1 && N * H * W * C >= 262144)
  for (int64_t n = 0; n < N; n++) pool2_grad_one(x + n * H * W * C, dy + n * OH * OW * C, dx + n * H * W * C, W, OH, OW, C);
}

// max_pool_grad(heap, xOff, dyOff, dxOff, geom Int32Array(12): batch, inH, inW, C, outH, outW,
// filterH, filterW, strideH, strideW, padTop, padLeft). Each window's gradient goes to its
// arg-max; ties and NaNs follow the cpu backend: the first strictly greater element in row-major
// window order wins, padding never does, and a window with nothing above -inf passes nothing.
static napi_value max_pool_grad(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int64_t hl;
  float* heap = args_heap(env, info, 5, a, &hl);
  if (heap == NULL) return NULL;
  int64_t xo = i64(env, a[1]), go = i64(env, a[2]), oo = i64(env, a[3]);
  napi_typedarray_type type;
  size_t len;
  void* data;
  if (napi_get_typedarray_info(env, a[4], &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array ||
      len != 12) {
    napi_throw_type_error(env, "MEDTL_NATIVE", "medtl native: pool geometry must be an Int32Array of 12");
    return NULL;
  }
  const int32_t* d = (const int32_t*)data;
  int64_t N = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5], FH = d[6], FW = d[7], SH = d[8], SW = d[9],
          PT = d[10], PL = d[11];
  int64_t xLen = N * H * W * C, yLen = N * OH * OW * C;
  if (!in_heap(env, hl, xo, xLen) || !in_heap(env, hl, go, yLen) || !in_heap(env, hl, oo, xLen)) return NULL;
  float* restrict dx = heap + oo;
  if (C <= 0) return NULL;
  if (C > 16384) {
    napi_throw_range_error(env, "MEDTL_NATIVE", "medtl native: MaxPoolGrad supports at most 16384 channels");
    return NULL;
  }
  const float* restrict x = heap + xo;
  const float* restrict dy = heap + go;
  // Windows that tile the input without overlap or padding (the usual 2x2, stride 2) own every
  // element they cover, so each element is written once, in place of zero-fill plus scatter.
  int tiled = FH == SH && FW == SW && PT == 0 && PL == 0 && OH * SH <= H && OW * SW <= W;
  if (!tiled || OH * SH != H || OW * SW != W) memset(dx, 0, sizeof(float) * (size_t)xLen);
  if (tiled && FH == 2 && FW == 2) {
    pool2_grad(x, dy, dx, N, H, W, C, OH, OW);
    return NULL;
  }
  // Images are independent (no window crosses one), so they split across threads; each thread
  // keeps its own per-channel scratch.
#pragma omp parallel for num_threads(g_threads) schedule(static) if (N > 1 && xLen >= 262144)
  for (int64_t n = 0; n < N; n++) {
    float best[C];
    int32_t at[C];
    int64_t img = n * H * W * C;
    for (int64_t oh = 0; oh < OH; oh++) {
      int64_t h0 = oh * SH - PT, hLo = h0 < 0 ? 0 : h0, hHi = h0 + FH < H ? h0 + FH : H;
      for (int64_t ow = 0; ow < OW; ow++) {
        int64_t w0 = ow * SW - PL, wLo = w0 < 0 ? 0 : w0, wHi = w0 + FW < W ? w0 + FW : W;
        for (int64_t c = 0; c < C; c++) {
          best[c] = -INFINITY;
          at[c] = -1;
        }
        // The arg-max is kept as a position inside the window (32-bit, like the values), which
        // lets the compiler vectorise the compare-and-select across channels.
        int32_t k = 0;
        for (int64_t h = hLo; h < hHi; h++) {
          for (int64_t w = wLo; w < wHi; w++, k++) {
            const float* px = x + img + (h * W + w) * C;
            for (int64_t c = 0; c < C; c++) {
              float v = px[c];
              int better = v > best[c];
              best[c] = better ? v : best[c];
              at[c] = better ? k : at[c];
            }
          }
        }
        const float* g = dy + ((n * OH + oh) * OW + ow) * C;
        if (tiled) {
          int32_t kk = 0;
          for (int64_t h = hLo; h < hHi; h++) {
            for (int64_t w = wLo; w < wHi; w++, kk++) {
              float* pdx = dx + img + (h * W + w) * C;
              for (int64_t c = 0; c < C; c++) pdx[c] = at[c] == kk ? g[c] : 0.0f;
            }
          }
          continue;
        }
        int64_t span = wHi - wLo;
        for (int64_t c = 0; c < C; c++) {
          if (at[c] < 0) continue;
          int64_t h = hLo + at[c] / span, w = wLo + at[c] % span;
          dx[img + (h * W + w) * C + c] += g[c];
        }
      }
    }
  }
  return NULL;
}

// sum_rows(heap, xOff, outOff, rows, cols): out[j] = sum over i of x[i, j] (a reduction over
// leading axes, which is how every bias gradient is formed).
static napi_value sum_rows(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int64_t hl;
  float* heap = args_heap(env, info, 5, a, &hl);
  if (heap == NULL) return NULL;
  int64_t xo = i64(env, a[1]), oo = i64(env, a[2]), rows = i64(env, a[3]), cols = i64(env, a[4]);
  if (!in_heap(env, hl, xo, rows * cols) || !in_heap(env, hl, oo, cols)) return NULL;
  float* out = heap + oo;
  const float* x = heap + xo;
  sum_rows_block(x, out, rows, cols);
  return NULL;
}

// add_rows(heap, aOff, bOff, outOff, rows, n): out[i, j] = a[i, j] + b[j] (a bias add).
static napi_value add_rows(napi_env env, napi_callback_info info) {
  napi_value a[6];
  int64_t hl;
  float* heap = args_heap(env, info, 6, a, &hl);
  if (heap == NULL) return NULL;
  int64_t ao = i64(env, a[1]), bo = i64(env, a[2]), oo = i64(env, a[3]), rows = i64(env, a[4]), n = i64(env, a[5]);
  if (!in_heap(env, hl, ao, rows * n) || !in_heap(env, hl, bo, n) || !in_heap(env, hl, oo, rows * n)) return NULL;
  const float* b = heap + bo;
  const float* r = heap + ao;
  float* o = heap + oo;
  add_rows_block(r, b, o, rows, n);
  return NULL;
}

// relu_grad(heap, dyOff, xOff, outOff, n): dy times TF.js's step(x) (1 above zero, NaN for NaN,
// else 0), the whole ReLU gradient in one pass instead of step, cast and multiply.
static napi_value relu_grad(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int64_t hl;
  float* heap = args_heap(env, info, 5, a, &hl);
  if (heap == NULL) return NULL;
  int64_t go = i64(env, a[1]), xo = i64(env, a[2]), oo = i64(env, a[3]), n = i64(env, a[4]);
  if (!in_heap(env, hl, go, n) || !in_heap(env, hl, xo, n) || !in_heap(env, hl, oo, n)) return NULL;
  const float* restrict dy = heap + go;
  const float* restrict x = heap + xo;
  float* restrict out = heap + oo;
  relu_grad_block(dy, x, out, n);
  return NULL;
}

// relu_grad_bias(heap, dyOff, yOff, gOff, dbOff, rows, cols): g = dy·step(y) over a row-major
// [rows, cols] block (TF.js's ReLU gradient, NaN in y passing through) and db = the column sums of
// g, accumulated row by row exactly as sum_rows does, so a fused layer's gradients keep the bits
// of the unfused ReLU-gradient-then-Sum pair.
static napi_value relu_grad_bias(napi_env env, napi_callback_info info) {
  napi_value a[7];
  int64_t hl;
  float* heap = args_heap(env, info, 7, a, &hl);
  if (heap == NULL) return NULL;
  int64_t go = i64(env, a[1]), yo = i64(env, a[2]), oo = i64(env, a[3]), bo = i64(env, a[4]), rows = i64(env, a[5]),
          cols = i64(env, a[6]);
  int64_t n = rows * cols;
  if (!in_heap(env, hl, go, n) || !in_heap(env, hl, yo, n) || !in_heap(env, hl, oo, n) || !in_heap(env, hl, bo, cols))
    return NULL;
  const float* dy = heap + go;
  const float* y = heap + yo;
  float* g = heap + oo;
  float* db = heap + bo;
  relu_grad_bias_block(dy, y, g, db, rows, cols);
  return NULL;
}

// sum_squares(heap, off, n): the sum of x^2 over n floats, in double (an L2 penalty's value).
static napi_value sum_squares(napi_env env, napi_callback_info info) {
  napi_value a[3];
  int64_t hl;
  float* heap = args_heap(env, info, 3, a, &hl);
  if (heap == NULL) return NULL;
  int64_t off = i64(env, a[1]), n = i64(env, a[2]);
  if (!in_heap(env, hl, off, n)) return NULL;
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += (double)heap[off + i] * heap[off + i];
  napi_value out;
  napi_create_double(env, s, &out);
  return out;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!get_args(env, info, 1, a)) return NULL;
  int64_t t = i64(env, a[0]);
  if (t >= 1) {
    g_threads = (int)t;
    openblas_set_num_threads(1);
    // oneDNN runs on OpenMP's default team.
    omp_set_num_threads((int)t);
  }
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, g_threads, &out);
  return out;
}

// convEngine(name?): switches convolutions to "onednn" or "im2col" when given (onednn only where
// compiled in), and returns the engine in use.
static napi_value conv_engine(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc >= 1) {
    char name[16] = {0};
    size_t len = 0;
    if (napi_get_value_string_utf8(env, a[0], name, sizeof name, &len) != napi_ok ||
        (strcmp(name, "onednn") != 0 && strcmp(name, "im2col") != 0)) {
      napi_throw_type_error(env, "MEDTL_NATIVE", "medtl native: convEngine takes 'onednn' or 'im2col'");
      return NULL;
    }
    if (strcmp(name, "onednn") == 0 && !medtl_onednn_available()) {
      napi_throw_error(env, "MEDTL_NATIVE", "medtl native: this build has no oneDNN (install libdnnl-dev and rebuild)");
      return NULL;
    }
    g_onednn = strcmp(name, "onednn") == 0;
  }
  napi_value out;
  napi_create_string_utf8(env, use_onednn() ? "onednn" : "im2col", NAPI_AUTO_LENGTH, &out);
  return out;
}

static void release_thread(void* arg) {
  (void)arg;
  medtl_onednn_release();
}

static napi_value init(napi_env env, napi_value exports) {
  // A worker thread's cached convolutions go with its environment.
  napi_add_env_cleanup_hook(env, release_thread, NULL);
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"biasAct", NULL, bias_act, NULL, NULL, NULL, napi_default, NULL},
      {"conv", NULL, conv, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolGrad", NULL, max_pool_grad, NULL, NULL, NULL, napi_default, NULL},
      {"sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_default, NULL},
      {"addRows", NULL, add_rows, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"reluGrad", NULL, relu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"reluGradBias", NULL, relu_grad_bias, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"convEngine", NULL, conv_engine, NULL, NULL, NULL, napi_default, NULL},
      {"getThreads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
