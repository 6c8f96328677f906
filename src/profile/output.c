/* Writing a profile: the text header and top tables, collapsed stacks, speedscope JSON and an SVG
 * flame graph. Everything is derived from the aggregate, after sampling has stopped. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/flame.h"
#include "profile/sampler_internal.h"
#include "util/mem.h"
#include "util/sb.h"

/* Above this share of torn reads a non-blocking profile is visibly biased (PROFILER.md). */
#define TORN_WARN 0.02

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void write_header(mp_profiler *p, FILE *f)
{
    const struct mp_profile_counts *c = &p->c;
    double secs = p->end_ns > p->start_ns ? (double)(p->end_ns - p->start_ns) / 1e9 : 0;
    fprintf(f, "# mixperf profile: 1\n");
    fprintf(f, "# python: %s (%s)%s\n", p->version[0] ? p->version : "none",
            p->first_path[0] ? p->first_path : "-",
            p->mixed_versions ? ", and other versions in other processes" : "");
    fprintf(f, "# mode: %s, %s\n", p->o.wall ? "wall" : "cpu",
            p->o.reference_stop ? "stop-the-world reference (SIGSTOP per sample)"
            : p->o.nonblocking  ? "nonblocking (threads are read while they run)"
                                : "accurate (each running thread paused with ptrace for its read)");
    fprintf(f, "# rate: %g Hz per process\n", p->o.rate_hz);
    fprintf(f, "# duration: %.2f s, ticks: %llu\n", secs, (unsigned long long)c->ticks);
    fprintf(f, "# processes: %llu Python, %llu other\n", (unsigned long long)c->processes,
            (unsigned long long)c->non_python);
    fprintf(f, "# samples: %llu (%.3f s of %s time), idle thread-ticks skipped: %llu\n",
            (unsigned long long)c->samples, (double)c->weight_ns / 1e9, p->o.wall ? "wall" : "CPU",
            (unsigned long long)c->idle);
    fprintf(f, "# cpu used by sampled threads (schedstat): %.3f s\n", (double)c->cpu_ns / 1e9);
    if (c->pauses)
        fprintf(f, "# pauses: %llu, mean %.1f us; of threads caught running: %llu, mean %.1f us\n",
                (unsigned long long)c->pauses, (double)c->pause_ns_total / (double)c->pauses / 1e3,
                (unsigned long long)c->pauses_running,
                c->pauses_running ? (double)c->pause_running_ns / (double)c->pauses_running / 1e3
                                  : 0.0);
    if (!p->o.wall && !p->o.nonblocking)
        fprintf(f, "# off-CPU at the tick (not counted): %llu\n", (unsigned long long)c->off_cpu);
    fprintf(f,
            "# errors: %llu of %llu reads (%.2f%%), threads lost mid-read: %llu, thread list "
            "unreadable (start-up, shut-down): %llu\n",
            (unsigned long long)c->errors, (unsigned long long)c->attempts,
            pct(c->errors, c->attempts), (unsigned long long)c->lost_threads,
            (unsigned long long)c->list_errors);
    if (p->o.nonblocking) {
        double torn = c->attempts ? (double)c->torn / (double)c->attempts : 0;
        fprintf(f, "# torn: %llu of %llu reads (%.2f%%)%s\n", (unsigned long long)c->torn,
                (unsigned long long)c->attempts, 100 * torn,
                torn > TORN_WARN ? " -- WARNING: above 2%, the profile is biased towards "
                                   "callers; drop --nonblocking for accurate shares"
                                 : "");
    }
}

