/* B.7: the lattice, its seeded sampler, and the D-deliverable statistics. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "methods_test.h"
#include "stats/methods.h"

MP_TEST(lattice, size_and_indexing)
{
    uint64_t c;
    mp_err err;
    cr_assert_eq(mp_lattice_count(4, 3, &c, &err), 0);
    cr_assert_eq(c, 81);
    cr_assert_eq(mp_lattice_count(64, 2, &c, &err), -1);
    cr_assert_str_eq(err.msg, "the lattice of 64 units with 2 variants has 1.84e+19 "
                              "configurations, more than 64 bits can count");
    cr_assert_eq(mp_lattice_count(63, 2, &c, &err), 0);
    cr_assert_eq(c, (uint64_t)1 << 63);
    cr_assert_float_eq(mp_lattice_size(64, 9), pow(9, 64), 0);
    cr_assert_float_eq(mp_lattice_size(31, 2), 2147483648.0, 0);

    char cfg[MP_LATTICE_MAX_UNITS + 2];
    cr_assert_eq(mp_lattice_config_at(4, 3, 0, cfg, &err), 0);
    cr_assert_str_eq(cfg, "0000");
    cr_assert_eq(mp_lattice_config_at(4, 3, 5, cfg, &err), 0);
    cr_assert_str_eq(cfg, "0012");
    cr_assert_eq(mp_lattice_config_at(4, 3, 80, cfg, &err), 0);
    cr_assert_str_eq(cfg, "2222");
    cr_assert_eq(mp_lattice_config_at(4, 3, 81, cfg, &err), -1);
    cr_assert_str_eq(err.msg, "configuration index 81 is outside the lattice of 81");
    cr_assert_eq(mp_lattice_config_at(64, 10, UINT64_MAX, cfg, &err), 0);
    cr_assert_str_eq(cfg, "0000000000000000000000000000000000000000000018446744073709551615");
    cr_assert_eq(mp_lattice_config_at(241, 2, 0, cfg, &err), -1);
    cr_assert_str_eq(err.msg, "a lattice has 1 to 240 units, not 241");
    cr_assert_eq(mp_lattice_config_at(100, 2, 5, cfg, &err), 0);
    cr_assert_eq(strlen(cfg), 100);
    cr_assert_str_eq(cfg + 97, "101");
    cr_assert_eq(mp_lattice_config_at(3, 1, 0, cfg, &err), -1);
    cr_assert_str_eq(err.msg, "a lattice has 2 to 10 variants per unit, not 1");
}

MP_TEST(lattice, config_check)
{
    mp_err err;
    cr_assert_eq(mp_lattice_config_check("0210", 4, 3, &err), 0);
    cr_assert_eq(mp_lattice_config_check("0310", 4, 3, &err), -1);
    cr_assert_str_eq(err.msg, "configuration '0310': character 2 ('3') is not a variant 0..2");
    cr_assert_eq(mp_lattice_config_check("021", 4, 3, &err), -1);
    cr_assert_str_eq(err.msg, "configuration '021' has 3 digits; the lattice has 4 units");
    cr_assert_eq(mp_lattice_config_check("02100", 4, 3, &err), -1);
    cr_assert_str_eq(err.msg, "configuration '02100' has 5 digits; the lattice has 4 units");
}

MP_TEST(lattice, anchors)
{
    char a[3 * 4];
    mp_err err;
    cr_assert_eq(mp_lattice_anchors(3, 3, a, &err), 0);
    cr_assert_str_eq(a, "000");
    cr_assert_str_eq(a + 4, "111");
    cr_assert_str_eq(a + 8, "222");
}

static void assert_valid_sample(const mp_lattice_sample *ls)
{
    mp_err err;
    for (size_t j = 0; j < ls->r; j++) {
        for (size_t i = 0; i < ls->s; i++) {
            const char *c = mp_lattice_sample_config(ls, j, i);
            cr_assert_eq(mp_lattice_config_check(c, ls->units, ls->variants, &err), 0, "%s",
                         err.msg);
            for (size_t k = 0; k < i; k++)
                cr_assert_str_neq(c, mp_lattice_sample_config(ls, j, k), "sample %zu repeats %s", j,
                                  c);
        }
    }
}

static size_t index_of(const char *c, unsigned variants)
{
    size_t v = 0;
    for (; *c; c++)
        v = v * variants + (size_t)(*c - '0');
    return v;
}

/* The 27-member lattice (N = 3, V = 3) sampled 5400 times. Inclusion counts: every configuration
 * has the same inclusion probability s/27. The statistic sum (O - E)^2 / E then has mean
 * 27 (1 - s/27) < 26, so the chi-square(26) 0.999 quantile is a conservative bound; the first
 * position of each sample is exactly multinomial (uniform if the order within a sample is random).
 * s = 5 exercises rejection with frequent duplicate redraws, s = 10 Floyd's algorithm. */
