/* Statistics over a sampled configuration lattice (METHODS.md B.7): the share of configurations
 * that are D-deliverable (overhead <= D), estimated from r samples of s configurations each
 * (lattice.h draws them), with honest intervals.
 *
 * The primary interval is the t interval over the r per-sample proportions,
 * p-bar +- t_{1-alpha/2, r-1} s_p / sqrt(r) with s_p the SAMPLE standard deviation: gtp-plot's z
 * with the population sigma is too narrow for r = 5..10. The Wilson interval on the pooled r*s
 * draws is the alternative when the draws are i.i.d. uniform; with sampling without replacement it
 * takes the finite-population correction. Two runtimes measured on the same sampled configurations
 * are compared by the paired t interval of the per-sample differences, never by subtracting
 * endpoints. */
#ifndef MP_STATS_LATTICE_STATS_H
#define MP_STATS_LATTICE_STATS_H

#include <stddef.h>

#include "stats/interval.h"
#include "util/err.h"

/* p[j] = |{i : overhead[j*s + i] <= D}| / s for j = 0..r-1 (overhead holds r samples of s). A NAN
 * overhead (a configuration that failed) is not <= D: it counts against deliverability. */
void mp_deliverable_props(const double *overhead, size_t r, size_t s, double D, double *p);

/* The t interval of the mean of r proportions (r >= 2), clipped to [0, 1]. MP_M_PROPORTION_T. */
int mp_prop_ci_t(const double *p, size_t r, double confidence, mp_interval *out, mp_err *err);

/* The finite-population correction sqrt((N - n) / (N - 1)) for a sample of n distinct members of a
 * population of N (N = V^units, n = s per sample); 1 for an infinite population (N = INFINITY),
 * 0 for a census (n = N). */
double mp_fpc(double population, double n);

/* Wilson score interval for `successes` out of m pooled draws (m >= 1):
 * (p + z^2/2m +- z sqrt(p(1-p)/m + z^2/4m^2)) / (1 + z^2/m), with z replaced by z * fpc, which is
 * the exact Wilson inversion when the variance of p-hat carries the factor fpc^2. Pass fpc = 1 for
 * i.i.d. draws; for r independent samples of s drawn without replacement from the lattice pass
 * mp_fpc(V^N, s): the correction follows the per-sample size s, not r*s, because the samples are
 * drawn independently of each other. MP_M_WILSON; out->n = m. */
int mp_prop_ci_wilson(size_t successes, size_t m, double confidence, double fpc, mp_interval *out,
                      mp_err *err);

/* Paired comparison (B.7 step 7): d_j = x[j] - y[j] (e.g. p_j of runtime X minus p_j of runtime Y
 * on the same samples), the t interval of the mean difference over r >= 2 pairs. MP_M_PAIRED_T;
 * MP_IV_NOT_SIGNIFICANT when it contains 0. */
int mp_paired_ci_t(const double *x, const double *y, size_t r, double confidence, mp_interval *out,
                   mp_err *err);

/* B.7 step 8: from per-configuration overhead intervals, how many configurations are surely
 * D-deliverable (upper bound <= D), D-deliverable by the point estimate, and possibly D-deliverable
 * (lower bound <= D). surely <= point <= possibly when every estimate lies inside its interval. */
typedef struct mp_deliverable_band {
    size_t surely, point, possibly;
} mp_deliverable_band;
void mp_deliverable_count(const mp_interval *overheads, size_t n, double D,
                          mp_deliverable_band *out);

#endif
