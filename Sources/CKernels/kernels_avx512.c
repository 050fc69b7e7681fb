#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)  // other CPUs build the portable path only

#define CK_W 16
#define CK_FMA(a, b, c) __builtin_elementwise_fma(a, b, c)
#define CK_NAME(name) ck_avx512_##name
#define CK_PIN(a, b, c)  // 32 registers: no spills to prevent
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))), \
                             apply_to = function)
#include "kernels_template.h"
#include "kernels_transformer.h"
#pragma clang attribute pop
#endif
