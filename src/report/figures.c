#include "report/figures.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/svgplot.h"
#include "stats/lattice_stats.h"
#include "util/mem.h"

#define FIG_W 760
#define FIG_H 460
#define DEFAULT_GRID 241

/* ---- the manifest's view of the lattice ------------------------------------------------------ */

typedef struct mf_config {
    const char *id;
    double typed[3]; /* by rp_fraction: 1 - the share of variant 0 */
} mf_config;

typedef struct manifest {
    json_t *root;
    char *path;
    mf_config *configs;
    size_t n;
    int sampled;
    size_t r;
    const char ***samples; /* r arrays of ids */
    size_t *sample_n;
    double size; /* lattice size V^N (INFINITY when the manifest says null) */
    const char *variant0;
} manifest;

static void manifest_free(manifest *m)
{
    if (!m) return;
    for (size_t j = 0; j < m->r; j++)
        free(m->samples[j]);
    free(m->samples);
    free(m->sample_n);
    free(m->configs);
    free(m->path);
    json_decref(m->root);
    free(m);
}

static manifest *manifest_load(const char *path, mp_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return mp_fail(err, "manifest %s:%d:%d: %s", path, je.line, je.column, je.text), NULL;
    const char *schema = json_string_value(json_object_get(root, "schema"));
    json_t *configs    = json_object_get(root, "configurations");
    json_t *variants   = json_object_get(json_object_get(root, "inputs"), "variants");
    if (!schema || strcmp(schema, "mixperf.mix/1") != 0 || !json_is_array(configs) ||
        !json_is_array(variants) || json_array_size(variants) < 1) {
        json_decref(root);
        return mp_fail(err,
                       "manifest %s: not a mixperf mix manifest (expected schema mixperf.mix/1 "
                       "with inputs.variants and configurations)",
                       path),
               NULL;
    }
    manifest *m = xcalloc(1, sizeof *m);
    m->root     = root;
    m->path     = xstrdup(path);
    size_t i;
    json_t *v;
    json_array_foreach(variants, i, v)
    {
        if (json_integer_value(json_object_get(v, "index")) == 0)
            m->variant0 = json_string_value(json_object_get(v, "name"));
    }
    if (!m->variant0) m->variant0 = "untyped";
    m->n                              = json_array_size(configs);
    m->configs                        = xcalloc(m->n ? m->n : 1, sizeof *m->configs);
    static const char *const fkeys[3] = {"units", "lines", "untyped_chars"};
    json_t *c;
    json_array_foreach(configs, i, c)
    {
        mf_config *mc = &m->configs[i];
        mc->id        = json_string_value(json_object_get(c, "id"));
        if (!mc->id) {
            manifest_free(m);
            return mp_fail(err, "manifest %s: configuration %zu has no id", path, i + 1), NULL;
        }
        json_t *fr = json_object_get(c, "fractions");
        for (int k = 0; k < 3; k++) {
            json_t *x    = json_object_get(json_object_get(fr, fkeys[k]), m->variant0);
            mc->typed[k] = json_is_number(x) ? 1 - json_number_value(x) : NAN;
            if (fabs(mc->typed[k]) < 1e-12) mc->typed[k] = 0;
        }
    }
    json_t *size = json_object_get(json_object_get(root, "lattice"), "size");
    m->size      = json_is_number(size) ? json_number_value(size) : INFINITY;
    json_t *sam  = json_object_get(root, "sampling");
    if (json_is_object(sam)) {
        json_t *samples = json_object_get(sam, "samples");
        if (!json_is_array(samples)) {
            manifest_free(m);
            return mp_fail(err, "manifest %s: sampling without samples", path), NULL;
        }
        m->sampled  = 1;
        m->r        = json_array_size(samples);
        m->samples  = xcalloc(m->r ? m->r : 1, sizeof *m->samples);
        m->sample_n = xcalloc(m->r ? m->r : 1, sizeof *m->sample_n);
        json_t *one;
        json_array_foreach(samples, i, one)
        {
            size_t k;
            json_t *id;
            m->samples[i] = xcalloc(json_array_size(one) + 1, sizeof *m->samples[i]);
            json_array_foreach(one, k, id)
            {
                if (json_is_string(id)) m->samples[i][m->sample_n[i]++] = json_string_value(id);
            }
        }
    }
    return m;
}

