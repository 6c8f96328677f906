/* mixperf's --csv files against the ones Locust itself writes. The same synthetic requests go
 * through ld_stats and, via tests/unit/locust_driver.py under Debian's /usr/bin/python3, through
 * Locust 2.x's own RequestStats and StatsCSVFileWriter on a fake clock (no network). Headers must
 * be byte-identical; data rows are compared field by field, and every field is compared except
 * where the two definitions differ on purpose (documented in docs/outputs.md). */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/stats.h"
#include "load/stats_fmt.h"
#include "util/mem.h"
#include "util/rng.h"
#include "util/sb.h"

#define PYTHON "/usr/bin/python3"
#define DRIVER MP_SOURCE_DIR "/tests/unit/locust_driver.py"
#define NS 1000000000ull
#define MS 1000000ull
#define T0 1700000000ull /* the run's start second */

/* ---- helpers ---- */

/* Each test works in its own temporary directory, removed by the fixture even when an assertion
 * ends the test early (Criterion runs each test in its own process, so this is per test). */
static char tmpdir[] = "/tmp/mp_locust_XXXXXX";

static void make_tmpdir(void)
{
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    if (strstr(tmpdir, "XXXXXX")) return;
    sb cmd = {0};
    sb_addf(&cmd, "rm -rf '%s'", tmpdir);
    if (system(sb_str(&cmd)) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    sb_free(&cmd);
}

TestSuite(locust_compat, .init = make_tmpdir, .fini = remove_tmpdir);

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    sb s = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&s, buf, n);
    fclose(f);
    return sb_detach(&s);
}

static void run_driver(const char *mode, const char *a, const char *b)
{
    sb cmd = {0};
    sb_addf(&cmd, "%s '%s' %s '%s' '%s'", PYTHON, DRIVER, mode, a, b);
    int rc = system(sb_str(&cmd));
    cr_assert_eq(rc, 0, "%s exited with %d", sb_str(&cmd), rc);
    sb_free(&cmd);
}

/* Records of a CSV file: split at the "\r\n" row terminator (a quoted field may hold a bare
 * "\n", as Locust's exceptions file does). */
static size_t split_rows(char *text, char **rows, size_t cap)
{
    size_t n = 0;
    char *p  = text;
    while (*p) {
        char *end = strstr(p, "\r\n");
        cr_assert_not_null(end, "row without \\r\\n terminator: %s", p);
        *end = '\0';
        cr_assert_lt(n, cap);
        rows[n++] = p;
        p         = end + 2;
    }
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fields of one row, unquoted (excel dialect). */
static size_t split_fields(const char *row, char **fields, size_t cap)
{
    size_t n      = 0;
    const char *p = row;
    for (;;) {
        sb f = {0};
        sb_add(&f, "", 0);
        if (*p == '"') {
            for (p++;; p++) {
                cr_assert(*p, "unterminated quoted field in %s", row);
                if (*p == '"' && p[1] == '"') {
                    sb_addc(&f, '"');
                    p++;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    sb_addc(&f, *p);
                }
            }
        } else {
            while (*p && *p != ',')
                sb_addc(&f, *p++);
        }
        cr_assert_lt(n, cap);
        fields[n++] = sb_detach(&f);
        if (*p != ',') break;
        p++;
    }
    return n;
}

static void free_fields(char **fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fields[i]);
}

/* ---- the synthetic run, shared by both sides ---- */

typedef struct synth {
    json_t *events; /* what the driver replays */
    ld_stats *stats;
    ld_history *hist;
    FILE *history_csv;
    uint64_t last_request_ns;
} synth;

static void synth_request(synth *y, uint64_t t_ns, const char *method, const char *name,
                          double latency_ms, uint64_t content_length, const char *error)
{
    uint64_t lat = (uint64_t)llround(latency_ms * (double)MS);
    json_array_append_new(y->events,
                          json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:s?}", "kind", "request",
                                    "t_ns", (json_int_t)t_ns, "method", method, "name", name,
                                    "latency_ns", (json_int_t)lat, "content_length",
                                    (json_int_t)content_length, "error", error));
    size_t e = ld_stats_intern(y->stats, method, name);
    ld_stats_record(y->stats, e, lat, content_length, t_ns, error);
    y->last_request_ns = t_ns;
}

