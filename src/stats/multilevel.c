#include "stats/multilevel.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "stats/methods_impl.h"
#include "util/mem.h"

/* Checks the design; *total = prod r_i. min_top: the least r_n the caller needs; min_all: the least
 * r_i at every level. */
static int check_design(const mp_ml_data *d, size_t min_all, size_t min_top, size_t *total,
                        mp_err *err)
{
    if (d->levels < 1 || d->levels > MP_ML_MAX_LEVELS)
        return mp_fail(err, "a multi-level design has 1 to %d levels, not %zu", MP_ML_MAX_LEVELS,
                       d->levels);
    size_t t = 1;
    for (size_t i = 0; i < d->levels; i++) {
        size_t need = i + 1 == d->levels && min_top > min_all ? min_top : min_all;
        if (d->reps[i] < need)
            return mp_fail(err, "level %zu has %zu repetition%s; at least %zu needed", i + 1,
                           d->reps[i], d->reps[i] == 1 ? "" : "s", need);
        if (t > SIZE_MAX / 8 / d->reps[i]) return mp_fail(err, "multi-level design is too large");
        t *= d->reps[i];
    }
    *total = t;
    return mpm_check_sample(d->y, t, 1, "multi-level data", err);
}

/* means[i] receives the level-(i+1) unit means (prod_{k>i} reps units, level 1 = the values), and
 * means[levels] the grand mean. Each array is owned by the caller (free_means). */
static void level_means(const mp_ml_data *d, size_t total, double **means)
{
    means[0]     = xmemdup(d->y, total * sizeof *d->y);
    size_t units = total;
    for (size_t i = 0; i < d->levels; i++) {
        size_t r = d->reps[i], parents = units / r;
        means[i + 1] = xmalloc(parents * sizeof **means);
        for (size_t p = 0; p < parents; p++)
            means[i + 1][p] = gsl_stats_mean(means[i] + p * r, 1, r);
        units = parents;
    }
}

static void free_means(double **means, size_t levels)
{
    for (size_t i = 0; i <= levels; i++)
        free(means[i]);
}

int mp_ml_variances(const mp_ml_data *d, double *s2, double *t2, mp_err *err)
{
    size_t total;
    if (check_design(d, 2, 2, &total, err) < 0) return -1;
    double *means[MP_ML_MAX_LEVELS + 1];
    level_means(d, total, means);
    size_t units = total;
    for (size_t i = 0; i < d->levels; i++) {
        size_t r = d->reps[i], parents = units / r;
        double sum = 0;
        for (size_t u = 0; u < units; u++) {
            double dev = means[i][u] - means[i + 1][u / r];
            sum += dev * dev;
        }
        s2[i] = sum / ((double)parents * (double)(r - 1));
        units = parents;
    }
    free_means(means, d->levels);
    if (t2) {
        /* The erratum: the ISMM'13 paper printed T_{i-1}^2 where S_{i-1}^2 belongs. */
        t2[0] = s2[0];
        for (size_t i = 1; i < d->levels; i++)
            t2[i] = s2[i] - s2[i - 1] / (double)d->reps[i - 1];
    }
    return 0;
}

int mp_ml_optimal_reps(const double *t2, const double *cost, size_t levels, double *exact,
                       size_t *rounded, mp_err *err)
{
    if (levels < 2 || levels > MP_ML_MAX_LEVELS)
        return mp_fail(err, "optimal repetitions need 2 to %d levels, not %zu", MP_ML_MAX_LEVELS,
                       levels);
    for (size_t i = 0; i < levels; i++) {
        if (!(cost[i] > 0) || !isfinite(cost[i]))
            return mp_fail(err, "cost of level %zu is %g; costs must be finite and > 0", i + 1,
                           cost[i]);
        if (!isfinite(t2[i]))
            return mp_fail(err, "variance component T^2 of level %zu is %g", i + 1, t2[i]);
    }
    for (size_t i = 0; i + 1 < levels; i++) {
        double lo = t2[i] > 0 ? t2[i] : 0, hi = t2[i + 1] > 0 ? t2[i + 1] : 0;
        double r;
        size_t rr;
        if (lo == 0) {
            r  = 0;
            rr = 1;
        } else if (hi == 0) {
            r  = INFINITY;
            rr = SIZE_MAX;
        } else {
            r         = sqrt(cost[i + 1] / cost[i] * (lo / hi));
            double rc = ceil(r);
            rr        = rc < 1 ? 1 : rc >= (double)SIZE_MAX ? SIZE_MAX : (size_t)rc;
        }
        exact[i] = r;
        if (rounded) rounded[i] = rr;
    }
    return 0;
}

void mp_ml_top_means(const mp_ml_data *d, double *out)
{
    size_t block = 1;
    for (size_t i = 0; i + 1 < d->levels; i++)
        block *= d->reps[i];
    for (size_t u = 0; u < d->reps[d->levels - 1]; u++)
        out[u] = gsl_stats_mean(d->y + u * block, 1, block);
}

int mp_ml_ci(const mp_ml_data *d, double confidence, mp_interval *out, mp_err *err)
{
    size_t total;
    if (mpm_check_confidence(confidence, err) < 0 || check_design(d, 1, 2, &total, err) < 0)
        return -1;
    size_t rn  = d->reps[d->levels - 1];
    double *tm = xmalloc(rn * sizeof *tm);
    mp_ml_top_means(d, tm);
    /* S_n^2 is the sample variance of the top-level means around the grand mean. */
    double mean = gsl_stats_mean(tm, 1, rn);
    double sn2  = gsl_stats_variance_m(tm, 1, rn, mean);
    free(tm);
    double df = (double)(rn - 1);
    double h  = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, df) * sqrt(sn2 / (double)rn);
    mpm_interval_init(out, MP_M_KJ_T, confidence);
    out->estimate = mean;
    out->lo       = mean - h;
    out->hi       = mean + h;
    out->df       = df;
    out->n        = rn;
    return 0;
}

