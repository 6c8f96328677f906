#include "stats/ratio.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "stats/methods_impl.h"
#include "util/mem.h"

int mp_ratio_stats_of(const double *num, size_t n_num, const double *den, size_t n_den,
                      mp_ratio_stats *out, mp_err *err)
{
    if (mpm_check_sample(num, n_num, 2, "numerator sample", err) < 0 ||
        mpm_check_sample(den, n_den, 2, "denominator sample", err) < 0)
        return -1;
    double a = gsl_stats_mean(num, 1, n_num), b = gsl_stats_mean(den, 1, n_den);
    *out = (mp_ratio_stats){
        .a   = a,
        .b   = b,
        .v11 = gsl_stats_variance_m(num, 1, n_num, a) / (double)n_num,
        .v22 = gsl_stats_variance_m(den, 1, n_den, b) / (double)n_den,
        .v12 = 0,
        .n_a = n_num,
        .n_b = n_den,
    };
    return 0;
}

double mp_ratio_df(const mp_ratio_stats *st, mp_df_rule rule)
{
    double pooled = (double)(st->n_a + st->n_b) - 2;
    if (rule != MP_DF_WELCH) return pooled;
    double ra = st->v11 / (st->a * st->a), rb = st->v22 / (st->b * st->b);
    double den = ra * ra / ((double)st->n_a - 1) + rb * rb / ((double)st->n_b - 1);
    /* Both samples constant: any df gives a zero-width interval; keep it finite. */
    if (!(den > 0)) return pooled;
    return (ra + rb) * (ra + rb) / den;
}

static int check_stats(const mp_ratio_stats *st, double df, double confidence, mp_err *err)
{
    if (mpm_check_confidence(confidence, err) < 0) return -1;
    if (!(df > 0) || !isfinite(df))
        return mp_fail(err, "degrees of freedom %g is not a finite number > 0", df);
    if (!isfinite(st->a) || !isfinite(st->b) || !(st->v11 >= 0) || !(st->v22 >= 0) ||
        !isfinite(st->v11) || !isfinite(st->v22) || !isfinite(st->v12))
        return mp_fail(err, "ratio summary is not finite (a %g, b %g, v11 %g, v22 %g, v12 %g)",
                       st->a, st->b, st->v11, st->v22, st->v12);
    if (st->v12 * st->v12 > st->v11 * st->v22 * (1 + 1e-12))
        return mp_fail(err, "covariance v12 = %g exceeds sqrt(v11 v22) = %g", st->v12,
                       sqrt(st->v11 * st->v22));
    if (st->b == 0) return mp_fail(err, "denominator mean is 0: the ratio is undefined");
    return 0;
}

static void ratio_init(mp_interval *out, mp_method m, const mp_ratio_stats *st, double df,
                       double confidence, double t)
{
    mpm_interval_init(out, m, confidence);
    out->estimate = st->a / st->b;
    out->df       = df;
    out->g        = t * t * st->v22 / (st->b * st->b);
    out->n        = st->n_a;
    out->n2       = st->n_b;
}

int mp_fieller_from(const mp_ratio_stats *st, double df, double confidence, mp_interval *out,
                    mp_err *err)
{
    if (check_stats(st, df, confidence, err) < 0) return -1;
    double t = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, df), t2 = t * t;
    double qa = st->b * st->b - t2 * st->v22;
    double qb = st->a * st->b - t2 * st->v12;
    double qc = st->a * st->a - t2 * st->v11;
    ratio_init(out, MP_M_FIELLER, st, df, confidence, t);
    if (out->g >= 1) {
        out->lo = -INFINITY;
        out->hi = INFINITY;
        out->flags |= MP_IV_UNBOUNDED;
    } else {
        /* Non-negative whenever g < 1 and the covariance is valid; clamp rounding only. */
        double disc = qb * qb - qa * qc;
        double root = sqrt(disc > 0 ? disc : 0);
        out->lo     = (qb - root) / qa;
        out->hi     = (qb + root) / qa;
    }
    mpm_mark_significance(out, 1);
    return 0;
}

int mp_delta_from(const mp_ratio_stats *st, double df, double confidence, mp_interval *out,
                  mp_err *err)
{
    if (check_stats(st, df, confidence, err) < 0) return -1;
    if (st->a == 0) return mp_fail(err, "numerator mean is 0: the delta method needs a != 0");
    double t = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, df);
    double rel =
        st->v11 / (st->a * st->a) + st->v22 / (st->b * st->b) - 2 * st->v12 / (st->a * st->b);
    ratio_init(out, MP_M_DELTA, st, df, confidence, t);
    double half = t * fabs(out->estimate) * sqrt(rel > 0 ? rel : 0);
    out->lo     = out->estimate - half;
    out->hi     = out->estimate + half;
    mpm_mark_significance(out, 1);
    return 0;
}

int mp_ratio_fieller(const double *num, size_t n_num, const double *den, size_t n_den,
                     double confidence, mp_df_rule rule, mp_interval *out, mp_err *err)
{
    mp_ratio_stats st;
    if (mp_ratio_stats_of(num, n_num, den, n_den, &st, err) < 0) return -1;
    return mp_fieller_from(&st, mp_ratio_df(&st, rule), confidence, out, err);
}

