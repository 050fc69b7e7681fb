// The kernels' bodies, written once and compiled per instruction set: each kernels_<path>.c defines CK_W
// (floats per vector), CK_FMA(a, b, c) (a * b + c, fused or not) and CK_NAME(name) (a per-path function name),
// sets the target with `#pragma clang attribute`, and includes this file. Not a public header.

#pragma clang fp contract(off)

typedef float CK_NAME(vf) __attribute__((ext_vector_type(CK_W)));
typedef uint32_t CK_NAME(vu) __attribute__((ext_vector_type(CK_W)));
typedef int32_t CK_NAME(vi) __attribute__((ext_vector_type(CK_W)));
#define VF CK_NAME(vf)
#define VU CK_NAME(vu)
#define VI CK_NAME(vi)

// With 16 vector registers (AVX2, SSE) the twelve accumulators, three loads and a broadcast fill every register,
// and the scheduler, hoisting the next broadcast or load early, spills an accumulator in the inner loop (a store
// and reload per iteration). CK_PIN ends a group of multiply-adds: its operands must be computed there, and no
// load moves above it (memory clobber). AVX-512 has 32 registers and leaves it empty.
#if !defined(CK_PIN) && (defined(__x86_64__) || defined(__i386__))
#define CK_PIN(a, b, c) __asm__ volatile("" : "+v"(a), "+v"(b), "+v"(c) :: "memory")
#elif !defined(CK_PIN)
#define CK_PIN(a, b, c)
#endif

