/* B.5: Fieller, delta, bootstrap ratio, log-Welch; rho = mean(B) / mean(A) in the vectors. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "methods_test.h"
#include "stats/methods.h"

MP_TEST(fieller, vector_pooled_df)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_fieller(data_B, 8, data_A, 8, 0.95, MP_DF_POOLED, &iv, &err), 0);
    assert_printed(iv.estimate, 2.049080, 6);
    cr_assert_float_eq(iv.df, 14, 0);
    assert_printed(gsl_cdf_tdist_Pinv(0.975, iv.df), 2.144787, 6);
    assert_printed(iv.g, 0.000988, 6);
    assert_printed(iv.lo, 1.968164, 6);
    assert_printed(iv.hi, 2.134050, 6);
    cr_assert_eq(iv.method, MP_M_FIELLER);
    cr_assert_eq(iv.flags, 0); /* bounded, and 1 is far outside */
    cr_assert_eq(iv.n, 8);
    cr_assert_eq(iv.n2, 8);
}

MP_TEST(fieller, vector_welch_df)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_fieller(data_B, 8, data_A, 8, 0.95, MP_DF_WELCH, &iv, &err), 0);
    assert_printed(iv.df, 13.418, 3);
    assert_printed(iv.lo, 1.967841, 6);
    assert_printed(iv.hi, 2.134406, 6);
}

MP_TEST(delta, vector_pooled_df)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_delta(data_B, 8, data_A, 8, 0.95, MP_DF_POOLED, &iv, &err), 0);
    assert_printed(iv.estimate, 2.049080, 6);
    assert_printed(iv.lo, 1.966202, 6);
    assert_printed(iv.hi, 2.131957, 6);
    assert_printed(iv.g, 0.000988, 6);
    cr_assert_float_eq((iv.lo + iv.hi) / 2, iv.estimate, 1e-12);
    cr_assert_eq(iv.method, MP_M_DELTA);
}

MP_TEST(log_welch, vector)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_log_welch(data_B, 8, data_A, 8, 0.95, &iv, &err), 0);
    assert_printed(iv.estimate, 2.049585, 6);
    assert_printed(iv.df, 13.480, 3);
    assert_printed(iv.lo, 1.968699, 6);
    assert_printed(iv.hi, 2.133795, 6);
    cr_assert_eq(iv.method, MP_M_LOG_WELCH);
    cr_assert_eq(iv.flags, 0);
    double bad[3] = {1, -1, 2};
    cr_assert_eq(mp_ratio_log_welch(bad, 3, data_A, 8, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "numerator sample value 2 is -1; geometric means need values > 0");
}

MP_TEST(fieller, unbounded_when_denominator_is_not_significant)
{
    /* A denominator whose mean (0.01) is well inside its own noise: g >> 1. */
    double den[5] = {0.1, -0.1, 0.2, -0.15, 0.0};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_fieller(data_A, 8, den, 5, 0.95, MP_DF_WELCH, &iv, &err), 0);
    cr_assert_geq(iv.g, 1);
    cr_assert(iv.flags & MP_IV_UNBOUNDED);
    cr_assert(iv.flags & MP_IV_NOT_SIGNIFICANT);
    cr_assert(isinf(iv.lo) && iv.lo < 0 && isinf(iv.hi) && iv.hi > 0);
    cr_assert(isinf(mp_interval_rel_halfwidth(&iv)));
}

MP_TEST(fieller, not_significant_when_interval_contains_one)
{
    double a2[8];
    for (int i = 0; i < 8; i++)
        a2[i] = data_A[7 - i] + (i % 2 ? 0.01 : -0.01);
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ratio_fieller(a2, 8, data_A, 8, 0.95, MP_DF_WELCH, &iv, &err), 0);
    cr_assert_lt(iv.lo, 1);
    cr_assert_gt(iv.hi, 1);
    cr_assert_eq(iv.flags, MP_IV_NOT_SIGNIFICANT);
}

