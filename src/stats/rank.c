#include "stats/rank.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "stats/methods_impl.h"
#include "util/mem.h"

/* The null probabilities are exact dyadic (signed rank) or ratios of binomial counts (rank sum),
 * summed in floating point; a relative slack of 1e-12 keeps a tail that equals alpha/2 in exact
 * arithmetic from being rejected by rounding. */
static int tail_ok(double p, double half_alpha)
{
    return p <= half_alpha * (1 + 1e-12);
}

/* From the null pmf over 0..max: k = 1 + the largest c with P(X <= c) <= alpha/2, or 0. */
static void k_from_pmf(const double *pmf, size_t max, double confidence, size_t *k,
                       double *achieved)
{
    double half = (1 - confidence) / 2, cum = 0;
    size_t c = 0;
    while (c <= max && tail_ok(cum + pmf[c], half))
        cum += pmf[c++];
    /* c values 0..c-1 are in the tail: the largest admissible critical value is c - 1. */
    *k        = c;
    *achieved = c ? 1 - 2 * cum : 1;
}

static void k_normal(double mu, double sigma, double confidence, size_t *k, double *achieved)
{
    double z  = gsl_cdf_ugaussian_Pinv(1 - (1 - confidence) / 2);
    double kk = floor(mu - z * sigma);
    if (kk < 1) {
        *k        = 0;
        *achieved = 1;
        return;
    }
    *k = (size_t)kk;
    /* P(X <= k - 1) with the continuity correction. */
    *achieved = 1 - 2 * gsl_cdf_ugaussian_P((kk - 1 + 0.5 - mu) / sigma);
}

size_t mp_signrank_k_normal(size_t n, double confidence)
{
    double nn = (double)n, achieved;
    size_t k;
    k_normal(nn * (nn + 1) / 4, sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), confidence, &k, &achieved);
    return k;
}

int mp_signrank_k(size_t n, double confidence, mp_rank_k *out, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (n < 1) return mp_fail(err, "signed-rank interval needs at least 1 value");
    *out = (mp_rank_k){.m = 0, .n = n, .confidence = confidence};
    if (n > MP_SIGNRANK_EXACT_MAX_N) {
        double nn = (double)n;
        k_normal(nn * (nn + 1) / 4, sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), confidence, &out->k,
                 &out->achieved);
        return 0;
    }
    /* pmf[s] = P(T+ = s): the number of subsets of {1..k} with sum s, over 2^k, built one rank at
     * a time; halving at each step keeps the values probabilities (no overflow at any n). */
    size_t M    = n * (n + 1) / 2;
    double *pmf = xcalloc(M + 1, sizeof *pmf);
    pmf[0]      = 1;
    for (size_t r = 1; r <= n; r++) {
        size_t top = r * (r + 1) / 2;
        for (size_t s = top; s >= r; s--)
            pmf[s] += pmf[s - r];
        for (size_t s = 0; s <= top; s++)
            pmf[s] /= 2;
    }
    k_from_pmf(pmf, M, confidence, &out->k, &out->achieved);
    out->exact = 1;
    free(pmf);
    return 0;
}

int mp_ranksum_k(size_t m, size_t n, double confidence, mp_rank_k *out, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (m < 1 || n < 1)
        return mp_fail(err, "rank-sum interval needs at least 1 value in each sample (%zu, %zu)", m,
                       n);
    *out      = (mp_rank_k){.m = m, .n = n, .confidence = confidence};
    size_t mn = m * n;
    if (mn / n != m || mn > MP_RANKSUM_EXACT_MAX_MN) {
        double dm = (double)m, dn = (double)n;
        k_normal(dm * dn / 2, sqrt(dm * dn * (dm + dn + 1) / 12), confidence, &out->k,
                 &out->achieved);
        return 0;
    }
    /* U of the smaller group = its rank sum minus a(a+1)/2. cnt[j][u] counts the j-subsets of the
     * ranks seen so far whose U is u; adding rank r to a (j-1)-subset raises U by r - j. */
    size_t a = m < n ? m : n, N = m + n, W = mn + 1;
    double *cnt = xcalloc((a + 1) * W, sizeof *cnt);
    cnt[0]      = 1;
    for (size_t r = 1; r <= N; r++) {
        size_t jmax = r < a ? r : a;
        for (size_t j = jmax; j >= 1; j--) {
            size_t shift = r - j, umax = j * (r - j);
            if (umax > mn) umax = mn;
            double *row = cnt + j * W, *prev = cnt + (j - 1) * W;
            for (size_t u = umax + 1; u-- > shift;)
                row[u] += prev[u - shift];
        }
    }
    double *pmf = cnt + a * W, total = 0;
    for (size_t u = 0; u <= mn; u++)
        total += pmf[u];
    for (size_t u = 0; u <= mn; u++)
        pmf[u] /= total;
    k_from_pmf(pmf, mn, confidence, &out->k, &out->achieved);
    out->exact = 1;
    free(cnt);
    return 0;
}

/* Fills the median and the interval [v(k), v(M-k+1)] of the M values v (reordered) and the flags
 * for k. */
