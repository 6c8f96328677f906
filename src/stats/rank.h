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

/* Exact signed-rank distribution for n <= this (O(n^3) time, O(n^2) memory: about 1e7 steps). */
#define MP_SIGNRANK_EXACT_MAX_N 200
/* Exact rank-sum (Mann-Whitney) distribution when m * n <= this (O((m+n) min(m,n) m n) time). */
#define MP_RANKSUM_EXACT_MAX_MN 2500

/* The order statistic k of the 1-confidence signed-rank interval for n observations:
 * c = the largest s with P(T+ <= s) <= alpha/2, k = c + 1; *achieved = 1 - 2 P(T+ <= c).
 * k = 0 (achieved 1) when no such s exists. *exact is 1 when the exact DP was used, 0 when the
 * normal approximation k = floor(n(n+1)/4 - z sqrt(n(n+1)(2n+1)/24)) was (n >
 * MP_SIGNRANK_EXACT_MAX_N). */
int mp_signrank_k(size_t n, double confidence, size_t *k, double *achieved, int *exact,
                  mp_err *err);

/* The normal-approximation k alone (for any n >= 1; 0 when the formula gives less than 1), to
 * compare with the exact k: it is sometimes one lower, i.e. more conservative. */
size_t mp_signrank_k_normal(size_t n, double confidence);

/* The same for the Mann-Whitney statistic U with sample sizes m and n (U = number of pairs
 * (i, j) with y_j > x_i); normal approximation above MP_RANKSUM_EXACT_MAX_MN. */
int mp_ranksum_k(size_t m, size_t n, double confidence, size_t *k, double *achieved, int *exact,
                 mp_err *err);

/* Hodges-Lehmann estimate (median of the n(n+1)/2 Walsh averages) with the signed-rank interval
 * [W(k), W(M-k+1)]. n >= 1 (an unbounded interval for n <= 5 at 95%). Memory O(n^2). */
int mp_ci_hodges_lehmann(const double *x, size_t n, double confidence, mp_interval *out,
                         mp_err *err);

/* Two-sample Hodges-Lehmann shift of y relative to x: the median of the m n differences
 * y_j - x_i with the interval [d(k), d(mn-k+1)]. MP_IV_NOT_SIGNIFICANT when it contains 0.
 * out->n = m (x), out->n2 = n (y). */
int mp_ci_hl_shift(const double *x, size_t m, const double *y, size_t n, double confidence,
                   mp_interval *out, mp_err *err);

/* exp of the HL shift of log(num) relative to log(den): a robust ratio num/den of typical values
 * (all values > 0). MP_IV_NOT_SIGNIFICANT when it contains 1. out->n = n_num, out->n2 = n_den. */
int mp_ci_hl_ratio(const double *num, size_t n_num, const double *den, size_t n_den,
                   double confidence, mp_interval *out, mp_err *err);

#endif
