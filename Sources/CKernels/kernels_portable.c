#include "CKernels.h"

// Baseline x86-64 (SSE2), or whatever the target's baseline is: four floats per vector, no fused multiply-add
// (each product is rounded before it is added).
#define CK_W 4
#define CK_FMA(a, b, c) ((a) * (b) + (c))
#define CK_NAME(name) ck_portable_##name
#include "kernels_template.h"
#include "kernels_transformer.h"