static void write_top(mp_profiler *p, FILE *f, int top_n)
{
    struct agg *a  = &p->agg;
    uint64_t total = a->total_weight;
    size_t n;
    struct agg_row *rows = agg_rollup(a, AGG_MODULE, &n);
    fprintf(f, "\nModules (%% of %.3f s sampled)\n  %6s %7s  %s\n", (double)total / 1e9, "SELF%",
            "TOTAL%", "MODULE");
    for (size_t i = 0; i < n && (int)i < top_n; i++)
        fprintf(f, "  %6.2f %7.2f  %s\n", pct(rows[i].self, total), pct(rows[i].total, total),
                a->strs[rows[i].key]);
    free(rows);

    rows = agg_rollup(a, AGG_FUNC, &n);
    fprintf(f, "\nFunctions\n  %6s %7s  %s\n", "SELF%", "TOTAL%", "FUNCTION (MODULE, FILE:LINE)");
    for (size_t i = 0; i < n && (int)i < top_n; i++) {
        const struct agg_func *fn = &a->funcs[rows[i].key];
        fprintf(f, "  %6.2f %7.2f  %s (%s, %s:%d)\n", pct(rows[i].self, total),
                pct(rows[i].total, total), fn->qualname, fn->module, fn->filename, fn->firstlineno);
    }
    free(rows);

    rows = agg_rollup(a, AGG_LINE, &n);
    fprintf(f, "\nLines\n  %6s %7s  %s\n", "SELF%", "TOTAL%", "FILE:LINE (FUNCTION)");
    for (size_t i = 0; i < n && (int)i < top_n; i++) {
        const struct agg_frame *fr = &a->frames[rows[i].key];
        const struct agg_func *fn  = &a->funcs[fr->func];
        fprintf(f, "  %6.2f %7.2f  %s:%d (%s)\n", pct(rows[i].self, total),
                pct(rows[i].total, total), fn->filename, fr->line, fn->qualname);
    }
    free(rows);
}

/* Collapsed-stack names may not contain ';' (the separator) or whitespace (before the count). */
static void add_clean(sb *s, const char *name)
{
    for (const char *c = name; *c; c++)
        sb_addc(s, (*c == ';' || *c == ' ' || *c == '\t' || *c == '\n') ? '_' : *c);
}

