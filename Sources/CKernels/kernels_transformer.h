// The transformer's row kernels (layer norm, GELU, softmax), written once and compiled per instruction set like
// kernels_template.h, which each kernels_<path>.c includes first (it defines the vector type and its loads).
// Not a public header.
//
// Elementwise results never depend on where an element sits in a vector: a row's or a range's last, partial
// vector goes through the same vector code (loaded into a padded vector), so any split of the work gives the
// same bits.

#pragma clang fp contract(off)

#define VF CK_NAME(vf)
#define VI CK_NAME(vi)
#define LOAD CK_NAME(load)
#define STORE CK_NAME(store)

/// The first `n` (< CK_W) floats of `p` in the low lanes, `fill` in the others.
static inline VF CK_NAME(load_partial)(const float *p, long n, float fill) {
    VF v = fill;
    for (long l = 0; l < n; l++) v[l] = p[l];
    return v;
}

static inline void CK_NAME(store_partial)(float *p, VF v, long n) {
    for (long l = 0; l < n; l++) p[l] = v[l];
}

/// Sum of the lanes, in lane order.
static inline float CK_NAME(hsum)(VF v) {
    float s = v[0];
    for (int l = 1; l < CK_W; l++) s += v[l];
    return s;
}

static inline float CK_NAME(hmax)(VF v) {
    float m = v[0];
    for (int l = 1; l < CK_W; l++) m = m > v[l] ? m : v[l];
    return m;
}

/// Lanes of `a` where `mask` is all ones, of `b` elsewhere.
static inline VF CK_NAME(select)(VI mask, VF a, VF b) { return (VF)(((VI)a & mask) | ((VI)b & ~mask)); }

/// e^x for x in [-87, 88] (clamped outside): x = n ln2 + r with |r| <= ln2 / 2, e^r by Cephes' degree-7
/// polynomial, 2^n through the exponent bits. About 2 ulp.
static inline VF CK_NAME(exp)(VF x) {
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, (VF)-87.0f), (VF)88.0f);
    const VF shifter = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to the nearest integer
    VF n = (x * 1.44269504088896341f + shifter) - shifter;
    VF r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    VF p = 1.9875691500e-4f;
    p = CK_FMA(p, r, (VF)1.3981999507e-3f);
    p = CK_FMA(p, r, (VF)8.3334519073e-3f);
    p = CK_FMA(p, r, (VF)4.1665795894e-2f);
    p = CK_FMA(p, r, (VF)1.6666665459e-1f);
    p = CK_FMA(p, r, (VF)5.0000001201e-1f);
    p = CK_FMA(p, r * r, r + 1.0f);
    VI bits = (__builtin_convertvector(n, VI) + 127) << 23;
    return p * (VF)bits;
}

/// The standard normal distribution's CDF Phi(x) and density phi(x), from one exponential: erf by Abramowitz and
/// Stegun 7.1.26 (absolute error below 1.5e-7), with Phi(x) = 1 - Phi(-x) taken on the side where it is small.
static inline void CK_NAME(normal)(VF x, VF *cdf, VF *pdf) {
    VF z = __builtin_elementwise_abs(x) * 0.70710678118654752f;
    VF t = 1.0f / (1.0f + 0.3275911f * z);
    VF poly = 1.061405429f;
    poly = CK_FMA(poly, t, (VF)-1.453152027f);
    poly = CK_FMA(poly, t, (VF)1.421413741f);
    poly = CK_FMA(poly, t, (VF)-0.284496739f);
    poly = CK_FMA(poly, t, (VF)0.254829592f);
    poly = poly * t;
    VF e = CK_NAME(exp)(-0.5f * x * x);  // e^(-z^2)
    VF tail = 0.5f * poly * e;           // Phi(-|x|)
    *cdf = CK_NAME(select)(x < 0, tail, 1.0f - tail);
    *pdf = 0.39894228040143268f * e;
}

static inline VF CK_NAME(gelu)(VF x) {
    VF cdf, pdf;
    CK_NAME(normal)(x, &cdf, &pdf);
    return x * cdf;
}

static inline VF CK_NAME(gelu_gradient)(VF x, VF dy) {
    VF cdf, pdf;
    CK_NAME(normal)(x, &cdf, &pdf);
    return dy * CK_FMA(x, pdf, cdf);
}

