#include <criterion/criterion.h>

#include "leakcheck.h"
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/plan.h"
#include "experiment/proc.h"
#include "experiment/results.h"

static char *tmpfile_path(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/mp-results-%d.jsonl", (int)getpid());
    unlink(path);
    return path;
}

MP_TEST(results, appends_and_reloads)
{
    const char *p = tmpfile_path();
    results r;
    mp_err e;
    cr_assert_eq(results_open(&r, p, &e), 0, "%s", e.msg);
    for (int i = 0; i < 3; i++) {
        json_t *o = json_pack("{s:i,s:s}", "i", i, "s", "x");
        cr_assert_eq(results_append(&r, o, &e), 0, "%s", e.msg);
        json_decref(o);
    }
    results_close(&r);

    FILE *f = fopen(p, "r");
    char line[128];
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "{\"i\":0,\"s\":\"x\"}\n");
    fclose(f);

    cr_assert_eq(results_open(&r, p, &e), 0, "%s", e.msg);
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.repaired, 0);
    cr_assert_eq(json_integer_value(json_object_get(r.lines[2], "i")), 2);
    results_close(&r);
    unlink(p);
}

MP_TEST(results, cuts_a_torn_tail_and_rejects_a_bad_middle_line)
{
    const char *p = tmpfile_path();
    FILE *f       = fopen(p, "w");
    fputs("{\"a\":1}\n{\"a\":2}\n{\"a\":3", f); /* power lost mid-line */
    fclose(f);
    results r;
    mp_err e;
    cr_assert_eq(results_open(&r, p, &e), 0, "%s", e.msg);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.repaired, 1);
    json_t *o = json_pack("{s:i}", "a", 3);
    cr_assert_eq(results_append(&r, o, &e), 0);
    json_decref(o);
    results_close(&r);
    struct stat st;
    stat(p, &st);
    cr_assert_eq(st.st_size, (off_t)strlen("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"));

    f = fopen(p, "w");
    fputs("{\"a\":1}\nnot json\n{\"a\":3}\n", f);
    fclose(f);
    cr_assert_eq(results_open(&r, p, &e), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:2: not a JSON object line", p);
    cr_assert_eq(strncmp(e.msg, want, strlen(want)), 0, "got: %s", e.msg);
    unlink(p);
}

/* A deterministic "measurement": cell c's k-th run. Cell 3 always fails. */
static double fake_value(size_t cell, long k)
{
    return 10.0 + (double)cell + 0.3 * sin((double)(k * 7 + (long)cell));
}

static double rel_hw(const double *x, size_t n, const plan_rule *rule, void *ctx)
{
    (void)rule;
    (void)ctx;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    v /= (double)(n - 1);
    return 2.0 * sqrt(v / (double)n) / fabs(m);
}

static const plan_rule RULE = {0.95, 0.004, MP_M_T, 5, 40, 0, 1};

/* Runs the plan to completion starting from runs[0..n); returns the new n. */
static size_t simulate(plan_run *runs, size_t n, const size_t *cells, size_t ncells,
                       size_t stop_after)
{
    size_t out[16];
    long round;
    while (n < stop_after) {
        size_t k = plan_next(&RULE, cells, ncells, runs, n, 99, rel_hw, NULL, &round, out);
        if (k == 0) break;
        /* run only the first pending cell, then re-plan: as a real runner resumes at any point */
        size_t c = out[0];
        long idx = 0;
        for (size_t i = 0; i < n; i++)
            idx += runs[i].cell == c;
        runs[n] = (plan_run){c, idx, round, idx < RULE.warmup_runs, c != 3, fake_value(c, idx), 1};
        n++;
    }
    return n;
}

