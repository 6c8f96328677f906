/* Hot modules across runs (report/hotmods.h): the per-module mean and standard deviation of the
 * self and total shares over a cell's profiled runs, exact; which runs count (measured, ok, a
 * profile without error and with samples); the Markdown section and the CSV, byte for byte, from
 * a results file. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leakcheck.h"
#include "report/hotmods.h"
#include "report/summary.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    cr_assert(j, "bad JSON in the test: %s: %s", e.text, text);
    return j;
}

#define P_A                                                                                        \
    "{\"error\": null, \"samples\": 100, \"attempts\": 110, \"errors\": 2, \"sampled_s\": 1.0, "   \
    "\"modules\": [{\"module\": \"mod_a\", \"self\": 0.5, \"total\": 0.75}, {\"module\": "         \
    "\"mod_b\", \"self\": 0.25, \"total\": 0.25}, {\"module\": \"app\", \"self\": 0.25, "          \
    "\"total\": 1}]}"
#define P_B                                                                                        \
    "{\"error\": null, \"samples\": 50, \"attempts\": 60, \"errors\": 1, \"sampled_s\": 0.5, "     \
    "\"modules\": [{\"module\": \"mod_a\", \"self\": 0.75, \"total\": 0.875}, {\"module\": "       \
    "\"app\", \"self\": 0.25, \"total\": 1}]}"
#define P_ERR                                                                                      \
    "{\"error\": \"no CPython process in the server's process tree\", \"samples\": 0, "            \
    "\"modules\": []}"
#define P_EMPTY "{\"error\": null, \"samples\": 0, \"modules\": []}"

MP_TEST(hotmods, mean_and_sd_over_runs)
{
    json_t *p[4] = {parse(P_A), parse(P_ERR), parse(P_B), parse(P_EMPTY)};
    rp_hotcell h;
    rp_hot_aggregate((const json_t *const *)p, 4, &h);
    cr_assert_eq(h.runs, 2);
    cr_assert_eq(h.failed, 1);
    cr_assert_eq(h.empty, 1);
    cr_assert_str_eq(h.error, "no CPython process in the server's process tree");
    cr_assert_eq(h.samples, 150);
    cr_assert_eq(h.attempts, 170);
    cr_assert_eq(h.errors, 3);
    cr_assert_eq(h.sampled_s, 1.5);
    cr_assert_eq(h.nmods, 3);
    /* mod_a: self 0.5 and 0.75: mean 0.625, sd sqrt(2 * 0.125^2) = 0.125 * sqrt(2). */
    cr_assert_str_eq(h.mods[0].module, "mod_a");
    cr_assert_eq(h.mods[0].self_mean, 0.625);
    cr_assert_float_eq(h.mods[0].self_sd, 0.125 * sqrt(2.0), 1e-15);
    cr_assert_eq(h.mods[0].total_mean, 0.8125);
    cr_assert_float_eq(h.mods[0].total_sd, 0.0625 * sqrt(2.0), 1e-15);
    cr_assert_eq(h.mods[0].present, 2);
    /* app: 0.25 both times, ranks above mod_b (0.25 and a missing 0) */
    cr_assert_str_eq(h.mods[1].module, "app");
    cr_assert_eq(h.mods[1].self_mean, 0.25);
    cr_assert_eq(h.mods[1].self_sd, 0);
    cr_assert_eq(h.mods[1].total_mean, 1);
    cr_assert_eq(h.mods[1].total_sd, 0);
    cr_assert_str_eq(h.mods[2].module, "mod_b");
    cr_assert_eq(h.mods[2].self_mean, 0.125);
    cr_assert_float_eq(h.mods[2].self_sd, 0.125 * sqrt(2.0), 1e-15);
    cr_assert_eq(h.mods[2].total_mean, 0.125);
    cr_assert_eq(h.mods[2].present, 1);
    rp_hotcell_free(&h);
    for (int i = 0; i < 4; i++)
        json_decref(p[i]);
}

MP_TEST(hotmods, one_run_has_no_sd_and_ties_break_by_total_then_name)
{
    json_t *p = parse("{\"error\": null, \"samples\": 4, \"modules\": [{\"module\": \"b\", "
                      "\"self\": 0.25, \"total\": 0.5}, {\"module\": \"a\", \"self\": 0.25, "
                      "\"total\": 0.5}, {\"module\": \"c\", \"self\": 0.25, \"total\": 0.75}, "
                      "{\"module\": \"d\", \"self\": 0.25, \"total\": 0.25}]}");
    rp_hotcell h;
    rp_hot_aggregate((const json_t *const *)&p, 1, &h);
    cr_assert_eq(h.runs, 1);
    cr_assert_eq(h.nmods, 4);
    const char *order[] = {"c", "a", "b", "d"};
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(h.mods[i].module, order[i]);
        cr_assert(isnan(h.mods[i].self_sd));
        cr_assert(isnan(h.mods[i].total_sd));
    }
    rp_hotcell_free(&h);
    json_decref(p);
}

