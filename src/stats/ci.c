#include "stats/ci.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "stats/methods_impl.h"
#include "util/mem.h"

int mp_ci_t(const double *x, size_t n, double confidence, mp_interval *out, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0 || mpm_check_sample(x, n, 2, "sample", err) < 0)
        return -1;
    double mean = gsl_stats_mean(x, 1, n);
    double sd   = gsl_stats_sd_m(x, 1, n, mean);
    double df   = (double)(n - 1);
    double t    = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, df);
    double h    = t * sd / sqrt((double)n);
    mpm_interval_init(out, MP_M_T, confidence);
    out->estimate = mean;
    out->lo       = mean - h;
    out->hi       = mean + h;
    out->df       = df;
    out->n        = n;
    return 0;
}

/* (t_{1-alpha/2, n-1} cv / eps)^2: the runs a t interval needs at n runs. Decreasing in n. */
static double runs_needed(size_t n, double cv, double eps, double confidence)
{
    double t = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, (double)(n - 1));
    double q = t * cv / eps;
    return q * q;
}

#define MAX_SAMPLE_SIZE ((size_t)1000000000)

int mp_t_sample_size(double cv, double rel_halfwidth, double confidence, size_t *n_out, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (!(cv >= 0) || !isfinite(cv))
        return mp_fail(err, "coefficient of variation %g is not a finite number >= 0", cv);
    if (!(rel_halfwidth > 0) || !isfinite(rel_halfwidth))
        return mp_fail(err, "target relative half-width %g is not a finite number > 0",
                       rel_halfwidth);
    /* n >= g(n) is monotone in n (g decreases), so the smallest solution is found by doubling and
     * bisection. The fixed-point iteration n <- ceil(g(n)) can oscillate (cv/eps = 0.5 jumps
     * between 2 and 41 while the answer is 4). t > z, so the normal-theory size is a lower bound.
     */
    double z  = gsl_cdf_ugaussian_Pinv(1 - (1 - confidence) / 2);
    double lb = ceil((z * cv / rel_halfwidth) * (z * cv / rel_halfwidth));
    if (!(lb < (double)MAX_SAMPLE_SIZE))
        return mp_fail(err, "target relative half-width %g needs more than %zu runs at cv %g",
                       rel_halfwidth, MAX_SAMPLE_SIZE, cv);
    size_t lo = lb < 2 ? 2 : (size_t)lb;
    if ((double)lo >= runs_needed(lo, cv, rel_halfwidth, confidence)) {
        *n_out = lo;
        return 0;
    }
    size_t hi = lo;
    do {
        lo = hi; /* invariant: lo fails */
        hi *= 2;
        if (hi > MAX_SAMPLE_SIZE)
            return mp_fail(err, "target relative half-width %g needs more than %zu runs at cv %g",
                           rel_halfwidth, MAX_SAMPLE_SIZE, cv);
    } while ((double)hi < runs_needed(hi, cv, rel_halfwidth, confidence));
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)mid >= runs_needed(mid, cv, rel_halfwidth, confidence))
            hi = mid;
        else
            lo = mid;
    }
    *n_out = hi;
    return 0;
}

size_t mp_z_sample_size(double cv, double rel_width, double confidence)
{
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - confidence) / 2);
    double n = ceil(4 * z * z * cv * cv / (rel_width * rel_width));
    /* Saturate rather than convert an out-of-range (or NaN) double, which C leaves undefined. */
    return n >= 0 && n < 9e18 ? (size_t)n : SIZE_MAX;
}

double mp_bca_acceleration_mean(const double *x, size_t n)
{
    if (n < 2) return 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double *jack = xmalloc(n * sizeof *jack);
    for (size_t i = 0; i < n; i++)
        jack[i] = (sum - x[i]) / (double)(n - 1);
    double jbar = gsl_stats_mean(jack, 1, n);
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        double d = jbar - jack[i];
        num += d * d * d;
        den += d * d;
    }
    free(jack);
    return den > 0 ? num / (6 * pow(den, 1.5)) : 0;
}

int mp_ci_bootstrap(const double *x, size_t n, double confidence, const mp_boot_opts *opts,
                    mp_interval *percentile, mp_interval *bca, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0 || mpm_check_sample(x, n, 2, "sample", err) < 0)
        return -1;
    size_t B      = mpm_boot_B(opts);
    uint64_t seed = opts ? opts->seed : 0;
    if (B < 2) return mp_fail(err, "bootstrap needs at least 2 replicates (B = %zu)", B);
    double *rep  = xmalloc(B * sizeof *rep);
    gsl_rng *rng = mpm_rng_new(seed);
    mpm_boot_means(rng, x, n, B, rep);
    gsl_rng_free(rng);
    double mean = gsl_stats_mean(x, 1, n);
    if (percentile) {
        mpm_interval_init(percentile, MP_M_BOOT_PERCENTILE, confidence);
        percentile->estimate = mean;
        percentile->n        = n;
        percentile->B        = B;
        percentile->seed     = seed;
        mpm_boot_percentile(rep, B, confidence, percentile);
    }
    if (bca) {
        mpm_interval_init(bca, MP_M_BOOT_BCA, confidence);
        bca->estimate = mean;
        bca->n        = n;
        bca->B        = B;
        bca->seed     = seed;
        mpm_boot_bca(rep, B, mean, mp_bca_acceleration_mean(x, n), confidence, bca);
    }
    free(rep);
    return 0;
}
