/* B.6: Kalibera-Jones variance components, optimal repetitions, top-level and hierarchical
 * intervals. The vectors are libkalibera's tests/test_data.py, which list reps from the top level
 * down; reps[] here is bottom-up (reps[0] = iterations). */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "methods_test.h"
#include "stats/methods.h"

/* The paper's worked example, reps (3, 2, 2) top-down: {(0,0):[9,5], (0,1):[8,3], (1,0):[10,6],
 * (1,1):[7,11], (2,0):[1,12], (2,1):[2,4]}. The same twelve numbers as the 2-level vector. */
static const double paper_y[12]    = {9, 5, 8, 3, 10, 6, 7, 11, 1, 12, 2, 4};
static const size_t paper_reps3[3] = {2, 2, 3};
static const size_t paper_reps2[2] = {4, 3};
static const double third_y[12]    = {3, 4, 3, 1.2, 3.1, 3, 0.2, 1, 1.5, 1, 2, 3};
static const size_t third_reps[3]  = {3, 2, 2};

MP_TEST(kalibera_jones, three_level_paper_example)
{
    mp_ml_data d = {.levels = 3, .reps = paper_reps3, .y = paper_y};
    double s2[3], t2[3];
    mp_err err;
    cr_assert_eq(mp_ml_variances(&d, s2, t2, &err), 0);
    assert_printed(s2[0], 16.5, 1);
    assert_printed(s2[1], 2.6, 1);
    assert_printed(s2[2], 3.6, 1);
    assert_printed(t2[0], 16.5, 1);
    assert_printed(t2[1], -5.7, 1);
    assert_printed(t2[2], 2.3, 1);
    /* Exactly, by hand: S_2^2 = 7.75 / 3, S_3^2 = 7.125 / 2. */
    cr_assert_float_eq(s2[1], 7.75 / 3, 1e-12);
    cr_assert_float_eq(s2[2], 3.5625, 1e-12);
    mp_interval iv;
    cr_assert_eq(mp_ml_ci(&d, 0.95, &iv, &err), 0);
    cr_assert_float_eq(iv.estimate, 6.5, 1e-12);
}

MP_TEST(kalibera_jones, two_level)
{
    mp_ml_data d = {.levels = 2, .reps = paper_reps2, .y = paper_y};
    double s2[2], t2[2];
    mp_err err;
    cr_assert_eq(mp_ml_variances(&d, s2, t2, &err), 0);
    assert_printed(s2[0], 12.7, 1);
    assert_printed(s2[1], 3.6, 1);
    assert_printed(t2[0], 12.7, 1);
    assert_printed(t2[1], 0.4, 1);
    /* Top-level CI: 6.5 +- t_{0.975,2} sqrt(3.5625 / 3). */
    mp_interval iv;
    cr_assert_eq(mp_ml_ci(&d, 0.95, &iv, &err), 0);
    double h = gsl_cdf_tdist_Pinv(0.975, 2) * sqrt(3.5625 / 3);
    cr_assert_float_eq(iv.estimate, 6.5, 1e-12);
    cr_assert_float_eq(iv.lo, 6.5 - h, 1e-12);
    cr_assert_float_eq(iv.hi, 6.5 + h, 1e-12);
    cr_assert_float_eq(iv.df, 2, 0);
    cr_assert_eq(iv.n, 3);
    cr_assert_eq(iv.method, MP_M_KJ_T);
    double top[3];
    mp_ml_top_means(&d, top);
    cr_assert_float_eq(top[0], 6.25, 1e-12);
    cr_assert_float_eq(top[1], 8.5, 1e-12);
    cr_assert_float_eq(top[2], 4.75, 1e-12);
}