static void func_label(const struct agg *a, uint32_t func, sb *s)
{
    add_clean(s, a->funcs[func].module);
    sb_addc(s, ':');
    add_clean(s, a->funcs[func].qualname);
}

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int write_collapsed(mp_profiler *p, const char *path, mp_err *err)
{
    struct agg *a = &p->agg;
    /* One line per distinct function-level stack: stacks that differ only in line numbers merge.
     * Each line is "stack\tweight" until sorted, so equal stacks end up adjacent. */
    char **lines = xmalloc((a->nstacks + 1) * sizeof *lines);
    size_t n     = 0;
    sb s         = {0};
    for (size_t i = 0; i < a->nstacks; i++) {
        const struct agg_stack *st = &a->stacks[i];
        sb_reset(&s);
        sb_addf(&s, "pid %d;tid %d", st->pid, st->tid);
        for (uint32_t j = 0; j < st->n; j++) {
            sb_addc(&s, ';');
            func_label(a, a->frames[st->frames[j]].func, &s);
        }
        sb_addf(&s, "\t%llu", (unsigned long long)st->weight);
        lines[n++] = xstrdup(sb_str(&s));
    }
    sb_free(&s);
    qsort(lines, n, sizeof *lines, str_cmp);
    FILE *f = fopen(path, "w");
    if (!f) {
        for (size_t i = 0; i < n; i++)
            free(lines[i]);
        free(lines);
        return mp_fail(err, "%s: %s", path, strerror(errno));
    }
    for (size_t i = 0; i < n;) {
        char *tab            = strrchr(lines[i], '\t');
        size_t keylen        = (size_t)(tab - lines[i]);
        unsigned long long w = 0;
        size_t j             = i;
        while (j < n && strncmp(lines[j], lines[i], keylen) == 0 && lines[j][keylen] == '\t') {
            w += strtoull(lines[j] + keylen + 1, NULL, 10);
            j++;
        }
        /* Weights are written in microseconds, the unit flamegraph.pl users expect to read. */
        unsigned long long us = (w + 500) / 1000;
        fprintf(f, "%.*s %llu\n", (int)keylen, lines[i], us ? us : 1);
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    if (fclose(f) != 0) return mp_fail(err, "%s: %s", path, strerror(errno));
    return 0;
}

static int write_speedscope(mp_profiler *p, const char *path, mp_err *err)
{
    struct agg *a  = &p->agg;
    json_t *frames = json_array();
    for (size_t i = 0; i < a->nfuncs; i++) {
        sb name = {0};
        sb_addf(&name, "%s (%s)", a->funcs[i].qualname, a->funcs[i].module);
        json_array_append_new(frames,
                              json_pack("{s:s, s:s, s:i}", "name", sb_str(&name), "file",
                                        a->funcs[i].filename, "line", a->funcs[i].firstlineno));
        sb_free(&name);
    }
    json_t *profiles = json_array();
    /* One sampled profile per (pid, tid), in order of first appearance. */
    int32_t(*seen)[2] = xmalloc((a->nstacks + 1) * sizeof *seen);
    size_t nseen      = 0;
    for (size_t i = 0; i < a->nstacks; i++) {
        int found = 0;
        for (size_t k = 0; k < nseen && !found; k++)
            found = seen[k][0] == a->stacks[i].pid && seen[k][1] == a->stacks[i].tid;
        if (found) continue;
        seen[nseen][0] = a->stacks[i].pid;
        seen[nseen][1] = a->stacks[i].tid;
        nseen++;
        json_t *samples = json_array(), *weights = json_array();
        uint64_t end = 0;
        for (size_t j = i; j < a->nstacks; j++) {
            const struct agg_stack *st = &a->stacks[j];
            if (st->pid != a->stacks[i].pid || st->tid != a->stacks[i].tid) continue;
            json_t *ids = json_array();
            for (uint32_t k = 0; k < st->n; k++)
                json_array_append_new(ids, json_integer(a->frames[st->frames[k]].func));
            json_array_append_new(samples, ids);
            json_array_append_new(weights, json_integer((json_int_t)st->weight));
            end += st->weight;
        }
        char name[64];
        snprintf(name, sizeof name, "pid %d tid %d", a->stacks[i].pid, a->stacks[i].tid);
        json_array_append_new(profiles, json_pack("{s:s, s:s, s:s, s:i, s:I, s:o, s:o}", "type",
                                                  "sampled", "name", name, "unit", "nanoseconds",
                                                  "startValue", 0, "endValue", (json_int_t)end,
                                                  "samples", samples, "weights", weights));
    }
    free(seen);
    json_t *root = json_pack("{s:s, s:{s:o}, s:o, s:s, s:i, s:s}", "$schema",
                             "https://www.speedscope.app/file-format-schema.json", "shared",
                             "frames", frames, "profiles", profiles, "name", "mixperf profile",
                             "activeProfileIndex", 0, "exporter", "mixperf " MP_VERSION);
    int rc       = json_dump_file(root, path, JSON_COMPACT);
    json_decref(root);
    if (rc != 0) return mp_fail(err, "%s: cannot write", path);
    return 0;
}

/* ---- SVG flame graph ------------------------------------------------------------------------ */

struct fnode {
    uint32_t func;
    uint64_t weight;
    size_t child, sibling; /* indices + 1; 0 none */
};

static size_t fnode_child(struct fnode **nodes, size_t *n, size_t *cap, size_t parent,
                          uint32_t func)
{
    for (size_t c = (*nodes)[parent].child; c; c = (*nodes)[c - 1].sibling)
        if ((*nodes)[c - 1].func == func) return c - 1;
    XGROW(*nodes, *n + 1, *cap);
    (*nodes)[*n]           = (struct fnode){func, 0, 0, (*nodes)[parent].child};
    (*nodes)[parent].child = *n + 1;
    return (*n)++;
}

enum { SVG_W = 1200, SVG_PAD = 10, SVG_ROW = 16, SVG_TOP = 40 };

struct svg_ctx {
    const struct agg *a;
    const struct fnode *nodes;
    uint64_t total;
    int height;
    sb *out;
};

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void svg_node(struct svg_ctx *c, size_t idx, double x, int depth)
{
    const struct fnode *nd = &c->nodes[idx];
    double w               = (double)(SVG_W - 2 * SVG_PAD) * (double)nd->weight / (double)c->total;
    if (w < 0.3) return;
    int y    = c->height - SVG_PAD - (depth + 1) * SVG_ROW;
    sb label = {0};
    if (idx == 0)
        sb_adds(&label, "all");
    else
        sb_addf(&label, "%s:%s", c->a->funcs[nd->func].module, c->a->funcs[nd->func].qualname);
    /* Colour by module, so one module's functions read as one band. */
    unsigned h = idx == 0 ? 0 : name_hash(c->a->funcs[nd->func].module);
    int r = 205 + (int)(h % 50), g = 80 + (int)((h >> 8) % 130), b = 40 + (int)((h >> 16) % 40);
    sb_addf(c->out, "<g><title>");
    sb_add_xml(c->out, sb_str(&label));
    sb_addf(c->out,
            " (%.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
            "fill=\"rgb(%d,%d,%d)\" rx=\"2\"/>",
            100.0 * (double)nd->weight / (double)c->total, x, y, w, SVG_ROW - 1, r, g, b);
    int fit = (int)((w - 6) / 7);
    if (fit >= 3) {
        sb text = {0};
        if ((int)label.len > fit) {
            sb_add(&text, label.buf, (size_t)(fit - 2));
            sb_adds(&text, "..");
        } else
            sb_adds(&text, sb_str(&label));
        sb_addf(c->out, "<text x=\"%.1f\" y=\"%d\">", x + 3, y + SVG_ROW - 4);
        sb_add_xml(c->out, sb_str(&text));
        sb_adds(c->out, "</text>");
        sb_free(&text);
    }
    sb_adds(c->out, "</g>\n");
    sb_free(&label);
    double cx = x;
    for (size_t ch = nd->child; ch; ch = c->nodes[ch - 1].sibling) {
        svg_node(c, ch - 1, cx, depth + 1);
        cx += (double)(SVG_W - 2 * SVG_PAD) * (double)c->nodes[ch - 1].weight / (double)c->total;
    }
}

void flame_svg(const struct agg *a, const char *title, sb *out)
{
    struct fnode *nodes = NULL;
    size_t n = 0, cap = 0;
    XGROW(nodes, 1, cap);
    nodes[n++]   = (struct fnode){0, 0, 0, 0};
    uint32_t max = 0;
    for (size_t i = 0; i < a->nstacks; i++) {
        const struct agg_stack *st = &a->stacks[i];
        size_t cur                 = 0;
        nodes[0].weight += st->weight;
        for (uint32_t j = 0; j < st->n; j++) {
            cur = fnode_child(&nodes, &n, &cap, cur, a->frames[st->frames[j]].func);
            nodes[cur].weight += st->weight;
        }
        if (st->n > max) max = st->n;
    }
    struct svg_ctx c = {a, nodes, nodes[0].weight ? nodes[0].weight : 1,
                        SVG_TOP + SVG_PAD + (int)(max + 1) * SVG_ROW, out};
    sb_addf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fdfdf6\"/>\n"
            "<text x=\"%d\" y=\"24\" font-size=\"15\">",
            SVG_W, c.height, SVG_W, c.height, SVG_PAD);
    sb_add_xml(out, title);
    sb_adds(out, "</text>\n");
    if (a->total_weight) svg_node(&c, 0, SVG_PAD, 0);
    sb_adds(out, "</svg>\n");
    free(nodes);
}

