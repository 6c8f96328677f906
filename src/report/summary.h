/* What a results file says, cell by cell: the measured values of a metric, their interval by the
 * stop rule the runs were made with, why the cell stopped, how many runs failed; and comparisons
 * between cells (ratio of means with its interval). Used by `mixperf run` (its closing table),
 * `mixperf report` and `mixperf compare`. */
#ifndef MP_REPORT_SUMMARY_H
#define MP_REPORT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "experiment/plan.h"
#include "experiment/results.h"
#include "experiment/runline.h"
#include "stats/interval.h"
#include "stats/ratio.h"
#include "util/err.h"

typedef struct rp_cell {
    const char *runtime, *benchmark, *config; /* point into the results' lines */
    char *key;                                /* "runtime/benchmark/config" */
    const char *stop_metric;                  /* the metric the runs were repeated for */
    const char *metric;                       /* the metric summarised (stop metric by default) */
    const char *unit;
    int higher_is_better;
    double *values; /* the metric of the successful measured runs, in run order */
    size_t n;
    const ex_line **lines; /* every line of the cell, in file order */
    size_t nlines;
    long warmups, measured, failed, timeouts;
    double spent_s;
    plan_rule rule; /* of the cell's last line */
    uint64_t seed;
    double mean, sd;
    int have_ci;
    mp_interval ci;        /* by the rule's method and confidence */
    enum plan_state state; /* computed on the stop metric, as the runner did */
    double stop_hw;        /* the stop metric's relative half-width */
} rp_cell;

typedef struct rp_summary {
    results res;
    ex_line *lines;
    size_t nlines;
    rp_cell *cells; /* sorted by runtime, benchmark, configuration */
    size_t ncells;
    const char *experiment;
} rp_summary;

/* Loads a results file; metric NULL summarises each cell's stop metric. Fails on a malformed line
 * (file:line) or a metric no line has. */
int rp_summary_load(rp_summary *s, const char *path, const char *metric, mp_err *err);
void rp_summary_free(rp_summary *s);

/* ---- selecting cells ---- */

/* "runtime=pypy,benchmark=blog", "config=0101", a bare configuration id "0101", or a whole cell
 * key "pypy/blog/0101". Fields left out match anything. */
typedef struct rp_selector {
    char *runtime, *benchmark, *config;
    char *text; /* as written, for output */
} rp_selector;

int rp_selector_parse(const char *s, rp_selector *out, mp_err *err);
void rp_selector_free(rp_selector *sel);
int rp_selector_match(const rp_selector *sel, const rp_cell *c);

/* Pairs (a, b) with a matching A, b matching B, a != b, equal in every field neither selector
 * names: "runtime=pypy" vs "runtime=cpython" pairs the cells of each benchmark and
 * configuration. Returns the number of pairs written to pa/pb (each of capacity ncells^2, or call
 * with NULL to count). */
size_t rp_pairs(const rp_summary *s, const rp_selector *A, const rp_selector *B, size_t *pa,
                size_t *pb);

/* ---- ratios ---- */

typedef enum rp_ratio_method {
    RP_FIELLER,
    RP_DELTA,
    RP_BOOTSTRAP, /* BCa */
    RP_BOOTSTRAP_PERCENTILE,
    RP_LOG_WELCH, /* ratio of geometric means */
} rp_ratio_method;

int rp_ratio_method_parse(const char *s, rp_ratio_method *out, mp_err *err);

/* mean(num) / mean(den) with its interval; NOT_SIGNIFICANT set when it contains 1. */
int rp_ratio(const rp_cell *num, const rp_cell *den, rp_ratio_method m, double confidence,
             mp_df_rule df, uint64_t seed, mp_interval *out, mp_err *err);

/* ---- text ---- */

/* "1.2346 s", "812.3 req/s" (6 significant digits). */
void rp_fmt_value(char *buf, size_t size, double v, const char *unit);
/* A cell as the report's tables show it: its mean with unit, its interval "[lo, hi]" and the
 * interval's relative half-width "x.xx%" ("-" when the cell has no interval). */
typedef struct rp_cell_text {
    char mean[48], ci[96], hw[24];
} rp_cell_text;
void rp_cell_text_of(const rp_cell *c, rp_cell_text *t);
/* A CSV field: as it is, or quoted (quotes doubled) when it holds a comma, quote or line break. */
void rp_csv_field(FILE *out, const char *s);
/* The table `mixperf run` ends with: per cell n, mean, interval, stop reason, failures. */
void rp_print_cells(const rp_summary *s, FILE *out);

#endif
