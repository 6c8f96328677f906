/* The four --csv files, column for column and byte for byte as Locust 2.x writes them (csv module,
 * excel dialect: "\r\n" after every row, QUOTE_MINIMAL). Numbers are printed the way Python prints
 * the values Locust computes; see docs/outputs.md and stats_fmt.h. */
#include <stdlib.h>
#include <string.h>

#include "load/stats.h"
#include "load/stats_fmt.h"
#include "util/mem.h"

#define NS_PER_S 1000000000ull

static const char *const stats_columns[] = {
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
};
static const char *const history_columns_head[] = {
    "Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s",
};
static const char *const history_columns_tail[] = {
    "Total Request Count",         "Total Failure Count",     "Total Median Response Time",
    "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
    "Total Average Content Size",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void add_fields(sb *row, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 || row->len > 0) sb_addc(row, ',');
        ld_csv_field(row, fields[i]);
    }
}

static int emit(sb *row, FILE *out)
{
    sb_adds(row, "\r\n");
    size_t w = fwrite(row->buf, 1, row->len, out);
    int ok   = w == row->len;
    sb_reset(row);
    return ok ? 0 : -1;
}

static int finish(FILE *out)
{
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* Locust's _percentile_fields: "N/A" for an entry without requests, else int() of each. */
static void add_percentiles(sb *row, const ld_entry *e, const mp_hist *h)
{
    for (size_t i = 0; i < LD_NPCT; i++) {
        if (e->num_requests == 0)
            sb_adds(row, ",N/A");
        else
            sb_addf(row, ",%ld", ld_locust_pct(h, ld_pct_values[i]));
    }
}

static void add_rate(sb *row, uint64_t count, double elapsed_s)
{
    sb_addc(row, ',');
    ld_fmt_pyfloat(row, elapsed_s > 0 ? (double)count / elapsed_s : 0.0);
}

static void stats_row(sb *row, const ld_entry *e, double elapsed_s)
{
    ld_csv_field(row, e->method);
    sb_addc(row, ',');
    ld_csv_field(row, e->name);
    sb_addf(row, ",%llu,%llu,", (unsigned long long)e->num_requests,
            (unsigned long long)e->num_failures);
    ld_fmt_median(row, e);
    sb_addc(row, ',');
    ld_fmt_avg(row, e);
    sb_addc(row, ',');
    ld_fmt_min(row, e);
    sb_addc(row, ',');
    ld_fmt_max(row, e);
    sb_addc(row, ',');
    ld_fmt_avg_content(row, e);
    add_rate(row, e->num_requests, elapsed_s);
    add_rate(row, e->num_failures, elapsed_s);
    add_percentiles(row, e, e->rt);
}

int ld_write_stats_csv(const ld_stats *s, double elapsed_s, FILE *out)
{
    sb row = {0};
    add_fields(&row, stats_columns, NELEM(stats_columns));
    add_fields(&row, ld_pct_labels, LD_NPCT);
    int rc = emit(&row, out);
    size_t n, *idx = ld_sorted_entries(s, &n);
    for (size_t i = 0; i < n; i++) {
        stats_row(&row, &s->entries[idx[i]], elapsed_s);
        rc |= emit(&row, out);
    }
    stats_row(&row, &s->total, elapsed_s);
    rc |= emit(&row, out);
    free(idx);
    sb_free(&row);
    return finish(out) | rc;
}

int ld_write_history_header(FILE *out)
{
    sb row = {0};
    add_fields(&row, history_columns_head, NELEM(history_columns_head));
    add_fields(&row, ld_pct_labels, LD_NPCT);
    add_fields(&row, history_columns_tail, NELEM(history_columns_tail));
    int rc = emit(&row, out);
    sb_free(&row);
    return finish(out) | rc;
}

/* One history row; window is the histogram the percentile columns come from. */
static void history_row(sb *row, const ld_entry *e, const mp_hist *window, uint64_t now_wall_ns,
                        long user_count)
{
    sb_addf(row, "%llu,%ld,", (unsigned long long)(now_wall_ns / NS_PER_S), user_count);
    ld_csv_field(row, e->method);
    sb_addc(row, ',');
    ld_csv_field(row, e->name);
    /* Locust formats the current rates with f"{x:2f}": width 2, six decimals. */
    sb_addf(row, ",%2f,%2f", ld_entry_current_rps(e, now_wall_ns),
            ld_entry_current_fail_rps(e, now_wall_ns));
    add_percentiles(row, e, window);
    sb_addf(row, ",%llu,%llu,", (unsigned long long)e->num_requests,
            (unsigned long long)e->num_failures);
    ld_fmt_median(row, e);
    sb_addc(row, ',');
    ld_fmt_avg(row, e);
    sb_addc(row, ',');
    ld_fmt_min(row, e);
    sb_addc(row, ',');
    ld_fmt_max(row, e);
    sb_addc(row, ',');
    ld_fmt_avg_content(row, e);
}

/* Percentile columns from windows[i] for entry i and windows[nentries] for the total; from the
 * whole run when windows is NULL. */
static int write_history(const ld_stats *s, mp_hist *const *windows, uint64_t now_wall_ns,
                         long user_count, FILE *out)
{
    sb row = {0};
    int rc = 0;
    size_t n, *idx = ld_sorted_entries(s, &n);
    for (size_t i = 0; i < n; i++) {
        const ld_entry *e = &s->entries[idx[i]];
        history_row(&row, e, windows ? windows[idx[i]] : e->rt, now_wall_ns, user_count);
        rc |= emit(&row, out);
    }
    history_row(&row, &s->total, windows ? windows[s->nentries] : s->total.rt, now_wall_ns,
                user_count);
    rc |= emit(&row, out);
    free(idx);
    sb_free(&row);
    return finish(out) | rc;
}

int ld_write_history_rows(const ld_stats *s, uint64_t now_wall_ns, long user_count, FILE *out)
{
    return write_history(s, NULL, now_wall_ns, user_count, out);
}

/* ---- current percentiles: snapshots of the merged histograms ---- */

#define HISTORY_SNAPSHOTS 20 /* Locust keeps CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW + 10 */

typedef struct snapshot {
    uint64_t sec;    /* unix second it was taken in; 0 = unused */
    size_t nentries; /* entries the table had then; later ones were empty */
    size_t nhists;   /* allocated: at least nentries + 1 */
    mp_hist **hists; /* [0, nentries): entries; [nentries]: the total */
} snapshot;

struct ld_history {
    snapshot snaps[HISTORY_SNAPSHOTS];
    size_t next; /* ring position of the next new snapshot */
    size_t nwindows;
    mp_hist **windows; /* scratch, laid out like a snapshot: the run minus the chosen snapshot */
};

ld_history *ld_history_new(void)
{
    return xcalloc(1, sizeof(ld_history));
}

static void free_hists(mp_hist **hists, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mp_hist_free(hists[i]);
    free(hists);
}

void ld_history_free(ld_history *h)
{
    if (!h) return;
    for (size_t i = 0; i < HISTORY_SNAPSHOTS; i++)
        free_hists(h->snaps[i].hists, h->snaps[i].nhists);
    free_hists(h->windows, h->nwindows);
    free(h);
}

static void ensure_hists(mp_hist ***hists, size_t *have, size_t n)
{
    if (*have >= n) return;
    *hists = xrealloc(*hists, n * sizeof **hists);
    for (size_t i = *have; i < n; i++)
        (*hists)[i] = mp_hist_new();
    *have = n;
}

/* Entry i's histogram, the total for i == nentries. */
static const mp_hist *hist_of(const ld_stats *s, size_t i)
{
    return i < s->nentries ? s->entries[i].rt : s->total.rt;
}

/* Locust's choice of the cached second to diff against: t-10, then t-11, t-9, t-12, t-8, ...,
 * t-18, t-2. It cached an empty table when the run started, so the run's start second is a
 * candidate too (*from_start). NULL and !*from_start: no window, and Locust writes 0. */
static const snapshot *pick_snapshot(const ld_history *h, uint64_t now_s, uint64_t start_s,
                                     int *from_start)
{
    *from_start = 0;
    for (int d = 0; d <= 8; d++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            if (d == 0 && sign == 1) continue;
            int64_t want = (int64_t)now_s - LD_RPS_WINDOW + sign * d;
            for (size_t i = 0; i < HISTORY_SNAPSHOTS; i++)
                if (h->snaps[i].sec && (int64_t)h->snaps[i].sec == want) return &h->snaps[i];
            if (start_s && (int64_t)start_s == want) {
                *from_start = 1;
                return NULL;
            }
        }
    }
    return NULL;
}

