/* The histogram against exact answers: sorted-array nearest-rank quantiles for several
 * distributions, exact min/max/mean, merge = recording everything in one, reset, subtract. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"
#include "util/mem.h"
#include "util/rng.h"

#define US 1000ull
#define MS 1000000ull
#define S 1000000000ull
#define HOUR (3600 * S)

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double normal(mp_rng *r)
{
    double u = 1 - mp_rng_double(r), v = mp_rng_double(r);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

typedef enum { UNIFORM, LOGNORMAL, BIMODAL, CONSTANT, SPAN_US_HOUR, TINY_AND_HUGE } dist;

static uint64_t draw(mp_rng *r, dist d)
{
    switch (d) {
    case UNIFORM:
        return US + mp_rng_below(r, S - US); /* 1 us .. 1 s */
    case LOGNORMAL:
        return (uint64_t)(5.0 * MS * exp(normal(r))); /* median 5 ms, sigma 1 */
    case BIMODAL:                                     /* fast cache hits and slow database pages */
        return mp_rng_below(r, 10) < 7 ? (uint64_t)(1.2 * MS + 0.1 * MS * normal(r))
                                       : (uint64_t)(200.0 * MS + 20.0 * MS * normal(r));
    case CONSTANT:
        return 42 * MS + 17;
    case SPAN_US_HOUR: /* log-uniform over 1 us .. 1 h */
        return (uint64_t)((double)US * pow((double)HOUR / (double)US, mp_rng_double(r)));
    case TINY_AND_HUGE: /* below 1 us and beyond 1 h, up to ~11 days */
        return mp_rng_below(r, 2) ? mp_rng_below(r, 1000)
                                  : (uint64_t)((double)HOUR * pow(256.0, mp_rng_double(r)));
    }
    return 0;
}

/* Quantiles k/D, the exact nearest rank computed in integers: ceil(k*n/D). */
static void check_distribution(dist d, size_t n, uint64_t seed)
{
    mp_rng r;
    mp_rng_seed(&r, seed, (uint64_t)d);
    uint64_t *v                         = xmalloc(n * sizeof *v);
    mp_hist *h                          = mp_hist_new();
    __extension__ unsigned __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = draw(&r, d);
        mp_hist_record(h, v[i]);
        sum += v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    cr_assert_eq(mp_hist_count(h), n);
    cr_assert_eq(mp_hist_min(h), v[0]);
    cr_assert_eq(mp_hist_max(h), v[n - 1]);
    double want_mean =
        ((double)(uint64_t)(sum >> 64) * 18446744073709551616.0 + (double)(uint64_t)sum) /
        (double)n;
    cr_assert_eq(mp_hist_mean(h), want_mean, "mean %.17g, exact %.17g", mp_hist_mean(h), want_mean);

    const uint64_t D = 100000;
    uint64_t ks[400];
    size_t nk = 0;
    /* 0, the usual reporting points, the tails densely, then arbitrary ones */
    static const uint64_t fixed[] = {0,     1,     10,    100,   1000,  5000,  10000,
                                     25000, 50000, 66000, 75000, 80000, 90000, 95000,
                                     98000, 99000, 99500, 99900, 99990, 99999, 100000};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        ks[nk++] = fixed[i];
    while (nk < 400)
        ks[nk++] = mp_rng_below(&r, D + 1);
    double worst = 0;
    for (size_t i = 0; i < nk; i++) {
        uint64_t rank = (ks[i] * n + D - 1) / D;
        if (rank < 1) rank = 1;
        uint64_t exact = v[rank - 1];
        uint64_t got   = mp_hist_quantile(h, (double)ks[i] / (double)D);
        double err     = exact ? fabs((double)got - (double)exact) / (double)exact : (double)got;
        cr_assert(err <= 0.01, "dist %d q=%g: got %lu, exact %lu (rank %lu), error %.4f%%", (int)d,
                  (double)ks[i] / (double)D, (unsigned long)got, (unsigned long)exact,
                  (unsigned long)rank, 100 * err);
        if (err > worst) worst = err;
    }
    /* The design bound is half a bucket: 1/128 of the value. */
    cr_assert(worst <= 1.0 / 128, "dist %d: worst error %.5f", (int)d, worst);
    cr_assert_eq(mp_hist_quantile(h, 0), v[0]);
    cr_assert_eq(mp_hist_quantile(h, 1), v[n - 1]);
    mp_hist_free(h);
    free(v);
}

