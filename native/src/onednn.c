// oneDNN convolutions for the addon. TF.js keeps NHWC activations and HWIO filters; oneDNN's
// fastest CPU kernels want blocked layouts, so each call reorders in and out around the
// convolution. Primitives (JIT-compiled) are cached per geometry, with their blocked buffers.
#include "onednn.h"

#ifndef MEDTL_HAVE_DNNL
int medtl_onednn_conv(int kind, const Geom* g, const float* a, const float* b, float* out, const float* bias, int relu) {
  (void)kind, (void)g, (void)a, (void)b, (void)out, (void)bias, (void)relu;
  return 1;
}
int medtl_onednn_available(void) { return 0; }
void medtl_onednn_release(void) {}
#else
#include <dnnl.h>
#include <stdlib.h>
#include <string.h>

// Distinct geometries in one training run are few (layers x a couple of batch sizes).
#define CACHE_SIZE 64

typedef struct {
  int used;
  int kind;
  Geom g;
  // Forward only: a per-channel bias and a ReLU applied by the convolution itself.
  int bias, relu;
  dnnl_memory_t bias_mem;
  dnnl_primitive_t prim;
  // Per role: 0 = first input, 1 = second input, 2 = output. `user` wraps the caller's buffer,
  // `blk` the cached blocked buffer; `reorder` is NULL when the layouts already agree.
  dnnl_memory_t user[3], blk[3];
  dnnl_primitive_t reorder[3];
  void* buf[3];
  int arg[3];
} Entry;

// One engine, stream and primitive cache per calling thread: Node worker threads each run their
// own TF.js with this addon, and oneDNN streams and this cache are not shared across threads.
static _Thread_local dnnl_engine_t engine;
static _Thread_local dnnl_stream_t stream;
static _Thread_local int ready = -1;
static _Thread_local Entry cache[CACHE_SIZE];
static _Thread_local int next_slot;

static int init_engine(void) {
  if (ready >= 0) return ready;
  ready = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success &&
          dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) == dnnl_success;
  return ready;
}

static void free_entry(Entry* e) {
  if (!e->used) return;
  if (e->prim) dnnl_primitive_destroy(e->prim);
  for (int i = 0; i < 3; i++) {
    if (e->reorder[i]) dnnl_primitive_destroy(e->reorder[i]);
    if (e->user[i]) dnnl_memory_destroy(e->user[i]);
    if (e->blk[i]) dnnl_memory_destroy(e->blk[i]);
    free(e->buf[i]);
  }
  if (e->bias_mem) dnnl_memory_destroy(e->bias_mem);
  memset(e, 0, sizeof *e);
}

// Wraps the caller's layout and, when the primitive wants another one, a cached blocked buffer
// plus the reorder between them (user -> blocked for inputs, blocked -> user for the output).
static int bind(Entry* e, int role, const dnnl_memory_desc_t* user, const dnnl_memory_desc_t* want) {
  if (dnnl_memory_create(&e->user[role], user, engine, DNNL_MEMORY_NONE) != dnnl_success) return 0;
  if (dnnl_memory_desc_equal(user, want)) return 1;
  size_t size = dnnl_memory_desc_get_size(want);
  e->buf[role] = aligned_alloc(64, (size + 63) / 64 * 64);
  if (e->buf[role] == NULL) return 0;
  if (dnnl_memory_create(&e->blk[role], want, engine, e->buf[role]) != dnnl_success) return 0;
  dnnl_primitive_desc_t rpd;
  int in = role < 2;
  if (dnnl_reorder_primitive_desc_create(&rpd, in ? user : want, engine, in ? want : user, engine, NULL) != dnnl_success)
    return 0;
  int ok = dnnl_primitive_create(&e->reorder[role], rpd) == dnnl_success;
  dnnl_primitive_desc_destroy(rpd);
  return ok;
}

