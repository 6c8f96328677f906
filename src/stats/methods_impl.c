#include "stats/methods_impl.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

gsl_rng *mpm_rng_new(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
    return r;
}

void mpm_interval_init(mp_interval *iv, mp_method m, double confidence)
{
    *iv = (mp_interval){
        .method     = m,
        .estimate   = NAN,
        .lo         = NAN,
        .hi         = NAN,
        .confidence = confidence,
        .achieved   = confidence,
        .df         = NAN,
        .g          = NAN,
    };
}

int mpm_check_confidence(double confidence, mp_err *err)
{
    if (!(confidence > 0 && confidence < 1))
        return mp_fail(err, "confidence level %g is not between 0 and 1 (exclusive)", confidence);
    return 0;
}

int mpm_check_sample(const double *x, size_t n, size_t min_n, const char *what, mp_err *err)
{
    if (n < min_n)
        return mp_fail(err, "%s has %zu value%s; at least %zu needed", what, n, n == 1 ? "" : "s",
                       min_n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return mp_fail(err, "%s value %zu is %g; measurements must be finite numbers", what,
                           i + 1, x[i]);
    return 0;
}

size_t mpm_boot_B(const mp_boot_opts *opts)
{
    return opts && opts->B ? opts->B : MP_BOOT_DEFAULT_B;
}

void mpm_boot_means(gsl_rng *rng, const double *x, size_t n, size_t B, double *out)
{
    for (size_t b = 0; b < B; b++) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += x[gsl_rng_uniform_int(rng, n)];
        out[b] = sum / (double)n;
    }
}

/* (B+1) p is meant to be an exact integer for the usual B and levels (10000 * 0.025 = 250), but
 * 1 - 0.975 is not exact in binary; snapping values within rounding error of an integer keeps
 * ceil() from stepping one order statistic too far. */
static double snap(double v)
{
    double r = nearbyint(v);
    return fabs(v - r) <= 1e-9 * fmax(1.0, fabs(v)) ? r : v;
}

int mp_boot_order_stats(size_t B, double p_lo, double p_hi, size_t *lo, size_t *hi)
{
    double l    = floor(snap((double)(B + 1) * p_lo));
    double h    = ceil(snap((double)(B + 1) * p_hi));
    int clamped = 0;
    if (!(l >= 1)) { /* also catches NaN */
        l       = 1;
        clamped = 1;
    }
    if (l > (double)B) {
        l       = (double)B;
        clamped = 1;
    }
    if (!(h <= (double)B)) {
        h       = (double)B;
        clamped = 1;
    }
    if (h < 1) {
        h       = 1;
        clamped = 1;
    }
    *lo = (size_t)l;
    *hi = (size_t)h;
    return clamped;
}

double mpm_order_stat(double *v, size_t n, size_t k)
{
    return gsl_stats_select(v, 1, n, k - 1);
}

double mpm_median(double *v, size_t n)
{
    double hi = gsl_stats_select(v, 1, n, n / 2);
    if (n % 2) return hi;
    return (gsl_stats_select(v, 1, n, n / 2 - 1) + hi) / 2;
}

void mpm_boot_percentile(double *rep, size_t B, double confidence, mp_interval *iv)
{
    double alpha = 1 - confidence;
    size_t lo, hi;
    if (mp_boot_order_stats(B, alpha / 2, 1 - alpha / 2, &lo, &hi)) iv->flags |= MP_IV_CLAMPED;
    iv->lo = mpm_order_stat(rep, B, lo);
    iv->hi = mpm_order_stat(rep, B, hi);
}

/* One BCa-adjusted level Phi(z0 + (z0 + z) / (1 - a (z0 + z))). Where the denominator reaches 0
 * the adjusted level has run off to 0 (lower end) or 1 (upper end). */
static double bca_level(double z0, double a, double z, int upper, int *clamped)
{
    double w     = z0 + z;
    double denom = 1 - a * w;
    if (denom <= 0) {
        *clamped = 1;
        return upper ? 1.0 : 0.0;
    }
    return gsl_cdf_ugaussian_P(z0 + w / denom);
}

void mpm_boot_bca(double *rep, size_t B, double theta_hat, double accel, double confidence,
                  mp_interval *iv)
{
    double below = 0;
    for (size_t b = 0; b < B; b++) {
        if (rep[b] < theta_hat)
            below += 1;
        else if (rep[b] == theta_hat)
            below += 0.5;
    }
    double prop = below / (double)B;
    int clamped = 0;
    /* All replicates on one side would make z0 infinite; half a replicate is the resolution. */
    if (prop < 0.5 / (double)B) {
        prop    = 0.5 / (double)B;
        clamped = 1;
    }
    if (prop > 1 - 0.5 / (double)B) {
        prop    = 1 - 0.5 / (double)B;
        clamped = 1;
    }
    double z0    = gsl_cdf_ugaussian_Pinv(prop);
    double alpha = 1 - confidence;
    double a1    = bca_level(z0, accel, gsl_cdf_ugaussian_Pinv(alpha / 2), 0, &clamped);
    double a2    = bca_level(z0, accel, gsl_cdf_ugaussian_Pinv(1 - alpha / 2), 1, &clamped);
    size_t lo, hi;
    if (mp_boot_order_stats(B, a1, a2, &lo, &hi)) clamped = 1;
    if (clamped) iv->flags |= MP_IV_CLAMPED;
    iv->lo = mpm_order_stat(rep, B, lo);
    iv->hi = mpm_order_stat(rep, B, hi);
}

void mpm_mark_significance(mp_interval *iv, double null_value)
{
    if (mp_interval_contains(iv, null_value)) iv->flags |= MP_IV_NOT_SIGNIFICANT;
}
