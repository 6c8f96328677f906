#include "report/svgplot.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

enum series_kind { S_LINE, S_BAND, S_POINTS, S_ERRBARS };

typedef struct series {
    enum series_kind kind;
    char *name;
    double *x, *y, *y2; /* y2: band upper / error bar upper; y: band lower for bands */
    size_t n;
    int color;
} series;

typedef struct axis {
    char *label;
    int log;
    int pinned;
    double lo, hi;
} axis;

struct svg_plot {
    int w, h;
    char *title, *subtitle, *id;
    axis x, y;
    series *s;
    size_t ns, cap;
    int next_color;
    double *hline;
    char **hlabel;
    size_t nh;
};

/* Colour-blind-friendly palette (Okabe & Ito's eight colours, minus black). */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#d55e00",
                                      "#cc79a7", "#56b4e9", "#f0e442"};

const char *svgp_color(int i)
{
    size_t n = sizeof palette / sizeof palette[0];
    return palette[(size_t)(i < 0 ? 0 : i) % n];
}

svg_plot *svgp_new(int width, int height, const char *title)
{
    svg_plot *p = xcalloc(1, sizeof *p);
    p->w        = width;
    p->h        = height;
    p->title    = xstrdup(title ? title : "");
    return p;
}

void svgp_free(svg_plot *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->ns; i++) {
        free(p->s[i].name);
        free(p->s[i].x);
        free(p->s[i].y);
        free(p->s[i].y2);
    }
    for (size_t i = 0; i < p->nh; i++)
        free(p->hlabel[i]);
    free(p->hline);
    free(p->hlabel);
    free(p->s);
    free(p->title);
    free(p->subtitle);
    free(p->id);
    free(p->x.label);
    free(p->y.label);
    free(p);
}

void svgp_id(svg_plot *p, const char *id)
{
    free(p->id);
    p->id = xstrdup(id ? id : "plot");
}

void svgp_subtitle(svg_plot *p, const char *text)
{
    free(p->subtitle);
    p->subtitle = xstrdup(text ? text : "");
}

static void set_axis(axis *a, const char *label, int log)
{
    free(a->label);
    a->label = xstrdup(label ? label : "");
    a->log   = log;
}

void svgp_x_axis(svg_plot *p, const char *label, int log)
{
    set_axis(&p->x, label, log);
}

void svgp_y_axis(svg_plot *p, const char *label, int log)
{
    set_axis(&p->y, label, log);
}

void svgp_x_range(svg_plot *p, double lo, double hi)
{
    p->x.pinned = 1;
    p->x.lo     = lo;
    p->x.hi     = hi;
}

void svgp_y_range(svg_plot *p, double lo, double hi)
{
    p->y.pinned = 1;
    p->y.lo     = lo;
    p->y.hi     = hi;
}

static double *dup(const double *v, size_t n)
{
    return v ? xmemdup(v, n * sizeof *v) : NULL;
}

static void add(svg_plot *p, enum series_kind k, const char *name, const double *x, const double *y,
                const double *y2, size_t n, int color)
{
    XGROW(p->s, p->ns + 1, p->cap);
    if (color < 0) color = p->next_color++;
    p->s[p->ns++] =
        (series){k, name ? xstrdup(name) : NULL, dup(x, n), dup(y, n), dup(y2, n), n, color};
}

void svgp_line(svg_plot *p, const char *name, const double *x, const double *y, size_t n, int color)
{
    add(p, S_LINE, name, x, y, NULL, n, color);
}

void svgp_band(svg_plot *p, const char *name, const double *x, const double *ylo, const double *yhi,
               size_t n, int color)
{
    add(p, S_BAND, name, x, ylo, yhi, n, color < 0 ? 0 : color);
}

void svgp_points(svg_plot *p, const char *name, const double *x, const double *y, size_t n,
                 int color)
{
    add(p, S_POINTS, name, x, y, NULL, n, color);
}

