#include "stats/lattice_stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#include "stats/ci.h"
#include "stats/methods_impl.h"
#include "util/mem.h"

void mp_deliverable_props(const double *overhead, size_t r, size_t s, double D, double *p)
{
    for (size_t j = 0; j < r; j++) {
        size_t ok = 0;
        for (size_t i = 0; i < s; i++)
            ok += overhead[j * s + i] <= D; /* NAN (a failed configuration) is never <= D */
        p[j] = (double)ok / (double)s;
    }
}

int mp_prop_ci_t(const double *p, size_t r, double confidence, mp_interval *out, mp_err *err)
{
    if (mpm_check_sample(p, r, 2, "proportions", err) < 0) return -1;
    for (size_t j = 0; j < r; j++)
        if (p[j] < 0 || p[j] > 1)
            return mp_fail(err, "proportion %zu is %g, not in [0, 1]", j + 1, p[j]);
    if (mp_ci_t(p, r, confidence, out, err) < 0) return -1;
    out->method = MP_M_PROPORTION_T;
    out->lo     = fmax(0, out->lo);
    out->hi     = fmin(1, out->hi);
    return 0;
}

double mp_fpc(double population, double n)
{
    if (isinf(population)) return 1;
    if (n >= population) return 0;
    return sqrt((population - n) / (population - 1));
}

int mp_prop_ci_wilson(size_t successes, size_t m, double confidence, double fpc, mp_interval *out,
                      mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (m < 1 || successes > m)
        return mp_fail(err,
                       "Wilson interval needs 0 <= successes <= draws and draws >= 1 "
                       "(%zu of %zu)",
                       successes, m);
    if (!(fpc >= 0 && fpc <= 1))
        return mp_fail(err, "finite-population correction %g is not in [0, 1]", fpc);
    double dm = (double)m, p = (double)successes / dm;
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - confidence) / 2) * fpc, z2 = z * z;
    double scale  = 1 + z2 / dm;
    double centre = (p + z2 / (2 * dm)) / scale;
    double half   = z * sqrt(p * (1 - p) / dm + z2 / (4 * dm * dm)) / scale;
    mpm_interval_init(out, MP_M_WILSON, confidence);
    out->estimate = p;
    /* The score interval always contains p-hat (its ends are exactly p-hat at 0 and 1); fmin/fmax
     * only repair the last-bit rounding of centre -+ half there. */
    out->lo = fmax(0, fmin(p, centre - half));
    out->hi = fmin(1, fmax(p, centre + half));
    out->n  = m;
    return 0;
}

int mp_paired_ci_t(const double *x, const double *y, size_t r, double confidence, mp_interval *out,
                   mp_err *err)
{
    if (mpm_check_sample(x, r, 2, "first paired sample", err) < 0 ||
        mpm_check_sample(y, r, 2, "second paired sample", err) < 0)
        return -1;
    double *d = xmalloc(r * sizeof *d);
    for (size_t j = 0; j < r; j++)
        d[j] = x[j] - y[j];
    int rc = mp_ci_t(d, r, confidence, out, err);
    free(d);
    if (rc < 0) return -1;
    out->method = MP_M_PAIRED_T;
    mpm_mark_significance(out, 0);
    return 0;
}

void mp_deliverable_count(const mp_interval *overheads, size_t n, double D,
                          mp_deliverable_band *out)
{
    *out = (mp_deliverable_band){0};
    for (size_t i = 0; i < n; i++) {
        out->surely += overheads[i].hi <= D;
        out->point += overheads[i].estimate <= D;
        out->possibly += overheads[i].lo <= D;
    }
}
