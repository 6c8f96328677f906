/* The figures of `mixperf report` on a hand-made lattice: 2 units, 2 variants (00 01 10 11), a
 * results file written here, and a manifest either sampled (r = 3 samples of s = 2) or a census.
 * Values per cell are chosen so that each configuration's overhead is exact: 00 -> 1, 01 -> 2,
 * 10 -> 1.5, 11 -> 4. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/figures.h"
#include "report/summary.h"
#include "util/sb.h"

typedef struct fixture {
    char dir[64];
    sb results, manifest;
} fixture;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* Three ok runs at mean-0.1, mean, mean+0.1 (mean NAN: three failed runs). */
static void cell(sb *o, const char *rt, const char *config, double mean)
{
    for (int i = 0; i < 3; i++) {
        double v = mean + 0.1 * (i - 1);
        sb_addf(o,
                "{\"schema\":\"mixperf.run/1\",\"experiment\":\"t\",\"runtime\":\"%s\","
                "\"benchmark\":\"b\",\"config\":\"%s\",\"cell\":\"%s/b/%s\",\"metric\":\"wall\","
                "\"unit\":\"s\",\"index\":%d,\"round\":%d,\"warmup\":false,\"status\":\"%s\","
                "\"value\":",
                rt, config, rt, config, i, i, isnan(mean) ? "failed" : "ok");
        if (isnan(mean))
            sb_adds(o, "null");
        else
            sb_addf(o, "%.17g", v);
        sb_adds(o, ",\"duration_s\":1,\"seed\":1,\"rule\":{\"method\":\"t\",\"confidence\":0.95,"
                   "\"target\":0.01,\"min_runs\":3,\"max_runs\":3,\"max_time_s\":60,"
                   "\"warmup_runs\":0}}\n");
    }
}

/* units fractions of "untyped" per configuration: 1, 0.5, 0.5, 0; lines: 1, 0.75, 0.25, 0 */
static const char *configs_json =
    "\"configurations\":["
    "{\"id\":\"00\",\"fractions\":{\"units\":{\"untyped\":1,\"typed\":0},"
    "\"lines\":{\"untyped\":1,\"typed\":0}}},"
    "{\"id\":\"01\",\"fractions\":{\"units\":{\"untyped\":0.5,\"typed\":0.5},"
    "\"lines\":{\"untyped\":0.75,\"typed\":0.25}}},"
    "{\"id\":\"10\",\"fractions\":{\"units\":{\"untyped\":0.5,\"typed\":0.5},"
    "\"lines\":{\"untyped\":0.25,\"typed\":0.75}}},"
    "{\"id\":\"11\",\"fractions\":{\"units\":{\"untyped\":0,\"typed\":1},"
    "\"lines\":{\"untyped\":0,\"typed\":1}}}]";

static void setup_fx(fixture *fx, int sampled, int census_gaps, rp_summary *s)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mp_figures_XXXXXX");
    cr_assert(mkdtemp(fx->dir));
    sb_addf(&fx->manifest, "%s/manifest.json", fx->dir);
    sb m = {0};
    sb_addf(&m,
            "{\"schema\":\"mixperf.mix/1\",\"inputs\":{\"variants\":[{\"index\":0,\"name\":"
            "\"untyped\"},{\"index\":1,\"name\":\"typed\"}]},\"lattice\":{\"size\":4},%s,"
            "\"sampling\":",
            configs_json);
    if (sampled)
        sb_adds(&m, "{\"samples\":[[\"01\",\"10\"],[\"10\",\"11\"],[\"01\",\"11\"]]}}");
    else
        sb_adds(&m, "null}");
    write_file(sb_str(&fx->manifest), sb_str(&m));
    sb_free(&m);
    sb r = {0};
    cell(&r, "py", "00", 1);
    cell(&r, "py", "01", census_gaps ? NAN : 2);
    cell(&r, "py", "10", 1.5);
    if (!census_gaps) cell(&r, "py", "11", 4);
    /* a second runtime twice as slow everywhere: the same overheads against its own baseline */
    cell(&r, "slow", "00", 2);
    cell(&r, "slow", "01", 4);
    cell(&r, "slow", "10", 3);
    cell(&r, "slow", "11", 8);
    sb_addf(&fx->results, "%s/r.jsonl", fx->dir);
    write_file(sb_str(&fx->results), sb_str(&r));
    sb_free(&r);
    mp_err err;
    cr_assert_eq(rp_summary_load(s, sb_str(&fx->results), NULL, &err), 0, "%s", err.msg);
}

static void teardown_fx(fixture *fx, rp_summary *s)
{
    rp_summary_free(s);
    unlink(sb_str(&fx->results));
    unlink(sb_str(&fx->manifest));
    rmdir(fx->dir);
    sb_free(&fx->results);
    sb_free(&fx->manifest);
}

