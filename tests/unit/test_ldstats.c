/* Request statistics: exact counts, the failures and exceptions tables, "current" rate windows on
 * synthetic timestamps, merging per-thread tables, and the writers' exact output for a small case
 * computed by hand. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/stats.h"
#include "util/mem.h"
#include "util/rng.h"

#define NS 1000000000ull
#define MS 1000000ull
#define T0 1700000000ull

static uint64_t at(double seconds_after_t0)
{
    return T0 * NS + (uint64_t)(seconds_after_t0 * (double)NS);
}

/* What a writer printed, as a string. */
typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static void cap_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f   = open_memstream(&c->buf, &c->len);
    cr_assert_not_null(c->f);
}

static char *cap_close(capture *c)
{
    fclose(c->f);
    return c->buf;
}

MP_TEST(ldstats, counts_every_request_and_failure)
{
    ld_stats *s = ld_stats_new();
    size_t a = ld_stats_intern(s, "GET", "/a"), b = ld_stats_intern(s, "POST", "/b");
    cr_assert_eq(a, 0);
    cr_assert_eq(b, 1);
    cr_assert_eq(ld_stats_intern(s, "GET", "/a"), 0);
    cr_assert_eq(ld_stats_intern(s, "POST", "/a"), 2, "method is part of the key");
    cr_assert_eq(ld_stats_intern(s, NULL, "/c"), 3);
    cr_assert_str_eq(s->entries[3].method, "");

    ld_stats_record(s, a, 10 * MS, 100, at(0.25), NULL);
    ld_stats_record(s, a, 20 * MS, 200, at(0.5), "HTTP 500");
    ld_stats_record(s, b, 30 * MS, 0, at(1.0), "HTTP 500");
    ld_stats_record(s, a, 40 * MS, 300, at(0.1), NULL); /* finished out of order */

    const ld_entry *ea = &s->entries[a], *eb = &s->entries[b];
    cr_assert_eq(ea->num_requests, 3);
    cr_assert_eq(ea->num_failures, 1);
    cr_assert_eq(ea->total_content_length, 600);
    cr_assert_eq(mp_hist_count(ea->rt), 3, "failures are in the histogram too");
    cr_assert_eq(mp_hist_min(ea->rt), 10 * MS);
    cr_assert_eq(mp_hist_max(ea->rt), 40 * MS);
    cr_assert_eq(ea->first_ns, at(0.1));
    cr_assert_eq(ea->last_ns, at(0.5));
    cr_assert_eq(eb->num_requests, 1);
    cr_assert_eq(eb->num_failures, 1);
    cr_assert_eq(s->total.num_requests, 4);
    cr_assert_eq(s->total.num_failures, 2);
    cr_assert_eq(s->total.total_content_length, 600);
    cr_assert_eq(mp_hist_count(s->total.rt), 4);
    cr_assert_eq(mp_hist_mean(s->total.rt), 25.0 * MS);
    cr_assert_eq(s->total.first_ns, at(0.1));
    cr_assert_eq(s->total.last_ns, at(1.0));
    cr_assert_str_eq(s->total.name, "Aggregated");
    cr_assert_str_eq(s->total.method, "");
    ld_stats_free(s);
}

MP_TEST(ldstats, failures_table_by_method_name_error)
{
    ld_stats *s = ld_stats_new();
    size_t a = ld_stats_intern(s, "GET", "/a"), a2 = ld_stats_intern(s, "POST", "/a");
    for (int i = 0; i < 5; i++)
        ld_stats_record(s, a, MS, 0, at(i), "HTTP 500");
    ld_stats_record(s, a2, MS, 0, at(1), "HTTP 500"); /* other method: another row */
    ld_stats_record(s, a, MS, 0, at(2), "HTTP 502");
    ld_stats_record(s, a, MS, 0, at(2), NULL);
    cr_assert_eq(s->nfailures, 3);
    cr_assert_str_eq(s->failures[0].method, "GET");
    cr_assert_str_eq(s->failures[0].name, "/a");
    cr_assert_str_eq(s->failures[0].error, "HTTP 500");
    cr_assert_eq(s->failures[0].occurrences, 5);
    cr_assert_str_eq(s->failures[1].method, "POST");
    cr_assert_eq(s->failures[1].occurrences, 1);
    cr_assert_str_eq(s->failures[2].error, "HTTP 502");
    cr_assert_eq(s->failures[2].occurrences, 1);

    /* Many distinct messages (a server quoting each URL back) stay one row each and are found
     * again: the index grows past its first sizes. */
    char msg[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3000; i++) {
            snprintf(msg, sizeof msg, "not found: /post/%d", i);
            ld_stats_record(s, a, MS, 0, at(3), msg);
        }
    }
    cr_assert_eq(s->nfailures, 3 + 3000);
    for (size_t i = 3; i < s->nfailures; i++)
        cr_assert_eq(s->failures[i].occurrences, 2, "%s", s->failures[i].error);
    cr_assert_eq(s->entries[a].num_failures, 5 + 1 + 6000);
    cr_assert_eq(s->total.num_failures, 5 + 1 + 1 + 6000);
    ld_stats_free(s);
}

