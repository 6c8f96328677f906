/* B.4: Hodges-Lehmann / Wilcoxon signed-rank and the two-sample Mann-Whitney shift. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "methods_test.h"
#include "stats/methods.h"

MP_TEST(hodges_lehmann, vector_A)
{
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ci_hodges_lehmann(data_A, 8, 0.95, &iv, &err), 0);
    assert_printed(iv.estimate, 1.015000, 6);
    assert_printed(iv.lo, 0.980000, 6);
    assert_printed(iv.hi, 1.060000, 6);
    cr_assert_eq(iv.k, 4);
    assert_printed(iv.achieved, 0.961, 3);
    cr_assert_eq(iv.method, MP_M_HODGES_LEHMANN);
    cr_assert_eq(iv.flags, 0);
    cr_assert_eq(iv.n, 8);
}

/* METHODS.md's table of exact k for 95% with the achieved confidence. */
MP_TEST(signrank, methods_md_table)
{
    static const struct {
        size_t n, k;
        double conf;
    } rows[] = {{6, 1, .969},   {8, 4, .961},   {10, 9, .951},   {12, 14, .958}, {16, 30, .956},
                {20, 53, .952}, {24, 82, .951}, {30, 138, .950}, {40, 265, .950}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mp_rank_k rk;
        mp_err err;
        cr_assert_eq(mp_signrank_k(rows[i].n, 0.95, &rk, &err), 0);
        cr_assert_eq(rk.k, rows[i].k, "n = %zu: k = %zu", rows[i].n, rk.k);
        assert_printed(rk.achieved, rows[i].conf, 3);
        cr_assert_eq(rk.exact, 1);
        cr_assert_eq(rk.n, rows[i].n);
        cr_assert_eq(rk.m, 0);
    }
    /* The normal approximation is one lower (more conservative) at n = 24 and n = 40. */
    cr_assert_eq(mp_signrank_k_normal(24, 0.95), 81);
    cr_assert_eq(mp_signrank_k_normal(40, 0.95), 264);
    cr_assert_eq(mp_signrank_k_normal(30, 0.95), 137);
}

/* The textbook table of two-sided 5% critical values of T (= k - 1), n = 6..30. */
MP_TEST(signrank, textbook_critical_values)
{
    static const size_t crit[] = {0,  2,  3,  5,  8,  10, 13, 17, 21,  25,  29,  34, 40,
                                  46, 52, 58, 65, 73, 81, 89, 98, 107, 116, 126, 137};
    for (size_t n = 6; n <= 30; n++) {
        mp_rank_k rk;
        mp_err err;
        cr_assert_eq(mp_signrank_k(n, 0.95, &rk, &err), 0);
        cr_assert_eq(rk.k - 1, crit[n - 6], "n = %zu", n);
    }
}

/* For n = 6..20, every subset of ranks enumerated: an independent null distribution. For n = 21..40
 * integer subset counts (no halving, exact in 64 bits) check the floating-point DP's tail sums. */
MP_TEST(signrank, exact_k_6_to_40_against_enumeration)
{
    for (size_t n = 6; n <= 40; n++) {
        size_t M      = n * (n + 1) / 2;
        uint64_t *cnt = calloc(M + 1, sizeof *cnt);
        if (n <= 20) {
            for (uint64_t set = 0; set < ((uint64_t)1 << n); set++) {
                size_t s = 0;
                for (size_t r = 0; r < n; r++)
                    if (set >> r & 1) s += r + 1;
                cnt[s]++;
            }
        } else {
            cnt[0] = 1;
            for (size_t r = 1; r <= n; r++)
                for (size_t s = M; s >= r; s--)
                    cnt[s] += cnt[s - r];
        }
        /* c = the largest s with P(T+ <= s) <= 0.025, in exact integer arithmetic:
         * cum * 40 <= 2^n. */
        uint64_t cum = 0, total = (uint64_t)1 << n;
        size_t c = 0;
        while (c <= M && (cum + cnt[c]) * 40 <= total)
            cum += cnt[c++];
        mp_rank_k rk;
        mp_err err;
        cr_assert_eq(mp_signrank_k(n, 0.95, &rk, &err), 0);
        cr_assert_eq(rk.k, c, "n = %zu", n);
        cr_assert_float_eq(rk.achieved, 1 - 2 * (double)cum / (double)total, 1e-14, "n = %zu", n);
        cr_assert_geq(rk.achieved, 0.95);
        /* Exact never less than the approximation, by at most one. */
        size_t kn = mp_signrank_k_normal(n, 0.95);
        cr_assert(kn == rk.k || kn + 1 == rk.k, "n = %zu: exact %zu, normal %zu", n, rk.k, kn);
        free(cnt);
    }
}

