#include "report/html.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "util/sb.h"

static void esc(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
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
        char mean[48], hw[24] = "-", ci[96] = "-";
        rp_fmt_value(mean, sizeof mean, c->mean, c->unit);
        if (c->have_ci) {
            snprintf(ci, sizeof ci, "[%.6g, %.6g]", c->ci.lo, c->ci.hi);
            double r = mp_interval_rel_halfwidth(&c->ci);
            if (isfinite(r)) snprintf(hw, sizeof hw, "%.2f%%", r * 100);
        }
        fputs("<tr><td>", out);
        esc(out, c->key);
        fputs("</td><td>", out);
        esc(out, c->metric);
        fprintf(out, "</td><td>%zu</td><td>", c->n);
        esc(out, mean);
        fprintf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td>%ld</td>", ci, hw,
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
    fputs("</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}