MP_TEST(ldstats, exceptions_table_keyed_by_place)
{
    ld_stats *s = ld_stats_new();
    ld_stats_exception(s, "variable 'slug' has no value", "blog.yaml:40:11 (task publish, step 2)");
    ld_stats_exception(s, "variable 'id' has no value", "blog.yaml:40:11 (task publish, step 2)");
    ld_stats_exception(s, "bad regex", "blog.yaml:7:3 (on_start)");
    ld_stats_exception(s, "variable 'slug' has no value", "blog.yaml:40:11 (task publish, step 2)");
    cr_assert_eq(s->nexceptions, 2);
    cr_assert_str_eq(s->exceptions[0].message, "variable 'slug' has no value",
                     "first message kept");
    cr_assert_str_eq(s->exceptions[0].traceback, "blog.yaml:40:11 (task publish, step 2)");
    cr_assert_eq(s->exceptions[0].count, 3);
    cr_assert_str_eq(s->exceptions[1].message, "bad regex");
    cr_assert_eq(s->exceptions[1].count, 1);
    cr_assert_eq(s->total.num_requests, 0, "exceptions are not requests");
    ld_stats_free(s);
}

MP_TEST(ldstats, current_rates_over_complete_seconds)
{
    ld_stats *s = ld_stats_new();
    size_t e    = ld_stats_intern(s, "GET", "/");
    /* second k (k = 0..24) gets k+1 requests; every third second also one failure */
    for (int k = 0; k < 25; k++) {
        for (int i = 0; i <= k; i++)
            ld_stats_record(s, e, MS, 0, at(k + 0.5 + i * 0.001), NULL);
        if (k % 3 == 0) ld_stats_record(s, e, MS, 0, at(k + 0.9), "x");
        const ld_entry *en = &s->entries[e];
        uint64_t now       = at(k + 0.95); /* during second k: complete seconds end at k-1 */
        int from           = k - 10 < 0 ? 0 : k - 10;
        double reqs = 0, fails = 0;
        for (int j = from; j < k; j++) {
            reqs += j + 1 + (j % 3 == 0);
            fails += j % 3 == 0;
        }
        double want_r = k ? reqs / (k - from) : 0, want_f = k ? fails / (k - from) : 0;
        cr_assert_float_eq(ld_entry_current_rps(en, now), want_r, 1e-12, "k=%d", k);
        cr_assert_float_eq(ld_entry_current_fail_rps(en, now), want_f, 1e-12, "k=%d", k);
        cr_assert_float_eq(ld_entry_current_rps(&s->total, now), want_r, 1e-12);
    }
    const ld_entry *en = &s->entries[e];
    /* Seconds 15..24 had 16..25 requests (+1 at 15, 18, 21, 24): asked at 25.0 exactly. */
    cr_assert_float_eq(ld_entry_current_rps(en, at(25)), (205.0 + 4) / 10, 1e-12);
    /* Three quiet seconds later the window (18..27) holds 7 busy seconds and 3 empty ones. */
    cr_assert_float_eq(ld_entry_current_rps(en, at(28.5)),
                       (19.0 + 20 + 21 + 22 + 23 + 24 + 25 + 3) / 10, 1e-12);
    /* Long after, stale slots are not mistaken for recent seconds. */
    cr_assert_eq(ld_entry_current_rps(en, at(100)), 0);
    cr_assert_eq(ld_entry_current_fail_rps(en, at(100)), 0);
    /* A new request 100 s later counts alone, whatever the ring held for that slot. */
    ld_stats_record(s, e, MS, 0, at(100.5), NULL);
    cr_assert_float_eq(ld_entry_current_rps(en, at(101.2)), 0.1, 1e-12);
    /* A wall clock stepped back to second 89, whose slot now holds second 100: counted in the
     * totals, and second 100's count is not clobbered. */
    uint64_t before = s->entries[e].num_requests;
    ld_stats_record(s, e, MS, 0, at(89.5), NULL);
    cr_assert_eq(s->entries[e].num_requests, before + 1);
    cr_assert_float_eq(ld_entry_current_rps(en, at(101.2)), 0.1, 1e-12);
    /* Before the first request, and before one whole second: 0. */
    size_t quiet = ld_stats_intern(s, "GET", "/quiet");
    cr_assert_eq(ld_entry_current_rps(&s->entries[quiet], at(200)), 0);
    ld_stats_record(s, quiet, MS, 0, at(200.1), NULL);
    cr_assert_eq(ld_entry_current_rps(&s->entries[quiet], at(200.9)), 0);
    cr_assert_float_eq(ld_entry_current_rps(&s->entries[quiet], at(201.0)), 1.0, 1e-12);
    cr_assert_float_eq(ld_entry_current_rps(&s->entries[quiet], at(204.0)), 0.25, 1e-12);
    ld_stats_free(s);
}