MP_TEST(signrank, small_n_is_unbounded_and_large_n_approximate)
{
    double x[5] = {1, 2, 3, 4, 5};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ci_hodges_lehmann(x, 5, 0.95, &iv, &err), 0);
    cr_assert(iv.flags & MP_IV_UNBOUNDED);
    cr_assert(isinf(iv.lo) && iv.lo < 0);
    cr_assert(isinf(iv.hi) && iv.hi > 0);
    cr_assert_eq(iv.k, 0);
    cr_assert_float_eq(iv.achieved, 1, 0);
    cr_assert_float_eq(iv.estimate, 3, 0);
    /* n = 5 at 90%: P(T+ <= 0) = 1/32 <= 0.05, so k = 1 with achieved 1 - 2/32. */
    cr_assert_eq(mp_ci_hodges_lehmann(x, 5, 0.90, &iv, &err), 0);
    cr_assert_eq(iv.k, 1);
    cr_assert_float_eq(iv.achieved, 0.9375, 1e-15);
    cr_assert_float_eq(iv.lo, 1, 0);
    cr_assert_float_eq(iv.hi, 5, 0);

    mp_rank_k rk;
    cr_assert_eq(mp_signrank_k(MP_SIGNRANK_EXACT_MAX_N, 0.95, &rk, &err), 0);
    cr_assert_eq(rk.exact, 1);
    cr_assert_eq(mp_signrank_k(MP_SIGNRANK_EXACT_MAX_N + 1, 0.95, &rk, &err), 0);
    cr_assert_eq(rk.exact, 0);
    cr_assert_eq(rk.k, mp_signrank_k_normal(MP_SIGNRANK_EXACT_MAX_N + 1, 0.95));
    cr_assert_float_eq(rk.achieved, 0.95, 0.001);
    /* A plan is reusable, and checked against the sample it is used with. */
    cr_assert_eq(mp_signrank_k(8, 0.95, &rk, &err), 0);
    cr_assert_eq(mp_ci_hodges_lehmann_k(data_A, &rk, &iv, &err), 0);
    cr_assert_float_eq(iv.lo, 0.98, 1e-12);
    mp_rank_k two;
    cr_assert_eq(mp_ranksum_k(4, 4, 0.95, &two, &err), 0);
    cr_assert_eq(mp_ci_hodges_lehmann_k(data_A, &two, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "rank interval plan is for two samples, not one");
    double *big = malloc(300 * sizeof *big);
    for (int i = 0; i < 300; i++)
        big[i] = i;
    cr_assert_eq(mp_ci_hodges_lehmann(big, 300, 0.95, &iv, &err), 0);
    cr_assert(iv.flags & MP_IV_NORMAL_APPROX);
    cr_assert_float_eq(iv.estimate, 149.5, 1e-12);
    free(big);
}

/* Two-sided 5% critical values of the Mann-Whitney U for equal sizes (textbook table). */
MP_TEST(ranksum, textbook_critical_values)
{
    static const struct {
        size_t m, n, crit;
    } rows[] = {{5, 5, 2},    {6, 6, 5},     {7, 7, 8},  {8, 8, 13}, {9, 9, 17},
                {10, 10, 23}, {20, 20, 127}, {4, 10, 5}, {3, 20, 8}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mp_rank_k rk;
        mp_err err;
        cr_assert_eq(mp_ranksum_k(rows[i].m, rows[i].n, 0.95, &rk, &err), 0);
        cr_assert_eq(rk.k - 1, rows[i].crit, "m = %zu, n = %zu: k = %zu", rows[i].m, rows[i].n,
                     rk.k);
        cr_assert_eq(rk.exact, 1);
        cr_assert_geq(rk.achieved, 0.95);
    }
}

