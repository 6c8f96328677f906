/* B.1-B.3: t interval, sample size, bootstrap percentile and BCa; the interval type itself. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <string.h>

#include "methods_test.h"
#include "stats/methods.h"

MP_TEST(quantiles, gsl_matches_methods_md)
{
    assert_printed(gsl_cdf_tdist_Pinv(0.975, 7), 2.3646242516, 10);
    assert_printed(gsl_cdf_tdist_Pinv(0.975, 9), 2.2621571628, 10);
    assert_printed(gsl_cdf_tdist_Pinv(0.975, 4), 2.7764451052, 10);
}

MP_TEST(t_interval, vector_A)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ci_t(data_A, 8, 0.95, &iv, &err), 0);
    double h = (iv.hi - iv.lo) / 2;
    assert_printed(iv.estimate, 1.018750, 6);
    assert_printed(h, 0.035311, 6);
    assert_printed(h * sqrt(8) / 2.3646242516, 0.042237, 6); /* s */
    assert_printed(iv.lo, 0.983439, 6);
    assert_printed(iv.hi, 1.054061, 6);
    cr_assert_eq(iv.method, MP_M_T);
    cr_assert_float_eq(iv.df, 7, 0);
    cr_assert_eq(iv.n, 8);
    cr_assert_eq(iv.flags, 0);
    /* The stopping statistic: h / x-bar. */
    assert_printed(mp_interval_rel_halfwidth(&iv), 0.035311 / 1.018750, 5);
}