MP_TEST(hist, uniform)
{
    check_distribution(UNIFORM, 200000, 1);
}

MP_TEST(hist, lognormal)
{
    check_distribution(LOGNORMAL, 200000, 2);
}

MP_TEST(hist, bimodal)
{
    check_distribution(BIMODAL, 200000, 3);
}

MP_TEST(hist, constant)
{
    check_distribution(CONSTANT, 1000, 4);
    /* A constant is reported exactly, not as its bucket's midpoint. */
    mp_hist *h = mp_hist_new();
    mp_hist_record_n(h, 42 * MS + 17, 1000);
    cr_assert_eq(mp_hist_quantile(h, 0.5), 42 * MS + 17);
    cr_assert_eq(mp_hist_quantile(h, 0.999), 42 * MS + 17);
    mp_hist_free(h);
}

MP_TEST(hist, spanning_1us_to_1h)
{
    check_distribution(SPAN_US_HOUR, 300000, 5);
}

MP_TEST(hist, below_1us_and_beyond_1h)
{
    check_distribution(TINY_AND_HUGE, 100000, 6);
}

/* Every bucket's reported value is within 1/128 of every value it holds, over the whole uint64
 * range: a value v between two far-away neighbours is the median, reported as its bucket. */
MP_TEST(hist, every_magnitude_within_bound)
{
    mp_rng r;
    mp_rng_seed(&r, 9, 0);
    mp_hist *h = mp_hist_new();
    for (int i = 0; i < 200000; i++) {
        uint64_t v;
        if (i < 64 * 3) { /* powers of two and their neighbours */
            uint64_t p = 1ull << (i / 3);
            v          = p + (uint64_t)(i % 3) - 1;
        } else {
            int bits = (int)mp_rng_below(&r, 64) + 1;
            v        = bits == 64 ? mp_rng_next(&r) : mp_rng_next(&r) >> (64 - bits);
        }
        if (v < 2 || v == UINT64_MAX) continue;
        mp_hist_reset(h);
        mp_hist_record(h, 0);
        mp_hist_record(h, v);
        mp_hist_record(h, UINT64_MAX);
        uint64_t got = mp_hist_quantile(h, 0.5);
        double err   = fabs((double)got - (double)v) / (double)v;
        cr_assert(err <= 1.0 / 128, "v=%lu reported %lu (%.5f)", (unsigned long)v,
                  (unsigned long)got, err);
        if (v < 128) cr_assert_eq(got, v, "values below 128 ns are exact");
    }
    mp_hist_free(h);
}

typedef struct pairs {
    uint64_t v[8192], c[8192];
    size_t n;
} pairs;

static void collect(uint64_t value, uint64_t count, void *arg)
{
    pairs *p = arg;
    cr_assert_lt(p->n, 8192);
    p->v[p->n]   = value;
    p->c[p->n++] = count;
}

static void assert_same(const mp_hist *a, const mp_hist *b)
{
    cr_assert_eq(mp_hist_count(a), mp_hist_count(b));
    cr_assert_eq(mp_hist_min(a), mp_hist_min(b));
    cr_assert_eq(mp_hist_max(a), mp_hist_max(b));
    cr_assert_eq(mp_hist_mean(a), mp_hist_mean(b));
    static pairs pa, pb;
    pa.n = pb.n = 0;
    mp_hist_each(a, collect, &pa);
    mp_hist_each(b, collect, &pb);
    cr_assert_eq(pa.n, pb.n);
    for (size_t i = 0; i < pa.n; i++) {
        cr_assert_eq(pa.v[i], pb.v[i], "bucket %zu", i);
        cr_assert_eq(pa.c[i], pb.c[i], "bucket %zu", i);
    }
    for (int k = 0; k <= 1000; k++)
        cr_assert_eq(mp_hist_quantile(a, k / 1000.0), mp_hist_quantile(b, k / 1000.0));
}