void CK_NAME(gelu_forward)(const float *x, float *y, long count) {
    long i = 0;
    for (; i + CK_W <= count; i += CK_W) STORE(y + i, CK_NAME(gelu)(LOAD(x + i)));
    if (i < count) CK_NAME(store_partial)(y + i, CK_NAME(gelu)(CK_NAME(load_partial)(x + i, count - i, 0)), count - i);
}

void CK_NAME(gelu_backward)(const float *x, const float *dy, float *dx, long count) {
    long i = 0;
    for (; i + CK_W <= count; i += CK_W) STORE(dx + i, CK_NAME(gelu_gradient)(LOAD(x + i), LOAD(dy + i)));
    if (i < count) {
        VF g = CK_NAME(gelu_gradient)(CK_NAME(load_partial)(x + i, count - i, 0),
                                      CK_NAME(load_partial)(dy + i, count - i, 0));
        CK_NAME(store_partial)(dx + i, g, count - i);
    }
}

/// Sum of a row's `d` floats: whole vectors into one vector accumulator, its lanes in order, then the tail.
static inline float CK_NAME(row_sum)(const float *x, long d) {
    VF acc = 0;
    long j = 0;
    for (; j + CK_W <= d; j += CK_W) acc += LOAD(x + j);
    float s = CK_NAME(hsum)(acc);
    for (; j < d; j++) s += x[j];
    return s;
}

void CK_NAME(layernorm_forward)(const float *x, const float *gamma, const float *beta, long rows, long d, float eps,
                                float *y, float *mean, float *rstd) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        const float mu = CK_NAME(row_sum)(xr, d) / (float)d;
        VF acc = 0;
        long j = 0;
        for (; j + CK_W <= d; j += CK_W) {
            VF c = LOAD(xr + j) - mu;
            acc = CK_FMA(c, c, acc);
        }
        float squares = CK_NAME(hsum)(acc);
        for (; j < d; j++) squares += (xr[j] - mu) * (xr[j] - mu);
        const float rs = 1.0f / __builtin_sqrtf(squares / (float)d + eps);
        for (j = 0; j + CK_W <= d; j += CK_W)
            STORE(yr + j, CK_FMA((LOAD(xr + j) - mu) * rs, LOAD(gamma + j), LOAD(beta + j)));
        for (; j < d; j++) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
        mean[r] = mu;
        rstd[r] = rs;
    }
}

void CK_NAME(layernorm_backward)(const float *x, const float *gamma, const float *mean, const float *rstd,
                                 const float *dy, long rows, long d, float *dx, float *dgamma, float *dbeta) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d, *dyr = dy + r * d;
        float *dxr = dx + r * d;
        const float mu = mean[r], rs = rstd[r];
        VF a = 0, b = 0;
        long j = 0;
        for (; j + CK_W <= d; j += CK_W) {
            VF xh = (LOAD(xr + j) - mu) * rs, dyv = LOAD(dyr + j);
            VF g = dyv * LOAD(gamma + j);
            a += g;
            b = CK_FMA(g, xh, b);
            STORE(dgamma + j, CK_FMA(dyv, xh, LOAD(dgamma + j)));
            STORE(dbeta + j, LOAD(dbeta + j) + dyv);
        }
        float sa = CK_NAME(hsum)(a), sb = CK_NAME(hsum)(b);
        for (; j < d; j++) {
            float xh = (xr[j] - mu) * rs, g = dyr[j] * gamma[j];
            sa += g;
            sb += g * xh;
            dgamma[j] += dyr[j] * xh;
            dbeta[j] += dyr[j];
        }
        const float ma = sa / (float)d, mb = sb / (float)d;
        for (j = 0; j + CK_W <= d; j += CK_W) {
            VF xh = (LOAD(xr + j) - mu) * rs, g = LOAD(dyr + j) * LOAD(gamma + j);
            STORE(dxr + j, rs * ((g - ma) - xh * mb));
        }
        for (; j < d; j++) {
            float xh = (xr[j] - mu) * rs, g = dyr[j] * gamma[j];
            dxr[j] = rs * ((g - ma) - xh * mb);
        }
    }
}