MP_TEST(t_interval, rejects_bad_input)
{
    mp_interval iv;
    mp_err err;
    double one[1] = {1}, bad[3] = {1, NAN, 2};
    cr_assert_eq(mp_ci_t(one, 1, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "sample has 1 value; at least 2 needed");
    cr_assert_eq(mp_ci_t(bad, 3, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "sample value 2 is nan; measurements must be finite numbers");
    cr_assert_eq(mp_ci_t(data_A, 8, 95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "confidence level 95 is not between 0 and 1 (exclusive)");
}

/* The definition, by linear scan: the smallest n >= 2 with n >= (t_{n-1} cv / eps)^2. */
static size_t sample_size_scan(double cv, double eps)
{
    for (size_t n = 2;; n++) {
        double q = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * cv / eps;
        if ((double)n >= q * q) return n;
    }
}

MP_TEST(sample_size, solves_the_t_condition)
{
    size_t n;
    mp_err err;
    /* cv/eps = 0.5: the naive fixed-point iteration jumps 2 -> 41 -> 2; the answer is 4
     * (t_{0.975,2} = 4.30: 4.63 > 3; t_{0.975,3} = 3.18: 2.53 <= 4). */
    cr_assert_eq(mp_t_sample_size(0.005, 0.01, 0.95, &n, &err), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(mp_t_sample_size(0, 0.01, 0.95, &n, &err), 0);
    cr_assert_eq(n, 2);
    const double ratios[] = {0.1, 0.3, 0.5, 0.8, 1, 1.7, 2.5, 4.146, 10, 31.6};
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
        cr_assert_eq(mp_t_sample_size(ratios[i] * 0.01, 0.01, 0.95, &n, &err), 0);
        cr_assert_eq(n, sample_size_scan(ratios[i] * 0.01, 0.01), "cv/eps %g: %zu", ratios[i], n);
    }
    /* A's cv = 0.041460 at +-1%: t must be used at n ~ 70, where z undercounts. */
    double cv = 0.042237 / 1.018750;
    cr_assert_eq(mp_t_sample_size(cv, 0.01, 0.95, &n, &err), 0);
    cr_assert_eq(n, sample_size_scan(cv, 0.01));
    cr_assert_lt(mp_z_sample_size(cv, 0.02, 0.95), n);
    cr_assert_eq(mp_z_sample_size(cv, 0.02, 0.95),
                 (size_t)ceil(pow(gsl_cdf_ugaussian_Pinv(0.975) * cv / 0.01, 2)));
    cr_assert_eq(mp_z_sample_size(1e10, 1e-10, 0.95), SIZE_MAX);
    cr_assert_eq(mp_t_sample_size(10, 1e-6, 0.95, &n, &err), -1);
    cr_assert_str_eq(err.msg, "target relative half-width 1e-06 needs more than 1000000000 runs "
                              "at cv 10");
    cr_assert_eq(mp_t_sample_size(0.1, 0, 0.95, &n, &err), -1);
    cr_assert_str_eq(err.msg, "target relative half-width 0 is not a finite number > 0");
}

MP_TEST(bootstrap, order_statistic_rule)
{
    size_t lo, hi;
    cr_assert_eq(mp_boot_order_stats(9999, 0.025, 0.975, &lo, &hi), 0);
    cr_assert_eq(lo, 250);
    cr_assert_eq(hi, 9750);
    /* The levels as the code derives them from a confidence of 0.95 (not exact in binary). */
    double alpha = 1 - 0.95;
    cr_assert_eq(mp_boot_order_stats(9999, alpha / 2, 1 - alpha / 2, &lo, &hi), 0);
    cr_assert_eq(lo, 250);
    cr_assert_eq(hi, 9750);
    cr_assert_eq(mp_boot_order_stats(999, alpha / 2, 1 - alpha / 2, &lo, &hi), 0);
    cr_assert_eq(lo, 25);
    cr_assert_eq(hi, 975);
    alpha = 1 - 0.9;
    cr_assert_eq(mp_boot_order_stats(1999, alpha / 2, 1 - alpha / 2, &lo, &hi), 0);
    cr_assert_eq(lo, 100);
    cr_assert_eq(hi, 1900);
    cr_assert_eq(mp_boot_order_stats(1000, 0.025, 0.975, &lo, &hi), 0);
    cr_assert_eq(lo, 25);  /* floor(25.025) */
    cr_assert_eq(hi, 976); /* ceil(975.975) */
    /* B = 10 cannot resolve 2.5%: floor(0.275) = 0 is clamped to the smallest replicate. */
    cr_assert_neq(mp_boot_order_stats(10, 0.025, 0.975, &lo, &hi), 0);
    cr_assert_eq(lo, 1);
    cr_assert_eq(hi, 10);
}

MP_TEST(bootstrap, acceleration_vector_A)
{
    assert_printed(mp_bca_acceleration_mean(data_A, 8), 0.044173, 6);
    /* The jackknife form equals sum (x - xbar)^3 / (6 (sum (x - xbar)^2)^1.5) for the mean. */
    double m = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < 8; i++)
        m += data_A[i] / 8;
    for (int i = 0; i < 8; i++) {
        s2 += pow(data_A[i] - m, 2);
        s3 += pow(data_A[i] - m, 3);
    }
    cr_assert_float_eq(mp_bca_acceleration_mean(data_A, 8), s3 / (6 * pow(s2, 1.5)), 1e-12);
    double flat[4] = {2, 2, 2, 2};
    cr_assert_float_eq(mp_bca_acceleration_mean(flat, 4), 0, 0);
}

/* Anyone holding the seed can recompute the interval: mt19937 seeded with the folded seed, n
 * uniform indices per replicate, sort, order statistics 250 and 9750. */
MP_TEST(bootstrap, percentile_is_reproducible_from_the_seed)
{
    uint64_t seed  = 0x1234567890abcdefu;
    mp_boot_opts o = {.B = 0, .seed = seed};
    mp_interval pct;
    mp_err err;
    cr_assert_eq(mp_ci_bootstrap(data_A, 8, 0.95, &o, &pct, NULL, &err), 0);
    cr_assert_eq(pct.B, 9999);
    cr_assert_eq(pct.seed, seed);
    cr_assert_eq(pct.method, MP_M_BOOT_PERCENTILE);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
    static double rep[9999];
    for (int b = 0; b < 9999; b++) {
        double s = 0;
        for (int i = 0; i < 8; i++)
            s += data_A[gsl_rng_uniform_int(r, 8)];
        rep[b] = s / 8;
    }
    gsl_rng_free(r);
    gsl_sort(rep, 1, 9999);
    cr_assert_eq(pct.lo, rep[249]);
    cr_assert_eq(pct.hi, rep[9749]);
    cr_assert_float_eq(pct.estimate, 1.01875, 1e-12);
}

MP_TEST(bootstrap, deterministic_per_seed)
{
    mp_boot_opts o1 = {.B = 2000, .seed = 7}, o2 = {.B = 2000, .seed = 8};
    mp_interval p1, b1, p1b, b1b, p2, b2;
    mp_err err;
    cr_assert_eq(mp_ci_bootstrap(data_B, 8, 0.95, &o1, &p1, &b1, &err), 0);
    cr_assert_eq(mp_ci_bootstrap(data_B, 8, 0.95, &o1, &p1b, &b1b, &err), 0);
    cr_assert_eq(memcmp(&p1, &p1b, sizeof p1), 0);
    cr_assert_eq(memcmp(&b1, &b1b, sizeof b1), 0);
    cr_assert_eq(mp_ci_bootstrap(data_B, 8, 0.95, &o2, &p2, &b2, &err), 0);
    cr_assert(p1.lo != p2.lo || p1.hi != p2.hi);
    /* Only one interval requested: the same replicates, the same answer. */
    mp_interval only;
    cr_assert_eq(mp_ci_bootstrap(data_B, 8, 0.95, &o1, NULL, &only, &err), 0);
    cr_assert_eq(memcmp(&only, &b1, sizeof only), 0);
}

MP_TEST(bootstrap, percentile_brackets_the_mean)
{
    mp_interval pct, bca, t;
    mp_err err;
    mp_boot_opts o = {.seed = 42};
    cr_assert_eq(mp_ci_bootstrap(data_A, 8, 0.95, &o, &pct, &bca, &err), 0);
    cr_assert_eq(mp_ci_t(data_A, 8, 0.95, &t, &err), 0);
    cr_assert_lt(pct.lo, 1.01875);
    cr_assert_gt(pct.hi, 1.01875);
    cr_assert_lt(bca.lo, 1.01875);
    cr_assert_gt(bca.hi, 1.01875);
    /* B.2's caveat: at n = 8 the percentile interval is narrower than t (z/t and sqrt((n-1)/n)
     * give about 0.78 of t's width). */
    cr_assert_lt(pct.hi - pct.lo, 0.9 * (t.hi - t.lo));
    cr_assert_gt(pct.hi - pct.lo, 0.65 * (t.hi - t.lo));
    cr_assert_eq(pct.flags, 0);
}

MP_TEST(bootstrap, two_point_data)
{
    /* Means of two draws from {0, 1}: 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4, so the 250th
     * and 9750th of 9999 replicates are 0 and 1 for any reasonable generator. */
    double x[2] = {0, 1};
    mp_interval pct;
    mp_err err;
    mp_boot_opts o = {.seed = 3};
    cr_assert_eq(mp_ci_bootstrap(x, 2, 0.95, &o, &pct, NULL, &err), 0);
    cr_assert_float_eq(pct.lo, 0, 0);
    cr_assert_float_eq(pct.hi, 1, 0);
}

/* With a sample symmetric about its mean, a = 0 exactly, and BCa differs from the percentile
 * interval only through z0, whose Monte Carlo noise is sd(z0) = sqrt(pi/2)/sqrt(B) = 0.0125 at
 * B = 9999. Each end then moves by about 2 z0 standard errors of the mean (s/sqrt(n)): sd 0.025
 * s/sqrt(n). The tolerance 0.1 s/sqrt(n) is four of those sds, and far below the half-width
 * (about 2 s/sqrt(n)), so a BCa that adjusted where it should not would fail. */
MP_TEST(bootstrap, bca_equals_percentile_for_symmetric_data)
{
    double x[20];
    for (int i = 0; i < 20; i++)
        x[i] = 1 + 0.01 * gsl_cdf_ugaussian_Pinv((i + 0.5) / 20);
    cr_assert_float_eq(mp_bca_acceleration_mean(x, 20), 0, 1e-12);
    double m = 0, s = 0;
    for (int i = 0; i < 20; i++)
        m += x[i] / 20;
    for (int i = 0; i < 20; i++)
        s += pow(x[i] - m, 2) / 19;
    double se = sqrt(s) / sqrt(20);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        mp_interval pct, bca;
        mp_err err;
        mp_boot_opts o = {.seed = seed};
        cr_assert_eq(mp_ci_bootstrap(x, 20, 0.95, &o, &pct, &bca, &err), 0);
        cr_assert_leq(fabs(bca.lo - pct.lo), 0.1 * se, "seed %llu", (unsigned long long)seed);
        cr_assert_leq(fabs(bca.hi - pct.hi), 0.1 * se, "seed %llu", (unsigned long long)seed);
        cr_assert_eq(bca.flags, 0);
    }
}

MP_TEST(bootstrap, bca_moves_right_for_right_skewed_data)
{
    /* exp of normal scores with sigma 1: strongly right-skewed; a > 0 and z0 > 0 both push the
     * BCa interval to the right of the percentile interval. */
    double x[15];
    for (int i = 0; i < 15; i++)
        x[i] = exp(gsl_cdf_ugaussian_Pinv((i + 0.5) / 15));
    cr_assert_gt(mp_bca_acceleration_mean(x, 15), 0.05);
    mp_interval pct, bca;
    mp_err err;
    mp_boot_opts o = {.seed = 11};
    cr_assert_eq(mp_ci_bootstrap(x, 15, 0.95, &o, &pct, &bca, &err), 0);
    cr_assert_gt(bca.lo, pct.lo);
    cr_assert_gt(bca.hi, pct.hi);
}

MP_TEST(bootstrap, rejects_bad_input)
{
    mp_interval pct;
    mp_err err;
    mp_boot_opts o = {.B = 1, .seed = 1};
    cr_assert_eq(mp_ci_bootstrap(data_A, 8, 0.95, &o, &pct, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "bootstrap needs at least 2 replicates (B = 1)");
    cr_assert_eq(mp_ci_bootstrap(data_A, 1, 0.95, NULL, &pct, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "sample has 1 value; at least 2 needed");
}

MP_TEST(interval, method_names_round_trip)
{
    for (int m = MP_M_T; m <= MP_M_PAIRED_T; m++) {
        mp_method back;
        mp_err err;
        const char *name = mp_method_name((mp_method)m);
        cr_assert_str_neq(name, "unknown");
        cr_assert_eq(mp_method_parse(name, &back, &err), 0, "%s", name);
        cr_assert_eq(back, (mp_method)m);
    }
    mp_method back;
    mp_err err;
    cr_assert_eq(mp_method_parse("bca", &back, &err), 0);
    cr_assert_eq(back, MP_M_BOOT_BCA);
    cr_assert_eq(mp_method_parse("hl", &back, &err), 0);
    cr_assert_eq(back, MP_M_HODGES_LEHMANN);
    cr_assert_eq(mp_method_parse("z", &back, &err), -1);
    cr_assert_str_eq(err.msg,
                     "unknown interval method 'z' (expected one of: t, percentile, bca, "
                     "hodges-lehmann, hl-shift, hl-log-ratio, fieller, delta, "
                     "bootstrap-ratio-percentile, bootstrap-ratio-bca, log-welch, "
                     "kalibera-jones-t, hierarchical-bootstrap, hierarchical-bootstrap-ratio, "
                     "proportion-t, wilson, paired-t)");
}

MP_TEST(interval, rel_halfwidth_and_contains)
{
    mp_interval iv = {.estimate = 2, .lo = 1.9, .hi = 2.3};
    cr_assert_float_eq(mp_interval_rel_halfwidth(&iv), 0.1, 1e-12);
    cr_assert(mp_interval_contains(&iv, 2.3));
    cr_assert(!mp_interval_contains(&iv, 1.8));
    iv.lo = -INFINITY;
    cr_assert(isinf(mp_interval_rel_halfwidth(&iv)));
}