/* Against enumeration of every way to choose the y ranks among m + n. */
MP_TEST(ranksum, exact_against_enumeration)
{
    for (size_t m = 1; m <= 7; m++) {
        for (size_t n = 1; n <= 8; n++) {
            size_t N = m + n, mn = m * n;
            uint64_t *cnt = calloc(mn + 1, sizeof *cnt), total = 0;
            for (uint64_t set = 0; set < ((uint64_t)1 << N); set++) {
                if ((size_t)__builtin_popcountll(set) != n) continue;
                size_t u = 0, ybelow = 0; /* U = pairs with y above x */
                for (size_t r = 0; r < N; r++) {
                    if (set >> r & 1)
                        ybelow++;
                    else
                        u += n - ybelow;
                }
                cnt[mn - u]++;
                total++;
            }
            /* Levels in percent; the tail test in integers, so a tail of exactly alpha/2 (m = 2,
             * n = 3 at 80%: P(U = 0) = 1/10) is admitted as the definition says. */
            const unsigned levels[] = {80, 90, 95, 99};
            for (size_t l = 0; l < 4; l++) {
                uint64_t cum = 0;
                size_t c     = 0;
                while (c <= mn && (cum + cnt[c]) * 200 <= (100 - levels[l]) * total)
                    cum += cnt[c++];
                mp_rank_k rk;
                mp_err err;
                cr_assert_eq(mp_ranksum_k(m, n, levels[l] / 100.0, &rk, &err), 0);
                cr_assert_eq(rk.k, c, "m %zu n %zu level %u", m, n, levels[l]);
                if (c) cr_assert_float_eq(rk.achieved, 1 - 2 * (double)cum / (double)total, 1e-14);
            }
            free(cnt);
        }
    }
}

MP_TEST(hl_shift, hand_computed)
{
    /* d = 10 + (j - i), j - i in -4..4 with multiplicities 1 2 3 4 5 4 3 2 1: d(3) = 7,
     * d(13) = 10, d(23) = 13; k = 3 since P(U <= 2) = 4/252 <= 0.025 < P(U <= 3) = 7/252. */
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {11, 12, 13, 14, 15};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ci_hl_shift(x, 5, y, 5, 0.95, &iv, &err), 0);
    cr_assert_eq(iv.k, 3);
    cr_assert_float_eq(iv.estimate, 10, 0);
    cr_assert_float_eq(iv.lo, 7, 0);
    cr_assert_float_eq(iv.hi, 13, 0);
    cr_assert_float_eq(iv.achieved, 1 - 8.0 / 252, 1e-14);
    cr_assert_eq(iv.method, MP_M_HL_SHIFT);
    cr_assert_eq(iv.flags & MP_IV_NOT_SIGNIFICANT, 0);
    cr_assert_eq(iv.n, 5);
    cr_assert_eq(iv.n2, 5);
    /* Shifted by 3 instead of 10: the interval (0, 6) contains no 0 ... */
    double y2[5] = {4, 5, 6, 7, 8};
    cr_assert_eq(mp_ci_hl_shift(x, 5, y2, 5, 0.95, &iv, &err), 0);
    cr_assert_float_eq(iv.lo, 0, 0);
    cr_assert(iv.flags & MP_IV_NOT_SIGNIFICANT); /* ... but its closed end is 0. */
    cr_assert_eq(mp_ci_hl_shift(x, 3, y2, 3, 0.95, &iv, &err), 0);
    cr_assert(iv.flags & MP_IV_UNBOUNDED);
}

MP_TEST(hl_ratio, hand_computed)
{
    /* log(2 x_j) - log(x_i) = (1 + j - i) log 2: the sorted ratios are 2^(1 + j - i); d(3) has
     * j - i = -3, d(23) has j - i = 3, the median j - i = 0. */
    double x[5] = {1, 2, 4, 8, 16}, y[5] = {2, 4, 8, 16, 32};
    mp_interval iv;
    mp_err err;
    cr_assert_eq(mp_ci_hl_ratio(y, 5, x, 5, 0.95, &iv, &err), 0);
    cr_assert_float_eq(iv.estimate, 2, 1e-12);
    cr_assert_float_eq(iv.lo, 0.25, 1e-12);
    cr_assert_float_eq(iv.hi, 16, 1e-12);
    cr_assert_eq(iv.method, MP_M_HL_LOG_RATIO);
    cr_assert(iv.flags & MP_IV_NOT_SIGNIFICANT);
    cr_assert_eq(mp_ci_hl_ratio(data_B, 8, data_A, 8, 0.95, &iv, &err), 0);
    cr_assert_eq(iv.flags & MP_IV_NOT_SIGNIFICANT, 0);
    cr_assert_gt(iv.lo, 1.9);
    cr_assert_lt(iv.hi, 2.2);
    x[2] = 0;
    cr_assert_eq(mp_ci_hl_ratio(y, 5, x, 5, 0.95, &iv, &err), -1);
    cr_assert_str_eq(err.msg, "denominator sample value 3 is 0; a log ratio needs values > 0");
}