void CK_NAME(softmax_rows)(float *p, long rows, long cols, long ld) {
    const long whole = cols - cols % CK_W, rest = cols - whole;
    for (long r = 0; r < rows; r++) {
        float *row = p + r * ld;
        VF m = -__builtin_inff();
        for (long j = 0; j < whole; j += CK_W) m = __builtin_elementwise_max(m, LOAD(row + j));
        float top = CK_NAME(hmax)(m);
        for (long j = whole; j < cols; j++) top = top > row[j] ? top : row[j];
        VF acc = 0;
        for (long j = 0; j < whole; j += CK_W) {
            VF e = CK_NAME(exp)(LOAD(row + j) - top);
            STORE(row + j, e);
            acc += e;
        }
        float sum = CK_NAME(hsum)(acc);
        if (rest) {
            VF e = CK_NAME(exp)(CK_NAME(load_partial)(row + whole, rest, 0) - top);
            CK_NAME(store_partial)(row + whole, e, rest);
            for (long l = 0; l < rest; l++) sum += e[l];
        }
        const float inv = 1.0f / sum;
        for (long j = 0; j < whole; j += CK_W) STORE(row + j, LOAD(row + j) * inv);
        for (long j = whole; j < cols; j++) row[j] *= inv;
    }
}

void CK_NAME(softmax_backward_rows)(const float *p, float *dp, long rows, long cols, long ld) {
    for (long r = 0; r < rows; r++) {
        const float *pr = p + r * ld;
        float *dr = dp + r * ld;
        VF acc = 0;
        long j = 0;
        for (; j + CK_W <= cols; j += CK_W) acc = CK_FMA(LOAD(pr + j), LOAD(dr + j), acc);
        float dot = CK_NAME(hsum)(acc);
        for (; j < cols; j++) dot += pr[j] * dr[j];
        for (j = 0; j + CK_W <= cols; j += CK_W) STORE(dr + j, LOAD(pr + j) * (LOAD(dr + j) - dot));
        for (; j < cols; j++) dr[j] = pr[j] * (dr[j] - dot);
    }
}

/// `acc[0..<n) = sum_k a[k] * b[k * ldb + 0..<n)` for `n` a multiple of CK_W: each output lane sums over `k` in
/// order, so the blocking (four, two or one vector of columns at a time) does not change the bits.
static inline void CK_NAME(row_times)(const float *a, long kcount, const float *b, long ldb, long n, float *acc) {
    long j = 0;
    for (; j + 4 * CK_W <= n; j += 4 * CK_W) {
        VF a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        const float *bj = b + j;
        for (long k = 0; k < kcount; k++, bj += ldb) {
            VF s = a[k];
            a0 = CK_FMA(s, LOAD(bj), a0);
            a1 = CK_FMA(s, LOAD(bj + CK_W), a1);
            a2 = CK_FMA(s, LOAD(bj + 2 * CK_W), a2);
            a3 = CK_FMA(s, LOAD(bj + 3 * CK_W), a3);
        }
        STORE(acc + j, a0); STORE(acc + j + CK_W, a1); STORE(acc + j + 2 * CK_W, a2); STORE(acc + j + 3 * CK_W, a3);
    }
    for (; j + 2 * CK_W <= n; j += 2 * CK_W) {
        VF a0 = 0, a1 = 0;
        const float *bj = b + j;
        for (long k = 0; k < kcount; k++, bj += ldb) {
            VF s = a[k];
            a0 = CK_FMA(s, LOAD(bj), a0);
            a1 = CK_FMA(s, LOAD(bj + CK_W), a1);
        }
        STORE(acc + j, a0); STORE(acc + j + CK_W, a1);
    }
    for (; j < n; j += CK_W) {
        VF a0 = 0;
        const float *bj = b + j;
        for (long k = 0; k < kcount; k++, bj += ldb) a0 = CK_FMA((VF)a[k], LOAD(bj), a0);
        STORE(acc + j, a0);
    }
}

static inline long CK_NAME(round_up)(long n) { return (n + CK_W - 1) / CK_W * CK_W; }

/// `rows x cols` floats `ld` apart copied to a dense block of rows `ldp` floats wide, zero-padded.
static inline void CK_NAME(pack_rows)(const float *src, long ld, long rows, long cols, float *dst, long ldp) {
    for (long r = 0; r < rows; r++) {
        for (long c = 0; c < cols; c++) dst[r * ldp + c] = src[r * ld + c];
        for (long c = cols; c < ldp; c++) dst[r * ldp + c] = 0;
    }
}