static void synth_exception(synth *y, uint64_t t_ns, const char *message, const char *where)
{
    json_array_append_new(y->events,
                          json_pack("{s:s, s:I, s:s, s:s}", "kind", "exception", "t_ns",
                                    (json_int_t)t_ns, "message", message, "where", where));
    ld_stats_exception(y->stats, message, where);
}

static void synth_history(synth *y, uint64_t t_ns)
{
    json_array_append_new(y->events,
                          json_pack("{s:s, s:I}", "kind", "history", "t_ns", (json_int_t)t_ns));
    cr_assert_eq(ld_history_write_rows(y->hist, y->stats, t_ns, 10, y->history_csv), 0);
}

/* Offsets inside a second are sixteenths, so every timestamp and every float sum is exact on
 * both sides; latencies keep their histogram value on the same side of Locust's rounding steps
 * as the exact value, so the rounded columns are deterministic. Phase B (the last 15 s) is much
 * slower than phase A, so "current" percentiles differ from whole-run ones. */
#define SECONDS 30
#define SIXTEENTH (NS / 16)

static void synth_run(synth *y)
{
    static const double root_a[4] = {3, 7, 12, 57}, root_b[4] = {147, 230, 980, 3432};
    static const double post_a[2] = {0.75, 41}, post_b[2] = {64321, 18};
    ld_stats_intern(y->stats, "DELETE", "/never"); /* interned, never requested: not listed */
    for (uint64_t s = 0; s < SECONDS; s++) {
        uint64_t base = (T0 + s) * NS;
        int b         = s >= SECONDS / 2;
        synth_request(y, base + 1 * SIXTEENTH, "GET", "/", (b ? root_b : root_a)[0], 1024, NULL);
        synth_request(y, base + 2 * SIXTEENTH, "GET", "/post/[slug]", (b ? post_b : post_a)[0],
                      5000 + s, NULL);
        synth_request(y, base + 4 * SIXTEENTH, "GET", "/", (b ? root_b : root_a)[1], 1024, NULL);
        if (s == 5)
            synth_exception(y, base + 5 * SIXTEENTH, "variable 'slug' has no value",
                            "blog.yaml:40:11 (task publish, step 2)");
        if (s == 7) /* same place, other message: Locust keeps the first message */
            synth_exception(y, base + 5 * SIXTEENTH, "variable 'id' has no value",
                            "blog.yaml:40:11 (task publish, step 2)");
        if (s == 9)
            synth_exception(y, base + 5 * SIXTEENTH, "bad \"quote\", and\nnewline",
                            "blog.yaml:7:3 (on_start)");
        synth_request(y, base + 6 * SIXTEENTH, "POST", "/login", b ? 1234 : 25, 0, NULL);
        synth_request(y, base + 8 * SIXTEENTH, "GET", "/", (b ? root_b : root_a)[2], 1024, NULL);
        synth_request(y, base + 10 * SIXTEENTH, "GET", "/post/[slug]", (b ? post_b : post_a)[1],
                      5000 + 2 * s, "body does not contain \"Welcome, editor\"");
        synth_request(y, base + 12 * SIXTEENTH, "GET", "/", (b ? root_b : root_a)[3], 1024,
                      "expected status 200, got 500");
        synth_history(y, base + 31 * NS / 32);
    }
}

/* Locust's current rates lag two seconds behind ours (it waits for distributed workers), so the
 * history's rate columns agree once both 10-second windows lie inside the constant-rate traffic:
 * from Locust's first full window, 12 s in. */
#define RATES_COMPARABLE_FROM (T0 + 12)