static rp_fig_opts opts(const char *manifest, double confidence)
{
    rp_fig_opts o = {0};
    o.manifest    = manifest;
    o.confidence  = confidence;
    o.method      = RP_FIELLER;
    o.df          = MP_DF_WELCH;
    o.seed        = 1;
    return o;
}

MP_TEST(figures, sampled_share_is_the_mean_over_samples_with_a_t_band)
{
    fixture fx;
    rp_summary s;
    setup_fx(&fx, 1, 0, &s);
    rp_fig_opts o = opts(sb_str(&fx.manifest), 0.5);
    rp_deliverable d;
    mp_err err;
    /* D = 2.5: sample 1 {01: 2, 10: 1.5} -> 1; sample 2 {10, 11: 4} -> 1/2; sample 3 {01, 11}
     * -> 1/2; mean 2/3, sample sd sqrt(1/12), t_{0.75, 2} = 1/sqrt(1.5) */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 2.5, &d, &err), 0, "%s", err.msg);
    cr_assert(d.sampled);
    cr_assert_eq(d.measured, 6);
    cr_assert_eq(d.unmeasured, 0);
    cr_assert_eq(d.failed, 0);
    double hw = (1 / sqrt(1.5)) * sqrt(1.0 / 12) / sqrt(3);
    cr_assert_float_eq(d.share, 2.0 / 3, 1e-12);
    cr_assert_float_eq(d.lo, 2.0 / 3 - hw, 1e-9, "lo %.12g", d.lo);
    cr_assert_float_eq(d.hi, 2.0 / 3 + hw, 1e-9, "hi %.12g", d.hi);
    /* D = 1.5 is inclusive: 1/2, 1/2, 0 */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 1.5, &d, &err), 0);
    cr_assert_float_eq(d.share, 1.0 / 3, 1e-12);
    /* D = 4: every sampled configuration; the band collapses (all samples agree) */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "slow", 4, &d, &err), 0);
    cr_assert_float_eq(d.share, 1, 1e-12);
    cr_assert_float_eq(d.lo, 1, 1e-12);
    cr_assert_float_eq(d.hi, 1, 1e-12);
    /* the other runtime against its own untyped configuration: the same curve */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "slow", 2.5, &d, &err), 0);
    cr_assert_float_eq(d.share, 2.0 / 3, 1e-12);
    /* against py's untyped configuration, slow's overheads double: 2, 4, 3, 8 */
    o.reference_runtime = "py";
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "slow", 2.5, &d, &err), 0);
    cr_assert_float_eq(d.share, 0, 1e-12);
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "slow", 4, &d, &err), 0);
    cr_assert_float_eq(d.share, 2.0 / 3, 1e-12);
    o.reference_runtime = NULL;
    /* a runtime without cells has no baseline */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "nope", 2.5, &d, &err), -1);
    cr_assert_str_eq(err.msg, "runtime 'nope' has no measured 00 configuration of 'b'");
    teardown_fx(&fx, &s);
}

MP_TEST(figures, census_counts_failed_against_and_brackets_with_surely_possibly)
{
    fixture fx;
    rp_summary s;
    setup_fx(&fx, 0, 1, &s);
    rp_fig_opts o = opts(sb_str(&fx.manifest), 0.95);
    rp_deliverable d;
    mp_err err;
    /* py: 00 (1, its own baseline: exactly 1), 01 failed, 10 (1.5 with a Fieller interval that
     * holds 1.45 and 1.55 but neither 1 nor 2), 11 not measured */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 1.45, &d, &err), 0, "%s", err.msg);
    cr_assert(!d.sampled);
    cr_assert_eq(d.measured, 3);
    cr_assert_eq(d.unmeasured, 1);
    cr_assert_eq(d.failed, 1);
    cr_assert_float_eq(d.share, 1.0 / 3, 1e-12);
    cr_assert_float_eq(d.lo, 1.0 / 3, 1e-12);
    cr_assert_float_eq(d.hi, 2.0 / 3, 1e-12);
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 1.55, &d, &err), 0);
    cr_assert_float_eq(d.share, 2.0 / 3, 1e-12);
    cr_assert_float_eq(d.lo, 1.0 / 3, 1e-12);
    cr_assert_float_eq(d.hi, 2.0 / 3, 1e-12);
    /* even at D = 100 the failed configuration is not deliverable */
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 100, &d, &err), 0);
    cr_assert_float_eq(d.share, 2.0 / 3, 1e-12);
    cr_assert_float_eq(d.lo, 2.0 / 3, 1e-12);
    teardown_fx(&fx, &s);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