static void check_uniform(size_t s, uint64_t seed)
{
    enum { R = 5400, M = 27 };
    mp_lattice_sample ls;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(3, 3, R, s, seed, &ls, &err), 0);
    assert_valid_sample(&ls);
    double incl[M] = {0}, first[M] = {0};
    for (size_t j = 0; j < R; j++) {
        for (size_t i = 0; i < s; i++)
            incl[index_of(mp_lattice_sample_config(&ls, j, i), 3)]++;
        first[index_of(mp_lattice_sample_config(&ls, j, 0), 3)]++;
    }
    double e_incl = (double)R * (double)s / M, e_first = (double)R / M, x_incl = 0, x_first = 0;
    for (int i = 0; i < M; i++) {
        x_incl += pow(incl[i] - e_incl, 2) / e_incl;
        x_first += pow(first[i] - e_first, 2) / e_first;
    }
    double bound = gsl_cdf_chisq_Pinv(0.999, M - 1);
    cr_assert_lt(x_incl, bound, "s = %zu: inclusion chi-square %g", s, x_incl);
    cr_assert_lt(x_first, bound, "s = %zu: first-position chi-square %g", s, x_first);
    mp_lattice_sample_free(&ls);
}

MP_TEST(lattice_draw, uniform_by_rejection)
{
    check_uniform(5, 1);
}

MP_TEST(lattice_draw, uniform_by_floyd)
{
    check_uniform(10, 2);
    check_uniform(27, 3); /* the whole lattice, in random order */
}

MP_TEST(lattice_draw, huge_lattice)
{
    /* 9^64 configurations: digits must be i.i.d. uniform over 0..8 (chi-square with 8 df over
     * 3 * 640 * 64 digits), every configuration 64 digits long, no repeats within a sample. */
    mp_lattice_sample ls;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(64, 9, 3, 640, 77, &ls, &err), 0);
    cr_assert_eq(ls.r, 3);
    cr_assert_eq(ls.s, 640);
    cr_assert_eq(ls.seed, 77);
    assert_valid_sample(&ls);
    double cnt[9] = {0}, total = 3 * 640 * 64;
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 640; i++)
            for (const char *c = mp_lattice_sample_config(&ls, j, i); *c; c++)
                cnt[*c - '0']++;
    double x = 0;
    for (int d = 0; d < 9; d++)
        x += pow(cnt[d] - total / 9, 2) / (total / 9);
    cr_assert_lt(x, gsl_cdf_chisq_Pinv(0.999, 8), "digit chi-square %g", x);
    mp_lattice_sample_free(&ls);
}

MP_TEST(lattice_draw, deterministic_per_seed)
{
    mp_lattice_sample a, b, c;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(31, 2, 10, 310, 12345, &a, &err), 0);
    cr_assert_eq(mp_lattice_draw(31, 2, 10, 310, 12345, &b, &err), 0);
    cr_assert_eq(mp_lattice_draw(31, 2, 10, 310, 12346, &c, &err), 0);
    size_t bytes = 10 * 310 * 32;
    cr_assert_eq(memcmp(a.configs, b.configs, bytes), 0);
    cr_assert_neq(memcmp(a.configs, c.configs, bytes), 0);
    /* Samples are independent draws: they differ from each other. */
    cr_assert_neq(memcmp(a.configs, a.configs + 310 * 32, 310 * 32), 0);
    mp_lattice_sample_free(&a);
    mp_lattice_sample_free(&b);
    mp_lattice_sample_free(&c);
    cr_assert_null(a.configs);
}

