// oneDNN path for the three convolution kernels (optional: compiled when oneDNN's headers exist).
#ifndef MEDTL_ONEDNN_H
#define MEDTL_ONEDNN_H
#include <stdint.h>

// NHWC convolution geometry, as the addon passes it (see medtl_native.c).
typedef struct {
  int64_t batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padT, padL, dH, dW;
} Geom;

// Runs one convolution kind (0 forward x,w->y; 1 filter gradient x,dy->dw; 2 input gradient
// dy,w->dx) on NHWC/HWIO buffers through oneDNN's blocked-layout kernels. Returns 0 on success and
// nonzero when oneDNN cannot do this geometry, in which case nothing was written.
int medtl_onednn_conv(int kind, const Geom* g, const float* a, const float* b, float* out, const float* bias, int relu);

// Whether the oneDNN path was compiled in.
int medtl_onednn_available(void);

// Frees the calling thread's cached primitives, stream and engine (when its Node environment ends).
void medtl_onednn_release(void);
#endif
