/* mixperf compare: the ratio of two cells' means with its interval, and whether it shows a
 * difference at all (docs/experiments.md, "Comparing cells"). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "report/summary.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"

static const char *method_label(const mp_interval *iv)
{
    switch (iv->method) {
    case MP_M_FIELLER:
        return "Fieller";
    case MP_M_DELTA:
        return "delta method";
    case MP_M_BOOT_RATIO_BCA:
        return "bootstrap BCa";
    case MP_M_BOOT_RATIO_PERCENTILE:
        return "bootstrap percentile";
    case MP_M_LOG_WELCH:
        return "ratio of geometric means, Welch t on logs";
    default:
        return mp_method_name(iv->method);
    }
}

static void print_cells(FILE *f, const rp_summary *s)
{
    fprintf(f, "cells in the results:\n");
    for (size_t i = 0; i < s->ncells; i++)
        fprintf(f, "  %s\n", s->cells[i].key);
}

int cmd_compare(int argc, char **argv)
{
    const char *metric = NULL, *method = "fieller", *dfs = "welch";
    double confidence          = 0.95;
    long seed                  = 1;
    const struct opt options[] = {
        {OPT_STRING, 'm', "metric", &metric, "NAME",
         "the metric to compare (default: the one the runs were repeated for)"},
        {OPT_STRING, 0, "method", &method, "NAME",
         "ratio interval: fieller (default), delta, bootstrap (BCa), bootstrap-percentile, "
         "log-welch (ratio of geometric means)"},
        {OPT_DOUBLE, 0, "confidence", &confidence, "LEVEL", "confidence level (default 0.95)"},
        {OPT_STRING, 0, "df", &dfs, "RULE",
         "degrees of freedom of Fieller and delta: welch (default) or pooled"},
        {OPT_INT, 0, "seed", &seed, "N", "bootstrap seed (default 1; recorded in the output)"},
        OPT_END_()};
    static const struct opt_usage usage = {
        "compare", "[options] RESULTS A B",
        "Ratio of means mean(A) / mean(B) with a confidence interval, B being the baseline\n"
        "(overhead = mean(configuration) / mean(baseline)). A and B select cells:\n"
        "  runtime=pypy,benchmark=blog   key=value pairs (runtime, benchmark, config)\n"
        "  0101                          a configuration id\n"
        "  pypy/blog/0101                one cell\n"
        "Cells of A and B are paired when they agree on every field neither names, so\n"
        "`compare R runtime=pypy runtime=cpython` compares each benchmark and configuration.\n"
        "\"no significant difference\" is printed when the interval contains 1."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 3) {
        fprintf(stderr, "mixperf compare: expected RESULTS A B (see mixperf compare --help)\n");
        return MP_EXIT_USAGE;
    }
    mp_err err;
    rp_ratio_method rm;
    if (rp_ratio_method_parse(method, &rm, &err) != 0) {
        fprintf(stderr, "mixperf compare: --method: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    mp_df_rule df;
    if (strcmp(dfs, "welch") == 0)
        df = MP_DF_WELCH;
    else if (strcmp(dfs, "pooled") == 0)
        df = MP_DF_POOLED;
    else {
        fprintf(stderr, "mixperf compare: --df '%s' (expected welch or pooled)\n", dfs);
        return MP_EXIT_USAGE;
    }
    if (!(confidence > 0 && confidence < 1) || seed < 0) {
        fprintf(stderr, "mixperf compare: --confidence must be in (0, 1) and --seed >= 0\n");
        return MP_EXIT_USAGE;
    }
    rp_selector A, B;
    if (rp_selector_parse(argv[1], &A, &err) != 0) {
        fprintf(stderr, "mixperf compare: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    if (rp_selector_parse(argv[2], &B, &err) != 0) {
        fprintf(stderr, "mixperf compare: %s\n", err.msg);
        rp_selector_free(&A);
        return MP_EXIT_USAGE;
    }
    rp_summary s;
    if (rp_summary_load(&s, argv[0], metric, &err) != 0) {
        fprintf(stderr, "mixperf compare: %s\n", err.msg);
        rp_selector_free(&A);
        rp_selector_free(&B);
        return MP_EXIT_USAGE;
    }
    size_t np  = rp_pairs(&s, &A, &B, NULL, NULL);
    int status = MP_EXIT_OK;
    if (np == 0) {
        fprintf(stderr,
                "mixperf compare: no pair of cells matches A = %s and B = %s (expected cells "
                "that differ only in what A and B name)\n",
                A.text, B.text);
        print_cells(stderr, &s);
        status = MP_EXIT_USAGE;
        goto out;
    }
    size_t *pa = xcalloc(np, sizeof *pa), *pb = xcalloc(np, sizeof *pb);
    rp_pairs(&s, &A, &B, pa, pb);
    const rp_cell *c0 = &s.cells[pa[0]];
    printf("metric %s%s%s%s, %s is better; ratio = mean(A) / mean(B); baseline B = %s\n",
           c0->metric, *c0->unit ? " (" : "", c0->unit, *c0->unit ? ")" : "",
           c0->higher_is_better ? "higher" : "lower", B.text);
    for (size_t i = 0; i < np; i++) {
        const rp_cell *a = &s.cells[pa[i]], *b = &s.cells[pb[i]];
        char ma[64], mb[64];
        rp_fmt_value(ma, sizeof ma, a->mean, a->unit);
        rp_fmt_value(mb, sizeof mb, b->mean, b->unit);
        printf("\nA %s: mean %s (n = %zu)\nB %s: mean %s (n = %zu)\n", a->key, ma, a->n, b->key, mb,
               b->n);
        mp_interval iv;
        if (rp_ratio(a, b, rm, confidence, df, (uint64_t)seed, &iv, &err) != 0) {
            printf("  no ratio: %s\n", err.msg);
            status = MP_EXIT_FAILED;
            continue;
        }
        char dfb[48] = "";
        if (isfinite(iv.df))
            snprintf(dfb, sizeof dfb, ", %s df %.2f",
                     rm == RP_LOG_WELCH || df == MP_DF_WELCH ? "Welch" : "pooled", iv.df);
        char extra[96] = "";
        if (iv.B) snprintf(extra, sizeof extra, ", B = %zu, seed %" PRIu64, iv.B, iv.seed);
        if (iv.flags & MP_IV_UNBOUNDED) {
            printf("  ratio %.6f, interval unbounded (%s, %g%%%s): the baseline's mean is not "
                   "significantly different from 0; no significant difference\n",
                   iv.estimate, method_label(&iv), confidence * 100, dfb);
            continue;
        }
        printf("  ratio %.6f [%.6f, %.6f] (%s, %g%%%s%s)\n", iv.estimate, iv.lo, iv.hi,
               method_label(&iv), confidence * 100, dfb, extra);
        if (iv.flags & MP_IV_NOT_SIGNIFICANT) {
            printf("  no significant difference (the interval contains 1)\n");
        } else {
            double pct = (iv.estimate - 1) * 100;
            int better = (iv.estimate > 1) == (a->higher_is_better != 0);
            printf("  A is %.2f%% %s than the baseline (%s; significant at %g%%)\n", fabs(pct),
                   pct > 0 ? "higher" : "lower", better ? "better" : "worse", confidence * 100);
        }
    }
    free(pa);
    free(pb);
out:
    rp_summary_free(&s);
    rp_selector_free(&A);
    rp_selector_free(&B);
    return status;
}
