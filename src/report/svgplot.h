/* Small, dependency-free SVG charts for reports: line series with confidence bands, scatter points
 * with error bars, linear or log10 axes with readable ticks, a legend. Charts are self-contained
 * SVG text (no scripts, no external fonts), so they can be embedded in HTML or viewed alone. */
#ifndef MP_REPORT_SVGPLOT_H
#define MP_REPORT_SVGPLOT_H

#include <stddef.h>

#include "util/sb.h"

typedef struct svg_plot svg_plot;

svg_plot *svgp_new(int width, int height, const char *title);
void svgp_free(svg_plot *p);
/* A prefix for the ids the SVG defines (its clip path), so that several charts can be inlined into
 * one HTML page without clashing; default "plot". */
void svgp_id(svg_plot *p, const char *id);
/* A second, smaller line under the title (what the band means, how many configurations). */
void svgp_subtitle(svg_plot *p, const char *text);

/* Axis ranges default to the data (with a margin); set them to pin a range. log = log10 scale
 * (non-positive values are dropped from a log axis). */
void svgp_x_axis(svg_plot *p, const char *label, int log);
void svgp_y_axis(svg_plot *p, const char *label, int log);
void svgp_x_range(svg_plot *p, double lo, double hi);
void svgp_y_range(svg_plot *p, double lo, double hi);

/* Series take copies of the data. color < 0 picks the next palette colour. NaN points are gaps.
 * Every element a series draws carries data-series="NAME" (bands and error bars too, with the name
 * they are given), so a program reading the SVG can tell the series apart; the plot frame carries
 * its data ranges (data-xlo, data-xhi, data-ylo, data-yhi, data-xlog, data-ylog) next to its
 * pixel box, so points can be mapped back to data. Only lines and points appear in the legend. */
void svgp_line(svg_plot *p, const char *name, const double *x, const double *y, size_t n,
               int color);
/* A shaded band between ylo and yhi (drawn under lines), in the colour of the named series. */
void svgp_band(svg_plot *p, const char *name, const double *x, const double *ylo, const double *yhi,
               size_t n, int color);
void svgp_points(svg_plot *p, const char *name, const double *x, const double *y, size_t n,
                 int color);
/* Vertical error bars from ylo to yhi at each x. */
void svgp_errorbars(svg_plot *p, const char *name, const double *x, const double *ylo,
                    const double *yhi, size_t n, int color);
/* A horizontal reference line (e.g. ratio 1.0), dashed, with a label. */
void svgp_hline(svg_plot *p, double y, const char *label);

/* Appends the SVG document. */
void svgp_render(const svg_plot *p, sb *out);

/* Palette colour i (cycled), as "#rrggbb". */
const char *svgp_color(int i);

/* "Nice" ticks over [lo, hi] (1-2-5 steps, about `want` of them) for linear axes, or decades
 * (with 2 and 5 when the range is short) for log axes. Returns the count written to out (max cap).
 */
size_t svgp_ticks(double lo, double hi, int log, int want, double *out, size_t cap);

#endif