static const mf_config *mf_find(const manifest *m, const char *id)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->configs[i].id, id) == 0) return &m->configs[i];
    return NULL;
}

/* ---- overheads ------------------------------------------------------------------------------- */

static int all_zero(const char *id)
{
    return *id && strspn(id, "0") == strlen(id);
}

static const rp_cell *find_cell(const rp_summary *s, const char *rt, const char *b, const char *c)
{
    for (size_t i = 0; i < s->ncells; i++)
        if (strcmp(s->cells[i].runtime, rt) == 0 && strcmp(s->cells[i].benchmark, b) == 0 &&
            strcmp(s->cells[i].config, c) == 0)
            return &s->cells[i];
    return NULL;
}

/* The overhead of cell against base with its interval: estimate NAN (and lo = hi = NAN) when the
 * cell has no successful run, so that it is never D-deliverable; lo 0 and hi +inf when there is a
 * mean but no interval. */
static mp_interval overhead(const rp_cell *c, const rp_cell *base, const rp_fig_opts *o)
{
    mp_interval iv = {0};
    iv.estimate = iv.lo = iv.hi = NAN;
    if (!c || !(c->n >= 1) || !isfinite(c->mean) || !base || !isfinite(base->mean) ||
        base->mean == 0 || c->mean == 0)
        return iv;
    int inv     = c->higher_is_better;
    iv.estimate = inv ? base->mean / c->mean : c->mean / base->mean;
    if (c == base) {
        iv.lo = iv.hi = 1;
        return iv;
    }
    mp_interval r;
    mp_err e;
    if (rp_ratio(inv ? base : c, inv ? c : base, o->method, o->confidence, o->df, o->seed, &r,
                 &e) == 0 &&
        !(r.flags & MP_IV_UNBOUNDED)) {
        iv.lo = fmax(0, r.lo);
        iv.hi = r.hi;
    } else {
        iv.lo = 0;
        iv.hi = INFINITY;
    }
    return iv;
}

/* ---- small string helpers -------------------------------------------------------------------- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    sb s = {0};
    va_list ap;
    va_start(ap, f);
    sb_vaddf(&s, f, ap);
    va_end(ap);
    return sb_detach(&s);
}

/* Names of a benchmark's runtimes, sorted as the summary's cells are. */
static size_t runtimes_of(const rp_summary *s, const char *b, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        if (strcmp(s->cells[i].benchmark, b) != 0) continue;
        size_t k = 0;
        while (k < n && strcmp(out[k], s->cells[i].runtime) != 0)
            k++;
        if (k == n) out[n++] = s->cells[i].runtime;
    }
    return n;
}

static const char *manifest_of(const rp_summary *s, const char *b)
{
    for (size_t i = 0; i < s->nlines; i++) {
        if (strcmp(s->lines[i].benchmark, b) != 0) continue;
        const char *m = json_string_value(
            json_object_get(json_object_get(s->lines[i].obj, "provenance"), "manifest"));
        if (m) return m;
    }
    return NULL;
}

/* Typed fraction of a configuration: from the manifest, else (units only) from its id's digits:
 * the share of units whose digit is not 0. */
static double typed_fraction(const manifest *m, const char *id, rp_fraction f)
{
    const mf_config *mc = mf_find(m, id);
    if (mc) return mc->typed[f];
    if (f != RP_FRAC_UNITS || !*id || strspn(id, "0123456789") != strlen(id)) return NAN;
    size_t typed = 0, n = strlen(id);
    for (size_t i = 0; i < n; i++)
        typed += id[i] != '0';
    return (double)typed / (double)n;
}

/* ---- the overhead plot ----------------------------------------------------------------------- */