static void assert_entries_equal(const ld_entry *x, const ld_entry *y, uint64_t now)
{
    cr_assert_str_eq(x->method, y->method);
    cr_assert_str_eq(x->name, y->name);
    cr_assert_eq(x->num_requests, y->num_requests, "%s", x->name);
    cr_assert_eq(x->num_failures, y->num_failures);
    cr_assert_eq(x->total_content_length, y->total_content_length);
    cr_assert_eq(x->first_ns, y->first_ns);
    cr_assert_eq(x->last_ns, y->last_ns);
    cr_assert_eq(mp_hist_count(x->rt), mp_hist_count(y->rt));
    cr_assert_eq(mp_hist_min(x->rt), mp_hist_min(y->rt));
    cr_assert_eq(mp_hist_max(x->rt), mp_hist_max(y->rt));
    cr_assert_eq(mp_hist_mean(x->rt), mp_hist_mean(y->rt));
    for (int k = 0; k <= 100; k++)
        cr_assert_eq(mp_hist_quantile(x->rt, k / 100.0), mp_hist_quantile(y->rt, k / 100.0));
    cr_assert_eq(ld_entry_current_rps(x, now), ld_entry_current_rps(y, now));
    cr_assert_eq(ld_entry_current_fail_rps(x, now), ld_entry_current_fail_rps(y, now));
}

MP_TEST(ldstats, merging_thread_tables_equals_one_table)
{
    static const char *const names[] = {"/", "/login", "/post/[slug]"};
    ld_stats *one = ld_stats_new(), *t[3] = {ld_stats_new(), ld_stats_new(), ld_stats_new()};
    for (int i = 0; i < 3; i++) {
        ld_stats_intern(one, "GET", names[i]);
        for (int k = 0; k < 3; k++)
            ld_stats_intern(t[k], "GET", names[i]);
    }
    t[1]->start_wall_ns = at(0.5);
    t[2]->start_wall_ns = at(0.2);
    mp_rng r;
    mp_rng_seed(&r, 3, 0);
    for (int i = 0; i < 30000; i++) {
        size_t e      = mp_rng_below(&r, 3);
        uint64_t lat  = 1 + mp_rng_below(&r, 500 * MS);
        uint64_t when = at(30.0 * i / 30000);
        const char *err =
            mp_rng_below(&r, 10) == 0 ? (mp_rng_below(&r, 2) ? "HTTP 500" : "timeout") : NULL;
        ld_stats_record(one, e, lat, e * 10, when, err);
        ld_stats_record(t[i % 3], e, lat, e * 10, when, err);
        if (i % 1000 == 0) {
            ld_stats_exception(one, "boom", i % 2000 ? "a.yaml:1:1" : "a.yaml:2:2");
            ld_stats_exception(t[(i / 1000) % 3], "boom", i % 2000 ? "a.yaml:1:1" : "a.yaml:2:2");
        }
    }
    /* A table that met a request the others did not (and interned it late). */
    size_t extra = ld_stats_intern(t[2], "DELETE", "/x");
    ld_stats_record(t[2], extra, 7 * MS, 1, at(29.99), NULL);
    ld_stats_record(one, ld_stats_intern(one, "DELETE", "/x"), 7 * MS, 1, at(29.99), NULL);

    ld_stats *merged = ld_stats_new();
    for (int k = 0; k < 3; k++)
        ld_stats_merge(merged, t[k]);
    cr_assert_eq(merged->nentries, 4);
    uint64_t now = at(30.5);
    for (size_t i = 0; i < 4; i++)
        assert_entries_equal(&merged->entries[i], &one->entries[i], now);
    assert_entries_equal(&merged->total, &one->total, now);
    cr_assert_eq(merged->start_wall_ns, at(0.2));
    cr_assert_eq(merged->nfailures, one->nfailures);
    for (size_t i = 0; i < one->nfailures; i++) {
        const ld_failure *f = &one->failures[i];
        int found           = 0;
        for (size_t j = 0; j < merged->nfailures; j++) {
            const ld_failure *g = &merged->failures[j];
            if (!strcmp(f->method, g->method) && !strcmp(f->name, g->name) &&
                !strcmp(f->error, g->error)) {
                cr_assert_eq(f->occurrences, g->occurrences);
                found = 1;
            }
        }
        cr_assert(found, "%s %s %s", f->method, f->name, f->error);
    }
    cr_assert_eq(merged->nexceptions, 2);
    cr_assert_eq(merged->exceptions[0].count + merged->exceptions[1].count, 30);

    /* Merging a table whose entries are in another order matches them by name. */
    ld_stats *swapped = ld_stats_new();
    size_t login      = ld_stats_intern(swapped, "GET", "/login");
    ld_stats_intern(swapped, "GET", "/");
    ld_stats_record(swapped, login, 5 * MS, 0, at(31), NULL);
    uint64_t before = merged->entries[1].num_requests;
    ld_stats_merge(merged, swapped);
    cr_assert_eq(merged->entries[1].num_requests, before + 1);
    cr_assert_str_eq(merged->entries[1].name, "/login");
    cr_assert_eq(merged->nentries, 4);

    ld_stats_free(swapped);
    ld_stats_free(merged);
    ld_stats_free(one);
    for (int k = 0; k < 3; k++)
        ld_stats_free(t[k]);
}

