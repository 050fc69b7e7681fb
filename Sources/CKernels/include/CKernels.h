#ifndef STEPWISE_CKERNELS_H
#define STEPWISE_CKERNELS_H

/// The engine's hot loops, compiled once per instruction set and picked at run time.
///
/// Every function takes the path first: `CK_PATH_AVX512` (AVX-512 F/BW/DQ/VL with FMA, 16-float vectors),
/// `CK_PATH_AVX2` (AVX2 + FMA, 8-float vectors) or `CK_PATH_PORTABLE` (baseline x86-64 / any CPU: SSE2,
/// separate multiply and add). The caller must pass a path that `ck_path_supported` accepts. A path's results
/// are fixed (no data-dependent order), so the same inputs give the same bits on every CPU that runs it.

#include <stdint.h>

enum { CK_PATH_PORTABLE = 0, CK_PATH_AVX2 = 1, CK_PATH_AVX512 = 2 };

/// Floats per lane group of the weight-gradient partial sums (one per channel and tap), for every path.
enum { CK_SUM_LANES = 16 };
/// Output columns the forward kernel computes per register block (the flat layout is padded to it).
enum { CK_COLUMN_BLOCK = 48 };

/// 1 if this CPU (and its operating system) can run `path`, else 0.
int ck_path_supported(int path);

/// Convolution forward pass for one block of four output channels over one padded image:
/// `out[lane * ld + q] = sum_k weights[k * 4 + lane] * image[taps[k] + q]` for `q` in `0..<columns`
/// (`columns` a multiple of `CK_COLUMN_BLOCK`; the image must be readable that far past every tap).
void ck_conv_forward_block(int path, const float *image, const long *taps, long tap_count,
                           const float *weights, float *out, long ld, long columns);

/// Convolution weight gradient of one image, accumulated into lane sums:
/// `sums[(c * row + k) * 16 + l] += sum over q = l mod 16 (or mod 8) of grads[c * ld + q] * image[taps[k] + q]`
/// for every padded channel `c < 4 * channel_blocks`, tap `k < 3 * tap_triples` and `q < positions`
/// (`positions` a multiple of 16; `row = 3 * tap_triples`).
void ck_conv_weight_gradient(int path, const float *image, const float *grads, long ld, long positions,
                             const long *taps, long tap_triples, long channel_blocks, float *sums);

/// Reduces each group of 16 lane sums to one float, in lane order: `out[i] = sums[i * 16 + 0] + ... + 15`.
void ck_reduce_lanes(int path, const float *sums, long count, float *out);

/// One Adam step over `count` elements, in PyTorch's order of operations (no fused multiply-adds, so every
/// path gives the same bits): `g += l2 * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
/// p -= step_size * m / (sqrt(v) / bc2_root + eps)`.
void ck_adam(int path, float *p, const float *grad, float *m, float *v, long count,
             float b1, float b2, float l2, float step_size, float bc2_root, float eps);

/// Inverted dropout for elements `first..<end` (`first` a multiple of 8): element `i` is dropped when the top
/// 24 bits of a keyed hash of `i` are below `threshold`; `mask[i]` is 0 or `keep`, and `x[i]` is multiplied by it.
void ck_dropout(int path, float *x, float *mask, long first, long end, uint32_t threshold, float keep,
                uint32_t k0, uint32_t k1);

/// Copies `rows` rows of `width` floats, `src_stride` apart, to a dense `rows x width` block, adding `bias`
/// (and clamping at zero with `relu`): the valid columns of a forward block.
void ck_store_rows(int path, const float *src, long src_stride, float bias, int relu, long rows, long width,
                   float *dst);

/// Copies a dense `rows x width` block into rows `dst_stride` apart; with `mask` (nullable, same shape as `src`),
/// elements whose mask is not positive become 0 (the gradient through a fused ReLU).
void ck_gather_rows(int path, const float *src, const float *mask, long rows, long width, long dst_stride,
                    float *dst);

/// Exact GELU, `y = x * Phi(x)` (Phi the standard normal CDF, through erf with absolute error below 1.5e-7),
/// over `count` elements.
void ck_gelu_forward(int path, const float *x, float *y, long count);

/// The gradient through GELU: `dx = dy * (Phi(x) + x * phi(x))`, over `count` elements.
void ck_gelu_backward(int path, const float *x, const float *dy, float *dx, long count);

/// Layer normalisation of `rows` contiguous rows of `d` floats: `y = (x - mean) * rstd * gamma + beta`, with
/// `rstd = 1 / sqrt(var + eps)` (biased variance); each row's mean and rstd are written for the backward pass.
void ck_layernorm_forward(int path, const float *x, const float *gamma, const float *beta, long rows, long d,
                          float eps, float *y, float *mean, float *rstd);

/// The layer norm's backward pass over `rows` rows: writes `dx`, and adds each row's `dy * xhat` to `dgamma` and
/// `dy` to `dbeta` (in row order).
void ck_layernorm_backward(int path, const float *x, const float *gamma, const float *mean, const float *rstd,
                           const float *dy, long rows, long d, float *dx, float *dgamma, float *dbeta);

/// Softmax in place over each of `rows` rows of `cols` floats, `ld` apart, after subtracting the row's maximum.
void ck_softmax_rows(int path, float *p, long rows, long cols, long ld);

/// The gradient through a row softmax, in place: `dp = p * (dp - sum_j p_j dp_j)` per row.
void ck_softmax_backward_rows(int path, const float *p, float *dp, long rows, long cols, long ld);

/// Floats of scratch `ck_attention_forward` and `ck_attention_backward` need for `t` tokens and head width `hd`.
long ck_attention_scratch(int path, long t, long hd);

/// Scaled dot-product attention of one head: `q`, `k`, `v` are `t` rows of `hd` floats, `ld` apart (a head's
/// columns of a fused qkv matrix). Writes the probabilities `p = softmax(scale * q k^T)` (`t x t`, dense) and
/// `out = p v` (`t` rows of `hd`, `ldo` apart). Register-blocked loops over zero-padded packed copies.
void ck_attention_forward(int path, const float *q, const float *k, const float *v, long ld, long t, long hd,
                          float scale, float *p, float *out, long ldo, float *scratch);

/// The gradients of `ck_attention_forward` with respect to `q`, `k` and `v` (written, `ld` apart), from its
/// probabilities and the output gradient `dout` (`ldo` apart).
void ck_attention_backward(int path, const float *q, const float *k, const float *v, long ld, const float *p,
                           const float *dout, long ldo, long t, long hd, float scale, float *dq, float *dk, float *dv,
                           float *scratch);

#endif