typedef struct rt_curve {
    const char *runtime;
    const rp_cell *base;
    mp_interval *ov; /* per configuration of the universe (census) or per sample member */
    size_t n;        /* census: measured configurations */
    size_t unmeasured;
    size_t failed;
    size_t *sample_off, *sample_len; /* sampled: members of sample j are ov[off .. off+len) */
} rt_curve;

static void curve_free(rt_curve *c)
{
    free(c->ov);
    free(c->sample_off);
    free(c->sample_len);
}

/* Fills c for runtime rt of benchmark b: the overhead of every configuration the lattice (or its
 * samples) holds, measured ones only. */
static void curve_fill(const rp_summary *s, const rp_fig_opts *o, const manifest *m, const char *b,
                       const char *rt, const char *zero, rt_curve *c)
{
    memset(c, 0, sizeof *c);
    c->runtime = rt;
    c->base    = find_cell(s, o->reference_runtime ? o->reference_runtime : rt, b, zero);
    if (m && m->sampled) {
        size_t total = 0;
        for (size_t j = 0; j < m->r; j++)
            total += m->sample_n[j];
        c->ov         = xcalloc(total + 1, sizeof *c->ov);
        c->sample_off = xcalloc(m->r + 1, sizeof *c->sample_off);
        c->sample_len = xcalloc(m->r + 1, sizeof *c->sample_len);
        for (size_t j = 0; j < m->r; j++) {
            c->sample_off[j] = c->n;
            for (size_t k = 0; k < m->sample_n[j]; k++) {
                const rp_cell *cell = find_cell(s, rt, b, m->samples[j][k]);
                if (!cell) {
                    c->unmeasured++;
                    continue;
                }
                c->ov[c->n] = overhead(cell, c->base, o);
                c->failed += !isfinite(c->ov[c->n].estimate);
                c->n++;
                c->sample_len[j]++;
            }
        }
        return;
    }
    /* Census: the manifest's configurations, or every configuration measured on any runtime. */
    size_t cap = m ? m->n : s->ncells;
    c->ov      = xcalloc(cap + 1, sizeof *c->ov);
    if (m) {
        for (size_t i = 0; i < m->n; i++) {
            const rp_cell *cell = find_cell(s, rt, b, m->configs[i].id);
            if (!cell) {
                c->unmeasured++;
                continue;
            }
            c->ov[c->n] = overhead(cell, c->base, o);
            c->failed += !isfinite(c->ov[c->n].estimate);
            c->n++;
        }
        return;
    }
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *any = &s->cells[i];
        if (strcmp(any->benchmark, b) != 0) continue;
        int first = 1; /* each configuration once */
        for (size_t k = 0; k < i && first; k++)
            first = !(strcmp(s->cells[k].benchmark, b) == 0 &&
                      strcmp(s->cells[k].config, any->config) == 0);
        if (!first) continue;
        const rp_cell *cell = find_cell(s, rt, b, any->config);
        if (!cell) {
            c->unmeasured++;
            continue;
        }
        c->ov[c->n] = overhead(cell, c->base, o);
        c->failed += !isfinite(c->ov[c->n].estimate);
        c->n++;
    }
}

/* The share (0..1) of c's configurations that are D-deliverable, with its band: sampled, the mean
 * of the per-sample shares and their t interval (NAN bounds with fewer than 2 measured samples);
 * census, the point count and the surely/possibly counts. A configuration whose runs all failed
 * counts against (B.7: it is not <= D). */