/* The lock-free hand-off: each worker records into its own table and, now and then, merges it
 * into the shared one (under the caller's lock) and resets it. The shared table must end up
 * equal to one table that saw everything, rate windows included. */
MP_TEST(ldstats, merging_deltas_then_resetting_equals_one_table)
{
    ld_stats *one = ld_stats_new(), *shared = ld_stats_new();
    ld_stats *w[2] = {ld_stats_new(), ld_stats_new()};
    for (int k = 0; k < 2; k++) {
        ld_stats_intern(w[k], "GET", "/");
        ld_stats_intern(w[k], "POST", "/p");
    }
    ld_stats_intern(one, "GET", "/");
    ld_stats_intern(one, "POST", "/p");
    mp_rng r;
    mp_rng_seed(&r, 5, 0);
    for (int i = 0; i < 20000; i++) {
        size_t e        = mp_rng_below(&r, 2);
        uint64_t lat    = 1 + mp_rng_below(&r, 80 * MS);
        uint64_t when   = at(25.0 * i / 20000);
        const char *err = mp_rng_below(&r, 20) == 0 ? "HTTP 503" : NULL;
        ld_stats_record(one, e, lat, 3, when, err);
        ld_stats_record(w[i % 2], e, lat, 3, when, err);
        if (i % 777 == 0) {
            ld_stats_exception(one, "m", "x.yaml:1:1");
            ld_stats_exception(w[i % 2], "m", "x.yaml:1:1");
        }
        if (i % 1000 == 999) { /* an interval boundary: hand the deltas over */
            for (int k = 0; k < 2; k++) {
                ld_stats_merge(shared, w[k]);
                ld_stats_reset(w[k]);
            }
            assert_entries_equal(&shared->total, &one->total, when);
        }
    }
    for (int k = 0; k < 2; k++)
        ld_stats_merge(shared, w[k]);
    for (size_t i = 0; i < 2; i++)
        assert_entries_equal(&shared->entries[i], &one->entries[i], at(25.5));
    assert_entries_equal(&shared->total, &one->total, at(25.5));
    cr_assert_eq(shared->nfailures, 2);
    for (size_t i = 0; i < 2; i++) { /* table order depends on who failed first: match by name */
        size_t j = strcmp(shared->failures[i].name, one->failures[0].name) == 0 ? 0 : 1;
        cr_assert_str_eq(shared->failures[i].name, one->failures[j].name);
        cr_assert_eq(shared->failures[i].occurrences, one->failures[j].occurrences);
    }
    cr_assert_eq(shared->nexceptions, 1);
    cr_assert_eq(shared->exceptions[0].count, one->exceptions[0].count);
    ld_stats_free(one);
    ld_stats_free(shared);
    ld_stats_free(w[0]);
    ld_stats_free(w[1]);
}