MP_TEST(locust_compat, csv_files_match_locust)
{
    const char *dir        = tmpdir;
    sb path                = {0};
    synth y                = {0};
    y.events               = json_array();
    y.stats                = ld_stats_new();
    y.stats->start_wall_ns = T0 * NS;
    y.hist                 = ld_history_new();
    sb_addf(&path, "%s/mp_stats_history.csv", dir);
    y.history_csv = fopen(sb_str(&path), "wb");
    cr_assert_not_null(y.history_csv);
    cr_assert_eq(ld_write_history_header(y.history_csv), 0);
    synth_run(&y);
    fclose(y.history_csv);

    /* Locust's Requests/s divides by (last request - start); give ours the same elapsed time. */
    double elapsed_s                 = (double)(y.last_request_ns - T0 * NS) / 1e9;
    static const char *const names[] = {"stats", "failures", "exceptions"};
    for (size_t i = 0; i < 3; i++) {
        sb_reset(&path);
        sb_addf(&path, "%s/mp_%s.csv", dir, names[i]);
        FILE *f = fopen(sb_str(&path), "wb");
        cr_assert_not_null(f);
        int rc = i == 0   ? ld_write_stats_csv(y.stats, elapsed_s, f)
                 : i == 1 ? ld_write_failures_csv(y.stats, f)
                          : ld_write_exceptions_csv(y.stats, f);
        cr_assert_eq(rc, 0);
        fclose(f);
    }

    json_t *spec = json_pack("{s:I, s:i, s:o}", "start_ns", (json_int_t)(T0 * NS), "user_count", 10,
                             "events", y.events);
    sb_reset(&path);
    sb_addf(&path, "%s/events.json", dir);
    cr_assert_eq(json_dump_file(spec, sb_str(&path), 0), 0);
    json_decref(spec);
    sb prefix = {0};
    sb_addf(&prefix, "%s/locust", dir);
    run_driver("csv", sb_str(&path), sb_str(&prefix));

    static const char *const files[] = {"stats", "stats_history", "failures", "exceptions"};
    for (size_t fi = 0; fi < 4; fi++) {
        sb_reset(&path);
        sb_addf(&path, "%s/mp_%s.csv", dir, files[fi]);
        char *ours = slurp(sb_str(&path));
        sb_reset(&path);
        sb_addf(&path, "%s/locust_%s.csv", dir, files[fi]);
        char *theirs = slurp(sb_str(&path));
        char *ro[256], *rt[256];
        size_t no = split_rows(ours, ro, 256), nt = split_rows(theirs, rt, 256);
        cr_assert_gt(nt, 1, "%s: Locust wrote no data rows", files[fi]);
        cr_assert_eq(no, nt, "%s: %zu rows, Locust %zu", files[fi], no, nt);
        /* The header line, byte for byte. */
        cr_assert_str_eq(ro[0], rt[0], "%s header", files[fi]);

        if (fi == 2) { /* failures: Locust's row order is a hash order; compare as sets */
            qsort(ro + 1, no - 1, sizeof *ro, cmp_str);
            qsort(rt + 1, nt - 1, sizeof *rt, cmp_str);
        }
        char *hdr[64];
        size_t nh       = split_fields(rt[0], hdr, 64);
        size_t compared = 0, skipped = 0;
        for (size_t r = 1; r < no; r++) {
            char *fo[64], *ft[64];
            size_t nfo = split_fields(ro[r], fo, 64), nft = split_fields(rt[r], ft, 64);
            cr_assert_eq(nfo, nh, "%s row %zu: %zu fields", files[fi], r, nfo);
            cr_assert_eq(nft, nh);
            int early = fi == 1 && strtoull(ft[0], NULL, 10) < RATES_COMPARABLE_FROM;
            for (size_t c = 0; c < nh; c++) {
                if (early &&
                    (strcmp(hdr[c], "Requests/s") == 0 || strcmp(hdr[c], "Failures/s") == 0)) {
                    skipped++;
                    continue;
                }
                cr_expect_str_eq(fo[c], ft[c], "%s row %zu (%s %s) column '%s': ours %s, Locust %s",
                                 files[fi], r, ft[fi == 1 ? 2 : 0], ft[fi == 1 ? 3 : 1], hdr[c],
                                 fo[c], ft[c]);
                compared++;
            }
            free_fields(fo, nfo);
            free_fields(ft, nft);
        }
        free_fields(hdr, nh);
        /* Everything but the early history rates was compared. */
        cr_assert_eq(skipped, fi == 1 ? 2 * 4 * (RATES_COMPARABLE_FROM - T0) : 0);
        cr_assert_gt(compared, 0);
        free(ours);
        free(theirs);
    }

    /* The stats file is identical as a whole, not only field by field. */
    sb_reset(&path);
    sb_addf(&path, "%s/mp_stats.csv", dir);
    char *ours = slurp(sb_str(&path));
    sb_reset(&path);
    sb_addf(&path, "%s/locust_stats.csv", dir);
    char *theirs = slurp(sb_str(&path));
    cr_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);

    ld_history_free(y.hist);
    ld_stats_free(y.stats);
    sb_free(&prefix);
    sb_free(&path);
}