static void curve_eval(const rt_curve *c, const manifest *m, double D, double confidence, double *y,
                       double *lo, double *hi)
{
    *y = *lo = *hi = NAN;
    if (c->n == 0) return;
    if (!(m && m->sampled)) {
        mp_deliverable_band db;
        mp_deliverable_count(c->ov, c->n, D, &db);
        *y  = (double)db.point / (double)c->n;
        *lo = (double)db.surely / (double)c->n;
        *hi = (double)db.possibly / (double)c->n;
        return;
    }
    double *pj = xcalloc(m->r + 1, sizeof *pj), sum = 0;
    size_t rr = 0;
    for (size_t j = 0; j < m->r; j++) {
        if (!c->sample_len[j]) continue;
        size_t in = 0;
        for (size_t i = 0; i < c->sample_len[j]; i++)
            in += c->ov[c->sample_off[j] + i].estimate <= D;
        pj[rr] = (double)in / (double)c->sample_len[j];
        sum += pj[rr++];
    }
    if (rr) *y = sum / (double)rr;
    mp_interval iv;
    mp_err e;
    if (rr >= 2 && mp_prop_ci_t(pj, rr, confidence, &iv, &e) == 0) {
        *lo = iv.lo;
        *hi = iv.hi;
    }
    free(pj);
}

static void widen(double v, double *lo, double *hi)
{
    if (!isfinite(v) || v <= 0) return;
    if (v < *lo) *lo = v;
    if (v > *hi) *hi = v;
}

static rp_figure *fig_push(rp_figure **figs, size_t *n, size_t *cap)
{
    XGROW(*figs, *n + 1, *cap);
    rp_figure *f = &(*figs)[(*n)++];
    memset(f, 0, sizeof *f);
    return f;
}

static void overhead_plot(const rp_summary *s, const rp_fig_opts *o, const manifest *m,
                          const char *b, const char *zero, const char **rts, size_t nrt,
                          rp_figure *f, size_t figno)
{
    rt_curve *cv = xcalloc(nrt, sizeof *cv);
    double lo = 1, hi = 2;
    for (size_t r = 0; r < nrt; r++) {
        curve_fill(s, o, m, b, rts[r], zero, &cv[r]);
        for (size_t i = 0; i < cv[r].n; i++) {
            widen(cv[r].ov[i].estimate, &lo, &hi);
            widen(cv[r].ov[i].lo, &lo, &hi);
            widen(cv[r].ov[i].hi, &lo, &hi);
        }
    }
    if (o->dlo > 0 && o->dhi > o->dlo) {
        lo = o->dlo;
        hi = o->dhi;
    } else {
        /* From 1 (or the fastest configuration) to the slowest, a little wider; an interval
         * reaching far beyond the estimates must not squash the curves. */
        if (lo < 1) lo /= 1.05;
        hi = fmin(hi * 1.05, 1000);
    }
    size_t g  = o->grid ? o->grid : DEFAULT_GRID;
    double *D = xcalloc(g, sizeof *D), *y = xcalloc(g, sizeof *y);
    double *ylo = xcalloc(g, sizeof *ylo), *yhi = xcalloc(g, sizeof *yhi);
    for (size_t k = 0; k < g; k++)
        D[k] = g == 1 ? lo : lo * pow(hi / lo, (double)k / (double)(g - 1));

    const char *base_txt = o->reference_runtime ? o->reference_runtime : "the same runtime";
    f->benchmark         = xstrdup(b);
    f->name              = fmt("overhead-%s.svg", b);
    f->id                = fmt("fig%zu", figno);
    f->title             = fmt("%s: configurations D-deliverable vs untyped %s on %s", b, zero,
                   o->reference_runtime ? o->reference_runtime : "each runtime");
    sb note              = {0};
    if (m && m->sampled) {
        size_t s0 = m->r ? m->sample_n[0] : 0;
        sb_addf(&note,
                "Sampled lattice (%s): r = %zu samples of s = %zu configurations; the curve is "
                "the mean share over the samples, the band its %g%% t interval over the r "
                "samples (METHODS.md B.7).",
                m->path, m->r, s0, o->confidence * 100);
    } else {
        sb_addf(&note,
                "All configurations %s; the band runs from \"surely\" (the overhead's upper %g%% "
                "bound is at most D) to \"possibly\" D-deliverable (its lower bound is), from "
                "each configuration's %s interval (METHODS.md B.7 step 8).",
                m ? "of the manifest" : "measured", o->confidence * 100,
                o->method == RP_FIELLER ? "Fieller" : "ratio");
    }
    sb_addf(&note, " Overhead = mean(configuration) / mean(untyped %s on %s)", zero, base_txt);
    if (s->ncells && s->cells[0].higher_is_better)
        sb_addf(&note, " inverted for %s (higher is better)", s->cells[0].metric);
    sb_adds(&note, ".");

    svg_plot *p = svgp_new(FIG_W, FIG_H, f->title);
    svgp_id(p, f->id);
    svgp_x_axis(p, "D: overhead vs the baseline (log scale)", 1);
    svgp_y_axis(p, "% of configurations with overhead <= D", 0);
    svgp_x_range(p, lo, hi);
    svgp_y_range(p, 0, 100);
    sb sub = {0};
    for (size_t r = 0; r < nrt; r++) {
        rt_curve *c = &cv[r];
        if (r) sb_adds(&sub, "; ");
        if (!c->base || !isfinite(c->base->mean)) {
            sb_addf(&sub, "%s: no baseline", c->runtime);
            sb_addf(&note, " %s has no measured untyped baseline: no curve.", c->runtime);
            continue;
        }
        if (m && m->sampled)
            sb_addf(&sub, "%s: %zu of %zu sampled", c->runtime, c->n, c->n + c->unmeasured);
        else
            sb_addf(&sub, "%s: %zu of %zu", c->runtime, c->n, c->n + c->unmeasured);
        if (c->failed) sb_addf(&sub, ", %zu failed", c->failed);
        if (c->n == 0) continue;
        int band = 1;
        for (size_t k = 0; k < g; k++) {
            curve_eval(c, m, D[k], o->confidence, &y[k], &ylo[k], &yhi[k]);
            y[k] *= 100;
            ylo[k] *= 100;
            yhi[k] *= 100;
            if (!isfinite(ylo[k])) band = 0;
        }
        if (band) svgp_band(p, c->runtime, D, ylo, yhi, g, (int)r);
        svgp_line(p, c->runtime, D, y, g, (int)r);
    }
    svgp_subtitle(p, sb_str(&sub));
    sb_free(&sub);
    svgp_render(p, &f->svg);
    svgp_free(p);
    f->note = sb_detach(&note);
    for (size_t r = 0; r < nrt; r++)
        curve_free(&cv[r]);
    free(cv);
    free(D);
    free(y);
    free(ylo);
    free(yhi);
}