static inline VF CK_NAME(load)(const float *p) {
    VF v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline void CK_NAME(store)(float *p, VF v) { __builtin_memcpy(p, &v, sizeof v); }

/// Four output channels by three vectors of columns per register block: twelve accumulators, three loads and
/// four broadcasts per tap.
void CK_NAME(conv_forward_block)(const float *image, const long *taps, long tap_count, const float *weights,
                                 float *out, long ld, long columns) {
    for (long col = 0; col < columns; col += 3 * CK_W) {
        const float *src = image + col;
        VF a00 = 0, a01 = 0, a02 = 0, a10 = 0, a11 = 0, a12 = 0;
        VF a20 = 0, a21 = 0, a22 = 0, a30 = 0, a31 = 0, a32 = 0;
        const float *w = weights;
        for (long k = 0; k < tap_count; k++, w += 4) {
            const float *p = src + taps[k];
            VF v0 = CK_NAME(load)(p), v1 = CK_NAME(load)(p + CK_W), v2 = CK_NAME(load)(p + 2 * CK_W);
            VF w0 = w[0];
            a00 = CK_FMA(w0, v0, a00); a01 = CK_FMA(w0, v1, a01); a02 = CK_FMA(w0, v2, a02);
            CK_PIN(a00, a01, a02);
            VF w1 = w[1];
            a10 = CK_FMA(w1, v0, a10); a11 = CK_FMA(w1, v1, a11); a12 = CK_FMA(w1, v2, a12);
            CK_PIN(a10, a11, a12);
            VF w2 = w[2];
            a20 = CK_FMA(w2, v0, a20); a21 = CK_FMA(w2, v1, a21); a22 = CK_FMA(w2, v2, a22);
            CK_PIN(a20, a21, a22);
            VF w3 = w[3];
            a30 = CK_FMA(w3, v0, a30); a31 = CK_FMA(w3, v1, a31); a32 = CK_FMA(w3, v2, a32);
            CK_PIN(a30, a31, a32);
        }
        float *o = out + col;
        CK_NAME(store)(o, a00); CK_NAME(store)(o + CK_W, a01); CK_NAME(store)(o + 2 * CK_W, a02);
        o += ld;
        CK_NAME(store)(o, a10); CK_NAME(store)(o + CK_W, a11); CK_NAME(store)(o + 2 * CK_W, a12);
        o += ld;
        CK_NAME(store)(o, a20); CK_NAME(store)(o + CK_W, a21); CK_NAME(store)(o + 2 * CK_W, a22);
        o += ld;
        CK_NAME(store)(o, a30); CK_NAME(store)(o + CK_W, a31); CK_NAME(store)(o + 2 * CK_W, a32);
    }
}

static inline void CK_NAME(accumulate)(float *sum, VF a) { CK_NAME(store)(sum, CK_NAME(load)(sum) + a); }

/// Four channels by three taps per register block: twelve accumulators, seven loads per twelve multiply-adds.
void CK_NAME(conv_weight_gradient)(const float *image, const float *grads, long ld, long positions,
                                   const long *taps, long tap_triples, long channel_blocks, float *sums) {
    const long row = 3 * tap_triples;
    for (long cb = 0; cb < channel_blocks; cb++) {
        const float *g0 = grads + cb * 4 * ld, *g1 = g0 + ld, *g2 = g0 + 2 * ld, *g3 = g0 + 3 * ld;
        for (long t = 0; t < tap_triples; t++) {
            const float *p0 = image + taps[3 * t], *p1 = image + taps[3 * t + 1], *p2 = image + taps[3 * t + 2];
            VF a00 = 0, a01 = 0, a02 = 0, a10 = 0, a11 = 0, a12 = 0;
            VF a20 = 0, a21 = 0, a22 = 0, a30 = 0, a31 = 0, a32 = 0;
            for (long q = 0; q < positions; q += CK_W) {
                VF x0 = CK_NAME(load)(p0 + q), x1 = CK_NAME(load)(p1 + q), x2 = CK_NAME(load)(p2 + q);
                VF d0 = CK_NAME(load)(g0 + q);
                a00 = CK_FMA(d0, x0, a00); a01 = CK_FMA(d0, x1, a01); a02 = CK_FMA(d0, x2, a02);
                CK_PIN(a00, a01, a02);
                VF d1 = CK_NAME(load)(g1 + q);
                a10 = CK_FMA(d1, x0, a10); a11 = CK_FMA(d1, x1, a11); a12 = CK_FMA(d1, x2, a12);
                CK_PIN(a10, a11, a12);
                VF d2 = CK_NAME(load)(g2 + q);
                a20 = CK_FMA(d2, x0, a20); a21 = CK_FMA(d2, x1, a21); a22 = CK_FMA(d2, x2, a22);
                CK_PIN(a20, a21, a22);
                VF d3 = CK_NAME(load)(g3 + q);
                a30 = CK_FMA(d3, x0, a30); a31 = CK_FMA(d3, x1, a31); a32 = CK_FMA(d3, x2, a32);
                CK_PIN(a30, a31, a32);
            }
            float *s = sums + (cb * 4 * row + 3 * t) * CK_SUM_LANES;
            const long next = row * CK_SUM_LANES;
            CK_NAME(accumulate)(s, a00); CK_NAME(accumulate)(s + 16, a01); CK_NAME(accumulate)(s + 32, a02);
            s += next;
            CK_NAME(accumulate)(s, a10); CK_NAME(accumulate)(s + 16, a11); CK_NAME(accumulate)(s + 32, a12);
            s += next;
            CK_NAME(accumulate)(s, a20); CK_NAME(accumulate)(s + 16, a21); CK_NAME(accumulate)(s + 32, a22);
            s += next;
            CK_NAME(accumulate)(s, a30); CK_NAME(accumulate)(s + 16, a31); CK_NAME(accumulate)(s + 32, a32);
        }
    }
}

void CK_NAME(adam)(float *p, const float *grad, float *m, float *v, long count, float b1, float b2, float l2,
                   float step_size, float bc2_root, float eps) {
    const float c1 = 1 - b1, c2 = 1 - b2;
    long j = 0;
    for (; j + CK_W <= count; j += CK_W) {
        VF pv = CK_NAME(load)(p + j);
        VF g = CK_NAME(load)(grad + j) + l2 * pv;
        VF mv = b1 * CK_NAME(load)(m + j) + c1 * g;
        VF vv = b2 * CK_NAME(load)(v + j) + c2 * g * g;
        CK_NAME(store)(m + j, mv);
        CK_NAME(store)(v + j, vv);
        CK_NAME(store)(p + j, pv - step_size * mv / (__builtin_elementwise_sqrt(vv) / bc2_root + eps));
    }
    for (; j < count; j++) {
        float g = grad[j] + l2 * p[j];
        m[j] = b1 * m[j] + c1 * g;
        v[j] = b2 * v[j] + c2 * g * g;
        p[j] -= step_size * m[j] / (__builtin_sqrtf(v[j]) / bc2_root + eps);
    }
}

static inline VU CK_NAME(mix)(VU x) {
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

void CK_NAME(dropout)(float *x, float *mask, long first, long end, uint32_t threshold, float keep,
                      uint32_t k0, uint32_t k1) {
    VU lanes;
    for (int l = 0; l < CK_W; l++) lanes[l] = (uint32_t)l;
    const VF keeps = keep;
    for (long i = first; i < end; i += CK_W) {
        VU bits = CK_NAME(mix)(CK_NAME(mix)(((VU)(uint32_t)i + lanes) ^ k0) + k1);
        VI kept = (VI)((bits >> 8) >= threshold);  // all ones where the element stays
        VF factors = (VF)((VI)keeps & kept);
        if (i + CK_W <= end) {
            CK_NAME(store)(mask + i, factors);
            CK_NAME(store)(x + i, CK_NAME(load)(x + i) * factors);
        } else {
            for (long l = 0; l < end - i; l++) {
                mask[i + l] = factors[l];
                x[i + l] *= factors[l];
            }
        }
    }
}

void CK_NAME(store_rows)(const float *src, long src_stride, float bias, int relu, long rows, long width,
                         float *dst) {
    for (long y = 0; y < rows; y++) {
        const float *s = src + y * src_stride;
        float *d = dst + y * width;
        if (relu) {
            for (long x = 0; x < width; x++) {
                float v = s[x] + bias;
                d[x] = v > 0 ? v : 0;
            }
        } else {
            for (long x = 0; x < width; x++) d[x] = s[x] + bias;
        }
    }
}

void CK_NAME(gather_rows)(const float *src, const float *mask, long rows, long width, long dst_stride, float *dst) {
    for (long y = 0; y < rows; y++) {
        const float *s = src + y * width;
        float *d = dst + y * dst_stride;
        if (mask) {
            const float *m = mask + y * width;
            for (long x = 0; x < width; x++) d[x] = m[x] > 0 ? s[x] : 0;
        } else {
            for (long x = 0; x < width; x++) d[x] = s[x];
        }
    }
}

/// 2x2, stride-2 max pooling of one plane (row length `w`) into `oh x ow` maxima and their in-plane indices.
/// The first maximum wins ties (strict `>`), written as selects so the loop vectorizes over output columns; a
/// row whose windows hold a NaN is redone in order so that, as in the general loop, the first NaN wins.
void CK_NAME(maxpool2x2)(const float *src, long w, long oh, long ow, float *dst, int32_t *idx) {
    for (long oy = 0; oy < oh; oy++) {
        const long r0 = 2 * oy * w, r1 = r0 + w;
        float *d = dst + oy * ow;
        int32_t *ix = idx + oy * ow;
        int nan = 0;
        for (long ox = 0; ox < ow; ox++) {
            const long c = 2 * ox;
            const float a = src[r0 + c], b = src[r0 + c + 1], e = src[r1 + c], f = src[r1 + c + 1];
            float best = a;
            int32_t at = (int32_t)(r0 + c);
            at = b > best ? (int32_t)(r0 + c + 1) : at; best = b > best ? b : best;
            at = e > best ? (int32_t)(r1 + c) : at; best = e > best ? e : best;
            at = f > best ? (int32_t)(r1 + c + 1) : at; best = f > best ? f : best;
            const float sum = a + b + e + f;
            nan |= sum != sum;
            d[ox] = best;
            ix[ox] = at;
        }
        if (!nan) continue;
        for (long ox = 0; ox < ow; ox++) {
            const long c = 2 * ox;
            const long offsets[4] = {r0 + c, r0 + c + 1, r1 + c, r1 + c + 1};
            float best = src[offsets[0]];
            long at = offsets[0];
            for (int k = 1; k < 4 && best == best; k++) {
                const float v = src[offsets[k]];
                if (v > best || v != v) { best = v; at = offsets[k]; }
            }
            d[ox] = best;
            ix[ox] = (int32_t)at;
        }
    }
}

/// Max pooling's backward pass for one plane: `dx[idx[i]] += dy[i]` for `i < count`, in order.
void CK_NAME(maxpool_backward)(const float *dy, const int32_t *idx, long count, float *dx) {
    for (long i = 0; i < count; i++) dx[idx[i]] += dy[i];
}

#undef CK_PIN
#undef VF
#undef VU
#undef VI