static void rank_interval(double *v, size_t M, const mp_rank_k *rk, mp_interval *out)
{
    size_t k      = rk->k;
    out->estimate = mpm_median(v, M);
    out->k        = k;
    out->achieved = rk->achieved;
    if (!rk->exact) out->flags |= MP_IV_NORMAL_APPROX;
    if (k == 0 || k > M - k + 1) {
        out->lo = -INFINITY;
        out->hi = INFINITY;
        out->k  = 0;
        out->flags |= MP_IV_UNBOUNDED;
        out->achieved = 1;
        return;
    }
    out->lo = mpm_order_stat(v, M, k);
    out->hi = mpm_order_stat(v, M, M - k + 1);
}

static int check_k(const mp_rank_k *rk, mp_err *err)
{
    if (mpm_check_confidence(rk->confidence, err) < 0) return -1;
    if (rk->n < 1) return mp_fail(err, "rank interval plan has no sample size");
    return 0;
}

int mp_ci_hodges_lehmann_k(const double *x, const mp_rank_k *rk, mp_interval *out, mp_err *err)
{
    if (check_k(rk, err) < 0) return -1;
    if (rk->m != 0) return mp_fail(err, "rank interval plan is for two samples, not one");
    size_t n = rk->n, M = n * (n + 1) / 2;
    if (mpm_check_sample(x, n, 1, "sample", err) < 0) return -1;
    double *w = xmalloc(M * sizeof *w);
    size_t p  = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            w[p++] = (x[i] + x[j]) / 2;
    mpm_interval_init(out, MP_M_HODGES_LEHMANN, rk->confidence);
    out->n = n;
    rank_interval(w, M, rk, out);
    free(w);
    return 0;
}

int mp_ci_hodges_lehmann(const double *x, size_t n, double confidence, mp_interval *out,
                         mp_err *err)
{
    mp_rank_k rk;
    if (mpm_check_sample(x, n, 1, "sample", err) < 0 || mp_signrank_k(n, confidence, &rk, err) < 0)
        return -1;
    return mp_ci_hodges_lehmann_k(x, &rk, out, err);
}

int mp_ci_hl_shift_k(const double *x, const double *y, const mp_rank_k *rk, mp_interval *out,
                     mp_err *err)
{
    if (check_k(rk, err) < 0) return -1;
    size_t m = rk->m, n = rk->n;
    if (mpm_check_sample(x, m, 1, "first sample", err) < 0 ||
        mpm_check_sample(y, n, 1, "second sample", err) < 0)
        return -1;
    size_t M  = m * n;
    double *d = xmalloc(M * sizeof *d);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            d[i * n + j] = y[j] - x[i];
    mpm_interval_init(out, MP_M_HL_SHIFT, rk->confidence);
    out->n  = m;
    out->n2 = n;
    rank_interval(d, M, rk, out);
    mpm_mark_significance(out, 0);
    free(d);
    return 0;
}

int mp_ci_hl_shift(const double *x, size_t m, const double *y, size_t n, double confidence,
                   mp_interval *out, mp_err *err)
{
    mp_rank_k rk;
    if (mpm_check_sample(x, m, 1, "first sample", err) < 0 ||
        mpm_check_sample(y, n, 1, "second sample", err) < 0 ||
        mp_ranksum_k(m, n, confidence, &rk, err) < 0)
        return -1;
    return mp_ci_hl_shift_k(x, y, &rk, out, err);
}

static int logs_of(const double *v, size_t n, const char *what, double **out, mp_err *err)
{
    if (mpm_check_sample(v, n, 1, what, err) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0))
            return mp_fail(err, "%s value %zu is %g; a log ratio needs values > 0", what, i + 1,
                           v[i]);
    *out = xmalloc(n * sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = log(v[i]);
    return 0;
}

int mp_ci_hl_ratio_k(const double *num, const double *den, const mp_rank_k *rk, mp_interval *out,
                     mp_err *err)
{
    double *lnum = NULL, *lden = NULL;
    int rc = -1;
    if (check_k(rk, err) < 0 || logs_of(num, rk->n, "numerator sample", &lnum, err) < 0 ||
        logs_of(den, rk->m, "denominator sample", &lden, err) < 0)
        goto done;
    /* The shift of log(num) relative to log(den) is log(num / den). */
    if (mp_ci_hl_shift_k(lden, lnum, rk, out, err) < 0) goto done;
    out->method   = MP_M_HL_LOG_RATIO;
    out->estimate = exp(out->estimate);
    out->lo       = exp(out->lo);
    out->hi       = exp(out->hi);
    out->n        = rk->n;
    out->n2       = rk->m;
    out->flags &= ~(unsigned)MP_IV_NOT_SIGNIFICANT;
    mpm_mark_significance(out, 1);
    rc = 0;
done:
    free(lnum);
    free(lden);
    return rc;
}

int mp_ci_hl_ratio(const double *num, size_t n_num, const double *den, size_t n_den,
                   double confidence, mp_interval *out, mp_err *err)
{
    mp_rank_k rk;
    if (mpm_check_sample(num, n_num, 1, "numerator sample", err) < 0 ||
        mpm_check_sample(den, n_den, 1, "denominator sample", err) < 0 ||
        mp_ranksum_k(n_den, n_num, confidence, &rk, err) < 0)
        return -1;
    return mp_ci_hl_ratio_k(num, den, &rk, out, err);
}