/* ---- typed fraction against time ------------------------------------------------------------- */

static void scatter_plot(const rp_summary *s, const rp_fig_opts *o, const manifest *m,
                         const char *b, const char *zero, const char **rts, size_t nrt,
                         rp_figure *f, size_t figno)
{
    static const char *const fname[3] = {"units", "lines", "untyped characters"};
    const rp_cell *any                = NULL;
    for (size_t i = 0; i < s->ncells && !any; i++)
        if (strcmp(s->cells[i].benchmark, b) == 0) any = &s->cells[i];
    f->benchmark = xstrdup(b);
    f->name      = fmt("typed-%s.svg", b);
    f->id        = fmt("fig%zu", figno);
    if (o->scatter_overhead)
        f->title = fmt("%s: overhead vs untyped %s on %s, by share of typed %s", b, zero,
                       o->reference_runtime ? o->reference_runtime : "the same runtime",
                       fname[o->fraction]);
    else
        f->title = fmt("%s: mean %s by share of typed %s", b, any->metric, fname[o->fraction]);
    svg_plot *p = svgp_new(FIG_W, FIG_H, f->title);
    svgp_id(p, f->id);
    sb xl = {0}, yl = {0}, note = {0}, sub = {0};
    sb_addf(&xl, "share of %s typed (not %s)", fname[o->fraction], m ? m->variant0 : "variant 0");
    if (o->scatter_overhead)
        sb_adds(&yl, "overhead");
    else
        sb_addf(&yl, "mean %s%s%s%s", any->metric, *any->unit ? " (" : "", any->unit,
                *any->unit ? ")" : "");
    /* A log axis when the values span more than a decade (PyPy next to CPython). */
    double vlo = INFINITY, vhi = 0;
    size_t missing_x = 0, points = 0;
    for (size_t r = 0; r < nrt; r++) {
        const rp_cell *base =
            find_cell(s, o->reference_runtime ? o->reference_runtime : rts[r], b, zero);
        size_t cap = s->ncells, k = 0;
        double *x = xcalloc(cap, sizeof *x), *yv = xcalloc(cap, sizeof *yv);
        double *lo = xcalloc(cap, sizeof *lo), *hi = xcalloc(cap, sizeof *hi);
        for (size_t i = 0; i < s->ncells; i++) {
            const rp_cell *c = &s->cells[i];
            if (strcmp(c->benchmark, b) != 0 || strcmp(c->runtime, rts[r]) != 0) continue;
            double fx = typed_fraction(m, c->config, o->fraction);
            if (!isfinite(fx)) {
                missing_x++;
                continue;
            }
            if (o->scatter_overhead) {
                mp_interval iv = overhead(c, base, o);
                yv[k]          = iv.estimate;
                lo[k]          = iv.lo;
                hi[k]          = iv.hi;
            } else {
                yv[k] = c->mean;
                lo[k] = c->have_ci ? c->ci.lo : NAN;
                hi[k] = c->have_ci ? c->ci.hi : NAN;
            }
            if (!isfinite(yv[k])) continue;
            x[k] = fx;
            widen(yv[k], &vlo, &vhi);
            k++;
        }
        points += k;
        sb_addf(&sub, "%s%s: %zu cells", r ? "; " : "", rts[r], k);
        svgp_errorbars(p, rts[r], x, lo, hi, k, (int)r);
        svgp_points(p, rts[r], x, yv, k, (int)r);
        free(x);
        free(yv);
        free(lo);
        free(hi);
    }
    int ylog = vhi > 0 && vlo > 0 && vhi / vlo > 10;
    svgp_x_axis(p, sb_str(&xl), 0);
    svgp_x_range(p, -0.05, 1.05);
    svgp_y_axis(p, ylog ? "" : sb_str(&yl), ylog);
    if (ylog) {
        sb_adds(&yl, " (log scale)");
        svgp_y_axis(p, sb_str(&yl), 1);
    }
    sb_addf(&note,
            "%zu configurations x runtimes; x: the share of %s not from variant %s (%s); "
            "error bars: %s.",
            points, fname[o->fraction], m ? m->variant0 : "0",
            m ? "from the manifest" : "from the ids' digits: no manifest",
            o->scatter_overhead ? "the overhead's ratio interval"
                                : "each cell's interval by its stop rule");
    if (missing_x) sb_addf(&note, " %zu cells without a typed fraction are left out.", missing_x);
    svgp_subtitle(p, sb_str(&sub));
    svgp_render(p, &f->svg);
    svgp_free(p);
    f->note = sb_detach(&note);
    sb_free(&sub);
    sb_free(&xl);
    sb_free(&yl);
}