MP_TEST(ldstats, reset_keeps_entries_and_drops_counts)
{
    ld_stats *s = ld_stats_new();
    size_t a    = ld_stats_intern(s, "GET", "/a");
    ld_stats_record(s, a, MS, 5, at(1), "bad");
    ld_stats_exception(s, "m", "w");
    ld_stats_reset(s);
    cr_assert_eq(s->nentries, 1);
    cr_assert_eq(ld_stats_intern(s, "GET", "/a"), a);
    cr_assert_eq(s->entries[a].num_requests, 0);
    cr_assert_eq(s->entries[a].num_failures, 0);
    cr_assert_eq(s->entries[a].total_content_length, 0);
    cr_assert_eq(s->entries[a].first_ns, 0);
    cr_assert_eq(mp_hist_count(s->entries[a].rt), 0);
    cr_assert_eq(ld_entry_current_rps(&s->entries[a], at(1.5)), 0);
    cr_assert_eq(s->total.num_requests, 0);
    cr_assert_eq(s->nfailures, 0);
    cr_assert_eq(s->nexceptions, 0);
    /* and the failure index is usable again */
    ld_stats_record(s, a, MS, 5, at(2), "bad");
    ld_stats_record(s, a, MS, 5, at(2), "bad");
    cr_assert_eq(s->nfailures, 1);
    cr_assert_eq(s->failures[0].occurrences, 2);
    ld_stats_free(s);
}

/* ---- the writers on a case small enough to compute by hand ----
 * GET /a: 10, 20, 30 ms (contents 100, 200, 300) at 0.25 s, 0.5 s, 1.0 s.
 * POST /b: 150 ms, failed "HTTP 500", at 2.0 s. Run time 2 s.
 * Locust's rules: median = the ((n-1)/2 + 1)-th value, percentile p = the (int(n*p) + 1)-th,
 * rounded as Locust stores response times (integers below 100 ms, 2 digits above). */
static ld_stats *small_case(void)
{
    ld_stats *s      = ld_stats_new();
    s->start_wall_ns = at(0);
    size_t a         = ld_stats_intern(s, "GET", "/a");
    size_t b         = ld_stats_intern(s, "POST", "/b");
    ld_stats_intern(s, "GET", "/unused");
    ld_stats_record(s, a, 10 * MS, 100, at(0.25), NULL);
    ld_stats_record(s, a, 20 * MS, 200, at(0.5), NULL);
    ld_stats_record(s, a, 30 * MS, 300, at(1.0), NULL);
    ld_stats_record(s, b, 150 * MS, 0, at(2.0), "HTTP 500");
    ld_stats_exception(s, "no value, for x", "s.yaml:3:4 (task t, step 1)");
    ld_stats_exception(s, "no value, for x", "s.yaml:3:4 (task t, step 1)");
    return s;
}

MP_TEST(ldstats, stats_csv_exact)
{
    ld_stats *s = small_case();
    capture c;
    cap_open(&c);
    cr_assert_eq(ld_write_stats_csv(s, 2.0, c.f), 0);
    char *got = cap_close(&c);
    cr_assert_str_eq(
        got,
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n"
        /* n=3: median 2nd = 20; p50, p66: int(1.5), int(1.98) -> 2nd = 20; p75+: 3rd = 30 */
        "GET,/a,3,0,20,20.0,10.0,30.0,200.0,1.5,0.0,20,20,30,30,30,30,30,30,30,30,30\r\n"
        /* 150 ms is >= 100, so its rounded median is the float 150.0 */
        "POST,/b,1,1,150.0,150.0,150.0,150.0,0.0,0.5,0.5,150,150,150,150,150,150,150,150,150,"
        "150,150\r\n"
        /* n=4: median 2nd = 20; p50: int(2)+1 = 3rd = 30; p66: 3rd; p75: int(3)+1 = 4th */
        ",Aggregated,4,1,20,52.5,10.0,150.0,150.0,2.0,0.5,30,30,150,150,150,150,150,150,150,150,"
        "150\r\n");
    free(got);

    /* No requests at all: Locust's Aggregated row of an idle run. */
    ld_stats *empty = ld_stats_new();
    cap_open(&c);
    cr_assert_eq(ld_write_stats_csv(empty, 0, c.f), 0);
    got = cap_close(&c);
    cr_assert_str_eq(strchr(got, '\n') + 1, ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,"
                                            "N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n");
    free(got);
    ld_stats_free(empty);
    ld_stats_free(s);
}

