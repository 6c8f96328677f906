#include "report/hotmods.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/runline.h"
#include "util/mem.h"

/* A module's shares over the averaged runs, in run order (0 where a run does not list it). */
typedef struct acc {
    const char *name;
    double *self, *total;
} acc;

static size_t acc_find(acc **a, size_t *n, size_t *cap, const char *name, size_t nruns)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*a)[i].name, name) == 0) return i;
    XGROW(*a, *n + 1, *cap);
    (*a)[*n] = (acc){name, xcalloc(nruns, sizeof(double)), xcalloc(nruns, sizeof(double))};
    return (*n)++;
}

static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m /= (double)n;
    *mean = m;
    if (n < 2) {
        *sd = NAN;
        return;
    }
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    *sd = sqrt(ss / (double)(n - 1));
}

static int by_share(const void *x, const void *y)
{
    const rp_hotmod *a = x, *b = y;
    if (a->self_mean != b->self_mean) return a->self_mean > b->self_mean ? -1 : 1;
    if (a->total_mean != b->total_mean) return a->total_mean > b->total_mean ? -1 : 1;
    return strcmp(a->module, b->module);
}

static uint64_t count_of(const json_t *p, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(p, key));
    return v > 0 ? (uint64_t)v : 0;
}

/* A usable module table: every row a module name and finite shares. */
static int table_ok(const json_t *mods)
{
    if (!json_is_array(mods) || json_array_size(mods) == 0) return 0;
    size_t i;
    const json_t *m;
    json_array_foreach(mods, i, m)
    {
        if (!json_is_string(json_object_get(m, "module")) ||
            !json_is_number(json_object_get(m, "self")) ||
            !json_is_number(json_object_get(m, "total")))
            return 0;
    }
    return 1;
}

void rp_hot_aggregate(const json_t *const *profiles, size_t n, rp_hotcell *out)
{
    memset(out, 0, sizeof *out);
    const json_t **use = xcalloc(n ? n : 1, sizeof *use);
    for (size_t i = 0; i < n; i++) {
        const json_t *p   = profiles[i];
        const json_t *err = json_object_get(p, "error");
        if (!json_is_object(p) || (err && !json_is_null(err))) {
            out->failed++;
            if (!out->error) out->error = json_string_value(err);
            continue;
        }
        const json_t *mods = json_object_get(p, "modules");
        if (count_of(p, "samples") == 0 && json_is_array(mods) && json_array_size(mods) == 0) {
            out->empty++;
            continue;
        }
        if (!table_ok(mods)) {
            out->failed++;
            continue;
        }
        use[out->runs++] = p;
    }
    acc *a    = NULL;
    size_t na = 0, cap = 0;
    for (size_t r = 0; r < out->runs; r++) {
        const json_t *p = use[r];
        out->samples += count_of(p, "samples");
        out->attempts += count_of(p, "attempts");
        out->errors += count_of(p, "errors");
        out->sampled_s += json_number_value(json_object_get(p, "sampled_s"));
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(p, "modules"), i, m)
        {
            size_t k =
                acc_find(&a, &na, &cap, json_string_value(json_object_get(m, "module")), out->runs);
            /* A module listed twice in one run (not written so) would count once, last wins. */
            a[k].self[r]  = json_number_value(json_object_get(m, "self"));
            a[k].total[r] = json_number_value(json_object_get(m, "total"));
        }
    }
    out->mods  = xcalloc(na ? na : 1, sizeof *out->mods);
    out->nmods = na;
    for (size_t k = 0; k < na; k++) {
        rp_hotmod *h = &out->mods[k];
        h->module    = xstrdup(a[k].name);
        mean_sd(a[k].self, out->runs, &h->self_mean, &h->self_sd);
        mean_sd(a[k].total, out->runs, &h->total_mean, &h->total_sd);
        for (size_t r = 0; r < out->runs; r++) {
            /* Listed in run r: its table has the name (a 0 share is still a listing). */
            size_t i;
            const json_t *m;
            json_array_foreach(json_object_get(use[r], "modules"), i, m)
            {
                if (strcmp(json_string_value(json_object_get(m, "module")), a[k].name) == 0) {
                    h->present++;
                    break;
                }
            }
        }
        free(a[k].self);
        free(a[k].total);
    }
    free(a);
    free(use);
    qsort(out->mods, out->nmods, sizeof *out->mods, by_share);
}

size_t rp_hot_cell(const rp_cell *c, rp_hotcell *out)
{
    const json_t **ps = xcalloc(c->nlines ? c->nlines : 1, sizeof *ps);
    size_t n = 0, any = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        const ex_line *l = c->lines[i];
        const json_t *p  = json_object_get(l->obj, "profile");
        if (!p) continue;
        any++;
        if (!l->warmup && l->status == EX_OK) ps[n++] = p;
    }
    rp_hot_aggregate(ps, n, out);
    free(ps);
    return any;
}

