#include <criterion/criterion.h>

#include "leakcheck.h"
#include <string.h>

#include "util/err.h"
#include "util/opts.h"
#include "util/rng.h"
#include "util/sb.h"

MP_TEST(sb, grows_and_formats)
{
    sb s = {0};
    cr_assert_str_eq(sb_str(&s), "");
    for (int i = 0; i < 1000; i++)
        sb_addf(&s, "%d,", i % 10);
    cr_assert_eq(s.len, 2000);
    cr_assert_eq(strncmp(s.buf, "0,1,2,", 6), 0);
    sb_truncate(&s, 3);
    cr_assert_str_eq(sb_str(&s), "0,1");
    sb_add(&s, "\0x", 2);
    cr_assert_eq(s.len, 5);
    char *d = sb_detach(&s);
    cr_assert_eq(s.len, 0);
    cr_assert_null(s.buf);
    cr_assert_eq(d[3], '\0');
    free(d);
}

/* One escaper serves the flame graph, the report's SVG charts and its HTML page. */
MP_TEST(sb, escapes_xml)
{
    sb s = {0};
    sb_add_xml(&s, "a<b> & \"c\" 'd'\x01\te\nf\x7f");
    cr_assert_str_eq(sb_str(&s), "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;\te\nf\x7f");
    sb_reset(&s);
    sb_add_xml(&s, "");
    cr_assert_str_eq(sb_str(&s), "");
    sb_free(&s);
}

MP_TEST(err, formats_location)
{
    mp_err e;
    cr_assert_eq(mp_fail_at(&e, "a.yaml", 3, 7, "expected %s", "a mapping"), -1);
    cr_assert_str_eq(e.msg, "a.yaml:3:7: expected a mapping");
    mp_fail_wrap(&e, "loading scenario");
    cr_assert_str_eq(e.msg, "loading scenario: a.yaml:3:7: expected a mapping");
}

MP_TEST(opts, durations)
{
    double s;
    cr_assert_eq(mp_parse_duration("90", &s), 0);
    cr_assert_float_eq(s, 90, 1e-12);
    cr_assert_eq(mp_parse_duration("1h30m", &s), 0);
    cr_assert_float_eq(s, 5400, 1e-9);
    cr_assert_eq(mp_parse_duration("250ms", &s), 0);
    cr_assert_float_eq(s, 0.25, 1e-12);
    cr_assert_eq(mp_parse_duration("1.5s", &s), 0);
    cr_assert_float_eq(s, 1.5, 1e-12);
    cr_assert_eq(mp_parse_duration("10us", &s), 0);
    cr_assert_float_eq(s, 1e-5, 1e-15);
    cr_assert_eq(mp_parse_duration("-1s", &s), -1);
    cr_assert_eq(mp_parse_duration("5x", &s), -1);
    cr_assert_eq(mp_parse_duration("", &s), -1);
    cr_assert_eq(mp_parse_duration("1m5", &s), -1);
}

MP_TEST(opts, parses_mixed_arguments)
{
    long users  = 0;
    double rate = 0, runtime = 0;
    int quiet                  = 0;
    const char *csv            = NULL;
    struct opt_list hosts      = {0};
    const struct opt options[] = {
        {OPT_INT, 'u', "users", &users, "N", "users"},
        {OPT_DOUBLE, 0, "rate", &rate, "R", "rate"},
        {OPT_DURATION, 't', "run-time", &runtime, NULL, "time"},
        {OPT_FLAG, 'q', "quiet", &quiet, NULL, "quiet"},
        {OPT_STRING, 0, "csv", &csv, "PREFIX", "csv"},
        {OPT_LIST, 'H', "host", &hosts, "URL", "hosts"},
        OPT_END_(),
    };
    const struct opt_usage usage = {"test", "[options] FILE", NULL};
    char *argv[] = {"test", "-u10", "a.yaml", "--rate=2.5", "-t", "1m", "-q", "--csv",
                    "out",  "-H",   "h1",     "--host=h2",  "--", "-x", "y",  NULL};
    int dd       = -1;
    int n        = opts_parse(15, argv, options, &usage, &dd);
    cr_assert_eq(n, 3);
    cr_assert_eq(dd, 1);
    cr_assert_str_eq(argv[0], "a.yaml");
    cr_assert_str_eq(argv[1], "-x");
    cr_assert_str_eq(argv[2], "y");
    cr_assert_eq(users, 10);
    cr_assert_float_eq(rate, 2.5, 1e-12);
    cr_assert_float_eq(runtime, 60, 1e-12);
    cr_assert_eq(quiet, 1);
    cr_assert_str_eq(csv, "out");
    cr_assert_eq(hosts.n, 2);
    cr_assert_str_eq(hosts.items[1], "h2");
    opt_list_free(&hosts);

    char *bad[] = {"test", "--nope", NULL};
    cr_assert_eq(opts_parse(2, bad, options, &usage, NULL), OPTS_ERROR);
    char *bad2[] = {"test", "-u", "ten", NULL};
    cr_assert_eq(opts_parse(3, bad2, options, &usage, NULL), OPTS_ERROR);
    char *noq[] = {"test", "--no-quiet", NULL};
    cr_assert_eq(opts_parse(2, noq, options, &usage, NULL), 0);
    cr_assert_eq(quiet, 0);
}

MP_TEST(rng, streams_are_reproducible_and_uniform)
{
    mp_rng a, b, c;
    mp_rng_seed(&a, 42, 1);
    mp_rng_seed(&b, 42, 1);
    mp_rng_seed(&c, 42, 2);
    int same_c = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = mp_rng_next(&a);
        cr_assert_eq(x, mp_rng_next(&b));
        same_c += x == mp_rng_next(&c);
    }
    cr_assert_eq(same_c, 0);
    long counts[6] = {0};
    for (int i = 0; i < 60000; i++) {
        int64_t v = mp_rng_range(&a, 1, 6);
        cr_assert(v >= 1 && v <= 6);
        counts[v - 1]++;
    }
    for (int i = 0; i < 6; i++)
        cr_assert(counts[i] > 9500 && counts[i] < 10500);
}