int ld_history_write_rows(ld_history *h, const ld_stats *s, uint64_t now_wall_ns, long user_count,
                          FILE *out)
{
    uint64_t now_s = now_wall_ns / NS_PER_S;
    size_t n       = s->nentries + 1;
    int from_start;
    const snapshot *snap = pick_snapshot(h, now_s, s->start_wall_ns / NS_PER_S, &from_start);
    ensure_hists(&h->windows, &h->nwindows, n);
    for (size_t i = 0; i < n; i++) {
        mp_hist *w = h->windows[i];
        mp_hist_reset(w);
        if (!snap && !from_start) continue;
        mp_hist_merge(w, hist_of(s, i));
        if (!snap) continue;
        if (i == s->nentries)
            mp_hist_subtract(w, snap->hists[snap->nentries]);
        else if (i < snap->nentries)
            mp_hist_subtract(w, snap->hists[i]);
    }
    int rc = write_history(s, h->windows, now_wall_ns, user_count, out);

    /* Keep this second's state for later calls; one snapshot per second is all Locust keeps. */
    snapshot *slot = &h->snaps[(h->next + HISTORY_SNAPSHOTS - 1) % HISTORY_SNAPSHOTS];
    if (slot->sec != now_s) {
        slot    = &h->snaps[h->next];
        h->next = (h->next + 1) % HISTORY_SNAPSHOTS;
    }
    ensure_hists(&slot->hists, &slot->nhists, n);
    for (size_t i = 0; i < n; i++) {
        mp_hist_reset(slot->hists[i]);
        mp_hist_merge(slot->hists[i], hist_of(s, i));
    }
    slot->nentries = s->nentries;
    slot->sec      = now_s;
    return rc;
}

