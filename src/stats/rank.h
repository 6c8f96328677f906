/* Rank-based (distribution-free) intervals, METHODS.md B.4: the Hodges-Lehmann estimate with the
 * Wilcoxon signed-rank interval for one sample, and the two-sample Hodges-Lehmann shift with the
 * Mann-Whitney interval.
 *
 * What they estimate: the one-sample interval is for the PSEUDO-MEDIAN (the centre of symmetry; the
 * median of (X1 + X2) / 2), which equals the mean only for symmetric distributions. Timing data are
 * right-skewed, so this interval must never be read as an interval for the mean, nor compared with
 * a "+-10% of the mean" target. The shift interval is for the location shift between two samples,
 * not a difference of means; on log values it is a robust ratio of typical values.
 *
 * Exactness: the null distributions are computed exactly by dynamic programming up to the cutoffs
 * below; above them the normal approximation is used and the result carries MP_IV_NORMAL_APPROX.
 * The achieved confidence of an exact interval is reported (it is >= the requested level, because
 * the rank distributions are discrete). When even the most extreme order statistics cannot reach
 * the requested level (n <= 5 at 95%), the interval is unbounded (MP_IV_UNBOUNDED, k = 0, achieved
 * 1): the data cannot support that claim, and a smaller stated level would be a different claim.
 * The exact levels assume no ties; with ties the interval is still formed the same way and its
 * level is approximate. */
#ifndef MP_STATS_RANK_H
#define MP_STATS_RANK_H

#include <stddef.h>

#include "stats/interval.h"
#include "util/err.h"

/* Exact signed-rank distribution for n <= this (O(n^3) time, about 3e6 additions). */
#define MP_SIGNRANK_EXACT_MAX_N 200
/* Exact rank-sum (Mann-Whitney) distribution when m * n <= this (O((m+n) min(m,n) m n) time). */
#define MP_RANKSUM_EXACT_MAX_MN 2500

/* The order statistic of a rank interval. It depends only on the sample sizes and the level, so
 * a caller that forms many intervals of one size (a coverage study, many cells with the same run
 * count) computes it once and passes it to the *_k functions. */
typedef struct mp_rank_k {
    size_t m, n;       /* the sample sizes it is for (m = 0 for the one-sample signed rank) */
    double confidence; /* the requested level */
    size_t k;          /* the interval is [v(k), v(M-k+1)] of the M sorted values; 0 = unbounded */
    double achieved;   /* 1 - 2 P(X <= k - 1) (1 when k = 0); approximate unless exact */
    int exact;         /* 1: exact null distribution; 0: normal approximation */
} mp_rank_k;

/* Signed rank, n observations: c = the largest s with P(T+ <= s) <= alpha/2, k = c + 1, exact up
 * to MP_SIGNRANK_EXACT_MAX_N; above, k = floor(n(n+1)/4 - z sqrt(n(n+1)(2n+1)/24)). */
int mp_signrank_k(size_t n, double confidence, mp_rank_k *out, mp_err *err);

/* The normal-approximation k alone (for any n >= 1; 0 when the formula gives less than 1), to
 * compare with the exact k: it is sometimes one lower, i.e. more conservative. */
size_t mp_signrank_k_normal(size_t n, double confidence);

/* The same for the Mann-Whitney statistic U with sample sizes m (x) and n (y), U = the number of
 * pairs with y_j > x_i; normal approximation (mean mn/2, variance mn(m+n+1)/12) above
 * MP_RANKSUM_EXACT_MAX_MN. */
int mp_ranksum_k(size_t m, size_t n, double confidence, mp_rank_k *out, mp_err *err);

/* Hodges-Lehmann estimate (median of the n(n+1)/2 Walsh averages) with the signed-rank interval
 * [W(k), W(M-k+1)]. n >= 1 (an unbounded interval for n <= 5 at 95%). Memory O(n^2). */
int mp_ci_hodges_lehmann(const double *x, size_t n, double confidence, mp_interval *out,
                         mp_err *err);
/* The same with k from mp_signrank_k (n = rk->n values). */
int mp_ci_hodges_lehmann_k(const double *x, const mp_rank_k *rk, mp_interval *out, mp_err *err);

/* Two-sample Hodges-Lehmann shift of y relative to x: the median of the m n differences
 * y_j - x_i with the interval [d(k), d(mn-k+1)]. MP_IV_NOT_SIGNIFICANT when it contains 0.
 * out->n = m (x), out->n2 = n (y). */
int mp_ci_hl_shift(const double *x, size_t m, const double *y, size_t n, double confidence,
                   mp_interval *out, mp_err *err);
/* The same with k from mp_ranksum_k(m, n) (x has rk->m values, y rk->n). */
int mp_ci_hl_shift_k(const double *x, const double *y, const mp_rank_k *rk, mp_interval *out,
                     mp_err *err);

/* exp of the HL shift of log(num) relative to log(den): a robust ratio num/den of typical values
 * (all values > 0). MP_IV_NOT_SIGNIFICANT when it contains 1. out->n = n_num, out->n2 = n_den. */
int mp_ci_hl_ratio(const double *num, size_t n_num, const double *den, size_t n_den,
                   double confidence, mp_interval *out, mp_err *err);
/* The same with k from mp_ranksum_k(n_den, n_num): den has rk->m values, num rk->n. */
int mp_ci_hl_ratio_k(const double *num, const double *den, const mp_rank_k *rk, mp_interval *out,
                     mp_err *err);

#endif