static int build(Entry* e, int kind, const Geom* g, int bias, int relu) {
  memset(e, 0, sizeof *e);
  e->used = 1;
  e->kind = kind;
  e->g = *g;
  e->bias = bias;
  e->relu = relu;
  dnnl_dims_t src_d = {g->batch, g->inC, g->inH, g->inW};
  dnnl_dims_t wei_d = {g->outC, g->inC, g->kH, g->kW};
  dnnl_dims_t dst_d = {g->batch, g->outC, g->outH, g->outW};
  dnnl_dims_t strides = {g->sH, g->sW};
  dnnl_dims_t dil = {g->dH - 1, g->dW - 1};
  dnnl_dims_t pad_l = {g->padT, g->padL};
  // TF.js's output size fixes the right/bottom padding (it can be negative when a stride leaves
  // rows unused; oneDNN then refuses and the caller falls back).
  dnnl_dims_t pad_r = {(g->outH - 1) * g->sH + (g->kH - 1) * g->dH + 1 - g->inH - g->padT,
                       (g->outW - 1) * g->sW + (g->kW - 1) * g->dW + 1 - g->inW - g->padL};
  dnnl_memory_desc_t src_u, wei_u, dst_u, src_a, wei_a, dst_a;
  if (dnnl_memory_desc_init_by_tag(&src_u, 4, src_d, dnnl_f32, dnnl_nhwc) != dnnl_success ||
      dnnl_memory_desc_init_by_tag(&wei_u, 4, wei_d, dnnl_f32, dnnl_hwio) != dnnl_success ||
      dnnl_memory_desc_init_by_tag(&dst_u, 4, dst_d, dnnl_f32, dnnl_nhwc) != dnnl_success ||
      dnnl_memory_desc_init_by_tag(&src_a, 4, src_d, dnnl_f32, dnnl_format_tag_any) != dnnl_success ||
      dnnl_memory_desc_init_by_tag(&wei_a, 4, wei_d, dnnl_f32, dnnl_format_tag_any) != dnnl_success ||
      dnnl_memory_desc_init_by_tag(&dst_a, 4, dst_d, dnnl_f32, dnnl_format_tag_any) != dnnl_success)
    return 0;
  dnnl_dims_t bias_d = {g->outC};
  dnnl_memory_desc_t bias_md;
  if (bias && (dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_d, dnnl_f32, dnnl_a) != dnnl_success ||
               dnnl_memory_create(&e->bias_mem, &bias_md, engine, DNNL_MEMORY_NONE) != dnnl_success))
    return 0;
  dnnl_convolution_desc_t fwd_d;
  if (dnnl_dilated_convolution_forward_desc_init(&fwd_d, dnnl_forward_training, dnnl_convolution_direct, &src_a, &wei_a,
                                                 bias ? &bias_md : NULL, &dst_a, strides, dil, pad_l,
                                                 pad_r) != dnnl_success)
    return 0;
  // The ReLU runs as a post-op on the blocked output while it is still in cache.
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  if (relu && (dnnl_primitive_attr_create(&attr) != dnnl_success || dnnl_post_ops_create(&ops) != dnnl_success ||
               dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f) != dnnl_success ||
               dnnl_primitive_attr_set_post_ops(attr, ops) != dnnl_success)) {
    if (ops) dnnl_post_ops_destroy(ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return 0;
  }
  dnnl_primitive_desc_t fwd_pd, pd;
  dnnl_status_t made = dnnl_primitive_desc_create(&fwd_pd, &fwd_d, attr, engine, NULL);
  if (ops) dnnl_post_ops_destroy(ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (made != dnnl_success) return 0;
  int ok = 1;
  if (kind == 0) {
    pd = fwd_pd;
  } else {
    dnnl_convolution_desc_t bd;
    ok = (kind == 1 ? dnnl_dilated_convolution_backward_weights_desc_init(&bd, dnnl_convolution_direct, &src_a, &wei_a,
                                                                          NULL, &dst_a, strides, dil, pad_l, pad_r)
                    : dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src_a, &wei_a,
                                                                       &dst_a, strides, dil, pad_l, pad_r)) ==
             dnnl_success &&
         dnnl_primitive_desc_create(&pd, &bd, NULL, engine, fwd_pd) == dnnl_success;
    dnnl_primitive_desc_destroy(fwd_pd);
    if (!ok) return 0;
  }
  // Roles in the order the addon passes buffers: forward (src, weights -> dst), filter gradient
  // (src, diff_dst -> diff_weights), input gradient (diff_dst, weights -> diff_src).
  static const dnnl_query_t queries[3][3] = {
      {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md},
      {dnnl_query_src_md, dnnl_query_diff_dst_md, dnnl_query_diff_weights_md},
      {dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md},
  };
  static const int args[3][3] = {
      {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
      {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
      {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
  };
  const dnnl_memory_desc_t* users[3][3] = {{&src_u, &wei_u, &dst_u}, {&src_u, &dst_u, &wei_u}, {&dst_u, &wei_u, &src_u}};
  for (int r = 0; r < 3 && ok; r++) {
    e->arg[r] = args[kind][r];
    ok = bind(e, r, users[kind][r], dnnl_primitive_desc_query_md(pd, queries[kind][r], 0));
  }
  ok = ok && dnnl_primitive_create(&e->prim, pd) == dnnl_success;
  dnnl_primitive_desc_destroy(pd);
  return ok;
}

static int run_reorder(dnnl_primitive_t r, dnnl_memory_t from, dnnl_memory_t to) {
  dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  return dnnl_primitive_execute(r, stream, 2, a) == dnnl_success;
}

int medtl_onednn_conv(int kind, const Geom* g, const float* a, const float* b, float* out, const float* bias, int relu) {
  if (!init_engine()) return 1;
  if (kind != 0) bias = NULL, relu = 0;
  int has_bias = bias != NULL;
  Entry* e = NULL;
  for (int i = 0; i < CACHE_SIZE; i++)
    if (cache[i].used && cache[i].kind == kind && cache[i].bias == has_bias && cache[i].relu == relu &&
        memcmp(&cache[i].g, g, sizeof *g) == 0)
      e = &cache[i];
  if (e == NULL) {
    e = &cache[next_slot];
    next_slot = (next_slot + 1) % CACHE_SIZE;
    free_entry(e);
    if (!build(e, kind, g, has_bias, relu)) {
      free_entry(e);
      return 1;
    }
  }
  void* ptrs[3] = {(void*)a, (void*)b, out};
  for (int r = 0; r < 3; r++)
    if (dnnl_memory_set_data_handle(e->user[r], ptrs[r]) != dnnl_success) return 1;
  for (int r = 0; r < 2; r++)
    if (e->reorder[r] && !run_reorder(e->reorder[r], e->user[r], e->blk[r])) return 1;
  dnnl_exec_arg_t args[4];
  for (int r = 0; r < 3; r++) args[r] = (dnnl_exec_arg_t){e->arg[r], e->blk[r] ? e->blk[r] : e->user[r]};
  int nargs = 3;
  if (has_bias) {
    if (dnnl_memory_set_data_handle(e->bias_mem, (void*)bias) != dnnl_success) return 1;
    args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->bias_mem};
  }
  if (dnnl_primitive_execute(e->prim, stream, nargs, args) != dnnl_success) return 1;
  if (e->reorder[2] && !run_reorder(e->reorder[2], e->blk[2], e->user[2])) return 1;
  return dnnl_stream_wait(stream) == dnnl_success ? 0 : 1;
}

int medtl_onednn_available(void) { return init_engine(); }

void medtl_onednn_release(void) {
  for (int i = 0; i < CACHE_SIZE; i++) free_entry(&cache[i]);
  next_slot = 0;
  if (ready == 1) {
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
  }
  ready = -1;
}
#endif