static int write_svg(mp_profiler *p, const char *path, mp_err *err)
{
    sb title = {0}, out = {0};
    sb_addf(&title, "mixperf profile: %s, Python %s, %.3f s sampled",
            p->o.wall ? "wall time" : "CPU time", p->version[0] ? p->version : "?",
            (double)p->agg.total_weight / 1e9);
    sb_adds(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    flame_svg(&p->agg, sb_str(&title), &out);
    sb_free(&title);
    FILE *f = fopen(path, "w");
    int rc  = 0;
    if (!f || fwrite(out.buf, 1, out.len, f) != out.len) rc = -1;
    if (f && fclose(f) != 0) rc = -1;
    sb_free(&out);
    if (rc) return mp_fail(err, "%s: %s", path, strerror(errno));
    return 0;
}

int mp_profile_write(mp_profiler *p, const struct mp_profile_outputs *out, mp_err *err)
{
    if (out->top) {
        write_header(p, out->top);
        if (out->top_n >= 0) write_top(p, out->top, out->top_n > 0 ? out->top_n : 20);
        fflush(out->top);
    }
    if (out->collapsed && write_collapsed(p, out->collapsed, err) != 0) return -1;
    if (out->speedscope && write_speedscope(p, out->speedscope, err) != 0) return -1;
    if (out->svg && write_svg(p, out->svg, err) != 0) return -1;
    return 0;
}

void mp_profile_hot_modules(mp_profiler *p, struct mp_profile_row **rows, size_t *n)
{
    size_t m;
    struct agg_row *r = agg_rollup(&p->agg, AGG_MODULE, &m);
    uint64_t total    = p->agg.total_weight;
    *rows             = xmalloc((m + 1) * sizeof **rows);
    for (size_t i = 0; i < m; i++)
        (*rows)[i] = (struct mp_profile_row){p->agg.strs[r[i].key], pct(r[i].self, total) / 100,
                                             pct(r[i].total, total) / 100, r[i].self, r[i].total};
    *n = m;
    free(r);
}
