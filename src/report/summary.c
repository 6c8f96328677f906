#include "report/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment.h"
#include "experiment/stoprule.h"
#include "stats/ci.h"
#include "util/mem.h"
#include "util/sb.h"

static int by_key(const void *a, const void *b)
{
    const rp_cell *x = a, *y = b;
    int c = strcmp(x->runtime, y->runtime);
    if (!c) c = strcmp(x->benchmark, y->benchmark);
    if (!c) c = strcmp(x->config, y->config);
    return c;
}

static rp_cell *find_cell(rp_summary *s, const ex_line *l)
{
    for (size_t i = 0; i < s->ncells; i++) {
        rp_cell *c = &s->cells[i];
        if (strcmp(c->runtime, l->runtime) == 0 && strcmp(c->benchmark, l->benchmark) == 0 &&
            strcmp(c->config, l->config) == 0)
            return c;
    }
    return NULL;
}

static const char *unit_of(const char *metric)
{
    int m = ex_metric_find(metric);
    if (m >= 0) return ex_metric_get((ex_metric)m)->unit;
    if (strcmp(metric, "user") == 0 || strcmp(metric, "sys") == 0 || strcmp(metric, "cpu") == 0 ||
        strcmp(metric, "mean_latency") == 0 || strcmp(metric, "window_s") == 0)
        return "s";
    if (strcmp(metric, "max_rss") == 0) return "B";
    return "";
}

static void finish_cell(rp_cell *c)
{
    /* The stop rule's state on the stop metric, as the runner judged it. */
    plan_run *pr = xcalloc(c->nlines ? c->nlines : 1, sizeof *pr);
    for (size_t i = 0; i < c->nlines; i++)
        pr[i] = ex_line_plan_run(c->lines[i], 0);
    c->state = plan_cell_state(&c->rule, pr, c->nlines, ex_rule_halfwidth, &c->seed, &c->stop_hw);
    free(pr);
    c->mean = c->sd = NAN;
    if (c->n >= 1) {
        double m = 0;
        for (size_t i = 0; i < c->n; i++)
            m += c->values[i];
        c->mean = m / (double)c->n;
    }
    if (c->n >= 2) {
        double v = 0;
        for (size_t i = 0; i < c->n; i++)
            v += (c->values[i] - c->mean) * (c->values[i] - c->mean);
        c->sd      = sqrt(v / (double)(c->n - 1));
        c->have_ci = ex_rule_interval(&c->rule, c->values, c->n, c->seed, &c->ci, NULL) == 0;
    }
}

int rp_summary_load(rp_summary *s, const char *path, const char *metric, mp_err *err)
{
    memset(s, 0, sizeof *s);
    if (results_load(&s->res, path, err) != 0) return -1;
    s->lines   = xcalloc(s->res.n ? s->res.n : 1, sizeof *s->lines);
    s->nlines  = s->res.n;
    s->cells   = xcalloc(s->res.n ? s->res.n : 1, sizeof *s->cells);
    int have_m = metric == NULL;
    for (size_t i = 0; i < s->res.n; i++) {
        ex_line *l = &s->lines[i];
        if (ex_line_parse(s->res.lines[i], l, err) != 0) {
            mp_fail_wrap(err, "%s:%zu", path, i + 1);
            rp_summary_free(s);
            return -1;
        }
        if (!s->experiment) s->experiment = l->experiment;
        rp_cell *c = find_cell(s, l);
        if (!c) {
            c                   = &s->cells[s->ncells++];
            c->runtime          = l->runtime;
            c->benchmark        = l->benchmark;
            c->config           = l->config;
            c->stop_metric      = l->metric;
            c->metric           = metric ? metric : l->metric;
            c->unit             = unit_of(c->metric);
            int m               = ex_metric_find(c->metric);
            c->higher_is_better = m >= 0 && ex_metric_get((ex_metric)m)->higher_is_better;
            c->values           = xcalloc(s->res.n, sizeof *c->values);
            c->lines            = xcalloc(s->res.n, sizeof *c->lines);
            c->rule             = ex_default_rule();
            sb k                = {0};
            sb_addf(&k, "%s/%s/%s", l->runtime, l->benchmark, l->config);
            c->key = sb_detach(&k);
        }
        c->lines[c->nlines++] = l;
        c->spent_s += l->duration_s;
        if (l->has_rule) c->rule = l->rule;
        c->seed = l->seed;
        if (l->warmup) {
            c->warmups++;
            continue;
        }
        c->measured++;
        if (l->status == EX_FAILED) c->failed++;
        if (l->status == EX_TIMEOUT) c->timeouts++;
        if (l->status != EX_OK) continue;
        double v = metric ? ex_line_metric(l, metric) : l->value;
        if (metric && json_object_get(json_object_get(l->obj, "metrics"), metric)) have_m = 1;
        if (isfinite(v)) c->values[c->n++] = v;
    }
    if (!have_m && s->nlines) {
        mp_fail(err, "%s: no run records a metric '%s'", path, metric);
        rp_summary_free(s);
        return -1;
    }
    qsort(s->cells, s->ncells, sizeof *s->cells, by_key);
    for (size_t i = 0; i < s->ncells; i++)
        finish_cell(&s->cells[i]);
    return 0;
}

