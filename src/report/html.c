#include "report/html.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "profile/stacks.h"
#include "report/hotmods.h"
#include "util/err.h"
#include "util/sb.h"

/* Text into the page: the one XML escaper (util/sb), written out. */
static void esc(FILE *out, const char *s)
{
    sb t = {0};
    sb_add_xml(&t, s ? s : "");
    if (t.len) fwrite(t.buf, 1, t.len, out);
    sb_free(&t);
}

/* Each runtime's version once, as the Markdown report lists them. */
static void runtimes_list(const rp_summary *s, FILE *out)
{
    sb seen = {0};
    for (size_t i = 0; i < s->nlines; i++) {
        const json_t *p = json_object_get(s->lines[i].obj, "provenance");
        const char *ver = json_string_value(json_object_get(p, "runtime_version"));
        if (!ver) continue;
        sb key = {0};
        sb_addf(&key, "\x01%s|%s\x02", s->lines[i].runtime, ver);
        if (!strstr(sb_str(&seen), sb_str(&key))) {
            sb_adds(&seen, sb_str(&key));
            fputs("<li>runtime <code>", out);
            esc(out, s->lines[i].runtime);
            fputs("</code>: ", out);
            esc(out, ver);
            fputs("</li>\n", out);
        }
        sb_free(&key);
    }
    sb_free(&seen);
}

static void cell_table(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                       FILE *out)
{
    fputs("<table class=\"cells\">\n<thead><tr><th>cell</th><th>metric</th><th>n</th>"
          "<th>mean</th><th>CI</th><th>&#177;</th><th>stop</th><th>failed</th>",
          out);
    if (o->baseline) fputs("<th>vs baseline</th>", out);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        rp_cell_text t;
        rp_cell_text_of(c, &t);
        fputs("<tr><td>", out);
        esc(out, c->key);
        fputs("</td><td>", out);
        esc(out, c->metric);
        fprintf(out, "</td><td>%zu</td><td>", c->n);
        esc(out, t.mean);
        fprintf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td>%ld</td>", t.ci, t.hw,
                plan_state_name(c->state), c->failed + c->timeouts);
        if (o->baseline) {
            const rp_ratio_row *r = &rows[i];
            fputs("<td>", out);
            if (r->is_base)
                fputs("baseline", out);
            else if (!r->ok)
                esc(out, r->why);
            else if (r->iv.flags & MP_IV_UNBOUNDED)
                fprintf(out, "%.4f, unbounded: no sig.", r->iv.estimate);
            else
                fprintf(out, "%.4f [%.4f, %.4f]%s", r->iv.estimate, r->iv.lo, r->iv.hi,
                        r->iv.flags & MP_IV_NOT_SIGNIFICANT ? " no sig." : "");
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* Rows per cell in the page's hot-module tables, as in the Markdown. */
#define HTML_HOT_TOP 15

static void share_cell(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "<td>%.1f</td>", v * 100);
    else
        fputs("<td>-</td>", out);
}

/* One flame graph for a cell: the collapsed stacks of its averaged runs (measured, ok, no profile
 * error), merged. A stacks file that is gone or unreadable is named under the graph and left out:
 * the table above it comes from the results lines and does not need the files. */
static void cell_flame(const rp_cell *c, const char *results_path, FILE *out)
{
    const char *slash = strrchr(results_path, '/');
    mp_stacks *st     = mp_stacks_new();
    sb missing = {0}, path = {0};
    size_t used = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        const ex_line *l = c->lines[i];
        const json_t *p  = json_object_get(l->obj, "profile");
        const char *rel  = json_string_value(json_object_get(p, "stacks"));
        if (!p || !rel || l->warmup || l->status != EX_OK ||
            json_string_value(json_object_get(p, "error")))
            continue;
        sb_reset(&path);
        if (rel[0] != '/' && slash) sb_add(&path, results_path, (size_t)(slash - results_path + 1));
        sb_adds(&path, rel);
        mp_err err;
        if (mp_stacks_add_file(st, sb_str(&path), &err) == 0) {
            used++;
        } else {
            sb_adds(&missing, missing.len ? "; " : "");
            sb_adds(&missing, err.msg);
        }
    }
    if (used && mp_stacks_total_us(st)) {
        sb svg = {0}, title = {0};
        sb_addf(&title, "%s: %zu run%s, %.3f s sampled", c->key, used, used == 1 ? "" : "s",
                (double)mp_stacks_total_us(st) / 1e6);
        mp_stacks_flame_svg(st, sb_str(&title), &svg);
        fputs("<figure>\n", out);
        fwrite(svg.buf, 1, svg.len, out);
        fputs("<figcaption>flame graph of the runs' collapsed stacks, merged (root at the bottom; "
              "hover a box for its share)</figcaption>\n</figure>\n",
              out);
        sb_free(&svg);
        sb_free(&title);
    }
    if (missing.len) {
        fputs("<p>stacks left out of the flame graph: ", out);
        esc(out, sb_str(&missing));
        fputs("</p>\n", out);
    }
    sb_free(&missing);
    sb_free(&path);
    mp_stacks_free(st);
}

