/* `mixperf report --html FILE`: one self-contained HTML page (no scripts, no external files) with
 * the report's cell table, its ratios to the baseline and every figure's SVG inlined
 * (docs/experiments.md, "Figures"), and for profiled runs their hot modules with one flame graph
 * per cell, merged from the runs' collapsed stacks. */
#ifndef MP_REPORT_HTML_H
#define MP_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "report/figures.h"
#include "report/summary.h"
#include "report/tables.h"

int rp_write_html(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                  const rp_figure *figs, size_t nfigs, FILE *out);

#endif