void rp_summary_free(rp_summary *s)
{
    for (size_t i = 0; i < s->ncells; i++) {
        free(s->cells[i].key);
        free(s->cells[i].values);
        free(s->cells[i].lines);
    }
    free(s->cells);
    free(s->lines);
    results_close(&s->res);
    memset(s, 0, sizeof *s);
}

/* ---- selectors ------------------------------------------------------------------------------- */

int rp_selector_parse(const char *s, rp_selector *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->text = xstrdup(s);
    if (!*s) {
        rp_selector_free(out);
        return mp_fail(err, "an empty cell selector (expected e.g. runtime=pypy or config=0101)");
    }
    if (strchr(s, '/') && !strchr(s, '=')) {
        const char *a = strchr(s, '/'), *b = strchr(a + 1, '/');
        if (!b || strchr(b + 1, '/') || a == s || b == a + 1 || !b[1]) {
            rp_selector_free(out);
            return mp_fail(err,
                           "cell selector '%s' (expected runtime/benchmark/config, or "
                           "key=value[,key=value] with keys runtime, benchmark, config)",
                           s);
        }
        out->runtime   = xstrndup(s, (size_t)(a - s));
        out->benchmark = xstrndup(a + 1, (size_t)(b - a - 1));
        out->config    = xstrdup(b + 1);
        return 0;
    }
    if (!strchr(s, '=')) {
        out->config = xstrdup(s);
        return 0;
    }
    const char *p = s;
    while (*p) {
        size_t len    = strcspn(p, ",");
        const char *e = memchr(p, '=', len);
        char **field  = NULL;
        if (e) {
            size_t kl = (size_t)(e - p);
            if (kl == 7 && strncmp(p, "runtime", 7) == 0) field = &out->runtime;
            if (kl == 9 && strncmp(p, "benchmark", 9) == 0) field = &out->benchmark;
            if (kl == 6 && strncmp(p, "config", 6) == 0) field = &out->config;
        }
        if (!field || e + 1 == p + len || *field) {
            int rc = mp_fail(err,
                             "cell selector '%s': '%.*s' (expected key=value[,key=value] with each "
                             "of runtime, benchmark, config at most once)",
                             s, (int)len, p);
            rp_selector_free(out);
            return rc;
        }
        *field = xstrndup(e + 1, (size_t)(p + len - e - 1));
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

void rp_selector_free(rp_selector *sel)
{
    free(sel->runtime);
    free(sel->benchmark);
    free(sel->config);
    free(sel->text);
    memset(sel, 0, sizeof *sel);
}

int rp_selector_match(const rp_selector *sel, const rp_cell *c)
{
    return (!sel->runtime || strcmp(sel->runtime, c->runtime) == 0) &&
           (!sel->benchmark || strcmp(sel->benchmark, c->benchmark) == 0) &&
           (!sel->config || strcmp(sel->config, c->config) == 0);
}

size_t rp_pairs(const rp_summary *s, const rp_selector *A, const rp_selector *B, size_t *pa,
                size_t *pb)
{
    int fr = A->runtime || B->runtime, fb = A->benchmark || B->benchmark,
        fc   = A->config || B->config;
    size_t n = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *a = &s->cells[i];
        if (!rp_selector_match(A, a)) continue;
        for (size_t j = 0; j < s->ncells; j++) {
            const rp_cell *b = &s->cells[j];
            if (i == j || !rp_selector_match(B, b)) continue;
            if (!fr && strcmp(a->runtime, b->runtime) != 0) continue;
            if (!fb && strcmp(a->benchmark, b->benchmark) != 0) continue;
            if (!fc && strcmp(a->config, b->config) != 0) continue;
            if (pa) {
                pa[n] = i;
                pb[n] = j;
            }
            n++;
        }
    }
    return n;
}

/* ---- ratios ---------------------------------------------------------------------------------- */

int rp_ratio_method_parse(const char *s, rp_ratio_method *out, mp_err *err)
{
    static const struct {
        const char *name;
        rp_ratio_method m;
    } names[] = {{"fieller", RP_FIELLER},
                 {"delta", RP_DELTA},
                 {"bootstrap", RP_BOOTSTRAP},
                 {"bca", RP_BOOTSTRAP},
                 {"bootstrap-percentile", RP_BOOTSTRAP_PERCENTILE},
                 {"log-welch", RP_LOG_WELCH}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(names[i].name, s) == 0) {
            *out = names[i].m;
            return 0;
        }
    }
    return mp_fail(err,
                   "unknown ratio method '%s' (expected fieller, delta, bootstrap, "
                   "bootstrap-percentile or log-welch)",
                   s);
}