/* ---- entry points ---------------------------------------------------------------------------- */

int rp_fraction_parse(const char *s, rp_fraction *out, mp_err *err)
{
    if (strcmp(s, "units") == 0)
        *out = RP_FRAC_UNITS;
    else if (strcmp(s, "lines") == 0)
        *out = RP_FRAC_LINES;
    else if (strcmp(s, "chars") == 0 || strcmp(s, "untyped_chars") == 0)
        *out = RP_FRAC_CHARS;
    else
        return mp_fail(err, "typed fraction '%s' (expected units, lines or chars)", s);
    return 0;
}

/* The all-zero configuration of benchmark b when b has it and at least one other; else NULL. */
static const char *zero_of(const rp_summary *s, const char *b)
{
    const char *zero = NULL;
    int other        = 0;
    for (size_t k = 0; k < s->ncells; k++) {
        const rp_cell *c = &s->cells[k];
        if (strcmp(c->benchmark, b) != 0) continue;
        if (all_zero(c->config))
            zero = c->config;
        else
            other = 1;
    }
    return other ? zero : NULL;
}

static manifest *manifest_for(const rp_summary *s, const rp_fig_opts *o, const char *b,
                              manifest *given)
{
    if (given || o->manifest) return given;
    const char *mp = manifest_of(s, b);
    mp_err e2;
    return mp ? manifest_load(mp, &e2) : NULL; /* a missing manifest: figures without it */
}