MP_TEST(figures, svgs_have_a_curve_per_runtime_and_a_point_per_configuration)
{
    fixture fx;
    rp_summary s;
    setup_fx(&fx, 1, 0, &s);
    rp_fig_opts o = opts(sb_str(&fx.manifest), 0.95);
    o.fraction    = RP_FRAC_LINES;
    rp_figure *f;
    size_t n;
    mp_err err;
    cr_assert_eq(rp_figures_make(&s, &o, &f, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(f[0].name, "overhead-b.svg");
    cr_assert_str_eq(f[1].name, "typed-b.svg");
    cr_assert_str_eq(f[0].id, "fig0");
    cr_assert_str_eq(f[1].id, "fig1");
    cr_assert(strstr(sb_str(&f[1].svg), "<clipPath id=\"fig1-clip\">"));
    const char *ov = sb_str(&f[0].svg);
    cr_assert_eq(count(ov, "<polyline fill=\"none\" stroke=\"#0072b2\" stroke-width=\"2\" "
                           "data-series=\"py\""),
                 1, "%s", ov);
    cr_assert_eq(count(ov, "<polyline fill=\"none\" stroke=\"#e69f00\" stroke-width=\"2\" "
                           "data-series=\"slow\""),
                 1, "%s", ov);
    cr_assert_eq(count(ov, "<polygon"), 2); /* a band per runtime */
    cr_assert(strstr(ov, "py: 6 of 6 sampled; slow: 6 of 6 sampled"), "%s", ov);
    cr_assert(strstr(ov, "data-xlog=\"1\""));
    cr_assert(strstr(f[0].note, "r = 3 samples of s = 2 configurations"), "%s", f[0].note);
    /* the scatter: one point and one error bar per cell, x = the share of lines typed */
    const char *sc = sb_str(&f[1].svg);
    cr_assert_eq(count(sc, "<circle"), 8 + 2, "%s", sc); /* + a legend marker per runtime */
    cr_assert_eq(count(sc, "data-series=\"py\"/>"), 4 + 4);
    cr_assert_eq(count(sc, "data-series=\"slow\"/>"), 4 + 4);
    /* frame x 70..740 over -0.05..1.05: 10 has 0.75 of its lines typed */
    double x10 = 70 + (0.75 + 0.05) / 1.1 * 670;
    char want[64];
    snprintf(want, sizeof want, "<circle cx=\"%.1f\"", x10);
    cr_assert_eq(count(sc, want), 2, "%s in %s", want, sc);
    snprintf(want, sizeof want, "<circle cx=\"%.1f\"", 70 + (0.25 + 0.05) / 1.1 * 670);
    cr_assert_eq(count(sc, want), 2, "%s", want);
    rp_figures_free(f, n);
    /* the scatter's y as the overhead against one reference runtime */
    o.reference_runtime = "py";
    o.scatter_overhead  = 1;
    cr_assert_eq(rp_figures_make(&s, &o, &f, &n, &err), 0, "%s", err.msg);
    cr_assert_str_eq(f[0].title, "b: configurations D-deliverable vs untyped 00 on py");
    cr_assert_str_eq(f[1].title, "b: overhead vs untyped 00 on py, by share of typed lines");
    cr_assert(strstr(sb_str(&f[1].svg), "py: 4 cells; slow: 4 cells"));
    rp_figures_free(f, n);
    teardown_fx(&fx, &s);
}

MP_TEST(figures, no_figures_without_an_untyped_configuration)
{
    fixture fx;
    rp_summary s;
    setup_fx(&fx, 1, 0, &s);
    rp_summary_free(&s);
    /* only 01 and 10 */
    sb r = {0};
    cell(&r, "py", "01", 2);
    cell(&r, "py", "10", 1.5);
    write_file(sb_str(&fx.results), sb_str(&r));
    sb_free(&r);
    mp_err err;
    cr_assert_eq(rp_summary_load(&s, sb_str(&fx.results), NULL, &err), 0, "%s", err.msg);
    rp_fig_opts o = opts(NULL, 0.95);
    rp_figure *f;
    size_t n;
    cr_assert_eq(rp_figures_make(&s, &o, &f, &n, &err), 0);
    cr_assert_eq(n, 0);
    rp_figures_free(f, n);
    rp_deliverable d;
    cr_assert_eq(rp_deliverable_at(&s, &o, "b", "py", 2, &d, &err), -1);
    cr_assert_str_eq(err.msg, "benchmark 'b' has no all-zero configuration and another one");
    /* a manifest that is not one */
    write_file(sb_str(&fx.manifest), "{\"schema\":\"other\"}");
    o.manifest = sb_str(&fx.manifest);
    cr_assert_eq(rp_figures_make(&s, &o, &f, &n, &err), -1);
    cr_assert(strstr(err.msg, "not a mixperf mix manifest"), "%s", err.msg);
    teardown_fx(&fx, &s);
}
