/* mixperf report: summary tables of a results file (Markdown, CSV) and the pyperf export
 * (docs/experiments.md, "Reports"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/commands.h"
#include "report/figures.h"
#include "report/html.h"
#include "report/hotmods.h"
#include "report/pyperf.h"
#include "report/summary.h"
#include "report/tables.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"
#include "util/sb.h"

/* Rows per cell in the Markdown's hot-module tables (the CSV has every module). */
#define HOT_TOP 15

static int write_markdown(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                          FILE *f)
{
    if (rp_write_markdown(s, o, rows, f) != 0) return -1;
    return rp_hot_write_markdown(s, HOT_TOP, f);
}

/* csv: 0 report.md, 1 report.csv, 2 hot_modules.csv */
static int write_file(const char *dir, const char *name, const rp_summary *s,
                      const rp_report_opts *o, const rp_ratio_row *rows, int csv)
{
    sb p = {0};
    sb_addf(&p, "%s/%s", dir, name);
    FILE *f = fopen(sb_str(&p), "w");
    if (!f) {
        fprintf(stderr, "mixperf report: cannot write %s: %s\n", sb_str(&p), strerror(errno));
        sb_free(&p);
        return -1;
    }
    int rc = csv == 2 ? rp_hot_write_csv(s, f)
             : csv    ? rp_write_csv(s, o, rows, f)
                      : write_markdown(s, o, rows, f);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "mixperf report: cannot write %s\n", sb_str(&p));
        rc = -1;
    }
    sb_free(&p);
    return rc;
}

/* The figures into DIR and the HTML page; a figure-less results file gives a page with the table.
 */