/* ---- failures and exceptions ---- */

int ld_write_failures_csv(const ld_stats *s, FILE *out)
{
    static const char *const columns[] = {"Method", "Name", "Error", "Occurrences"};
    sb row                             = {0};
    add_fields(&row, columns, NELEM(columns));
    int rc                    = emit(&row, out);
    const ld_failure **sorted = ld_sorted_failures(s);
    for (size_t i = 0; i < s->nfailures; i++) {
        const char *fields[] = {sorted[i]->method, sorted[i]->name, sorted[i]->error};
        add_fields(&row, fields, NELEM(fields));
        sb_addf(&row, ",%llu", (unsigned long long)sorted[i]->occurrences);
        rc |= emit(&row, out);
    }
    free(sorted);
    sb_free(&row);
    return finish(out) | rc;
}

int ld_write_exceptions_csv(const ld_stats *s, FILE *out)
{
    static const char *const columns[] = {"Count", "Message", "Traceback", "Nodes"};
    sb row                             = {0};
    add_fields(&row, columns, NELEM(columns));
    int rc = emit(&row, out);
    for (size_t i = 0; i < s->nexceptions; i++) {
        const ld_exception *x = &s->exceptions[i];
        sb_addf(&row, "%llu,", (unsigned long long)x->count);
        ld_csv_field(&row, x->message);
        sb_addc(&row, ',');
        ld_csv_field(&row, x->traceback);
        /* Locust lists the nodes that saw it; a single process is its "local" runner. */
        sb_adds(&row, ",local");
        rc |= emit(&row, out);
    }
    sb_free(&row);
    return finish(out) | rc;
}