MP_TEST(kalibera_jones, third_vector_and_optimal_reps)
{
    mp_ml_data d = {.levels = 3, .reps = third_reps, .y = third_y};
    double s2[3], t2[3];
    mp_err err;
    cr_assert_eq(mp_ml_variances(&d, s2, t2, &err), 0);
    assert_printed(s2[0], 0.726667, 6);
    assert_printed(s2[1], 0.505, 6);
    assert_printed(s2[2], 1.027222, 6);
    assert_printed(t2[0], 0.726667, 6);
    assert_printed(t2[1], 0.262778, 6);
    assert_printed(t2[2], 0.774722, 6);
    /* Costs (100, 20, 3) top-down. */
    const double cost[3] = {3, 20, 100};
    double r[2];
    size_t rr[2];
    cr_assert_eq(mp_ml_optimal_reps(t2, cost, 3, r, rr, &err), 0);
    assert_printed(r[0], 4.2937, 4);
    assert_printed(r[1], 1.3023, 4);
    cr_assert_eq(rr[0], 5);
    cr_assert_eq(rr[1], 2);
}

MP_TEST(kalibera_jones, erratum_uses_s_not_t)
{
    /* With the misprint T_i^2 = S_i^2 - T_{i-1}^2 / r_{i-1}, the third level of the paper example
     * would be 3.5625 - (-5.667)/2 = 6.40; the corrected formula gives 3.5625 - 2.583/2 = 2.27. */
    mp_ml_data d = {.levels = 3, .reps = paper_reps3, .y = paper_y};
    double s2[3], t2[3];
    mp_err err;
    cr_assert_eq(mp_ml_variances(&d, s2, t2, &err), 0);
    cr_assert_float_eq(t2[2], s2[2] - s2[1] / 2, 1e-12);
    cr_assert_float_neq(t2[2], s2[2] - t2[1] / 2, 1e-3);
}

MP_TEST(kalibera_jones, optimal_reps_edge_cases)
{
    const double cost[2] = {1, 50};
    double r[1];
    size_t rr[1];
    mp_err err;
    /* No variance at level 1 (negative estimate): one iteration is enough. */
    const double t2a[2] = {-0.5, 2};
    cr_assert_eq(mp_ml_optimal_reps(t2a, cost, 2, r, rr, &err), 0);
    cr_assert_float_eq(r[0], 0, 0);
    cr_assert_eq(rr[0], 1);
    /* No variance between executions: all effort at level 1. */
    const double t2b[2] = {2, -0.1};
    cr_assert_eq(mp_ml_optimal_reps(t2b, cost, 2, r, rr, &err), 0);
    cr_assert(isinf(r[0]));
    cr_assert_eq(rr[0], SIZE_MAX);
    /* sqrt(50 * 2 / 8) = 3.54 -> 4. */
    const double t2c[2] = {2, 8};
    cr_assert_eq(mp_ml_optimal_reps(t2c, cost, 2, r, rr, &err), 0);
    cr_assert_float_eq(r[0], sqrt(12.5), 1e-12);
    cr_assert_eq(rr[0], 4);
    const double bad_cost[2] = {1, 0};
    cr_assert_eq(mp_ml_optimal_reps(t2c, bad_cost, 2, r, rr, &err), -1);
    cr_assert_str_eq(err.msg, "cost of level 2 is 0; costs must be finite and > 0");
}