static int figures(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                   const rp_fig_opts *fo, const char *outdir, const char *html)
{
    mp_err err;
    rp_figure *figs = NULL;
    size_t n        = 0;
    if (rp_figures_make(s, fo, &figs, &n, &err) != 0) {
        fprintf(stderr, "mixperf report: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    int status = MP_EXIT_OK;
    if (outdir && rp_figures_write(figs, n, outdir, &err) != 0) {
        fprintf(stderr, "mixperf report: %s\n", err.msg);
        status = MP_EXIT_RUNTIME;
    }
    if (status == MP_EXIT_OK && html) {
        FILE *f = fopen(html, "w");
        int bad = !f || rp_write_html(s, o, rows, figs, n, f) != 0;
        if (f && fclose(f) != 0) bad = 1;
        if (bad) {
            fprintf(stderr, "mixperf report: cannot write %s: %s\n", html, strerror(errno));
            status = MP_EXIT_RUNTIME;
        }
    }
    rp_figures_free(figs, n);
    return status;
}

int cmd_report(int argc, char **argv)
{
    const char *outdir = NULL, *baseline = NULL, *metric = NULL, *pyperf = NULL;
    const char *method = "fieller", *html = NULL, *manifest = NULL, *fraction = "units";
    const char *reference      = NULL;
    int scatter_overhead       = 0;
    int no_baseline            = 0;
    const struct opt options[] = {
        {OPT_STRING, 'o', "output", &outdir, "DIR",
         "write DIR/report.md, DIR/report.csv and, when runs were profiled, DIR/hot_modules.csv "
         "(default: Markdown on standard output)"},
        {OPT_STRING, 'b', "baseline", &baseline, "SELECTOR",
         "ratios against this cell selector, e.g. runtime=cpython or config=0000 (default: the "
         "all-zero configuration, else the first runtime)"},
        {OPT_FLAG, 0, "no-baseline", &no_baseline, NULL, "no ratio column"},
        {OPT_STRING, 0, "ratio-method", &method, "NAME",
         "fieller (default), delta, bootstrap, bootstrap-percentile or log-welch"},
        {OPT_STRING, 'm', "metric", &metric, "NAME",
         "the metric to summarise (default: the one the runs were repeated for)"},
        {OPT_STRING, 0, "pyperf", &pyperf, "FILE",
         "also export pyperf JSON (version 1.0); {runtime}, {benchmark}, {config} in FILE split "
         "the export into several files"},
        {OPT_STRING, 0, "html", &html, "FILE",
         "also write one self-contained HTML page: the table and every figure inlined"},
        {OPT_STRING, 0, "manifest", &manifest, "FILE",
         "the mix manifest for the figures (default: the one the runs' provenance names)"},
        {OPT_STRING, 0, "typed-fraction", &fraction, "WHAT",
         "the scatter's x: the share of units (default), lines or chars typed"},
        {OPT_STRING, 0, "reference-runtime", &reference, "NAME",
         "figures: overheads against the untyped configuration on this runtime (default: each "
         "runtime's own)"},
        {OPT_FLAG, 0, "scatter-overhead", &scatter_overhead, NULL,
         "figures: the scatter's y is the overhead (with its ratio interval), not the mean"},
        OPT_END_()};
    static const struct opt_usage usage = {
        "report", "[options] RESULTS",
        "Per cell: successful runs, mean, confidence interval by the stop rule's method, its\n"
        "relative half-width, why the cell stopped, failures, and the ratio of its mean to the\n"
        "baseline's with a Fieller interval (\"no sig.\" when the interval contains 1).\n"
        "With typed-variant configurations (an all-zero one and others), figures as SVG: the\n"
        "overhead plot and typed fraction vs time per benchmark, in DIR and in --html."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 1) {
        fprintf(stderr, "mixperf report: expected one results file (see mixperf report --help)\n");
        return MP_EXIT_USAGE;
    }
    mp_err err;
    rp_report_opts o = {argv[0], NULL, RP_FIELLER, 0.95, MP_DF_WELCH, 1};
    if (rp_ratio_method_parse(method, &o.method, &err) != 0) {
        fprintf(stderr, "mixperf report: --ratio-method: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    rp_fig_opts fo       = {0};
    fo.manifest          = manifest;
    fo.reference_runtime = reference;
    fo.scatter_overhead  = scatter_overhead;
    fo.confidence        = 0.95;
    fo.method            = o.method;
    fo.df                = o.df;
    fo.seed              = o.seed;
    if (rp_fraction_parse(fraction, &fo.fraction, &err) != 0) {
        fprintf(stderr, "mixperf report: --typed-fraction: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    rp_summary s;
    if (rp_summary_load(&s, argv[0], metric, &err) != 0) {
        fprintf(stderr, "mixperf report: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    int status  = MP_EXIT_OK;
    char *deflt = baseline || no_baseline ? NULL : rp_default_baseline(&s);
    rp_selector bl;
    int have_bl = 0;
    if (baseline || deflt) {
        if (rp_selector_parse(baseline ? baseline : deflt, &bl, &err) != 0) {
            fprintf(stderr, "mixperf report: --baseline: %s\n", err.msg);
            free(deflt);
            rp_summary_free(&s);
            return MP_EXIT_USAGE;
        }
        have_bl        = 1;
        size_t matches = 0;
        for (size_t i = 0; i < s.ncells; i++)
            matches += rp_selector_match(&bl, &s.cells[i]);
        if (baseline && matches == 0) {
            fprintf(stderr, "mixperf report: --baseline %s matches no cell\n", baseline);
            status = MP_EXIT_USAGE;
            goto out;
        }
        o.baseline = &bl;
    }
    rp_ratio_row *rows = xcalloc(s.ncells ? s.ncells : 1, sizeof *rows);
    rp_ratio_rows(&s, &o, rows);
    if (outdir) {
        if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "mixperf report: cannot create %s: %s\n", outdir, strerror(errno));
            status = MP_EXIT_RUNTIME;
        } else if (write_file(outdir, "report.md", &s, &o, rows, 0) != 0 ||
                   write_file(outdir, "report.csv", &s, &o, rows, 1) != 0 ||
                   (rp_hot_any(&s) &&
                    write_file(outdir, "hot_modules.csv", &s, &o, rows, 2) != 0)) {
            status = MP_EXIT_RUNTIME;
        }
    } else if (write_markdown(&s, &o, rows, stdout) != 0) {
        status = MP_EXIT_RUNTIME;
    }
    if (status == MP_EXIT_OK && pyperf) {
        int nfiles;
        if (rp_pyperf_export(&s, pyperf, &nfiles, &err) != 0) {
            fprintf(stderr, "mixperf report: --pyperf: %s\n", err.msg);
            status = MP_EXIT_FAILED;
        } else if (nfiles == 0) {
            fprintf(stderr, "mixperf report: --pyperf: no cell has a successful run to export\n");
            status = MP_EXIT_FAILED;
        }
    }
    if (status == MP_EXIT_OK && (outdir || html)) status = figures(&s, &o, rows, &fo, outdir, html);
    free(rows);
out:
    if (have_bl) rp_selector_free(&bl);
    free(deflt);
    rp_summary_free(&s);
    return status;
}