/* Mean of a level-`level` unit whose values start at y[off], resampling its children at every level
 * below (MP_ML_RESAMPLE_ALL). block[i] = number of values in a level-(i+1) unit. */
static double resample_unit(const mp_ml_data *d, const size_t *block, size_t level, size_t off,
                            gsl_rng *rng)
{
    if (level == 1) return d->y[off];
    size_t r   = d->reps[level - 2];
    double sum = 0;
    for (size_t s = 0; s < r; s++)
        sum += resample_unit(d, block, level - 1,
                             off + gsl_rng_uniform_int(rng, r) * block[level - 2], rng);
    return sum / (double)r;
}

/* One replicate of the grand mean, or (top-only) of the mean of resampled top-level means. */
static double replicate(const mp_ml_data *d, const size_t *block, const double *top,
                        mp_ml_resample mode, gsl_rng *rng)
{
    size_t rn  = d->reps[d->levels - 1];
    double sum = 0;
    for (size_t s = 0; s < rn; s++) {
        size_t u = gsl_rng_uniform_int(rng, rn);
        sum += mode == MP_ML_RESAMPLE_ALL
                   ? resample_unit(d, block, d->levels, u * block[d->levels - 1], rng)
                   : top[u];
    }
    return sum / (double)rn;
}

typedef struct ml_prep {
    size_t block[MP_ML_MAX_LEVELS];
    double *top;
} ml_prep;

static int prepare(const mp_ml_data *d, mp_ml_resample mode, ml_prep *p, mp_err *err)
{
    size_t total;
    if (check_design(d, 1, 2, &total, err) < 0) return -1;
    if (mode != MP_ML_RESAMPLE_TOP && mode != MP_ML_RESAMPLE_ALL)
        return mp_fail(err, "unknown hierarchical resampling mode %d", (int)mode);
    p->block[0] = 1;
    for (size_t i = 1; i < d->levels; i++)
        p->block[i] = p->block[i - 1] * d->reps[i - 1];
    p->top = xmalloc(d->reps[d->levels - 1] * sizeof *p->top);
    mp_ml_top_means(d, p->top);
    return 0;
}

static double grand_mean(const mp_ml_data *d, const ml_prep *p)
{
    return gsl_stats_mean(p->top, 1, d->reps[d->levels - 1]);
}

int mp_ml_bootstrap(const mp_ml_data *d, double confidence, mp_ml_resample mode,
                    const mp_boot_opts *opts, mp_interval *out, mp_err *err)
{
    ml_prep p;
    size_t B = mpm_boot_B(opts);
    if (mpm_check_confidence(confidence, err) < 0 || prepare(d, mode, &p, err) < 0) return -1;
    if (B < 2) {
        free(p.top);
        return mp_fail(err, "bootstrap needs at least 2 replicates (B = %zu)", B);
    }
    double *rep  = xmalloc(B * sizeof *rep);
    gsl_rng *rng = mpm_rng_new(opts ? opts->seed : 0);
    for (size_t b = 0; b < B; b++)
        rep[b] = replicate(d, p.block, p.top, mode, rng);
    gsl_rng_free(rng);
    mpm_interval_init(out, MP_M_HIER_BOOT, confidence);
    out->estimate = grand_mean(d, &p);
    out->n        = d->reps[d->levels - 1];
    out->B        = B;
    out->seed     = opts ? opts->seed : 0;
    mpm_boot_percentile(rep, B, confidence, out);
    free(rep);
    free(p.top);
    return 0;
}

int mp_ml_bootstrap_ratio(const mp_ml_data *num, const mp_ml_data *den, double confidence,
                          mp_ml_resample mode, const mp_boot_opts *opts, mp_interval *out,
                          mp_err *err)
{
    ml_prep pn = {.top = NULL}, pd = {.top = NULL};
    size_t B = mpm_boot_B(opts);
    int rc   = -1;
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (prepare(num, mode, &pn, err) < 0) return mp_fail_wrap(err, "numerator");
    if (prepare(den, mode, &pd, err) < 0) {
        mp_fail_wrap(err, "denominator");
        goto done;
    }
    if (B < 2) {
        mp_fail(err, "bootstrap needs at least 2 replicates (B = %zu)", B);
        goto done;
    }
    double b = grand_mean(den, &pd);
    if (b == 0) {
        mp_fail(err, "denominator mean is 0: the ratio is undefined");
        goto done;
    }
    double *rep  = xmalloc(B * sizeof *rep);
    gsl_rng *rng = mpm_rng_new(opts ? opts->seed : 0);
    mpm_interval_init(out, MP_M_HIER_BOOT_RATIO, confidence);
    for (size_t i = 0; i < B; i++) {
        double a = replicate(num, pn.block, pn.top, mode, rng);
        double c = replicate(den, pd.block, pd.top, mode, rng);
        if (c == 0) {
            rep[i] = INFINITY;
            out->flags |= MP_IV_INF_REPLICATES;
        } else {
            rep[i] = a / c;
        }
    }
    gsl_rng_free(rng);
    out->estimate = grand_mean(num, &pn) / b;
    out->n        = num->reps[num->levels - 1];
    out->n2       = den->reps[den->levels - 1];
    out->B        = B;
    out->seed     = opts ? opts->seed : 0;
    mpm_boot_percentile(rep, B, confidence, out);
    mpm_mark_significance(out, 1);
    free(rep);
    rc = 0;
done:
    free(pn.top);
    free(pd.top);
    return rc;
}
