#include "report/pyperf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/sb.h"

/* pyperf's metadata keys that must agree between the runs of one benchmark (_CHECKED_METADATA,
 * less name and unit, which the export sets per benchmark). */
static const char *const checked[] = {"hostname",      "cpu_model_name",    "cpu_count",
                                      "platform",      "python_executable", "python_implementation",
                                      "python_version"};
#define NCHECKED (sizeof checked / sizeof checked[0])

/* A metadata string as pyperf takes it: stripped, newlines replaced, NULL when empty. */
static json_t *meta_str(const char *s)
{
    if (!s) return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n == 0) return NULL;
    char *t = xstrndup(s, n);
    for (char *p = t; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    json_t *j = json_string(t);
    free(t);
    return j;
}

static void set_meta(json_t *o, const char *key, json_t *v)
{
    if (v) json_object_set_new(o, key, v);
}

/* pyperf's unit and the exported value for a metric. */
static const char *unit_for(const rp_cell *c, int *invert)
{
    *invert = c->higher_is_better;
    if (c->higher_is_better) return "second"; /* 1 / (requests per second) */
    if (strcmp(c->unit, "B") == 0) return "byte";
    if (strcmp(c->unit, "s") == 0 || strcmp(c->metric, "printed") == 0) return "second";
    return "integer";
}

/* The per-run values of pyperf's checked keys, from the run's provenance. */
static void run_checked(const ex_line *l, json_t *out[NCHECKED])
{
    const json_t *p     = json_object_get(l->obj, "provenance");
    const char *version = json_string_value(json_object_get(p, "runtime_version"));
    const char *kernel  = json_string_value(json_object_get(p, "kernel"));
    const char *machine = json_string_value(json_object_get(p, "machine"));
    out[0]              = meta_str(json_string_value(json_object_get(p, "host")));
    out[1]              = meta_str(json_string_value(json_object_get(p, "cpu_model")));
    json_int_t cpus     = json_integer_value(json_object_get(p, "cpus"));
    out[2]              = cpus > 0 ? json_integer(cpus) : NULL;
    out[3]              = NULL;
    if (kernel && machine) {
        /* pyperf's platform reads like "Linux-6.1.0-18-amd64-x86_64": system, release, machine */
        sb pl           = {0};
        size_t sys_len  = strcspn(kernel, " ");
        const char *rel = kernel + sys_len + (kernel[sys_len] == ' ');
        sb_addf(&pl, "%.*s-%.*s-%s", (int)sys_len, kernel, (int)strcspn(rel, " "), rel, machine);
        out[3] = meta_str(sb_str(&pl));
        sb_free(&pl);
    }
    out[4] = meta_str(json_string_value(json_object_get(p, "runtime_path")));
    out[5] = NULL;
    if (version) {
        /* The default probe prints the implementation first ("CPython 3.11.2 ..."). */
        size_t w = strcspn(version, " ");
        if ((w == 7 && strncmp(version, "CPython", 7) == 0) ||
            (w == 4 && strncmp(version, "PyPy", 4) == 0)) {
            char impl[8];
            for (size_t i = 0; i < w; i++)
                impl[i] =
                    (char)(version[i] >= 'A' && version[i] <= 'Z' ? version[i] + 32 : version[i]);
            impl[w] = '\0';
            out[5]  = json_string(impl);
        }
    }
    out[6] = meta_str(version);
}

/* "2026-11-26T04:01:58.123456Z" -> "2026-11-26 04:01:58.123456" (pyperf's date format, read
 * with datetime.fromisoformat; the time is UTC). */
static json_t *pyperf_date(const char *iso)
{
    if (!iso) return NULL;
    char buf[40];
    snprintf(buf, sizeof buf, "%s", iso);
    char *t = strchr(buf, 'T');
    if (t) *t = ' ';
    size_t n = strlen(buf);
    if (n && buf[n - 1] == 'Z') buf[n - 1] = '\0';
    return json_string(buf);
}

static void name_part(sb *name, const char *field, int in_path)
{
    if (in_path) return;
    if (name->len) sb_addc(name, '/');
    sb_adds(name, field);
}

static void expand_path(sb *out, const char *path, const rp_cell *c)
{
    for (const char *p = path; *p; p++) {
        if (strncmp(p, "{runtime}", 9) == 0) {
            sb_adds(out, c->runtime);
            p += 8;
        } else if (strncmp(p, "{benchmark}", 11) == 0) {
            sb_adds(out, c->benchmark);
            p += 10;
        } else if (strncmp(p, "{config}", 8) == 0) {
            sb_adds(out, c->config);
            p += 7;
        } else {
            sb_addc(out, *p);
        }
    }
}

/* The pyperf benchmark of one cell, or NULL (with a message in why) when it has nothing to
 * export. */
