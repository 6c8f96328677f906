/* Confidence intervals for the mean of n i.i.d. measurements (METHODS.md B.1-B.3), the stopping
 * statistic and the sample-size estimate a runner needs to repeat a measurement until its interval
 * is narrow enough. Quantiles come from GSL; resampling uses a GSL generator seeded from the
 * caller's recorded seed, so every bootstrap interval can be recomputed bit for bit.
 *
 * Which one to use (docs/methods.md has the coverage study behind this advice):
 *   - mp_ci_t: the default. Exact for normal data, close for moderately skewed timing data at n
 * >= 10.
 *   - mp_ci_bootstrap BCa: skewed data with n >= ~20; the percentile interval is too narrow at
 * small n.
 *   - rank.h (Hodges-Lehmann): a robust interval for the pseudo-median, not the mean.
 *
 * All functions return 0, or -1 with err filled for invalid input (n too small, a non-finite value,
 * a confidence outside (0, 1)); they never abort on bad data. */
#ifndef MP_STATS_CI_H
#define MP_STATS_CI_H

#include <stddef.h>
#include <stdint.h>

#include "stats/interval.h"
#include "util/err.h"

/* ---- B.1 t interval ---------------------------------------------------------------------------
 */

/* x-bar +- t_{1-alpha/2, n-1} s / sqrt(n), alpha = 1 - confidence. n >= 2. */
int mp_ci_t(const double *x, size_t n, double confidence, mp_interval *out, mp_err *err);

/* Smallest n >= 2 with n >= (t_{1-alpha/2, n-1} * cv / rel_halfwidth)^2: the number of runs after
 * which a t interval is expected to reach the target relative half-width, given the coefficient of
 * variation cv = s / x-bar seen so far. t depends on n, so this is solved exactly by search on the
 * monotone condition rather than by the fixed-point iteration, which can overshoot. Fails when the
 * answer would exceed 10^9 runs (the target is unreachable in practice). */
int mp_t_sample_size(double cv, double rel_halfwidth, double confidence, size_t *n_out,
                     mp_err *err);

/* pyperf's normal-theory estimate n = ceil(4 z^2 cv^2 / W^2), W the full relative width; kept to
 * show how much smaller it is than mp_t_sample_size at small n. SIZE_MAX when it does not fit. */
size_t mp_z_sample_size(double cv, double rel_width, double confidence);

/* ---- B.2 / B.3 bootstrap ----------------------------------------------------------------------
 */

#define MP_BOOT_DEFAULT_B 9999

typedef struct mp_boot_opts {
    size_t B;      /* replicates; 0 means MP_BOOT_DEFAULT_B. 9999 makes the 95% order statistics
                      the integers 250 and 9750. */
    uint64_t seed; /* the recorded seed; the same seed and data give the same interval */
} mp_boot_opts;

/* The order-statistic rule of B.2 (1-based): lo = floor((B+1) * p_lo), hi = ceil((B+1) * p_hi),
 * clamped to [1, B]. Returns nonzero when clamping was needed (B too small for the level).
 * p_lo = alpha/2, p_hi = 1 - alpha/2 for the percentile interval; BCa passes its adjusted levels.
 */
int mp_boot_order_stats(size_t B, double p_lo, double p_hi, size_t *lo, size_t *hi);

/* The BCa acceleration of the mean by the jackknife (B.3): leave-one-out means theta_(i), then
 * a = sum (mean_(.) - theta_(i))^3 / (6 [sum (mean_(.) - theta_(i))^2]^(3/2)). 0 when all x equal.
 */
double mp_bca_acceleration_mean(const double *x, size_t n);

/* Resamples the mean B times (B.2 step 2) once, and fills the percentile interval (B.2) and/or the
 * BCa interval (B.3) from the same replicates; either output may be NULL. n >= 2. */
int mp_ci_bootstrap(const double *x, size_t n, double confidence, const mp_boot_opts *opts,
                    mp_interval *percentile, mp_interval *bca, mp_err *err);

#endif
