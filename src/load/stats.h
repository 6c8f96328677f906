/* Request statistics of a load run, with Locust's semantics so its tooling reads our files:
 * every request (successful or not) counts in num_requests and in the response-time histogram;
 * failures are also counted per entry and, with their message, in the failures table.
 *
 * Threads: each worker thread owns one ld_stats and records into it without locks; the
 * coordinator merges them (ld_stats_merge) for the console, the history CSV and the final outputs.
 * Entries are interned in scenario order before the run starts, so an entry's index is the same in
 * every thread's table and the hot path never hashes a name. */
#ifndef MP_LOAD_STATS_H
#define MP_LOAD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/hist.h"
#include "util/err.h"

#define LD_RPS_WINDOW 10 /* seconds of per-second counts kept for "current" rates (Locust: 10) */
/* Slots of the per-second ring: the window's complete seconds plus the second in progress, which
 * would otherwise overwrite the window's oldest second. */
#define LD_RPS_SLOTS (LD_RPS_WINDOW + 1)

typedef struct ld_entry {
    char *method;
    char *name;
    uint64_t num_requests;
    uint64_t num_failures;
    uint64_t total_content_length; /* bytes of response bodies */
    mp_hist *rt;                   /* response times, ns */
    uint64_t first_ns, last_ns;    /* wall-clock ns of the first and last request (0 = none) */
    /* per-second counts for the last LD_RPS_SLOTS seconds, indexed by (unix second % slots);
     * sec_stamp says which second a slot holds */
    uint64_t sec_stamp[LD_RPS_SLOTS];
    uint64_t sec_reqs[LD_RPS_SLOTS];
    uint64_t sec_fails[LD_RPS_SLOTS];
} ld_entry;

typedef struct ld_failure {
    char *method, *name, *error;
    uint64_t occurrences;
} ld_failure;

typedef struct ld_exception {
    char *message;   /* e.g. "variable 'slug' has no value" */
    char *traceback; /* where: "blog.yaml:40:11 (task publish, step 2)" */
    uint64_t count;
} ld_exception;

typedef struct ld_stats {
    ld_entry *entries;
    size_t nentries, cap_entries;
    ld_entry total; /* "Aggregated" row; kept up to date by ld_stats_record/ld_stats_merge */
    ld_failure *failures;
    size_t nfailures, cap_failures;
    ld_exception *exceptions;
    size_t nexceptions, cap_exceptions;
    uint64_t start_wall_ns; /* when the measured run started */
    /* open-addressing index into failures (slot = failure index + 1, 0 = free), so a failing
     * server with many distinct messages does not make each failure a linear search */
    size_t *failure_slots;
    size_t cap_failure_slots;
} ld_stats;

ld_stats *ld_stats_new(void);
void ld_stats_free(ld_stats *s);
/* Drops all counts but keeps the entries (and their indices). */
void ld_stats_reset(ld_stats *s);

/* Index of (method, name), creating it if needed. Not for the hot path: intern at start.
 * A NULL method is stored as "". */
size_t ld_stats_intern(ld_stats *s, const char *method, const char *name);

/* One finished request. latency_ns is measured from the request's (intended) start;
 * now_wall_ns is the wall-clock completion time. error == NULL means success; otherwise the
 * request also counts as a failure with that message. */
void ld_stats_record(ld_stats *s, size_t entry, uint64_t latency_ns, uint64_t content_length,
                     uint64_t now_wall_ns, const char *error);
/* A scenario error that is not a request failure (Locust's exceptions table). Rows are keyed by
 * `where` as Locust keys them by traceback (so the table stays as small as the scenario); the
 * first message seen for a place is kept. */
void ld_stats_exception(ld_stats *s, const char *message, const char *where);

/* dst += src (entries matched by index; src's extra entries appended). */
void ld_stats_merge(ld_stats *dst, const ld_stats *src);

/* Requests and failures per second over the last LD_RPS_WINDOW complete seconds before
 * now_wall_ns (Locust's "current" rates); the window starts no earlier than the entry's first
 * request (Locust: no earlier than the run's start), and is empty (rate 0) before one whole
 * second has passed. */
double ld_entry_current_rps(const ld_entry *e, uint64_t now_wall_ns);
double ld_entry_current_fail_rps(const ld_entry *e, uint64_t now_wall_ns);

/* ---- outputs (byte-compatible with Locust 2.x --csv files) ---- */

/* PREFIX_stats.csv: one row per entry (sorted by name, then method) and the Aggregated row.
 * elapsed_s is the run time used for Requests/s and Failures/s. */
int ld_write_stats_csv(const ld_stats *s, double elapsed_s, FILE *out);
/* PREFIX_stats_history.csv: header once, then rows appended every interval and flushed: one row
 * per entry and the Aggregated row (Locust's --csv-full-history). This stateless form fills the
 * percentile columns from the whole run so far; ld_history_write_rows fills them from about the
 * last LD_RPS_WINDOW seconds, as Locust does. */
int ld_write_history_header(FILE *out);
int ld_write_history_rows(const ld_stats *s, uint64_t now_wall_ns, long user_count, FILE *out);

/* Snapshots of the merged histograms, one per call, kept for about 20 s (Locust keeps the same),
 * so that the history's percentile columns describe the last ~LD_RPS_WINDOW seconds ("current"
 * percentiles: the run's histograms minus the snapshot from 10 s ago). s must be the same table
 * (or a table with the same entries in the same order) at every call. */
typedef struct ld_history ld_history;
ld_history *ld_history_new(void);
void ld_history_free(ld_history *h);
int ld_history_write_rows(ld_history *h, const ld_stats *s, uint64_t now_wall_ns, long user_count,
                          FILE *out);
int ld_write_failures_csv(const ld_stats *s, FILE *out);
int ld_write_exceptions_csv(const ld_stats *s, FILE *out);

/* Everything, histograms included, as one JSON document (run metadata supplied by the caller as
 * a JSON object text, may be NULL). */
int ld_write_json(const ld_stats *s, double elapsed_s, const char *meta_json, FILE *out);

/* The human table printed at the end (and, with only the Aggregated line, every 2 s). */
void ld_print_table(const ld_stats *s, double elapsed_s, FILE *out);
void ld_print_progress(const ld_stats *s, double elapsed_s, long users, uint64_t now_wall_ns,
                       FILE *out);

#endif
