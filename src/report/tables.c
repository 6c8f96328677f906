#include "report/tables.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/sb.h"

void rp_ratio_rows(const rp_summary *s, const rp_report_opts *o, rp_ratio_row *rows)
{
    const rp_selector *bl = o->baseline;
    for (size_t i = 0; i < s->ncells; i++) {
        rp_ratio_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        r->base = -1;
        if (!bl) continue;
        const rp_cell *c = &s->cells[i];
        if (rp_selector_match(bl, c)) {
            r->is_base = 1;
            r->base    = (long)i;
            continue;
        }
        for (size_t j = 0; j < s->ncells; j++) {
            const rp_cell *b = &s->cells[j];
            if (!rp_selector_match(bl, b)) continue;
            if (!bl->runtime && strcmp(b->runtime, c->runtime) != 0) continue;
            if (!bl->benchmark && strcmp(b->benchmark, c->benchmark) != 0) continue;
            if (!bl->config && strcmp(b->config, c->config) != 0) continue;
            r->base = (long)j;
            break;
        }
        if (r->base < 0) {
            snprintf(r->why, sizeof r->why, "no baseline cell");
            continue;
        }
        mp_err e;
        if (rp_ratio(c, &s->cells[r->base], o->method, o->confidence, o->df, o->seed, &r->iv, &e) ==
            0)
            r->ok = 1;
        else
            snprintf(r->why, sizeof r->why, "%s", e.msg);
    }
}

char *rp_default_baseline(const rp_summary *s)
{
    const char *zero = NULL, *first_rt = NULL;
    int configs = 0, runtimes = 0;
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        int new_cfg = 1, new_rt = 1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->cells[j].config, c->config) == 0) new_cfg = 0;
            if (strcmp(s->cells[j].runtime, c->runtime) == 0) new_rt = 0;
        }
        configs += new_cfg;
        runtimes += new_rt;
        if (!first_rt || strcmp(c->runtime, first_rt) < 0) first_rt = c->runtime;
        if (strspn(c->config, "0") == strlen(c->config) && *c->config) zero = c->config;
    }
    sb b = {0};
    if (configs > 1 && zero)
        sb_addf(&b, "config=%s", zero);
    else if (runtimes > 1)
        sb_addf(&b, "runtime=%s", first_rt);
    else
        return NULL;
    return sb_detach(&b);
}

static const char *ratio_method_label(rp_ratio_method m)
{
    switch (m) {
    case RP_FIELLER:
        return "Fieller";
    case RP_DELTA:
        return "delta-method";
    case RP_BOOTSTRAP:
        return "bootstrap BCa";
    case RP_BOOTSTRAP_PERCENTILE:
        return "bootstrap percentile";
    case RP_LOG_WELCH:
        return "geometric-mean ratio (Welch t on logs)";
    }
    return "?";
}

/* Markdown cell text: | would end the cell. */
static void md_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static void rule_text(FILE *out, const plan_rule *r)
{
    fprintf(out, "%g%% %s interval", r->confidence * 100,
            r->method == MP_M_T                ? "t"
            : r->method == MP_M_BOOT_BCA       ? "bootstrap BCa"
            : r->method == MP_M_HODGES_LEHMANN ? "Hodges-Lehmann (pseudo-median)"
                                               : mp_method_name(r->method));
    fprintf(out, ", target ±%g%% relative half-width, %ld to %ld runs, %ld warm-up run%s per cell",
            r->target * 100, r->min_runs, r->max_runs, r->warmup_runs,
            r->warmup_runs == 1 ? "" : "s");
    if (r->max_time_s > 0)
        fprintf(out, ", at most %gs per cell", r->max_time_s);
    else
        fprintf(out, ", no time limit");
}