MP_TEST(plan, resuming_at_any_point_gives_the_same_runs)
{
    size_t cells[] = {0, 1, 2, 3, 4};
    static plan_run full[4096], part[4096];
    size_t nfull = simulate(full, 0, cells, 5, 4096);
    cr_assert(nfull > 20 && nfull < 4096);
    /* every cell stopped, for a reason */
    for (size_t c = 0; c < 5; c++) {
        plan_run mine[4096];
        size_t k = 0;
        for (size_t i = 0; i < nfull; i++)
            if (full[i].cell == c) mine[k++] = full[i];
        enum plan_state s = plan_cell_state(&RULE, mine, k, rel_hw, NULL, NULL);
        cr_assert_neq(s, CELL_ACTIVE);
        if (c == 3) cr_assert_eq(s, CELL_FAILING);
    }
    /* rounds interleave: each round has each active cell once */
    for (size_t cut = 0; cut < nfull; cut += 7) {
        memcpy(part, full, cut * sizeof *part);
        size_t n = simulate(part, cut, cells, 5, 4096);
        cr_assert_eq(n, nfull, "cut at %zu", cut);
        cr_assert_eq(memcmp(part, full, n * sizeof *part), 0, "cut at %zu", cut);
    }
}

MP_TEST(plan, shards_partition_the_cells)
{
    size_t seen[10] = {0}, out[10];
    for (long i = 0; i < 3; i++) {
        size_t n = plan_shard(10, i, 3, out);
        for (size_t k = 0; k < n; k++)
            seen[out[k]]++;
    }
    for (int c = 0; c < 10; c++)
        cr_assert_eq(seen[c], 1);
}

MP_TEST(proc, captures_output_and_status)
{
    proc_spec spec = {"echo out; echo err >&2; exit 3", NULL, NULL, 10, 0, 0};
    proc_result r;
    mp_err e;
    cr_assert_eq(proc_run(&spec, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(sb_str(&r.out), "out\n");
    cr_assert_str_eq(sb_str(&r.err), "err\n");
    cr_assert_eq(r.exit_code, 3);
    cr_assert_eq(r.timed_out, 0);
    proc_result_free(&r);

    const char *env[] = {"MP_TEST_VALUE=42", NULL};
    proc_spec spec2   = {"echo $MP_TEST_VALUE; pwd", "/tmp", env, 10, 0, 0};
    cr_assert_eq(proc_run(&spec2, &r, &e), 0);
    cr_assert_str_eq(sb_str(&r.out), "42\n/tmp\n");
    proc_result_free(&r);
}

MP_TEST(proc, timeout_kills_the_whole_group)
{
    proc_spec spec = {"sleep 30 & sleep 30; echo never", NULL, NULL, 0.3, 0, 0};
    proc_result r;
    mp_err e;
    cr_assert_eq(proc_run(&spec, &r, &e), 0);
    cr_assert_eq(r.timed_out, 1);
    cr_assert_str_eq(sb_str(&r.out), "");
    proc_result_free(&r);
}

MP_TEST(proc, counts_cpu_of_orphaned_grandchildren)
{
    mp_err e;
    cr_assert_eq(proc_become_subreaper(&e), 0, "%s", e.msg);
    const char *busy = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";
    char direct[256], orphan[256];
    snprintf(direct, sizeof direct, "%s", busy);
    /* The subshell exits at once, so the busy loop is re-parented to us; the leader waits for a
     * file the loop writes when done. */
    snprintf(orphan, sizeof orphan,
             "rm -f /tmp/mp-orphan-%d; (sh -c '%s; touch /tmp/mp-orphan-%d' &); "
             "while [ ! -e /tmp/mp-orphan-%d ]; do sleep 0.05; done; rm -f /tmp/mp-orphan-%d",
             (int)getpid(), busy, (int)getpid(), (int)getpid(), (int)getpid());
    proc_spec a = {direct, NULL, NULL, 60, 0, 0}, b = {orphan, NULL, NULL, 60, 0, 0};
    proc_result ra, rb;
    cr_assert_eq(proc_run(&a, &ra, &e), 0);
    cr_assert_eq(proc_run(&b, &rb, &e), 0);
    double ca = ra.user_s + ra.sys_s, cb = rb.user_s + rb.sys_s;
    cr_assert(ca > 0.05, "busy loop used %.3fs", ca);
    /* The orphan's CPU must be counted: at least most of what the same loop costs directly. */
    cr_assert(cb > 0.6 * ca, "orphan tree used %.3fs, direct %.3fs", cb, ca);
    proc_result_free(&ra);
    proc_result_free(&rb);
}