static json_t *cell_benchmark(const rp_cell *c, const char *name, mp_err *err, int *skip)
{
    *skip = 0;
    int invert;
    const char *unit = unit_for(c, &invert);
    json_t *runs     = json_array();
    json_t *first[NCHECKED];
    int same[NCHECKED];
    for (size_t k = 0; k < NCHECKED; k++) {
        first[k] = NULL;
        same[k]  = 1;
    }
    size_t nruns = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        const ex_line *l = c->lines[i];
        if (l->warmup || l->status != EX_OK) continue;
        double v = strcmp(c->metric, c->stop_metric) == 0 ? l->value : ex_line_metric(l, c->metric);
        if (!isfinite(v)) continue;
        if (invert) v = v > 0 ? 1.0 / v : v;
        if (!(v > 0)) {
            json_decref(runs);
            for (size_t k = 0; k < NCHECKED; k++)
                json_decref(first[k]);
            mp_fail(err,
                    "%s run %ld: %s is %g; pyperf accepts only values > 0 (expected a positive "
                    "measurement, or leave this cell out of the export)",
                    c->key, l->index, c->metric, v);
            return NULL;
        }
        json_t *meta = json_object();
        set_meta(meta, "date", pyperf_date(json_string_value(json_object_get(l->obj, "start"))));
        if (l->duration_s >= 0) json_object_set_new(meta, "duration", json_real(l->duration_s));
        json_object_set_new(meta, "mixperf_index", json_integer(l->index));
        json_object_set_new(meta, "mixperf_round", json_integer(l->round));
        json_t *vals[NCHECKED];
        run_checked(l, vals);
        for (size_t k = 0; k < NCHECKED; k++) {
            if (nruns == 0)
                first[k] = vals[k] ? json_incref(vals[k]) : NULL;
            else if (!((first[k] == NULL && vals[k] == NULL) ||
                       (first[k] && vals[k] && json_equal(first[k], vals[k]))))
                same[k] = 0;
            if (vals[k]) {
                /* Kept per run under mixperf's name, in case the runs disagree. */
                char key[64];
                snprintf(key, sizeof key, "mixperf_%s", checked[k]);
                json_object_set_new(meta, key, vals[k]);
            }
        }
        json_t *run = json_object();
        json_object_set_new(run, "metadata", meta);
        json_object_set_new(run, "values", json_pack("[f]", v));
        json_array_append_new(runs, run);
        nruns++;
    }
    if (nruns == 0) {
        json_decref(runs);
        for (size_t k = 0; k < NCHECKED; k++)
            json_decref(first[k]);
        *skip = 1;
        return NULL;
    }
    json_t *meta = json_object();
    json_object_set_new(meta, "name", json_string(name));
    json_object_set_new(meta, "unit", json_string(unit));
    json_object_set_new(meta, "loops", json_integer(1));
    json_object_set_new(meta, "mixperf_cell", json_string(c->key));
    json_object_set_new(meta, "mixperf_metric", json_string(c->metric));
    if (invert)
        json_object_set_new(meta, "mixperf_exported_as",
                            json_string("seconds per request: 1 / throughput, so that lower is "
                                        "better"));
    json_object_set_new(meta, "mixperf_failed_runs", json_integer(c->failed));
    json_object_set_new(meta, "mixperf_timed_out_runs", json_integer(c->timeouts));
    json_object_set_new(meta, "mixperf_warmup_runs", json_integer(c->warmups));
    json_object_set_new(meta, "mixperf_stop", json_string(plan_state_name(c->state)));
    for (size_t k = 0; k < NCHECKED; k++) {
        if (same[k] && first[k]) json_object_set(meta, checked[k], first[k]);
        json_decref(first[k]);
    }
    /* Runs whose checked values agree do not need the mixperf_* copies. */
    for (size_t i = 0; i < json_array_size(runs); i++) {
        json_t *rm = json_object_get(json_array_get(runs, i), "metadata");
        for (size_t k = 0; k < NCHECKED; k++) {
            if (!same[k]) continue;
            char key[64];
            snprintf(key, sizeof key, "mixperf_%s", checked[k]);
            json_object_del(rm, key);
        }
    }
    return json_pack("{s:o,s:o}", "metadata", meta, "runs", runs);
}

int rp_pyperf_export(const rp_summary *s, const char *path, int *nfiles, mp_err *err)
{
    int in_rt = strstr(path, "{runtime}") != NULL, in_b = strstr(path, "{benchmark}") != NULL,
        in_c   = strstr(path, "{config}") != NULL;
    *nfiles    = 0;
    char *done = xcalloc(s->ncells ? s->ncells : 1, 1);
    int rc     = 0;
    for (size_t i = 0; i < s->ncells && rc == 0; i++) {
        if (done[i]) continue;
        sb file = {0};
        expand_path(&file, path, &s->cells[i]);
        json_t *benchmarks = json_array();
        for (size_t j = i; j < s->ncells && rc == 0; j++) {
            sb other = {0};
            expand_path(&other, path, &s->cells[j]);
            int same_file = strcmp(sb_str(&other), sb_str(&file)) == 0;
            sb_free(&other);
            if (!same_file) continue;
            done[j]          = 1;
            const rp_cell *c = &s->cells[j];
            sb name          = {0};
            name_part(&name, c->runtime, in_rt);
            name_part(&name, c->benchmark, in_b);
            name_part(&name, c->config, in_c);
            if (!name.len) sb_adds(&name, c->benchmark);
            int skip;
            json_t *b = cell_benchmark(c, sb_str(&name), err, &skip);
            sb_free(&name);
            if (b)
                json_array_append_new(benchmarks, b);
            else if (skip)
                fprintf(stderr, "mixperf report: %s has no successful run; not in %s\n", c->key,
                        sb_str(&file));
            else
                rc = -1;
        }
        if (rc == 0 && json_array_size(benchmarks) > 0) {
            json_t *meta =
                json_pack("{s:s,s:s}", "mixperf_experiment", s->experiment ? s->experiment : "?",
                          "mixperf_version", MP_VERSION);
            json_t *doc = json_pack("{s:s,s:o,s:o}", "version", "1.0", "metadata", meta,
                                    "benchmarks", json_incref(benchmarks));
            if (json_dump_file(doc, sb_str(&file), JSON_COMPACT | JSON_SORT_KEYS) != 0)
                rc = mp_fail(err, "cannot write %s: %s", sb_str(&file), strerror(errno));
            else
                (*nfiles)++;
            json_decref(doc);
        }
        json_decref(benchmarks);
        sb_free(&file);
    }
    free(done);
    return rc;
}