MP_TEST(hotmods, malformed_tables_are_not_averaged)
{
    json_t *p[3] = {parse("{\"error\": null, \"samples\": 3, \"modules\": [{\"module\": 1, "
                          "\"self\": 1, \"total\": 1}]}"),
                    parse("[1]"), parse(P_B)};
    rp_hotcell h;
    rp_hot_aggregate((const json_t *const *)p, 3, &h);
    cr_assert_eq(h.runs, 1);
    cr_assert_eq(h.failed, 2);
    cr_assert_null(h.error);
    cr_assert_eq(h.nmods, 2);
    cr_assert_eq(h.mods[0].self_mean, 0.75);
    rp_hotcell_free(&h);
    for (int i = 0; i < 3; i++)
        json_decref(p[i]);
}

/* A results line of cell cpython/s/default (or pypy/...) with the given index, warm-up flag,
 * status and profile. */
static void add_line(FILE *f, const char *rt, int index, int warmup, const char *status,
                     const char *profile)
{
    int ok = strcmp(status, "ok") == 0;
    fprintf(f,
            "{\"schema\": \"mixperf.run/1\", \"experiment\": \"e\", \"cell\": \"%s/s/default\", "
            "\"runtime\": \"%s\", \"benchmark\": \"s\", \"config\": \"default\", \"kind\": "
            "\"server\", \"index\": %d, \"round\": %d, \"warmup\": %s, \"status\": \"%s\", "
            "\"metric\": \"throughput\", \"unit\": \"req/s\", \"value\": %s, \"metrics\": "
            "{\"throughput\": %s}, \"duration_s\": 1.0, \"seed\": 1%s%s}\n",
            rt, rt, index, index, warmup ? "true" : "false", status, ok ? "10" : "null",
            ok ? "10" : "null", profile ? ", \"profile\": " : "", profile ? profile : "");
}

static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

MP_TEST(hotmods, report_sections_from_a_results_file)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mp-hotmods-%d.jsonl", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    add_line(f, "cpython", 0, 1, "ok", P_B); /* warm-up: not averaged */
    add_line(f, "cpython", 1, 0, "ok", P_A);
    add_line(f, "cpython", 2, 0, "failed", P_B); /* failed: not averaged */
    add_line(f, "cpython", 3, 0, "ok", P_B);
    add_line(f, "pypy", 0, 0, "ok", P_ERR);
    fclose(f);
    rp_summary s;
    mp_err e;
    cr_assert_eq(rp_summary_load(&s, path, NULL, &e), 0, "%s", e.msg);
    cr_assert(rp_hot_any(&s));

    FILE *csv = tmpfile();
    cr_assert_eq(rp_hot_write_csv(&s, csv), 0);
    char *got = slurp(csv);
    cr_assert_str_eq(got, RP_HOT_CSV_HEADER
                     "e,cpython,s,default,1,mod_a,2,0.625,0.17677669529663689,0.8125,"
                     "0.088388347648318447\n"
                     "e,cpython,s,default,2,app,2,0.25,0,1,0\n"
                     "e,cpython,s,default,3,mod_b,2,0.125,0.17677669529663689,0.125,"
                     "0.17677669529663689\n");
    free(got);
    fclose(csv);

    FILE *md = tmpfile();
    cr_assert_eq(rp_hot_write_markdown(&s, 2, md), 0);
    got = slurp(md);
    cr_assert(strstr(got, "\n## Hot modules\n"), "%s", got);
    cr_assert(strstr(got, "### `cpython/s/default`\n\n2 profiled runs, 150 samples (1.500 s of "
                          "CPU), read errors 3 of 170 (1.76%)\n\n"
                          "| rank | module | self % | ± | total % | ± |\n"
                          "|---:|---|---:|---:|---:|---:|\n"
                          "| 1 | `mod_a` | 62.50 | 17.68 | 81.25 | 8.84 |\n"
                          "| 2 | `app` | 25.00 | 0.00 | 100.00 | 0.00 |\n"
                          "\n(1 more module in hot_modules.csv)\n"),
              "%s", got);
    cr_assert(strstr(got, "### `pypy/s/default`\n\n0 profiled runs, 0 samples (0.000 s of CPU); "
                          "1 profile error, e.g. `no CPython process in the server's process "
                          "tree`\n"),
              "%s", got);
    free(got);
    fclose(md);
    rp_summary_free(&s);
    unlink(path);
}

MP_TEST(hotmods, nothing_without_profiles)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mp-hotmods0-%d.jsonl", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    add_line(f, "cpython", 0, 0, "ok", NULL);
    fclose(f);
    rp_summary s;
    mp_err e;
    cr_assert_eq(rp_summary_load(&s, path, NULL, &e), 0, "%s", e.msg);
    cr_assert_not(rp_hot_any(&s));
    FILE *md = tmpfile();
    cr_assert_eq(rp_hot_write_markdown(&s, 10, md), 0);
    cr_assert_eq(ftell(md), 0);
    fclose(md);
    rp_summary_free(&s);
    unlink(path);
}