MP_TEST(hist, merge_equals_recording_everything_once)
{
    mp_rng r;
    mp_rng_seed(&r, 10, 0);
    mp_hist *a = mp_hist_new(), *b = mp_hist_new(), *all = mp_hist_new(), *empty = mp_hist_new();
    for (int i = 0; i < 50000; i++) {
        uint64_t v = draw(&r, i % 2 ? LOGNORMAL : SPAN_US_HOUR);
        mp_hist_record(i % 3 ? a : b, v);
        mp_hist_record(all, v);
    }
    mp_hist_merge(a, b);
    assert_same(a, all);
    mp_hist_merge(a, empty); /* merging nothing changes nothing, min included */
    assert_same(a, all);
    mp_hist_merge(empty, all); /* into an empty one: a copy */
    assert_same(empty, all);
    mp_hist_free(a);
    mp_hist_free(b);
    mp_hist_free(all);
    mp_hist_free(empty);
}

MP_TEST(hist, record_n_equals_n_records)
{
    mp_hist *a = mp_hist_new(), *b = mp_hist_new();
    static const uint64_t vals[] = {0, 1, 127, 128, 999, 123456789, 3600 * S, UINT64_MAX / 3};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        mp_hist_record_n(a, vals[i], i + 1);
        for (size_t k = 0; k <= i; k++)
            mp_hist_record(b, vals[i]);
    }
    mp_hist_record_n(a, 5, 0); /* zero copies: nothing, not even a new min */
    assert_same(a, b);
    cr_assert_eq(mp_hist_count(a), 36);
    mp_hist_free(a);
    mp_hist_free(b);
}

MP_TEST(hist, extremes_and_empty)
{
    mp_hist *h = mp_hist_new();
    cr_assert_eq(mp_hist_count(h), 0);
    cr_assert_eq(mp_hist_min(h), 0);
    cr_assert_eq(mp_hist_max(h), 0);
    cr_assert_eq(mp_hist_mean(h), 0);
    cr_assert_eq(mp_hist_quantile(h, 0.5), 0);
    cr_assert_eq(mp_hist_at_rank(h, 1), 0);
    pairs p = {.n = 0};
    mp_hist_each(h, collect, &p);
    cr_assert_eq(p.n, 0);

    mp_hist_record(h, UINT64_MAX);
    mp_hist_record(h, UINT64_MAX);
    mp_hist_record(h, 0);
    cr_assert_eq(mp_hist_min(h), 0);
    cr_assert_eq(mp_hist_max(h), UINT64_MAX);
    /* the sum (2^65 - 2) is beyond 64 bits and still exact */
    cr_assert_eq(mp_hist_sum(h), 2.0 * 18446744073709551615.0);
    cr_assert_eq(mp_hist_mean(h), 2.0 * 18446744073709551615.0 / 3);
    /* rank 2 of 3 is a bucket value (the top bucket's midpoint), rank 3 the exact max */
    cr_assert_leq(UINT64_MAX - mp_hist_quantile(h, 0.5), UINT64_MAX / 128);
    cr_assert_eq(mp_hist_at_rank(h, 2), mp_hist_quantile(h, 0.5));
    cr_assert_eq(mp_hist_at_rank(h, 0), 0);
    cr_assert_eq(mp_hist_at_rank(h, 1), 0);
    cr_assert_eq(mp_hist_at_rank(h, 3), UINT64_MAX);
    cr_assert_eq(mp_hist_at_rank(h, 99), UINT64_MAX);
    mp_hist_free(h);
}

MP_TEST(hist, reset_forgets_everything)
{
    mp_hist *h = mp_hist_new(), *fresh = mp_hist_new();
    for (uint64_t v = 1; v < 100000; v += 7)
        mp_hist_record(h, v * 1000);
    mp_hist_reset(h);
    assert_same(h, fresh);
    mp_hist_record(h, 5 * MS);
    mp_hist_record(fresh, 5 * MS);
    assert_same(h, fresh);
    cr_assert_eq(mp_hist_min(h), 5 * MS);
    mp_hist_free(h);
    mp_hist_free(fresh);
}

