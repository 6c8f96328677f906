/* `mixperf report`'s tables: one row per cell (n, mean, interval, relative half-width, method,
 * stop reason, failures) and its ratio to a named baseline cell, as Markdown for people and CSV
 * for programs (docs/experiments.md, "Reports"). */
#ifndef MP_REPORT_TABLES_H
#define MP_REPORT_TABLES_H

#include <stdio.h>

#include "report/summary.h"

typedef struct rp_ratio_row {
    long base;   /* index of the cell's baseline cell; -1 when it has none */
    int is_base; /* the cell is itself a baseline */
    int ok;      /* iv holds the ratio */
    mp_interval iv;
    char why[1024]; /* why there is no ratio */
} rp_ratio_row;

typedef struct rp_report_opts {
    const char *results_path;
    const rp_selector *baseline; /* NULL: no ratios */
    rp_ratio_method method;
    double confidence;
    mp_df_rule df;
    uint64_t seed;
} rp_report_opts;

/* Each cell's ratio to the cell that matches the baseline selector and agrees with it on every
 * field the selector does not name. rows has s->ncells entries. */
void rp_ratio_rows(const rp_summary *s, const rp_report_opts *o, rp_ratio_row *rows);

int rp_write_markdown(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                      FILE *out);
int rp_write_csv(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows, FILE *out);

/* A baseline when none is named: the all-zero configuration (the untyped one of `mixperf mix`)
 * when there are several configurations, else the alphabetically first runtime when there are
 * several runtimes; NULL (no ratios) otherwise. Caller frees. */
char *rp_default_baseline(const rp_summary *s);

#endif