MP_TEST(fieller, paired_perfect_correlation_collapses)
{
    /* num = 2 den exactly: v11 = 4 v22, v12 = 2 v22; (a - rho b)^2 = t^2 v22 (2 - rho)^2 has the
     * single root rho = 2 (while g < 1), the paired design's whole point. */
    mp_ratio_stats st = {.a = 4, .b = 2, .v11 = 0.04, .v22 = 0.01, .v12 = 0.02, .n_a = 8, .n_b = 8};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_fieller_from(&st, 7, 0.95, &iv, &err), 0);
    cr_assert_float_eq(iv.lo, 2, 1e-9);
    cr_assert_float_eq(iv.hi, 2, 1e-9);
    st.v12 = 0.03;
    cr_assert_eq(mp_fieller_from(&st, 7, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "covariance v12 = 0.03 exceeds sqrt(v11 v22) = 0.02");
    st.v12 = 0;
    st.b   = 0;
    cr_assert_eq(mp_fieller_from(&st, 7, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "denominator mean is 0: the ratio is undefined");
}

MP_TEST(ratio_bootstrap, influence_acceleration)
{
    /* A constant denominator leaves only the numerator's influence: a = a(numerator); a constant
     * numerator leaves -R (x - xbar) / (n xbar): a = -a(denominator). */
    double flat[8] = {3, 3, 3, 3, 3, 3, 3, 3};
    assert_printed(mp_bca_acceleration_ratio(data_A, 8, flat, 8), 0.044173, 6);
    assert_printed(mp_bca_acceleration_ratio(flat, 8, data_A, 8), -0.044173, 6);
    cr_assert_float_eq(mp_bca_acceleration_ratio(flat, 8, flat, 8), 0, 0);
}

MP_TEST(ratio_bootstrap, deterministic_and_sane)
{
    mp_boot_opts o = {.seed = 2024};
    mp_interval p1, b1, p2, b2, f;
    mp_err err;
    cr_assert_eq(mp_ratio_bootstrap(data_B, 8, data_A, 8, 0.95, &o, &p1, &b1, &err), 0);
    cr_assert_eq(mp_ratio_bootstrap(data_B, 8, data_A, 8, 0.95, &o, &p2, &b2, &err), 0);
    cr_assert_eq(memcmp(&p1, &p2, sizeof p1), 0);
    cr_assert_eq(memcmp(&b1, &b2, sizeof b1), 0);
    cr_assert_eq(p1.B, 9999);
    cr_assert_eq(p1.seed, 2024);
    cr_assert_eq(p1.method, MP_M_BOOT_RATIO_PERCENTILE);
    cr_assert_eq(b1.method, MP_M_BOOT_RATIO_BCA);
    assert_printed(p1.estimate, 2.049080, 6);
    cr_assert_lt(p1.lo, p1.estimate);
    cr_assert_gt(p1.hi, p1.estimate);
    cr_assert_lt(b1.lo, b1.estimate);
    cr_assert_gt(b1.hi, b1.estimate);
    cr_assert_eq(p1.flags, 0);
    /* n = 8: narrower than Fieller (z for t, sqrt(7/8)), like the one-sample percentile. */
    cr_assert_eq(mp_ratio_fieller(data_B, 8, data_A, 8, 0.95, MP_DF_WELCH, &f, &err), 0);
    double wf = f.hi - f.lo;
    cr_assert_lt(p1.hi - p1.lo, 0.95 * wf);
    cr_assert_gt(p1.hi - p1.lo, 0.65 * wf);
    o.seed = 2025;
    cr_assert_eq(mp_ratio_bootstrap(data_B, 8, data_A, 8, 0.95, &o, &p2, NULL, &err), 0);
    cr_assert(p2.lo != p1.lo || p2.hi != p1.hi);
}

MP_TEST(ratio_bootstrap, zero_denominator_replicates_are_infinite)
{
    /* den {0, 0, 1}: a replicate drawing only zeros (probability 8/27) has mean 0 -> +inf. */
    double num[3] = {1, 2, 3}, den[3] = {0, 0, 1};
    mp_boot_opts o = {.B = 999, .seed = 5};
    mp_interval p;
    mp_err err;
    cr_assert_eq(mp_ratio_bootstrap(num, 3, den, 3, 0.95, &o, &p, NULL, &err), 0);
    cr_assert(p.flags & MP_IV_INF_REPLICATES);
    cr_assert(isinf(p.hi));
}