void rp_hotcell_free(rp_hotcell *c)
{
    for (size_t i = 0; i < c->nmods; i++)
        free(c->mods[i].module);
    free(c->mods);
    memset(c, 0, sizeof *c);
}

int rp_hot_any(const rp_summary *s)
{
    for (size_t i = 0; i < s->nlines; i++)
        if (json_object_get(s->lines[i].obj, "profile")) return 1;
    return 0;
}

/* A module name as a Markdown code span (a backtick cannot be in one). */
static void md_code(FILE *out, const char *s)
{
    fputc('`', out);
    for (; *s; s++)
        fputc(*s == '`' ? '\'' : *s == '\n' ? ' ' : *s, out);
    fputc('`', out);
}

static void md_pct(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, " %.2f |", v * 100);
    else
        fputs(" - |", out);
}

int rp_hot_write_markdown(const rp_summary *s, size_t top, FILE *out)
{
    if (!rp_hot_any(s)) return 0;
    fprintf(out, "\n## Hot modules\n\n"
                 "CPU profile of each server during its measurement window (`profile: true`), by "
                 "module: *self* is time with the module's code at the top of the Python stack, "
                 "*total* time with it anywhere on the stack. Shares are in percent of the sampled "
                 "time, averaged over the cell's measured successful runs (± the standard "
                 "deviation between runs); all modules are in hot_modules.csv.\n");
    for (size_t i = 0; i < s->ncells; i++) {
        rp_hotcell h;
        if (rp_hot_cell(&s->cells[i], &h) == 0) {
            rp_hotcell_free(&h);
            continue;
        }
        fprintf(out, "\n### ");
        md_code(out, s->cells[i].key);
        fprintf(out, "\n\n%zu profiled run%s, %llu samples (%.3f s of CPU)", h.runs,
                h.runs == 1 ? "" : "s", (unsigned long long)h.samples, h.sampled_s);
        if (h.attempts)
            fprintf(out, ", read errors %llu of %llu (%.2f%%)", (unsigned long long)h.errors,
                    (unsigned long long)h.attempts, 100.0 * (double)h.errors / (double)h.attempts);
        if (h.empty) fprintf(out, "; %zu without samples", h.empty);
        if (h.failed) {
            fprintf(out, "; %zu profile error%s", h.failed, h.failed == 1 ? "" : "s");
            if (h.error) {
                fprintf(out, ", e.g. ");
                md_code(out, h.error);
            }
        }
        fprintf(out, "\n");
        if (h.nmods) {
            fprintf(out, "\n| rank | module | self %% | ± | total %% | ± |\n"
                         "|---:|---|---:|---:|---:|---:|\n");
            for (size_t k = 0; k < h.nmods && k < top; k++) {
                const rp_hotmod *m = &h.mods[k];
                fprintf(out, "| %zu | ", k + 1);
                md_code(out, m->module);
                fprintf(out, " |");
                md_pct(out, m->self_mean);
                md_pct(out, m->self_sd);
                md_pct(out, m->total_mean);
                md_pct(out, m->total_sd);
                fputc('\n', out);
            }
            if (h.nmods > top)
                fprintf(out, "\n(%zu more module%s in hot_modules.csv)\n", h.nmods - top,
                        h.nmods - top == 1 ? "" : "s");
        }
        rp_hotcell_free(&h);
    }
    return ferror(out) ? -1 : 0;
}

static void csv_num(FILE *out, double v)
{
    fputc(',', out);
    if (isfinite(v)) fprintf(out, "%.17g", v);
}

int rp_hot_write_csv(const rp_summary *s, FILE *out)
{
    fputs(RP_HOT_CSV_HEADER, out);
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        rp_hotcell h;
        rp_hot_cell(c, &h);
        for (size_t k = 0; k < h.nmods; k++) {
            const rp_hotmod *m = &h.mods[k];
            const char *f[]    = {s->experiment ? s->experiment : "", c->runtime, c->benchmark,
                               c->config};
            for (size_t j = 0; j < 4; j++) {
                rp_csv_field(out, f[j]);
                fputc(',', out);
            }
            fprintf(out, "%zu,", k + 1);
            rp_csv_field(out, m->module);
            fprintf(out, ",%zu", h.runs);
            csv_num(out, m->self_mean);
            csv_num(out, m->self_sd);
            csv_num(out, m->total_mean);
            csv_num(out, m->total_sd);
            fputc('\n', out);
        }
        rp_hotcell_free(&h);
    }
    return ferror(out) ? -1 : 0;
}
