/* `mixperf report`'s figures for typed-variant experiments (docs/experiments.md, "Figures"):
 *
 *  - the overhead plot (Takikawa et al. POPL'16, Greenman et al. JFP'19): for each runtime, the
 *    share of configurations whose overhead is at most D, against D on a log axis, with a band:
 *    the t interval over the r samples of a sampled lattice (METHODS.md B.7 step 6), or, for a
 *    lattice measured whole, "surely" / "possibly" D-deliverable from each configuration's
 *    overhead interval (B.7 step 8);
 *  - typed fraction against time: each configuration's mean (or overhead) with its interval, at
 *    the share of its units (or lines, or untyped characters) that are typed, one colour per
 *    runtime.
 *
 * Overhead = mean(configuration) / mean(baseline) (B.8), for metrics where higher is better the
 * inverse, so that overhead > 1 is always slower. The baseline is the all-zero (untyped)
 * configuration on the same runtime, or on a named reference runtime. What a configuration is,
 * which were sampled and how much of each is typed come from the mix manifest (docs/mix.md). */
#ifndef MP_REPORT_FIGURES_H
#define MP_REPORT_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "report/summary.h"
#include "util/err.h"
#include "util/sb.h"

typedef enum rp_fraction { RP_FRAC_UNITS, RP_FRAC_LINES, RP_FRAC_CHARS } rp_fraction;

typedef struct rp_fig_opts {
    const char *reference_runtime; /* NULL: each runtime against its own untyped configuration */
    const char *manifest;          /* NULL: the manifest the runs' provenance names */
    rp_fraction fraction;          /* the scatter's x */
    int scatter_overhead;          /* the scatter's y: overhead instead of the mean */
    double dlo, dhi;               /* the D axis; 0, 0: from the data */
    double confidence;             /* of the sampling band (t over r samples) */
    rp_ratio_method method;        /* overhead intervals (surely/possibly band, error bars) */
    mp_df_rule df;
    uint64_t seed;
    size_t grid; /* D values per curve; 0: 241 */
} rp_fig_opts;

typedef struct rp_figure {
    char *benchmark;
    char *name;  /* file name: "overhead-BENCH.svg" or "typed-BENCH.svg" */
    char *title; /* the chart's title */
    char *note;  /* how it was computed: baseline, sample or census, the band; caveats */
    char *id;    /* unique element-id prefix inside the SVG (for inlining several into HTML) */
    sb svg;      /* the SVG document, without XML declaration */
} rp_figure;

/* The figures of every benchmark that has an all-zero configuration and at least one other, in
 * benchmark order (overhead plot, then scatter). *n may be 0. Fails only on a manifest that cannot
 * be read as mixperf.mix/1 (named by --manifest, or by the runs). */
int rp_figures_make(const rp_summary *s, const rp_fig_opts *o, rp_figure **figs, size_t *n,
                    mp_err *err);
void rp_figures_free(rp_figure *figs, size_t n);

/* One runtime's overhead curve at D (the computation behind the overhead plot, for tests and
 * tables): share in 0..1 of the configurations that are D-deliverable, and its band (lo, hi; NAN
 * when a sampled lattice has fewer than 2 measured samples). measured/unmeasured count the
 * configurations of the lattice (or of its samples, with repeats) with and without a cell; failed,
 * those measured whose runs all failed. Fails when the benchmark has no all-zero configuration, the
 * runtime no measured baseline, or the manifest cannot be read. */
typedef struct rp_deliverable {
    double share, lo, hi;
    int sampled;
    size_t measured, unmeasured, failed;
} rp_deliverable;
int rp_deliverable_at(const rp_summary *s, const rp_fig_opts *o, const char *benchmark,
                      const char *runtime, double D, rp_deliverable *out, mp_err *err);

/* Writes each figure to DIR/NAME with an XML declaration. */
int rp_figures_write(const rp_figure *figs, size_t n, const char *dir, mp_err *err);

/* "units", "lines" or "chars" (also "untyped_chars"). */
int rp_fraction_parse(const char *s, rp_fraction *out, mp_err *err);

#endif
