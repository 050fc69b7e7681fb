#include "CKernels.h"

// Per-path definitions (kernels_<path>.c).
#define CK_DECLARE(path)                                                                                       \
    void ck_##path##_conv_forward_block(const float *, const long *, long, const float *, float *, long, long); \
    void ck_##path##_conv_weight_gradient(const float *, const float *, long, long, const long *, long, long,     \
                                          float *);                                                              \
    void ck_##path##_adam(float *, const float *, float *, float *, long, float, float, float, float, float,     \
                          float);                                                                                \
    void ck_##path##_dropout(float *, float *, long, long, uint32_t, float, uint32_t, uint32_t);                 \
    void ck_##path##_store_rows(const float *, long, float, int, long, long, float *);                           \
    void ck_##path##_gather_rows(const float *, const float *, long, long, long, float *);                       \
    void ck_##path##_gelu_forward(const float *, float *, long);                                                 \
    void ck_##path##_gelu_backward(const float *, const float *, float *, long);                                 \
    void ck_##path##_layernorm_forward(const float *, const float *, const float *, long, long, float, float *,  \
                                       float *, float *);                                                        \
    void ck_##path##_layernorm_backward(const float *, const float *, const float *, const float *,             \
                                        const float *, long, long, float *, float *, float *);                   \
    void ck_##path##_softmax_rows(float *, long, long, long);                                                    \
    void ck_##path##_softmax_backward_rows(const float *, float *, long, long, long);                            \
    long ck_##path##_attention_scratch(long, long);                                                              \
    void ck_##path##_attention_forward(const float *, const float *, const float *, long, long, long, float,     \
                                       float *, float *, long, float *);                                         \
    void ck_##path##_attention_backward(const float *, const float *, const float *, long, const float *,       \
                                        const float *, long, long, long, float, float *, float *, float *,       \
                                        float *);
CK_DECLARE(avx512)
CK_DECLARE(avx2)
CK_DECLARE(portable)

int ck_path_supported(int path) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();  // idempotent; needed when called before the runtime's own initialisation
    switch (path) {
    case CK_PATH_AVX512:
        // The CPU-feature runtime reports AVX-512 only when the OS saves the ZMM state (XCR0), likewise AVX.
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CK_PATH_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CK_PATH_PORTABLE:
        return 1;
    default:
        return 0;
    }
#else
    return path == CK_PATH_PORTABLE;
#endif
}

// One switch per call: each call does thousands of multiply-adds, so the branch costs nothing measurable.
#if defined(__x86_64__) || defined(__i386__)
#define CK_DISPATCH(name, ...)                                          \
    switch (path) {                                                     \
    case CK_PATH_AVX512: ck_avx512_##name(__VA_ARGS__); break;          \
    case CK_PATH_AVX2: ck_avx2_##name(__VA_ARGS__); break;              \
    default: ck_portable_##name(__VA_ARGS__); break;                    \
    }
#else
#define CK_DISPATCH(name, ...) ck_portable_##name(__VA_ARGS__);
#endif

void ck_conv_forward_block(int path, const float *image, const long *taps, long tap_count, const float *weights,
                           float *out, long ld, long columns) {
    CK_DISPATCH(conv_forward_block, image, taps, tap_count, weights, out, ld, columns)
}

void ck_conv_weight_gradient(int path, const float *image, const float *grads, long ld, long positions,
                             const long *taps, long tap_triples, long channel_blocks, float *sums) {
    CK_DISPATCH(conv_weight_gradient, image, grads, ld, positions, taps, tap_triples, channel_blocks, sums)
}

void ck_adam(int path, float *p, const float *grad, float *m, float *v, long count, float b1, float b2, float l2,
             float step_size, float bc2_root, float eps) {
    CK_DISPATCH(adam, p, grad, m, v, count, b1, b2, l2, step_size, bc2_root, eps)
}

void ck_dropout(int path, float *x, float *mask, long first, long end, uint32_t threshold, float keep, uint32_t k0,
                uint32_t k1) {
    CK_DISPATCH(dropout, x, mask, first, end, threshold, keep, k0, k1)
}

void ck_store_rows(int path, const float *src, long src_stride, float bias, int relu, long rows, long width,
                   float *dst) {
    CK_DISPATCH(store_rows, src, src_stride, bias, relu, rows, width, dst)
}

void ck_gather_rows(int path, const float *src, const float *mask, long rows, long width, long dst_stride,
                    float *dst) {
    CK_DISPATCH(gather_rows, src, mask, rows, width, dst_stride, dst)
}

void ck_gelu_forward(int path, const float *x, float *y, long count) { CK_DISPATCH(gelu_forward, x, y, count) }

void ck_gelu_backward(int path, const float *x, const float *dy, float *dx, long count) {
    CK_DISPATCH(gelu_backward, x, dy, dx, count)
}

void ck_layernorm_forward(int path, const float *x, const float *gamma, const float *beta, long rows, long d,
                          float eps, float *y, float *mean, float *rstd) {
    CK_DISPATCH(layernorm_forward, x, gamma, beta, rows, d, eps, y, mean, rstd)
}

void ck_layernorm_backward(int path, const float *x, const float *gamma, const float *mean, const float *rstd,
                           const float *dy, long rows, long d, float *dx, float *dgamma, float *dbeta) {
    CK_DISPATCH(layernorm_backward, x, gamma, mean, rstd, dy, rows, d, dx, dgamma, dbeta)
}

void ck_softmax_rows(int path, float *p, long rows, long cols, long ld) {
    CK_DISPATCH(softmax_rows, p, rows, cols, ld)
}

void ck_softmax_backward_rows(int path, const float *p, float *dp, long rows, long cols, long ld) {
    CK_DISPATCH(softmax_backward_rows, p, dp, rows, cols, ld)
}

long ck_attention_scratch(int path, long t, long hd) {
    switch (path) {
#if defined(__x86_64__) || defined(__i386__)
    case CK_PATH_AVX512: return ck_avx512_attention_scratch(t, hd);
    case CK_PATH_AVX2: return ck_avx2_attention_scratch(t, hd);
#endif
    default: return ck_portable_attention_scratch(t, hd);
    }
}

void ck_attention_forward(int path, const float *q, const float *k, const float *v, long ld, long t, long hd,
                          float scale, float *p, float *out, long ldo, float *scratch) {
    CK_DISPATCH(attention_forward, q, k, v, ld, t, hd, scale, p, out, ldo, scratch)
}

void ck_attention_backward(int path, const float *q, const float *k, const float *v, long ld, const float *p,
                           const float *dout, long ldo, long t, long hd, float scale, float *dq, float *dk, float *dv,
                           float *scratch) {
    CK_DISPATCH(attention_backward, q, k, v, ld, p, dout, ldo, t, hd, scale, dq, dk, dv, scratch)
}

#pragma clang fp contract(off)
void ck_reduce_lanes(int path, const float *sums, long count, float *out) {
    (void)path;  // the same sequential order on every path
    for (long i = 0; i < count; i++) {
        const float *s = sums + i * CK_SUM_LANES;
        float total = s[0];
        for (int l = 1; l < CK_SUM_LANES; l++) total += s[l];
        out[i] = total;
    }
}