MP_TEST(ldstats, failures_and_exceptions_csv_exact)
{
    ld_stats *s = small_case();
    size_t a    = ld_stats_intern(s, "GET", "/a");
    ld_stats_record(s, a, MS, 0, at(2.5), "body lacks \"ok\"\nat line 2");
    capture c;
    cap_open(&c);
    cr_assert_eq(ld_write_failures_csv(s, c.f), 0);
    char *got = cap_close(&c);
    cr_assert_str_eq(got, "Method,Name,Error,Occurrences\r\n"
                          "GET,/a,\"body lacks \"\"ok\"\"\nat line 2\",1\r\n"
                          "POST,/b,HTTP 500,1\r\n");
    free(got);
    cap_open(&c);
    cr_assert_eq(ld_write_exceptions_csv(s, c.f), 0);
    got = cap_close(&c);
    cr_assert_str_eq(got, "Count,Message,Traceback,Nodes\r\n"
                          "2,\"no value, for x\",\"s.yaml:3:4 (task t, step 1)\",local\r\n");
    free(got);
    ld_stats_free(s);
}

MP_TEST(ldstats, history_csv_exact)
{
    ld_stats *s = small_case();
    capture c;
    cap_open(&c);
    cr_assert_eq(ld_write_history_header(c.f), 0);
    /* at 3.5 s: complete seconds 0..2. /a: 3 requests since second 0 -> 1/s; /b: first request in
     * second 2 -> 1 of 1 s; Aggregated: 4 in 3 s. Percentiles: the whole run (stateless form). */
    cr_assert_eq(ld_write_history_rows(s, at(3.5), 5, c.f), 0);
    char *got = cap_close(&c);
    cr_assert_str_eq(
        got, "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,"
             "99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response "
             "Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,"
             "Total Average Content Size\r\n"
             "1700000003,5,GET,/a,1.000000,0.000000,20,20,30,30,30,30,30,30,30,30,30,3,0,20,20.0,"
             "10.0,30.0,200.0\r\n"
             "1700000003,5,POST,/b,1.000000,1.000000,150,150,150,150,150,150,150,150,150,150,150,"
             "1,1,150.0,150.0,150.0,150.0,0.0\r\n"
             "1700000003,5,,Aggregated,1.333333,0.333333,30,30,150,150,150,150,150,150,150,150,"
             "150,4,1,20,52.5,10.0,150.0,150.0\r\n");
    free(got);
    ld_stats_free(s);
}

MP_TEST(ldstats, history_current_percentiles_window)
{
    /* 1 request/s of 10 ms for 20 s, then 1 request/s of 500 ms. The stateful writer's
     * percentile columns follow the last ~10 s; the stateless one stays on the whole run. */
    ld_stats *s      = ld_stats_new();
    s->start_wall_ns = at(0);
    size_t e         = ld_stats_intern(s, "GET", "/");
    ld_history *h    = ld_history_new();
    char *rows[40];
    for (int k = 0; k < 40; k++) {
        ld_stats_record(s, e, (k < 20 ? 10 : 500) * MS, 0, at(k + 0.5), NULL);
        capture c;
        cap_open(&c);
        cr_assert_eq(ld_history_write_rows(h, s, at(k + 0.9), 1, c.f), 0);
        rows[k] = cap_close(&c);
    }
    /* before 2 s: no window at all, Locust writes 0 (content size: 0 bytes / 2 = 0.0) */
    cr_assert_str_eq(rows[1],
                     "1700000001,1,GET,/,1.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,2,0,10,"
                     "10.0,10.0,10.0,0.0\r\n1700000001,1,,Aggregated,1.000000,0.000000,0,0,"
                     "0,0,0,0,0,0,0,0,0,2,0,10,10.0,10.0,10.0,0.0\r\n");
    /* at 25 s the window is seconds 16..25 (after the snapshot taken in second 15): 4 x 10 ms and
     * 6 x 500 ms; p50 = int(10*0.5)+1 = 6th = 500; whole-run median still 10 */
    cr_assert_str_eq(rows[25], "1700000025,1,GET,/,1.000000,0.000000,500,500,500,500,500,500,500,"
                               "500,500,500,500,26,0,10,123.07692307692308,10.0,500.0,0.0\r\n"
                               "1700000025,1,,Aggregated,1.000000,0.000000,500,500,500,500,500,"
                               "500,500,500,500,500,500,26,0,10,123.07692307692308,10.0,500.0,"
                               "0.0\r\n");
    /* at 22 s: seconds 13..22 = 7 x 10 ms + 3 x 500 ms; p50 = 6th = 10, p75 = int(7.5)+1 = 8th */
    cr_assert(strstr(rows[22], ",GET,/,1.000000,0.000000,10,10,500,500,500,500,500,500,500,500,"
                               "500,23,0,10,"),
              "%s", rows[22]);
    for (int k = 0; k < 40; k++)
        free(rows[k]);
    ld_history_free(h);
    ld_stats_free(s);
}