int rp_deliverable_at(const rp_summary *s, const rp_fig_opts *o, const char *benchmark,
                      const char *runtime, double D, rp_deliverable *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->share = out->lo = out->hi = NAN;
    const char *zero               = zero_of(s, benchmark);
    if (!zero)
        return mp_fail(err, "benchmark '%s' has no all-zero configuration and another one",
                       benchmark);
    manifest *given = NULL;
    if (o->manifest && !(given = manifest_load(o->manifest, err))) return -1;
    manifest *m = manifest_for(s, o, benchmark, given);
    rt_curve c;
    curve_fill(s, o, m, benchmark, runtime, zero, &c);
    int rc = 0;
    if (!c.base || !isfinite(c.base->mean)) {
        rc = mp_fail(err, "runtime '%s' has no measured %s configuration of '%s'", runtime, zero,
                     benchmark);
    } else {
        curve_eval(&c, m, D, o->confidence, &out->share, &out->lo, &out->hi);
        out->sampled    = m && m->sampled;
        out->measured   = c.n;
        out->unmeasured = c.unmeasured;
        out->failed     = c.failed;
    }
    curve_free(&c);
    if (m != given) manifest_free(m);
    manifest_free(given);
    return rc;
}

int rp_figures_make(const rp_summary *s, const rp_fig_opts *o, rp_figure **figs, size_t *n,
                    mp_err *err)
{
    *figs           = NULL;
    *n              = 0;
    size_t cap      = 0;
    manifest *given = NULL;
    if (o->manifest && !(given = manifest_load(o->manifest, err))) return -1;
    const char **rts = xcalloc(s->ncells + 1, sizeof *rts);
    for (size_t i = 0; i < s->ncells; i++) {
        const char *b = s->cells[i].benchmark;
        if (i && strcmp(s->cells[i - 1].benchmark, b) == 0) continue;
        int first = 1;
        for (size_t k = 0; k < i && first; k++)
            first = strcmp(s->cells[k].benchmark, b) != 0;
        if (!first) continue;
        const char *zero = zero_of(s, b);
        if (!zero) continue;
        manifest *m = manifest_for(s, o, b, given);
        size_t nrt  = runtimes_of(s, b, rts);
        size_t k    = *n; /* the figures' numbers make their SVG ids unique within a page */
        overhead_plot(s, o, m, b, zero, rts, nrt, fig_push(figs, n, &cap), k);
        scatter_plot(s, o, m, b, zero, rts, nrt, fig_push(figs, n, &cap), k + 1);
        if (m != given) manifest_free(m);
    }
    free(rts);
    manifest_free(given);
    return 0;
}

void rp_figures_free(rp_figure *figs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(figs[i].benchmark);
        free(figs[i].name);
        free(figs[i].title);
        free(figs[i].note);
        free(figs[i].id);
        sb_free(&figs[i].svg);
    }
    free(figs);
}

int rp_figures_write(const rp_figure *figs, size_t n, const char *dir, mp_err *err)
{
    for (size_t i = 0; i < n; i++) {
        sb path = {0};
        sb_addf(&path, "%s/%s", dir, figs[i].name);
        FILE *f = fopen(sb_str(&path), "w");
        int ok  = f && fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f) >= 0 &&
                 fwrite(figs[i].svg.buf, 1, figs[i].svg.len, f) == figs[i].svg.len;
        if (f && fclose(f) != 0) ok = 0;
        if (!ok) {
            mp_fail(err, "cannot write %s: %s", sb_str(&path), strerror(errno));
            sb_free(&path);
            return -1;
        }
        sb_free(&path);
    }
    return 0;
}