void svgp_errorbars(svg_plot *p, const char *name, const double *x, const double *ylo,
                    const double *yhi, size_t n, int color)
{
    add(p, S_ERRBARS, name, x, ylo, yhi, n, color < 0 ? 0 : color);
}

void svgp_hline(svg_plot *p, double y, const char *label)
{
    p->hline           = xrealloc(p->hline, (p->nh + 1) * sizeof *p->hline);
    p->hlabel          = xrealloc(p->hlabel, (p->nh + 1) * sizeof *p->hlabel);
    p->hline[p->nh]    = y;
    p->hlabel[p->nh++] = xstrdup(label ? label : "");
}

size_t svgp_ticks(double lo, double hi, int log, int want, double *out, size_t cap)
{
    size_t n = 0;
    if (!(hi > lo) || cap == 0) return 0;
    if (log) {
        if (lo <= 0) return 0;
        int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
        int decades                     = e1 - e0;
        static const double sub_short[] = {1, 2, 5};
        for (int e = e0; e <= e1 && n < cap; e++) {
            for (size_t k = 0; k < (decades <= 2 ? 3u : 1u) && n < cap; k++) {
                double v = sub_short[k] * pow(10, e);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out[n++] = v;
            }
        }
        return n;
    }
    double span = hi - lo, raw = span / (want > 1 ? want : 2);
    double mag   = pow(10, floor(log10(raw))), step;
    double f     = raw / mag;
    step         = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    double start = ceil(lo / step - 1e-9) * step;
    for (double v = start; v <= hi + step * 1e-9 && n < cap; v += step)
        out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

/* ---- rendering ---- */

typedef struct frame {
    double x0, x1, y0, y1; /* plot area in pixels (y0 top) */
    double xlo, xhi, ylo, yhi;
    int xlog, ylog;
} frame;

static double tr(double v, int log)
{
    return log ? (v > 0 ? log10(v) : NAN) : v;
}

static double px(const frame *f, double v)
{
    double t = tr(v, f->xlog), lo = tr(f->xlo, f->xlog), hi = tr(f->xhi, f->xlog);
    return f->x0 + (t - lo) / (hi - lo) * (f->x1 - f->x0);
}

static double py(const frame *f, double v)
{
    double t = tr(v, f->ylog), lo = tr(f->ylo, f->ylog), hi = tr(f->yhi, f->ylog);
    return f->y1 - (t - lo) / (hi - lo) * (f->y1 - f->y0);
}

static int usable(double v, int log)
{
    return isfinite(v) && (!log || v > 0);
}

static void data_range(const svg_plot *p, int want_x, double *lo, double *hi)
{
    const axis *a = want_x ? &p->x : &p->y;
    *lo           = DBL_MAX;
    *hi           = -DBL_MAX;
    for (size_t i = 0; i < p->ns; i++) {
        const series *s = &p->s[i];
        for (size_t k = 0; k < s->n; k++) {
            double vals[2] = {want_x ? s->x[k] : s->y[k], want_x ? NAN : (s->y2 ? s->y2[k] : NAN)};
            for (int j = 0; j < 2; j++)
                if (usable(vals[j], a->log)) {
                    if (vals[j] < *lo) *lo = vals[j];
                    if (vals[j] > *hi) *hi = vals[j];
                }
        }
    }
    if (!want_x)
        for (size_t i = 0; i < p->nh; i++)
            if (usable(p->hline[i], a->log)) {
                if (p->hline[i] < *lo) *lo = p->hline[i];
                if (p->hline[i] > *hi) *hi = p->hline[i];
            }
    if (*lo > *hi) { /* no data */
        *lo = a->log ? 1 : 0;
        *hi = a->log ? 10 : 1;
    }
    if (*lo == *hi) {
        double d = a->log ? 0 : (fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1);
        *lo      = a->log ? *lo / 2 : *lo - d;
        *hi      = a->log ? *hi * 2 : *hi + d;
    } else if (!a->log) {
        double m = (*hi - *lo) * 0.05;
        *lo -= m;
        *hi += m;
    }
}

static void fmt_num(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (v == 0)
        snprintf(buf, n, "0");
    else if (a >= 1e6 || a < 1e-3)
        snprintf(buf, n, "%.3g", v);
    else
        snprintf(buf, n, "%.10g", round(v * 1e6) / 1e6);
}

/* Points outside the pinned ranges are left out (lines instead run to the clipped edge). */
static int inside(const frame *f, double x, double y)
{
    return usable(x, f->xlog) && usable(y, f->ylog) && x >= f->xlo && x <= f->xhi && y >= f->ylo &&
           y <= f->yhi;
}

static void series_attr(const series *s, sb *o)
{
    if (!s->name) return;
    sb_adds(o, " data-series=\"");
    sb_add_xml(o, s->name);
    sb_adds(o, "\"");
}

static void render_series(const svg_plot *p, const frame *f, const series *s, sb *o)
{
    const char *c = svgp_color(s->color);
    switch (s->kind) {
    case S_BAND: {
        /* one polygon per run of usable points: lower edge forward, upper edge back */
        size_t k = 0;
        while (k < s->n) {
            while (k < s->n && !(usable(s->x[k], f->xlog) && usable(s->y[k], f->ylog) &&
                                 usable(s->y2[k], f->ylog)))
                k++;
            size_t a = k;
            while (k < s->n && usable(s->x[k], f->xlog) && usable(s->y[k], f->ylog) &&
                   usable(s->y2[k], f->ylog))
                k++;
            if (k - a < 2) continue;
            sb_addf(o, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\"", c);
            series_attr(s, o);
            sb_adds(o, " points=\"");
            for (size_t i = a; i < k; i++)
                sb_addf(o, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
            for (size_t i = k; i-- > a;)
                sb_addf(o, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y2[i]));
            sb_adds(o, "\"/>\n");
        }
        break;
    }
    case S_LINE: {
        int open = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!usable(s->x[i], f->xlog) || !usable(s->y[i], f->ylog)) {
                if (open) sb_adds(o, "\"/>\n");
                open = 0;
                continue;
            }
            if (!open) {
                sb_addf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", c);
                series_attr(s, o);
                sb_adds(o, " points=\"");
            }
            open = 1;
            sb_addf(o, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
        }
        if (open) sb_adds(o, "\"/>\n");
        break;
    }
    case S_POINTS:
        for (size_t i = 0; i < s->n; i++)
            if (inside(f, s->x[i], s->y[i])) {
                sb_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"", px(f, s->x[i]),
                        py(f, s->y[i]), c);
                series_attr(s, o);
                sb_adds(o, "/>\n");
            }
        break;
    case S_ERRBARS:
        for (size_t i = 0; i < s->n; i++)
            if (inside(f, s->x[i], s->y[i]) && inside(f, s->x[i], s->y2[i])) {
                double x = px(f, s->x[i]);
                sb_addf(o,
                        "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"%s\" "
                        "stroke-width=\"1\"",
                        x, py(f, s->y[i]), py(f, s->y2[i]), x - 3, py(f, s->y[i]), x + 3, x - 3,
                        py(f, s->y2[i]), x + 3, c);
                series_attr(s, o);
                sb_adds(o, "/>\n");
            }
        break;
    }
    (void)p;
}

