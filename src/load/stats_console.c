/* What a person watching the run reads: Locust's console tables, laid out the same way, but with
 * mixperf's precision (milliseconds with decimals, nearest-rank percentiles within 1%) rather
 * than Locust's whole, rounded milliseconds. */
#include <stdlib.h>
#include <string.h>

#include "load/stats.h"
#include "load/stats_fmt.h"
#include "util/sb.h"

#define TYPE_WIDTH 8
#define NAME_MIN 24
#define NAME_MAX 60

/* Milliseconds with as many decimals as a 7-wide column can usefully show. */
static const char *fmt_ms(uint64_t ns, char buf[32])
{
    double ms = ld_ms(ns);
    snprintf(buf, 32, ms < 10 ? "%.2f" : ms < 1000 ? "%.1f" : "%.0f", ms);
    return buf;
}

/* A name cut to the column, so one long URL does not push every number out of line. */
static const char *fit(const char *name, int width, char *buf, size_t cap)
{
    if ((int)strlen(name) <= width) return name;
    snprintf(buf, cap, "%.*s...", width - 3, name);
    return buf;
}

static int name_width(const ld_stats *s, const size_t *idx, size_t n)
{
    int w = (int)strlen(s->total.name);
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(s->entries[idx[i]].name);
        if (l > w) w = l;
    }
    return w < NAME_MIN ? NAME_MIN : w > NAME_MAX ? NAME_MAX : w;
}

static void separator(FILE *out, int name_w, const int *cols, size_t ncols)
{
    fprintf(out, "%.*s|%.*s", TYPE_WIDTH, "--------", name_w + 1,
            "----------------------------------------------------------------------------");
    for (size_t i = 0; i < ncols; i++) {
        fputc('|', out);
        for (int k = 0; k < cols[i]; k++)
            fputc('-', out);
    }
    fputc('\n', out);
}

static void request_row(FILE *out, const ld_entry *e, int name_w, double elapsed_s)
{
    char nb[NAME_MAX + 1], a[32], mn[32], mx[32], md[32], fails[48];
    double ratio = e->num_requests ? 100.0 * (double)e->num_failures / (double)e->num_requests : 0;
    snprintf(fails, sizeof fails, "%llu(%.2f%%)", (unsigned long long)e->num_failures, ratio);
    double rps = elapsed_s > 0 ? (double)e->num_requests / elapsed_s : 0;
    double fps = elapsed_s > 0 ? (double)e->num_failures / elapsed_s : 0;
    fprintf(out, "%-*s %-*s %8llu %14s | %8s %8s %8s %8s | %8.2f %10.2f\n", TYPE_WIDTH, e->method,
            name_w, fit(e->name, name_w, nb, sizeof nb), (unsigned long long)e->num_requests, fails,
            fmt_ms((uint64_t)(mp_hist_mean(e->rt) + 0.5), a), fmt_ms(mp_hist_min(e->rt), mn),
            fmt_ms(mp_hist_max(e->rt), mx), fmt_ms(mp_hist_quantile(e->rt, 0.5), md), rps, fps);
}

static void percentile_row(FILE *out, const ld_entry *e, int name_w)
{
    char nb[NAME_MAX + 1], v[32];
    fprintf(out, "%-*s %-*s", TYPE_WIDTH, e->method, name_w, fit(e->name, name_w, nb, sizeof nb));
    for (size_t i = 0; i < LD_NPCT; i++)
        fprintf(out, " %7s", fmt_ms(mp_hist_quantile(e->rt, ld_pct_values[i]), v));
    fprintf(out, " %8llu\n", (unsigned long long)e->num_requests);
}

void ld_print_table(const ld_stats *s, double elapsed_s, FILE *out)
{
    size_t n, *idx = ld_sorted_entries(s, &n);
    int w = name_width(s, idx, n);

    static const int req_cols[] = {9, 15, 9, 9, 9, 9, 9, 11};
    fprintf(out, "Requests (response times in ms)\n");
    fprintf(out, "%-*s %-*s %8s %14s | %8s %8s %8s %8s | %8s %10s\n", TYPE_WIDTH, "Type", w, "Name",
            "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s");
    separator(out, w, req_cols, sizeof req_cols / sizeof *req_cols);
    for (size_t i = 0; i < n; i++)
        request_row(out, &s->entries[idx[i]], w, elapsed_s);
    separator(out, w, req_cols, sizeof req_cols / sizeof *req_cols);
    request_row(out, &s->total, w, elapsed_s);
    fputc('\n', out);

    int pct_cols[LD_NPCT + 1];
    for (size_t i = 0; i < LD_NPCT; i++)
        pct_cols[i] = 8;
    pct_cols[LD_NPCT] = 9;
    fprintf(out, "Response time percentiles (ms; nearest rank, within 1%%)\n");
    fprintf(out, "%-*s %-*s", TYPE_WIDTH, "Type", w, "Name");
    for (size_t i = 0; i < LD_NPCT; i++)
        fprintf(out, " %7s", ld_pct_labels[i]);
    fprintf(out, " %8s\n", "# reqs");
    separator(out, w, pct_cols, LD_NPCT + 1);
    for (size_t i = 0; i < n; i++)
        percentile_row(out, &s->entries[idx[i]], w);
    separator(out, w, pct_cols, LD_NPCT + 1);
    percentile_row(out, &s->total, w);
    free(idx);

    if (s->nfailures) {
        const ld_failure **sorted = ld_sorted_failures(s);
        fprintf(out, "\nError report\n%-18s %s\n", "# occurrences", "Error");
        fprintf(out, "------------------|------------------------------------------------\n");
        for (size_t i = 0; i < s->nfailures; i++)
            fprintf(out, "%-18llu %s%s%s: %s\n", (unsigned long long)sorted[i]->occurrences,
                    sorted[i]->method, *sorted[i]->method ? " " : "", sorted[i]->name,
                    sorted[i]->error);
        free(sorted);
    }
    if (s->nexceptions) {
        fprintf(out, "\nExceptions\n%-18s %s\n", "# occurrences", "Message (where)");
        fprintf(out, "------------------|------------------------------------------------\n");
        for (size_t i = 0; i < s->nexceptions; i++)
            fprintf(out, "%-18llu %s (%s)\n", (unsigned long long)s->exceptions[i].count,
                    s->exceptions[i].message, s->exceptions[i].traceback);
    }
    fflush(out);
}

void ld_print_progress(const ld_stats *s, double elapsed_s, long users, uint64_t now_wall_ns,
                       FILE *out)
{
    const ld_entry *t = &s->total;
    char p50[32], p95[32], p99[32];
    double ratio = t->num_requests ? 100.0 * (double)t->num_failures / (double)t->num_requests : 0;
    fprintf(out,
            "%7.1fs  users %ld  reqs %llu  fails %llu (%.2f%%)  %.1f req/s  "
            "p50 %s  p95 %s  p99 %s ms\n",
            elapsed_s, users, (unsigned long long)t->num_requests,
            (unsigned long long)t->num_failures, ratio, ld_entry_current_rps(t, now_wall_ns),
            fmt_ms(mp_hist_quantile(t->rt, 0.50), p50), fmt_ms(mp_hist_quantile(t->rt, 0.95), p95),
            fmt_ms(mp_hist_quantile(t->rt, 0.99), p99));
    fflush(out);
}