MP_TEST(lattice_draw, rejects_impossible_requests)
{
    mp_lattice_sample ls;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(3, 3, 2, 28, 1, &ls, &err), -1);
    cr_assert_str_eq(err.msg, "a sample of 28 distinct configurations cannot be drawn from a "
                              "lattice of 27; measure all of them instead");
    cr_assert_null(ls.configs);
    cr_assert_eq(mp_lattice_draw(3, 3, 0, 5, 1, &ls, &err), -1);
    cr_assert_str_eq(err.msg, "lattice sampling needs r >= 1 samples of s >= 1 configurations "
                              "(r = 0, s = 5)");
    cr_assert_eq(mp_lattice_draw(40, 3, (size_t)1 << 20, (size_t)1 << 10, 1, &ls, &err), -1);
    cr_assert_str_eq(err.msg, "r * s = 1048576 * 1024 configurations is more than 268435456");
}

MP_TEST(deliverable, proportions)
{
    /* Two samples of four; NAN (a failed configuration) never counts as deliverable. */
    const double ov[8] = {1.0, 1.5, 3.0, NAN, 0.9, 2.0, 2.0, 4.5};
    double p[2];
    mp_deliverable_props(ov, 2, 4, 2.0, p);
    cr_assert_float_eq(p[0], 0.5, 0);
    cr_assert_float_eq(p[1], 0.75, 0);
}

MP_TEST(deliverable, t_interval_over_samples)
{
    /* mean 0.6, s = sqrt(0.025), t_{0.975,4} = 2.7764451052: h = 0.196324. */
    const double p[5] = {0.5, 0.6, 0.7, 0.4, 0.8};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_prop_ci_t(p, 5, 0.95, &iv, &err), 0);
    assert_printed(iv.estimate, 0.6, 12);
    assert_printed(iv.lo, 0.6 - 2.7764451052 * sqrt(0.025) / sqrt(5), 9);
    assert_printed(iv.hi, 0.6 + 2.7764451052 * sqrt(0.025) / sqrt(5), 9);
    assert_printed(iv.lo, 0.403676, 6);
    cr_assert_float_eq(iv.df, 4, 0);
    cr_assert_eq(iv.method, MP_M_PROPORTION_T);
    /* gtp-plot's z with the population sigma would give +-0.124: far narrower. */
    cr_assert_gt(iv.hi - iv.lo, 2 * 1.959964 * sqrt(0.02) / sqrt(5) * 1.5);
    const double high[4] = {1, 1, 1, 0.9};
    cr_assert_eq(mp_prop_ci_t(high, 4, 0.95, &iv, &err), 0);
    cr_assert_float_eq(iv.hi, 1, 0);
    const double bad[2] = {0.5, 1.5};
    cr_assert_eq(mp_prop_ci_t(bad, 2, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "proportion 2 is 1.5, not in [0, 1]");
}

MP_TEST(deliverable, wilson)
{
    mp_interval iv;
    mp_err err;
    /* 0 of 10: (0, 0.2775); 5 of 10: (0.2366, 0.7634) (standard Wilson values). */
    cr_assert_eq(mp_prop_ci_wilson(0, 10, 0.95, 1, &iv, &err), 0);
    assert_printed(iv.lo, 0, 4);
    assert_printed(iv.hi, 0.2775, 4);
    cr_assert_eq(mp_prop_ci_wilson(5, 10, 0.95, 1, &iv, &err), 0);
    assert_printed(iv.lo, 0.2366, 4);
    assert_printed(iv.hi, 0.7634, 4);
    cr_assert_eq(iv.method, MP_M_WILSON);
    cr_assert_eq(iv.n, 10);
    /* A census (fpc 0) has no sampling error; a partial one is narrower than without it. */
    mp_interval full, fpc;
    cr_assert_eq(mp_prop_ci_wilson(5, 10, 0.95, 0, &iv, &err), 0);
    cr_assert_float_eq(iv.lo, 0.5, 0);
    cr_assert_float_eq(iv.hi, 0.5, 0);
    cr_assert_eq(mp_prop_ci_wilson(30, 100, 0.95, 1, &full, &err), 0);
    cr_assert_eq(mp_prop_ci_wilson(30, 100, 0.95, mp_fpc(27, 10), &fpc, &err), 0);
    cr_assert_lt(fpc.hi - fpc.lo, full.hi - full.lo);
    /* All successes: the upper end is exactly 1 (rounding once put it a bit below p-hat). */
    cr_assert_eq(mp_prop_ci_wilson(2, 2, 0.501922, 1, &iv, &err), 0);
    cr_assert_float_eq(iv.hi, 1, 0);
    cr_assert_leq(iv.lo, 1);
    cr_assert_eq(mp_prop_ci_wilson(11, 10, 0.95, 1, &iv, &err), -1);
    cr_assert_str_eq(err.msg,
                     "Wilson interval needs 0 <= successes <= draws and draws >= 1 (11 of 10)");
}