void svgp_render(const svg_plot *p, sb *o)
{
    double top = p->subtitle && *p->subtitle ? 56 : 40;
    frame f    = {70, p->w - 20.0, top, p->h - 55.0, 0, 0, 0, 0, p->x.log, p->y.log};
    if (p->x.pinned) {
        f.xlo = p->x.lo;
        f.xhi = p->x.hi;
    } else {
        data_range(p, 1, &f.xlo, &f.xhi);
    }
    if (p->y.pinned) {
        f.ylo = p->y.lo;
        f.yhi = p->y.hi;
    } else {
        data_range(p, 0, &f.ylo, &f.yhi);
    }
    sb_addf(o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
            "%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            p->w, p->h, p->w, p->h);
    sb_addf(o, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", p->w, p->h);
    sb_addf(o,
            "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" "
            "font-weight=\"bold\">",
            p->w / 2);
    sb_add_xml(o, p->title);
    sb_adds(o, "</text>\n");
    if (p->subtitle && *p->subtitle) {
        sb_addf(o, "<text x=\"%d\" y=\"40\" text-anchor=\"middle\" fill=\"#444\">", p->w / 2);
        sb_add_xml(o, p->subtitle);
        sb_adds(o, "</text>\n");
    }

    double ticks[64];
    char num[48];
    size_t nt = svgp_ticks(f.xlo, f.xhi, f.xlog, 8, ticks, 64);
    for (size_t i = 0; i < nt; i++) {
        double x = px(&f, ticks[i]);
        fmt_num(num, sizeof num, ticks[i]);
        sb_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
                x, f.y0, x, f.y1);
        sb_addf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, f.y1 + 16,
                num);
    }
    nt = svgp_ticks(f.ylo, f.yhi, f.ylog, 6, ticks, 64);
    for (size_t i = 0; i < nt; i++) {
        double y = py(&f, ticks[i]);
        fmt_num(num, sizeof num, ticks[i]);
        sb_addf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
                f.x0, y, f.x1, y);
        sb_addf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", f.x0 - 6, y + 4,
                num);
    }
    sb_addf(o,
            "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"#333\" data-xlo=\"%.17g\" data-xhi=\"%.17g\" "
            "data-ylo=\"%.17g\" data-yhi=\"%.17g\" data-xlog=\"%d\" data-ylog=\"%d\"/>\n",
            f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0, f.xlo, f.xhi, f.ylo, f.yhi, f.xlog, f.ylog);
    sb_addf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", (f.x0 + f.x1) / 2, p->h - 14);
    sb_add_xml(o, p->x.label ? p->x.label : "");
    sb_adds(o, "</text>\n");
    sb_addf(o, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">",
            (f.y0 + f.y1) / 2);
    sb_add_xml(o, p->y.label ? p->y.label : "");
    sb_adds(o, "</text>\n");

    const char *id = p->id ? p->id : "plot";
    sb_adds(o, "<clipPath id=\"");
    sb_add_xml(o, id);
    sb_addf(o,
            "-clip\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n"
            "<g clip-path=\"url(#",
            f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
    sb_add_xml(o, id);
    sb_adds(o, "-clip)\">\n");
    for (size_t i = 0; i < p->nh; i++)
        if (usable(p->hline[i], f.ylog)) {
            double y = py(&f, p->hline[i]);
            sb_addf(o,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#666\" "
                    "stroke-dasharray=\"4 3\"/>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#666\">",
                    f.x0, y, f.x1, y, f.x0 + 4, y - 4);
            sb_add_xml(o, p->hlabel[i]);
            sb_adds(o, "</text>\n");
        }
    /* bands under everything else */
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind == S_BAND) render_series(p, &f, &p->s[i], o);
    for (size_t i = 0; i < p->ns; i++)
        if (p->s[i].kind != S_BAND) render_series(p, &f, &p->s[i], o);
    sb_adds(o, "</g>\n");

    /* legend: named series, top-left inside the frame */
    double ly = f.y0 + 16;
    for (size_t i = 0; i < p->ns; i++) {
        if (!p->s[i].name || p->s[i].kind == S_BAND || p->s[i].kind == S_ERRBARS) continue;
        const char *c = svgp_color(p->s[i].color);
        if (p->s[i].kind == S_LINE)
            sb_addf(o,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\"/>\n",
                    f.x0 + 10, ly - 4, f.x0 + 28, ly - 4, c);
        else
            sb_addf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", f.x0 + 19, ly - 4,
                    c);
        sb_addf(o, "<text x=\"%.1f\" y=\"%.1f\">", f.x0 + 34, ly);
        sb_add_xml(o, p->s[i].name);
        sb_adds(o, "</text>\n");
        ly += 16;
    }
    sb_adds(o, "</svg>\n");
}