int mp_ratio_delta(const double *num, size_t n_num, const double *den, size_t n_den,
                   double confidence, mp_df_rule rule, mp_interval *out, mp_err *err)
{
    mp_ratio_stats st;
    if (mp_ratio_stats_of(num, n_num, den, n_den, &st, err) < 0) return -1;
    return mp_delta_from(&st, mp_ratio_df(&st, rule), confidence, out, err);
}

double mp_bca_acceleration_ratio(const double *num, size_t n_num, const double *den, size_t n_den)
{
    double ybar = gsl_stats_mean(num, 1, n_num), xbar = gsl_stats_mean(den, 1, n_den);
    double R = ybar / xbar, s2 = 0, s3 = 0;
    for (size_t j = 0; j < n_num; j++) {
        double u = (num[j] - ybar) / ((double)n_num * xbar);
        s2 += u * u;
        s3 += u * u * u;
    }
    for (size_t i = 0; i < n_den; i++) {
        double u = -R * (den[i] - xbar) / ((double)n_den * xbar);
        s2 += u * u;
        s3 += u * u * u;
    }
    return s2 > 0 ? s3 / (6 * pow(s2, 1.5)) : 0;
}

int mp_ratio_bootstrap(const double *num, size_t n_num, const double *den, size_t n_den,
                       double confidence, const mp_boot_opts *opts, mp_interval *percentile,
                       mp_interval *bca, mp_err *err)
{
    mp_ratio_stats st;
    if (mpm_check_confidence(confidence, err) < 0 ||
        mp_ratio_stats_of(num, n_num, den, n_den, &st, err) < 0)
        return -1;
    if (st.b == 0) return mp_fail(err, "denominator mean is 0: the ratio is undefined");
    size_t B      = mpm_boot_B(opts);
    uint64_t seed = opts ? opts->seed : 0;
    if (B < 2) return mp_fail(err, "bootstrap needs at least 2 replicates (B = %zu)", B);
    double *rep  = xmalloc(B * sizeof *rep);
    gsl_rng *rng = mpm_rng_new(seed);
    unsigned inf = 0;
    for (size_t b = 0; b < B; b++) {
        double sa = 0, sb = 0;
        for (size_t i = 0; i < n_num; i++)
            sa += num[gsl_rng_uniform_int(rng, n_num)];
        for (size_t i = 0; i < n_den; i++)
            sb += den[gsl_rng_uniform_int(rng, n_den)];
        if (sb == 0) {
            rep[b] = INFINITY;
            inf    = MP_IV_INF_REPLICATES;
        } else {
            rep[b] = (sa / (double)n_num) / (sb / (double)n_den);
        }
    }
    gsl_rng_free(rng);
    mp_interval *outs[2] = {percentile, bca};
    for (int o = 0; o < 2; o++) {
        mp_interval *iv = outs[o];
        if (!iv) continue;
        mpm_interval_init(iv, o ? MP_M_BOOT_RATIO_BCA : MP_M_BOOT_RATIO_PERCENTILE, confidence);
        iv->estimate = st.a / st.b;
        iv->n        = n_num;
        iv->n2       = n_den;
        iv->B        = B;
        iv->seed     = seed;
        iv->flags    = inf;
        if (o)
            mpm_boot_bca(rep, B, iv->estimate, mp_bca_acceleration_ratio(num, n_num, den, n_den),
                         confidence, iv);
        else
            mpm_boot_percentile(rep, B, confidence, iv);
        mpm_mark_significance(iv, 1);
    }
    free(rep);
    return 0;
}

static int log_sample(const double *v, size_t n, const char *what, double **out, mp_err *err)
{
    if (mpm_check_sample(v, n, 2, what, err) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0))
            return mp_fail(err, "%s value %zu is %g; geometric means need values > 0", what, i + 1,
                           v[i]);
    *out = xmalloc(n * sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = log(v[i]);
    return 0;
}

int mp_ratio_log_welch(const double *num, size_t n_num, const double *den, size_t n_den,
                       double confidence, mp_interval *out, mp_err *err)
{
    double *la = NULL, *lb = NULL;
    int rc = -1;
    if (mpm_check_confidence(confidence, err) < 0 ||
        log_sample(num, n_num, "numerator sample", &la, err) < 0 ||
        log_sample(den, n_den, "denominator sample", &lb, err) < 0)
        goto done;
    double ma = gsl_stats_mean(la, 1, n_num), mb = gsl_stats_mean(lb, 1, n_den);
    double va = gsl_stats_variance_m(la, 1, n_num, ma) / (double)n_num;
    double vb = gsl_stats_variance_m(lb, 1, n_den, mb) / (double)n_den;
    double dd = va * va / ((double)n_num - 1) + vb * vb / ((double)n_den - 1);
    double df = dd > 0 ? (va + vb) * (va + vb) / dd : (double)(n_num + n_den) - 2;
    double t  = gsl_cdf_tdist_Pinv(1 - (1 - confidence) / 2, df);
    double h  = t * sqrt(va + vb);
    mpm_interval_init(out, MP_M_LOG_WELCH, confidence);
    out->estimate = exp(ma - mb);
    out->lo       = exp(ma - mb - h);
    out->hi       = exp(ma - mb + h);
    out->df       = df;
    out->n        = n_num;
    out->n2       = n_den;
    mpm_mark_significance(out, 1);
    rc = 0;
done:
    free(la);
    free(lb);
    return rc;
}