/// The transpose of `rows x cols` floats `ld` apart: `cols` rows `ldp` floats wide, zero-padded.
static inline void CK_NAME(pack_columns)(const float *src, long ld, long rows, long cols, float *dst, long ldp) {
    for (long c = 0; c < cols; c++) {
        for (long r = 0; r < rows; r++) dst[c * ldp + r] = src[r * ld + c];
        for (long r = rows; r < ldp; r++) dst[c * ldp + r] = 0;
    }
}

long CK_NAME(attention_scratch)(long t, long hd) {
    const long tp = CK_NAME(round_up)(t), hp = CK_NAME(round_up)(hd);
    return 2 * hd * tp + 3 * t * hp + 2 * t * tp + tp + hp;
}

void CK_NAME(attention_forward)(const float *q, const float *k, const float *v, long ld, long t, long hd, float scale,
                                float *p, float *out, long ldo, float *scratch) {
    const long tp = CK_NAME(round_up)(t), hp = CK_NAME(round_up)(hd);
    float *kt = scratch, *vp = kt + hd * tp, *row = vp + t * hp, *orow = row + tp;
    CK_NAME(pack_columns)(k, ld, t, hd, kt, tp);
    CK_NAME(pack_rows)(v, ld, t, hd, vp, hp);
    for (long i = 0; i < t; i++) {
        CK_NAME(row_times)(q + i * ld, hd, kt, tp, tp, row);
        for (long j = 0; j < tp; j += CK_W) STORE(row + j, LOAD(row + j) * scale);
        CK_NAME(softmax_rows)(row, 1, t, tp);
        for (long j = 0; j < t; j++) p[i * t + j] = row[j];
        CK_NAME(row_times)(p + i * t, t, vp, hp, hp, orow);
        for (long c = 0; c < hd; c++) out[i * ldo + c] = orow[c];
    }
}

void CK_NAME(attention_backward)(const float *q, const float *k, const float *v, long ld, const float *p,
                                 const float *dout, long ldo, long t, long hd, float scale, float *dq, float *dk,
                                 float *dv, float *scratch) {
    const long tp = CK_NAME(round_up)(t), hp = CK_NAME(round_up)(hd);
    float *vt = scratch, *kp = vt + hd * tp, *qp = kp + t * hp, *dop = qp + t * hp;
    float *dst = dop + t * hp, *pt = dst + t * tp, *row = pt + t * tp, *orow = row + tp;
    CK_NAME(pack_columns)(v, ld, t, hd, vt, tp);
    CK_NAME(pack_rows)(k, ld, t, hd, kp, hp);
    CK_NAME(pack_rows)(q, ld, t, hd, qp, hp);
    CK_NAME(pack_rows)(dout, ldo, t, hd, dop, hp);
    CK_NAME(pack_columns)(p, t, t, t, pt, tp);
    for (long i = 0; i < t; i++) {
        // dP_i = dO_i V^T, then dS_i = P_i * (dP_i - P_i . dP_i), kept transposed for dK.
        CK_NAME(row_times)(dout + i * ldo, hd, vt, tp, tp, row);
        CK_NAME(softmax_backward_rows)(p + i * t, row, 1, t, tp);
        for (long j = 0; j < t; j++) dst[j * tp + i] = row[j];
        // dQ_i = scale * dS_i K
        CK_NAME(row_times)(row, t, kp, hp, hp, orow);
        for (long c = 0; c < hd; c++) dq[i * ld + c] = orow[c] * scale;
    }
    for (long j = 0; j < t; j++) {
        // dK_j = scale * sum_i dS_ij Q_i; dV_j = sum_i P_ij dO_i
        CK_NAME(row_times)(dst + j * tp, t, qp, hp, hp, orow);
        for (long c = 0; c < hd; c++) dk[j * ld + c] = orow[c] * scale;
        CK_NAME(row_times)(pt + j * tp, t, dop, hp, hp, orow);
        for (long c = 0; c < hd; c++) dv[j * ld + c] = orow[c];
    }
}

#undef VF
#undef VI
#undef LOAD
#undef STORE