/* The Markdown's "Hot modules" section as HTML, each profiled cell with its flame graph. */
static void hot_modules(const rp_summary *s, const char *results_path, FILE *out)
{
    if (!rp_hot_any(s)) return;
    fputs("<h2>Hot modules</h2>\n", out);
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        rp_hotcell h;
        if (rp_hot_cell(c, &h) == 0) {
            rp_hotcell_free(&h);
            continue;
        }
        fputs("<h3><code>", out);
        esc(out, c->key);
        fprintf(out, "</code></h3>\n<p>%zu profiled run%s, %llu samples (%.3f s of CPU)", h.runs,
                h.runs == 1 ? "" : "s", (unsigned long long)h.samples, h.sampled_s);
        if (h.failed) {
            fprintf(out, "; %zu profile error%s", h.failed, h.failed == 1 ? "" : "s");
            if (h.error) {
                fputs(", e.g. <code>", out);
                esc(out, h.error);
                fputs("</code>", out);
            }
        }
        fputs("</p>\n", out);
        if (h.nmods) {
            fputs("<table class=\"hot\">\n<thead><tr><th>rank</th><th>module</th><th>self %</th>"
                  "<th>&#177;</th><th>total %</th><th>&#177;</th></tr></thead>\n<tbody>\n",
                  out);
            for (size_t k = 0; k < h.nmods && k < HTML_HOT_TOP; k++) {
                fprintf(out, "<tr><td>%zu</td><td><code>", k + 1);
                esc(out, h.mods[k].module);
                fputs("</code></td>", out);
                share_cell(out, h.mods[k].self_mean);
                share_cell(out, h.mods[k].self_sd);
                share_cell(out, h.mods[k].total_mean);
                share_cell(out, h.mods[k].total_sd);
                fputs("</tr>\n", out);
            }
            fputs("</tbody>\n</table>\n", out);
            cell_flame(c, results_path, out);
        }
        rp_hotcell_free(&h);
    }
}

int rp_write_html(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                  const rp_figure *figs, size_t nfigs, FILE *out)
{
    const char *name = s->experiment ? s->experiment : "(empty)";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mixperf "
          "report: ",
          out);
    esc(out, name);
    fputs("</title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:1em auto;"
          "padding:0 1em}\ntable{border-collapse:collapse;font-size:13px}\n"
          "td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}\n"
          "td:first-child,th:first-child{text-align:left}\nfigure{margin:1.5em 0}\n"
          "figcaption{font-size:13px;color:#333;max-width:760px}\n</style>\n</head>\n<body>\n"
          "<h1>mixperf report: ",
          out);
    esc(out, name);
    fputs("</h1>\n<ul>\n<li>results: <code>", out);
    esc(out, o->results_path);
    fprintf(out, "</code>: %zu lines</li>\n", s->nlines);
    runtimes_list(s, out);
    if (o->baseline) {
        fputs("<li>ratios: mean(cell) / mean(baseline), baseline <code>", out);
        esc(out, o->baseline->text);
        fprintf(out, "</code>, %g%% interval; &quot;no sig.&quot; when it contains 1</li>\n",
                o->confidence * 100);
    }
    fputs("</ul>\n<h2>Cells</h2>\n", out);
    cell_table(s, o, rows, out);
    if (nfigs) fputs("<h2>Figures</h2>\n", out);
    for (size_t i = 0; i < nfigs; i++) {
        fputs("<figure id=\"", out);
        esc(out, figs[i].id);
        fputs("\">\n", out);
        fwrite(figs[i].svg.buf, 1, figs[i].svg.len, out);
        fputs("<figcaption><code>", out);
        esc(out, figs[i].name);
        fputs("</code>: ", out);
        esc(out, figs[i].note);
        fputs("</figcaption>\n</figure>\n", out);
    }
    hot_modules(s, o->results_path, out);
    fputs("</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}