int rp_write_markdown(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows,
                      FILE *out)
{
    long total = 0, warm = 0, failed = 0, timeouts = 0;
    const char *start = NULL, *end = NULL;
    for (size_t i = 0; i < s->nlines; i++) {
        const ex_line *l = &s->lines[i];
        total++;
        warm += l->warmup;
        failed += l->status == EX_FAILED;
        timeouts += l->status == EX_TIMEOUT;
        const char *st = json_string_value(json_object_get(l->obj, "start"));
        const char *en = json_string_value(json_object_get(l->obj, "end"));
        if (st && (!start || strcmp(st, start) < 0)) start = st;
        if (en && (!end || strcmp(en, end) > 0)) end = en;
    }
    fprintf(out, "# mixperf report: ");
    md_text(out, s->experiment ? s->experiment : "(empty)");
    fprintf(out, "\n\n- results: `");
    md_text(out, o->results_path);
    fprintf(out, "`: %ld runs (%ld warm-up), %ld failed, %ld timed out", total, warm, failed,
            timeouts);
    if (start) fprintf(out, ", from %s to %s", start, end);
    fprintf(out, "\n");
    /* Where and with what: every distinct host and runtime version. */
    sb seen = {0};
    for (size_t i = 0; i < s->nlines; i++) {
        const json_t *p = json_object_get(s->lines[i].obj, "provenance");
        const char *h   = json_string_value(json_object_get(p, "host"));
        const char *cpu = json_string_value(json_object_get(p, "cpu_model"));
        const char *k   = json_string_value(json_object_get(p, "kernel"));
        if (!h) continue;
        sb key = {0};
        sb_addf(&key, "\x01host %s|%s|%s\x02", h, cpu ? cpu : "", k ? k : "");
        if (!strstr(sb_str(&seen), sb_str(&key))) {
            sb_adds(&seen, sb_str(&key));
            fprintf(out, "- host: ");
            md_text(out, h);
            fprintf(out, " (");
            md_text(out, cpu ? cpu : "?");
            json_int_t cpus = json_integer_value(json_object_get(p, "cpus"));
            fprintf(out, ", %lld CPUs; ", (long long)cpus);
            md_text(out, k ? k : "?");
            fprintf(out, ")\n");
        }
        sb_free(&key);
    }
    for (size_t i = 0; i < s->nlines; i++) {
        const json_t *p  = json_object_get(s->lines[i].obj, "provenance");
        const char *ver  = json_string_value(json_object_get(p, "runtime_version"));
        const char *path = json_string_value(json_object_get(p, "runtime_path"));
        if (!ver) continue;
        sb key = {0};
        sb_addf(&key, "\x01rt %s|%s|%s\x02", s->lines[i].runtime, ver, path ? path : "");
        if (!strstr(sb_str(&seen), sb_str(&key))) {
            sb_adds(&seen, sb_str(&key));
            fprintf(out, "- runtime ");
            md_text(out, s->lines[i].runtime);
            fprintf(out, ": ");
            md_text(out, ver);
            fprintf(out, " (`");
            md_text(out, path ? path : "?");
            fprintf(out, "`)\n");
        }
        sb_free(&key);
    }
    sb_free(&seen);
    if (s->ncells) {
        fprintf(out, "- stop rule: ");
        rule_text(out, &s->cells[0].rule);
        fprintf(out, "\n");
    }
    if (o->baseline) {
        fprintf(out,
                "- ratios: mean(cell) / mean(baseline), baseline `%s` (the cell that matches it "
                "and agrees on everything else), %s %g%% interval%s; \"no sig.\" when the "
                "interval contains 1\n",
                o->baseline->text, ratio_method_label(o->method), o->confidence * 100,
                o->method == RP_FIELLER || o->method == RP_DELTA
                    ? (o->df == MP_DF_WELCH ? " (Welch df)" : " (pooled df)")
                    : "");
    }
    fprintf(out, "\n| cell | metric | n | mean | CI | ± | method | stop | failed |%s\n",
            o->baseline ? " vs baseline |" : "");
    fprintf(out, "|---|---|---:|---:|---|---:|---|---|---:|%s\n", o->baseline ? "---|" : "");
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        rp_cell_text t;
        rp_cell_text_of(c, &t);
        fprintf(out, "| ");
        md_text(out, c->key);
        fprintf(out, " | %s%s%s%s | %zu | %s | %s | %s | %g%% %s | %s | %ld%s |", c->metric,
                *c->unit ? " (" : "", c->unit, *c->unit ? ")" : "", c->n, t.mean, t.ci, t.hw,
                c->rule.confidence * 100, mp_method_name(c->rule.method), plan_state_name(c->state),
                c->failed + c->timeouts, c->timeouts ? " (timeouts included)" : "");
        if (o->baseline) {
            const rp_ratio_row *r = &rows[i];
            if (r->is_base)
                fprintf(out, " baseline |");
            else if (!r->ok)
                fprintf(out, " - (%s) |", r->why);
            else if (r->iv.flags & MP_IV_UNBOUNDED)
                fprintf(out, " %.4f, unbounded: no sig. |", r->iv.estimate);
            else
                fprintf(out, " %.4f [%.4f, %.4f]%s |", r->iv.estimate, r->iv.lo, r->iv.hi,
                        r->iv.flags & MP_IV_NOT_SIGNIFICANT ? " no sig." : "");
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

static void csv_num(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.17g", v);
}

int rp_write_csv(const rp_summary *s, const rp_report_opts *o, const rp_ratio_row *rows, FILE *out)
{
    fprintf(out, "experiment,runtime,benchmark,config,metric,unit,higher_is_better,n,mean,sd,"
                 "ci_method,confidence,ci_estimate,ci_lo,ci_hi,rel_halfwidth,stop,warmups,"
                 "measured,failed,timeouts,time_s,baseline,ratio,ratio_lo,ratio_hi,ratio_method,"
                 "ratio_significant\n");
    for (size_t i = 0; i < s->ncells; i++) {
        const rp_cell *c = &s->cells[i];
        rp_csv_field(out, s->experiment);
        fputc(',', out);
        rp_csv_field(out, c->runtime);
        fputc(',', out);
        rp_csv_field(out, c->benchmark);
        fputc(',', out);
        rp_csv_field(out, c->config);
        fputc(',', out);
        rp_csv_field(out, c->metric);
        fprintf(out, ",%s,%d,%zu,", c->unit, c->higher_is_better, c->n);
        csv_num(out, c->mean);
        fputc(',', out);
        csv_num(out, c->sd);
        fprintf(out, ",%s,%g,", mp_method_name(c->rule.method), c->rule.confidence);
        if (c->have_ci) {
            csv_num(out, c->ci.estimate);
            fputc(',', out);
            csv_num(out, c->ci.lo);
            fputc(',', out);
            csv_num(out, c->ci.hi);
            fputc(',', out);
            csv_num(out, mp_interval_rel_halfwidth(&c->ci));
        } else {
            fputs(",,,", out);
        }
        fprintf(out, ",%s,%ld,%ld,%ld,%ld,", plan_state_name(c->state), c->warmups, c->measured,
                c->failed, c->timeouts);
        csv_num(out, c->spent_s);
        fputc(',', out);
        const rp_ratio_row *r = rows ? &rows[i] : NULL;
        if (r && r->base >= 0) rp_csv_field(out, s->cells[r->base].key);
        fputc(',', out);
        if (r && r->is_base) {
            fputs("1,1,1,baseline,", out);
        } else if (r && r->ok) {
            csv_num(out, r->iv.estimate);
            fputc(',', out);
            csv_num(out, r->iv.lo);
            fputc(',', out);
            csv_num(out, r->iv.hi);
            fprintf(out, ",%s,%d", mp_method_name(r->iv.method),
                    !(r->iv.flags & MP_IV_NOT_SIGNIFICANT));
        } else {
            fputs(",,,,", out);
        }
        fputc('\n', out);
    }
    (void)o;
    return ferror(out) ? -1 : 0;
}