MP_TEST(kalibera_jones, rejects_bad_designs)
{
    const size_t reps[2] = {1, 3};
    mp_ml_data d         = {.levels = 2, .reps = reps, .y = paper_y};
    double s2[2];
    mp_err err;
    cr_assert_eq(mp_ml_variances(&d, s2, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "level 1 has 1 repetition; at least 2 needed");
    const size_t reps1[2] = {4, 1};
    d.reps                = reps1;
    mp_interval iv;
    cr_assert_eq(mp_ml_ci(&d, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "level 2 has 1 repetition; at least 2 needed");
    d.levels = 9;
    cr_assert_eq(mp_ml_ci(&d, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "a multi-level design has 1 to 8 levels, not 9");
}

MP_TEST(hierarchical_bootstrap, one_level_is_the_plain_bootstrap)
{
    const size_t reps[1] = {8};
    mp_ml_data d         = {.levels = 1, .reps = reps, .y = data_A};
    mp_boot_opts o       = {.seed = 99};
    mp_interval top, all, plain;
    mp_err err;
    cr_assert_eq(mp_ml_bootstrap(&d, 0.95, MP_ML_RESAMPLE_TOP, &o, &top, &err), 0);
    cr_assert_eq(mp_ml_bootstrap(&d, 0.95, MP_ML_RESAMPLE_ALL, &o, &all, &err), 0);
    cr_assert_eq(mp_ci_bootstrap(data_A, 8, 0.95, &o, &plain, NULL, &err), 0);
    cr_assert_eq(top.lo, plain.lo);
    cr_assert_eq(top.hi, plain.hi);
    cr_assert_eq(all.lo, plain.lo);
    cr_assert_eq(all.hi, plain.hi);
    cr_assert_eq(top.method, MP_M_HIER_BOOT);
}

MP_TEST(hierarchical_bootstrap, resampling_every_level_is_wider)
{
    /* 10 executions x 10 iterations. Every execution holds the same ten normal scores (sd 2) in a
     * different order, so execution means differ only by the between-execution term: S_2^2 = 0.088
     * while S_1^2 = 3.9. Resampling iterations adds about S_1^2 (r_1-1)/r_1 / (r_1 r_2) = 0.035 to
     * the bootstrap variance of the grand mean, against 0.008 from executions alone: the width
     * grows about 2.3 times, far beyond the ~2% Monte Carlo noise of a width at B = 9999. */
    double y[100];
    for (int e = 0; e < 10; e++)
        for (int i = 0; i < 10; i++)
            y[e * 10 + i] = 10 + 0.3 * gsl_cdf_ugaussian_Pinv((e + 0.5) / 10) +
                            2 * gsl_cdf_ugaussian_Pinv(((i * 7 + e * 3) % 10 + 0.5) / 10);
    const size_t reps[2] = {10, 10};
    mp_ml_data d         = {.levels = 2, .reps = reps, .y = y};
    mp_boot_opts o       = {.seed = 1};
    mp_interval top, all, top2;
    mp_err err;
    cr_assert_eq(mp_ml_bootstrap(&d, 0.95, MP_ML_RESAMPLE_TOP, &o, &top, &err), 0);
    cr_assert_eq(mp_ml_bootstrap(&d, 0.95, MP_ML_RESAMPLE_ALL, &o, &all, &err), 0);
    cr_assert_eq(mp_ml_bootstrap(&d, 0.95, MP_ML_RESAMPLE_TOP, &o, &top2, &err), 0);
    cr_assert_eq(memcmp(&top, &top2, sizeof top), 0);
    cr_assert_gt(all.hi - all.lo, 1.8 * (top.hi - top.lo));
    cr_assert_lt(all.hi - all.lo, 2.8 * (top.hi - top.lo));
    cr_assert_lt(top.lo, top.estimate);
    cr_assert_gt(top.hi, top.estimate);
    cr_assert_float_eq(top.estimate, 10, 1e-9);
}

MP_TEST(hierarchical_bootstrap, ratio)
{
    double den[12], num[12];
    for (int i = 0; i < 12; i++)
        den[i] = paper_y[i] + 20;
    for (int i = 0; i < 12; i++)
        num[i] = 1.5 * den[(i + 5) % 12];
    mp_ml_data dn  = {.levels = 2, .reps = paper_reps2, .y = num};
    mp_ml_data dd  = {.levels = 2, .reps = paper_reps2, .y = den};
    mp_boot_opts o = {.B = 4999, .seed = 17};
    mp_interval iv, iv2;
    mp_err err;
    cr_assert_eq(mp_ml_bootstrap_ratio(&dn, &dd, 0.95, MP_ML_RESAMPLE_TOP, &o, &iv, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(mp_ml_bootstrap_ratio(&dn, &dd, 0.95, MP_ML_RESAMPLE_TOP, &o, &iv2, &err), 0);
    cr_assert_eq(memcmp(&iv, &iv2, sizeof iv), 0);
    cr_assert_float_eq(iv.estimate, 1.5, 1e-12);
    cr_assert_lt(iv.lo, 1.5);
    cr_assert_gt(iv.hi, 1.5);
    cr_assert_gt(iv.lo, 1);
    cr_assert_eq(iv.flags, 0);
    cr_assert_eq(iv.B, 4999);
    cr_assert_eq(iv.method, MP_M_HIER_BOOT_RATIO);
}