/* Nearest rank with q*count landing a hair above an integer in floating point. */
MP_TEST(hist, quantile_rank_rule)
{
    mp_hist *h = mp_hist_new();
    for (uint64_t v = 1; v <= 100; v++)
        mp_hist_record(h, v);                   /* exact region: the value is the rank */
    cr_assert_eq(mp_hist_quantile(h, 0.07), 7); /* 0.07 * 100 = 7.000000000000001 */
    cr_assert_eq(mp_hist_quantile(h, 0.29), 29);
    cr_assert_eq(mp_hist_quantile(h, 0.57), 57);
    cr_assert_eq(mp_hist_quantile(h, 0.5), 50);
    cr_assert_eq(mp_hist_quantile(h, 0.505), 51);
    cr_assert_eq(mp_hist_quantile(h, 0.001), 1);
    cr_assert_eq(mp_hist_quantile(h, 0), 1);
    cr_assert_eq(mp_hist_quantile(h, 1), 100);
    for (uint64_t k = 1; k <= 100; k++)
        cr_assert_eq(mp_hist_at_rank(h, k), k);
    mp_hist_free(h);
}

MP_TEST(hist, subtract_leaves_the_window)
{
    mp_rng r;
    mp_rng_seed(&r, 12, 0);
    mp_hist *run = mp_hist_new(), *snap = mp_hist_new(), *later = mp_hist_new();
    for (int i = 0; i < 20000; i++)
        mp_hist_record(run, draw(&r, UNIFORM));
    mp_hist_merge(snap, run);
    for (int i = 0; i < 5000; i++) {
        uint64_t v = draw(&r, LOGNORMAL);
        mp_hist_record(run, v);
        mp_hist_record(later, v);
    }
    mp_hist_subtract(run, snap);
    cr_assert_eq(mp_hist_count(run), 5000);
    cr_assert_float_eq(mp_hist_mean(run), mp_hist_mean(later), 1e-9 * mp_hist_mean(later));
    static pairs pa, pb;
    pa.n = pb.n = 0;
    mp_hist_each(run, collect, &pa);
    mp_hist_each(later, collect, &pb);
    cr_assert_eq(pa.n, pb.n);
    for (size_t i = 0; i < pa.n; i++) {
        cr_assert_eq(pa.c[i], pb.c[i]);
        /* same bucket: within one bucket width (1/64) of each other */
        cr_assert(fabs((double)pa.v[i] - (double)pb.v[i]) <= (double)pb.v[i] / 64);
    }
    /* min/max are the window's bucket bounds: within a bucket of the exact ones */
    cr_assert_leq(mp_hist_min(run), mp_hist_min(later));
    cr_assert_geq(mp_hist_min(run), mp_hist_min(later) - mp_hist_min(later) / 64);
    cr_assert_geq(mp_hist_max(run), mp_hist_max(later));
    cr_assert_leq(mp_hist_max(run), mp_hist_max(later) + mp_hist_max(later) / 64);
    mp_hist_subtract(run, run); /* all gone */
    cr_assert_eq(mp_hist_count(run), 0);
    cr_assert_eq(mp_hist_max(run), 0);
    mp_hist_free(run);
    mp_hist_free(snap);
    mp_hist_free(later);
}

MP_TEST(hist, each_rebuilds_the_same_histogram)
{
    mp_rng r;
    mp_rng_seed(&r, 13, 0);
    mp_hist *h = mp_hist_new(), *again = mp_hist_new();
    for (int i = 0; i < 30000; i++)
        mp_hist_record(h, draw(&r, BIMODAL));
    static pairs p;
    p.n = 0;
    mp_hist_each(h, collect, &p);
    for (size_t i = 0; i < p.n; i++) {
        cr_assert_gt(p.c[i], 0);
        if (i) cr_assert_gt(p.v[i], p.v[i - 1], "increasing order");
        mp_hist_record_n(again, p.v[i], p.c[i]);
    }
    static pairs q;
    q.n = 0;
    mp_hist_each(again, collect, &q);
    cr_assert_eq(q.n, p.n);
    for (size_t i = 0; i < p.n; i++) {
        cr_assert_eq(q.v[i], p.v[i]);
        cr_assert_eq(q.c[i], p.c[i]);
    }
    for (int k = 1; k < 1000; k++)
        cr_assert_eq(mp_hist_quantile(again, k / 1000.0), mp_hist_quantile(h, k / 1000.0));
    mp_hist_free(h);
    mp_hist_free(again);
}

MP_TEST(hist, fixed_size)
{
    /* 3776 buckets of 8 bytes (64 linear buckets per power of two over the whole uint64 range,
     * exact below 128 ns) plus count, min, max and a 128-bit sum. */
    cr_assert_eq(mp_hist_bytes(), 3776 * 8 + 3 * 8 + 8 + 16);
}