typedef struct pairs {
    uint64_t v[4096], c[4096];
    size_t n;
} pairs;

static void collect(uint64_t value, uint64_t count, void *arg)
{
    pairs *p     = arg;
    p->v[p->n]   = value;
    p->c[p->n++] = count;
}

MP_TEST(ldstats, json_round_trips)
{
    ld_stats *s = small_case();
    mp_rng r;
    mp_rng_seed(&r, 4, 0);
    size_t big = ld_stats_intern(s, "GET", "/big");
    for (int i = 0; i < 20000; i++)
        ld_stats_record(s, big, 1000 + mp_rng_below(&r, 3000 * MS), 10, at(3), NULL);
    ld_stats_record(s, big, MS, 0, at(3), "bad byte \xff here");
    capture c;
    cap_open(&c);
    cr_assert_eq(ld_write_json(s, 2.0, "{\"seed\": 42, \"scenario\": \"blog.yaml\"}", c.f), 0);
    char *got = cap_close(&c);

    json_error_t jerr;
    json_t *root = json_loads(got, 0, &jerr);
    cr_assert_not_null(root, "%s at %d", jerr.text, jerr.position);
    cr_assert_str_eq(json_string_value(json_object_get(root, "format")), "mixperf-load-stats");
    cr_assert_eq(json_integer_value(json_object_get(root, "version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(root, "meta"), "seed")), 42);
    cr_assert_eq(json_integer_value(json_object_get(root, "start_wall_ns")), (json_int_t)at(0));
    cr_assert_str_eq(json_string_value(json_object_get(root, "start_time")),
                     "2023-11-14T22:13:20.000000Z");
    cr_assert_eq(json_real_value(json_object_get(root, "elapsed_s")), 2.0);
    json_t *entries = json_object_get(root, "entries");
    cr_assert_eq(json_array_size(entries), 4, "every interned entry, requested or not");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(entries, 2), "name")),
                     "/unused");

    for (size_t i = 0; i <= s->nentries; i++) {
        const ld_entry *e = i < s->nentries ? &s->entries[i] : &s->total;
        json_t *je = i < s->nentries ? json_array_get(entries, i) : json_object_get(root, "total");
        cr_assert_str_eq(json_string_value(json_object_get(je, "name")), e->name);
        cr_assert_eq(json_integer_value(json_object_get(je, "num_requests")),
                     (json_int_t)e->num_requests);
        cr_assert_eq(json_integer_value(json_object_get(je, "num_failures")),
                     (json_int_t)e->num_failures);
        json_t *rt = json_object_get(je, "response_time_ns");
        cr_assert_eq(json_integer_value(json_object_get(rt, "min")),
                     (json_int_t)mp_hist_min(e->rt));
        cr_assert_eq(json_integer_value(json_object_get(rt, "max")),
                     (json_int_t)mp_hist_max(e->rt));
        cr_assert_eq(json_real_value(json_object_get(rt, "mean")), mp_hist_mean(e->rt));
        cr_assert_eq(
            json_integer_value(json_object_get(json_object_get(rt, "percentiles"), "99.9")),
            (json_int_t)mp_hist_quantile(e->rt, 0.999));
        /* the histogram, rebuilt from its [value, count] pairs, is the same histogram */
        json_t *pairs_j = json_object_get(rt, "histogram");
        mp_hist *again  = mp_hist_new();
        uint64_t total  = 0;
        for (size_t k = 0; k < json_array_size(pairs_j); k++) {
            json_t *p  = json_array_get(pairs_j, k);
            uint64_t v = (uint64_t)json_integer_value(json_array_get(p, 0));
            uint64_t n = (uint64_t)json_integer_value(json_array_get(p, 1));
            mp_hist_record_n(again, v, n);
            total += n;
        }
        cr_assert_eq(total, e->num_requests);
        static pairs pa, pb;
        pa.n = pb.n = 0;
        mp_hist_each(e->rt, collect, &pa);
        mp_hist_each(again, collect, &pb);
        cr_assert_eq(pa.n, json_array_size(pairs_j));
        cr_assert_eq(pa.n, pb.n);
        for (size_t k = 0; k < pa.n; k++) {
            cr_assert_eq(pa.v[k], pb.v[k]);
            cr_assert_eq(pa.c[k], pb.c[k]);
        }
        mp_hist_free(again);
    }
    cr_assert_gt(json_array_size(json_object_get(
                     json_object_get(json_array_get(entries, 3), "response_time_ns"), "histogram")),
                 300);
    json_t *failures = json_object_get(root, "failures");
    cr_assert_eq(json_array_size(failures), 2);
    /* sorted by name: /b before /big; the invalid byte became U+FFFD */
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(failures, 0), "error")),
                     "HTTP 500");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(failures, 1), "error")),
                     "bad byte \xef\xbf\xbd here");
    json_t *x = json_array_get(json_object_get(root, "exceptions"), 0);
    cr_assert_eq(json_integer_value(json_object_get(x, "count")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(x, "traceback")),
                     "s.yaml:3:4 (task t, step 1)");
    json_decref(root);
    free(got);

    /* Metadata that is not a JSON object is refused, and nothing is written. */
    cap_open(&c);
    cr_assert_eq(ld_write_json(s, 2.0, "[1, 2", c.f), -1);
    cr_assert_eq(ld_write_json(s, 2.0, "[1, 2]", c.f), -1);
    got = cap_close(&c);
    cr_assert_str_eq(got, "");
    free(got);
    /* No metadata: null. */
    cap_open(&c);
    cr_assert_eq(ld_write_json(s, 2.0, NULL, c.f), 0);
    got  = cap_close(&c);
    root = json_loads(got, 0, &jerr);
    cr_assert(json_is_null(json_object_get(root, "meta")));
    json_decref(root);
    free(got);
    ld_stats_free(s);
}

