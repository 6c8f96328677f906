/* Confidence intervals for a ratio of two means, rho = mean(num) / mean(den) (METHODS.md B.5):
 * the speedup or overhead of one configuration or runtime relative to a named baseline. The
 * baseline is always the denominator: overhead(c) = mean(c) / mean(baseline).
 *
 * Which one to use:
 *   - Fieller (the default for `mixperf compare`): exact under normality for any g < 1, and honest
 *     when the baseline is noisy: it reports MP_IV_UNBOUNDED rather than a fake finite interval.
 *   - delta: a symmetric approximation to Fieller, fine when g < ~0.05 (g is reported).
 *   - bootstrap (percentile / BCa): no normality assumption; too narrow at small n like B.2.
 *   - log-Welch: the ratio of GEOMETRIC means, for multiplicative overheads and geometric-mean
 *     summaries; it is not an interval for the ratio of arithmetic means.
 * Every result sets MP_IV_NOT_SIGNIFICANT when the interval contains 1 ("no significant
 * difference"); reports must say so rather than print the point estimate alone. */
#ifndef MP_STATS_RATIO_H
#define MP_STATS_RATIO_H

#include <stddef.h>

#include "stats/ci.h"
#include "stats/interval.h"
#include "util/err.h"

/* The sufficient statistics of B.5: a = numerator mean, b = denominator mean, v11 and v22 the
 * variances of those means (s^2 / n), v12 their covariance (0 for independent samples; a paired
 * design fills it with cov(num, den) / n and passes df = n - 1). */
typedef struct mp_ratio_stats {
    double a, b;
    double v11, v22, v12;
    size_t n_a, n_b;
} mp_ratio_stats;

typedef enum mp_df_rule {
    MP_DF_POOLED = 1, /* n_a + n_b - 2 (equal variances) */
    MP_DF_WELCH,      /* Welch-Satterthwaite on the relative variances v11/a^2, v22/b^2 */
} mp_df_rule;

/* Summaries of two independent samples (each n >= 2, finite). */
int mp_ratio_stats_of(const double *num, size_t n_num, const double *den, size_t n_den,
                      mp_ratio_stats *out, mp_err *err);
/* nu = (v11/a^2 + v22/b^2)^2 / ((v11/a^2)^2/(n_a-1) + (v22/b^2)^2/(n_b-1)), or n_a + n_b - 2. */
double mp_ratio_df(const mp_ratio_stats *st, mp_df_rule rule);

/* Fieller's interval from summaries with an explicit df: the roots of
 * rho^2 (b^2 - t^2 v22) - 2 rho (ab - t^2 v12) + (a^2 - t^2 v11) = 0; MP_IV_UNBOUNDED when
 * g = t^2 v22 / b^2 >= 1 (the denominator mean is not significantly non-zero). */
int mp_fieller_from(const mp_ratio_stats *st, double df, double confidence, mp_interval *out,
                    mp_err *err);
/* Delta method from summaries: rho +- t rho sqrt(v11/a^2 + v22/b^2 - 2 v12/(ab)). */
int mp_delta_from(const mp_ratio_stats *st, double df, double confidence, mp_interval *out,
                  mp_err *err);

/* The same on two independent samples, with the df rule. */
int mp_ratio_fieller(const double *num, size_t n_num, const double *den, size_t n_den,
                     double confidence, mp_df_rule rule, mp_interval *out, mp_err *err);
int mp_ratio_delta(const double *num, size_t n_num, const double *den, size_t n_den,
                   double confidence, mp_df_rule rule, mp_interval *out, mp_err *err);

/* BCa acceleration of the ratio from empirical influence values (B.3):
 * U_j = (y_j - ybar)/(n_y xbar) for the numerator, U_i = -R (x_i - xbar)/(n_x xbar) for the
 * denominator, a = sum U^3 / (6 (sum U^2)^(3/2)) over both; 0 when every U is 0. */
double mp_bca_acceleration_ratio(const double *num, size_t n_num, const double *den, size_t n_den);

/* Bootstrap of the ratio (libkalibera's bootstrap_quotient): each replicate resamples num and den
 * independently and records mean(num*)/mean(den*), +inf for a zero denominator
 * (MP_IV_INF_REPLICATES). Fills the percentile and/or BCa interval (either may be NULL). */
int mp_ratio_bootstrap(const double *num, size_t n_num, const double *den, size_t n_den,
                       double confidence, const mp_boot_opts *opts, mp_interval *percentile,
                       mp_interval *bca, mp_err *err);

/* Ratio of geometric means: exp(dbar +- t_nu sqrt(s^2_log num / n_num + s^2_log den / n_den)),
 * dbar the difference of the mean logs, nu Welch's df on the log variances. All values > 0. */
int mp_ratio_log_welch(const double *num, size_t n_num, const double *den, size_t n_den,
                       double confidence, mp_interval *out, mp_err *err);

#endif