/* ---- number formatting against Python itself ---- */

static void floats_through_python(const char *mode, const double *xs, size_t n, char **out)
{
    const char *dir = tmpdir;
    sb in = {0}, res = {0};
    sb_addf(&in, "%s/in.txt", dir);
    sb_addf(&res, "%s/out.txt", dir);
    FILE *f = fopen(sb_str(&in), "w");
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%a\n", xs[i]);
    fclose(f);
    run_driver(mode, sb_str(&in), sb_str(&res));
    char *text = slurp(sb_str(&res));
    size_t k   = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        out[k++] = xstrdup(line);
    cr_assert_eq(k, n);
    free(text);
    sb_free(&in);
    sb_free(&res);
}

MP_TEST(locust_compat, float_repr_matches_python)
{
    enum { N = 20000 };
    double *xs                  = xmalloc(N * sizeof *xs);
    size_t n                    = 0;
    static const double fixed[] = {
        0.0,     -0.0, 1.0,    0.1,       0.3,           1e16,   9999999999999998.0,     1e15,
        1e-4,    1e-5, 1.5e-5, 0.0001234, 123456789.125, 5e-324, 1.7976931348623157e308, 2.0 / 3,
        896.075, 1e22, 1e23};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        xs[n++] = fixed[i];
    xs[n++] = 0.1 + 0.2;
    mp_rng r;
    mp_rng_seed(&r, 7, 0);
    /* Powers of two and their neighbours: where the shortest-digits search is delicate. */
    for (int e = -1074; e <= 1023 && n < 2200; e += 1) {
        double p = ldexp(1.0, e);
        xs[n++]  = p;
        if (e % 3 == 0) xs[n++] = nextafter(p, 0);
    }
    while (n < N / 2) { /* arbitrary finite bit patterns */
        uint64_t bits = mp_rng_next(&r);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (isfinite(x)) xs[n++] = x;
    }
    while (n < N) { /* what the CSV really prints: ms, rates, sizes */
        double x = mp_rng_double(&r) * pow(10, (double)mp_rng_range(&r, -6, 9));
        double q = (double)mp_rng_below(&r, 100000) / (double)(1 + mp_rng_below(&r, 997));
        xs[n]    = n % 2 ? x : q;
        n++;
    }
    char **want = xmalloc(N * sizeof *want);
    floats_through_python("repr", xs, N, want);
    sb got = {0};
    for (size_t i = 0; i < N; i++) {
        sb_reset(&got);
        ld_fmt_pyfloat(&got, xs[i]);
        cr_assert_str_eq(sb_str(&got), want[i], "repr(%a)", xs[i]);
        free(want[i]);
    }
    sb_free(&got);
    free(want);
    free(xs);
}

MP_TEST(locust_compat, response_time_rounding_matches_locust)
{
    enum { N = 5000 };
    double *xs = xmalloc(N * sizeof *xs);
    size_t n   = 0;
    /* Exact ties at every step, and both sides of each threshold. */
    static const double fixed[] = {0.5,    1.5,    2.5,     99.5,    99.49,        100.0,   145.0,
                                   155.0,  995.0,  999.0,   999.5,   1000.0,       1050.0,  1150.0,
                                   9950.0, 9999.0, 10000.0, 10500.0, 11500.0,      58760.0, 3432.0,
                                   147.0,  0.0,    1e-3,    3.6e6,   3.6e6 + 500.0};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        xs[n++] = fixed[i];
    mp_rng r;
    mp_rng_seed(&r, 11, 0);
    while (n < N) {
        double x = mp_rng_double(&r) * pow(10, (double)mp_rng_range(&r, -2, 6));
        /* and values on a 0.5 grid, which hit the ties often */
        double g = (double)mp_rng_below(&r, 40000) / 2 * pow(10, (double)mp_rng_range(&r, 0, 2));
        xs[n]    = n % 3 ? x : g;
        n++;
    }
    char **want = xmalloc(N * sizeof *want);
    floats_through_python("round", xs, N, want);
    for (size_t i = 0; i < N; i++) {
        double w = strtod(want[i], NULL);
        cr_assert_eq(ld_locust_round(xs[i]), w, "round(%a) = %a, Locust %a", xs[i],
                     ld_locust_round(xs[i]), w);
        free(want[i]);
    }
    free(want);
    free(xs);
}