MP_TEST(ldstats, console_table_and_progress)
{
    ld_stats *s = small_case();
    capture c;
    cap_open(&c);
    ld_print_table(s, 2.0, c.f);
    char *got = cap_close(&c);
    cr_assert_str_eq(
        got,
        "Requests (response times in ms)\n"
        "Type     Name                       # reqs        # fails |      Avg      Min      Max  "
        "    Med |    req/s failures/s\n"
        "--------|-------------------------|---------|---------------|---------|---------|------"
        "---|---------|---------|-----------\n"
        "GET      /a                              3       0(0.00%) |     20.0     10.0     30.0 "
        "    20.1 |     1.50       0.00\n"
        "POST     /b                              1     1(100.00%) |    150.0    150.0    150.0 "
        "   150.0 |     0.50       0.50\n"
        "--------|-------------------------|---------|---------------|---------|---------|------"
        "---|---------|---------|-----------\n"
        "         Aggregated                      4      1(25.00%) |     52.5     10.0    150.0 "
        "    20.1 |     2.00       0.50\n"
        "\n"
        "Response time percentiles (ms; nearest rank, within 1%)\n"
        "Type     Name                         50%     66%     75%     80%     90%     95%     98%"
        "     99%   99.9%  99.99%    100%   # reqs\n"
        "--------|-------------------------|--------|--------|--------|--------|--------|--------"
        "|--------|--------|--------|--------|--------|---------\n"
        "GET      /a                          20.1    20.1    30.0    30.0    30.0    30.0    30.0"
        "    30.0    30.0    30.0    30.0        3\n"
        "POST     /b                         150.0   150.0   150.0   150.0   150.0   150.0   150.0"
        "   150.0   150.0   150.0   150.0        1\n"
        "--------|-------------------------|--------|--------|--------|--------|--------|--------"
        "|--------|--------|--------|--------|--------|---------\n"
        "         Aggregated                  20.1    30.0    30.0   150.0   150.0   150.0   150.0"
        "   150.0   150.0   150.0   150.0        4\n"
        "\n"
        "Error report\n"
        "# occurrences      Error\n"
        "------------------|------------------------------------------------\n"
        "1                  POST /b: HTTP 500\n"
        "\n"
        "Exceptions\n"
        "# occurrences      Message (where)\n"
        "------------------|------------------------------------------------\n"
        "2                  no value, for x (s.yaml:3:4 (task t, step 1))\n");
    free(got);

    cap_open(&c);
    ld_print_progress(s, 3.25, 12, at(3.5), c.f);
    got = cap_close(&c);
    /* current rate: 4 requests in complete seconds 0..2; p95/p99 of 4 values: the 4th, exact */
    cr_assert_str_eq(got, "    3.2s  users 12  reqs 4  fails 1 (25.00%)  1.3 req/s  "
                          "p50 20.1  p95 150.0  p99 150.0 ms\n");
    free(got);
    ld_stats_free(s);
}