MP_TEST(deliverable, fpc)
{
    cr_assert_float_eq(mp_fpc(27, 10), sqrt(17.0 / 26), 1e-15);
    cr_assert_float_eq(mp_fpc(27, 27), 0, 0);
    cr_assert_float_eq(mp_fpc(INFINITY, 10), 1, 0);
    cr_assert_float_eq(mp_fpc(pow(3, 31), 310), 1, 1e-12);
}

MP_TEST(deliverable, paired_difference)
{
    /* d = {0.1, 0.12, 0.08, 0.1, 0.1}: mean 0.1, s = sqrt(0.0002), h = t_{0.975,4} s / sqrt(5). */
    const double x[5] = {0.5, 0.6, 0.7, 0.4, 0.8};
    const double y[5] = {0.4, 0.48, 0.62, 0.3, 0.7};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_paired_ci_t(x, y, 5, 0.95, &iv, &err), 0);
    double h = 2.7764451052 * sqrt(0.0002) / sqrt(5);
    assert_printed(iv.estimate, 0.1, 12);
    assert_printed(iv.lo, 0.1 - h, 9);
    assert_printed(iv.hi, 0.1 + h, 9);
    cr_assert_eq(iv.method, MP_M_PAIRED_T);
    cr_assert_eq(iv.flags & MP_IV_NOT_SIGNIFICANT, 0);
    /* Pairing removes the between-sample spread of the p_j (sd 0.16) that endpoint subtraction of
     * two unpaired intervals would carry: this interval is ten times narrower. */
    mp_interval px;
    cr_assert_eq(mp_prop_ci_t(x, 5, 0.95, &px, &err), 0);
    cr_assert_lt(10 * (iv.hi - iv.lo), px.hi - px.lo);
    const double z[5] = {0.52, 0.58, 0.71, 0.39, 0.8};
    cr_assert_eq(mp_paired_ci_t(x, z, 5, 0.95, &iv, &err), 0);
    cr_assert(iv.flags & MP_IV_NOT_SIGNIFICANT);
}

MP_TEST(deliverable, band)
{
    mp_interval ov[4] = {
        {.estimate = 1.2, .lo = 1.1, .hi = 1.3},
        {.estimate = 1.9, .lo = 1.7, .hi = 2.1},
        {.estimate = 2.2, .lo = 1.95, .hi = 2.4},
        {.estimate = 3.0, .lo = 2.8, .hi = 3.3},
    };
    mp_deliverable_band b;
    mp_deliverable_count(ov, 4, 2.0, &b);
    cr_assert_eq(b.surely, 1);
    cr_assert_eq(b.point, 2);
    cr_assert_eq(b.possibly, 3);
}

MP_TEST(lattice, draws_from_lattices_beyond_64_bits)
{
    /* 3^150 configurations: far beyond 64-bit indices; sampling rejects duplicates digit-wise. */
    mp_lattice_sample ls;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(150, 3, 2, 40, 7, &ls, &err), 0, "%s", err.msg);
    for (size_t j = 0; j < 2; j++)
        for (size_t i = 0; i < 40; i++) {
            const char *c = mp_lattice_sample_config(&ls, j, i);
            cr_assert_eq(mp_lattice_config_check(c, 150, 3, &err), 0, "%s", err.msg);
            for (size_t k = 0; k < i; k++)
                cr_assert_str_neq(c, mp_lattice_sample_config(&ls, j, k));
        }
    mp_lattice_sample_free(&ls);
}