int rp_ratio(const rp_cell *num, const rp_cell *den, rp_ratio_method m, double confidence,
             mp_df_rule df, uint64_t seed, mp_interval *out, mp_err *err)
{
    if (num->n < 2 || den->n < 2)
        return mp_fail(err, "%s has %zu and %s has %zu successful runs (expected at least 2 each)",
                       num->key, num->n, den->key, den->n);
    mp_boot_opts bo = {0, seed};
    switch (m) {
    case RP_FIELLER:
        return mp_ratio_fieller(num->values, num->n, den->values, den->n, confidence, df, out, err);
    case RP_DELTA:
        return mp_ratio_delta(num->values, num->n, den->values, den->n, confidence, df, out, err);
    case RP_BOOTSTRAP:
        return mp_ratio_bootstrap(num->values, num->n, den->values, den->n, confidence, &bo, NULL,
                                  out, err);
    case RP_BOOTSTRAP_PERCENTILE:
        return mp_ratio_bootstrap(num->values, num->n, den->values, den->n, confidence, &bo, out,
                                  NULL, err);
    case RP_LOG_WELCH:
        return mp_ratio_log_welch(num->values, num->n, den->values, den->n, confidence, out, err);
    }
    return mp_fail(err, "unknown ratio method");
}

/* ---- text ------------------------------------------------------------------------------------ */

void rp_cell_text_of(const rp_cell *c, rp_cell_text *t)
{
    rp_fmt_value(t->mean, sizeof t->mean, c->mean, c->unit);
    snprintf(t->ci, sizeof t->ci, "-");
    snprintf(t->hw, sizeof t->hw, "-");
    if (!c->have_ci) return;
    snprintf(t->ci, sizeof t->ci, "[%.6g, %.6g]", c->ci.lo, c->ci.hi);
    double r = mp_interval_rel_halfwidth(&c->ci);
    if (isfinite(r)) snprintf(t->hw, sizeof t->hw, "%.2f%%", r * 100);
}

void rp_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void rp_fmt_value(char *buf, size_t size, double v, const char *unit)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.6g%s%s", v, unit && *unit ? " " : "", unit ? unit : "");
}

void rp_print_cells(const rp_summary *s, FILE *out)
{
    size_t w = 4;
    for (size_t i = 0; i < s->ncells; i++)
        if (strlen(s->cells[i].key) > w) w = strlen(s->cells[i].key);
    fprintf(out, "%-*s  %-15s %4s  %-14s %-31s %8s  %-9s %s\n", (int)w, "cell", "metric", "n",
            "mean", "CI", "+-", "stop", "failed");
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        char mean[48], lo[32], hi[32], ci[80], hw[32];
        rp_fmt_value(mean, sizeof mean, c->mean, c->unit);
        if (c->have_ci) {
            snprintf(lo, sizeof lo, "%.6g", c->ci.lo);
            snprintf(hi, sizeof hi, "%.6g", c->ci.hi);
            snprintf(ci, sizeof ci, "[%s, %s] %s", lo, hi, mp_method_name(c->ci.method));
            double r = mp_interval_rel_halfwidth(&c->ci);
            if (isfinite(r))
                snprintf(hw, sizeof hw, "%.2f%%", r * 100);
            else
                snprintf(hw, sizeof hw, "inf");
        } else {
            snprintf(ci, sizeof ci, "-");
            snprintf(hw, sizeof hw, "-");
        }
        fprintf(out, "%-*s  %-15s %4zu  %-14s %-31s %8s  %-9s %ld", (int)w, c->key, c->metric, c->n,
                mean, ci, hw, plan_state_name(c->state), c->failed);
        if (c->timeouts) fprintf(out, " (%ld timed out)", c->timeouts);
        fputc('\n', out);
    }
}
