#include "load/stats.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define NS_PER_S 1000000000ull

static void entry_init(ld_entry *e, const char *method, const char *name)
{
    memset(e, 0, sizeof *e);
    e->method = xstrdup(method ? method : "");
    e->name   = xstrdup(name);
    e->rt     = mp_hist_new();
}

static void entry_clear(ld_entry *e)
{
    e->num_requests         = 0;
    e->num_failures         = 0;
    e->total_content_length = 0;
    e->first_ns             = 0;
    e->last_ns              = 0;
    mp_hist_reset(e->rt);
    memset(e->sec_stamp, 0, sizeof e->sec_stamp);
    memset(e->sec_reqs, 0, sizeof e->sec_reqs);
    memset(e->sec_fails, 0, sizeof e->sec_fails);
}

static void entry_fini(ld_entry *e)
{
    free(e->method);
    free(e->name);
    mp_hist_free(e->rt);
}

ld_stats *ld_stats_new(void)
{
    ld_stats *s = xcalloc(1, sizeof *s);
    entry_init(&s->total, NULL, "Aggregated");
    return s;
}

static void clear_failures(ld_stats *s)
{
    for (size_t i = 0; i < s->nfailures; i++) {
        free(s->failures[i].method);
        free(s->failures[i].name);
        free(s->failures[i].error);
    }
    s->nfailures = 0;
    if (s->failure_slots) memset(s->failure_slots, 0, s->cap_failure_slots * sizeof(size_t));
}

static void clear_exceptions(ld_stats *s)
{
    for (size_t i = 0; i < s->nexceptions; i++) {
        free(s->exceptions[i].message);
        free(s->exceptions[i].traceback);
    }
    s->nexceptions = 0;
}

void ld_stats_free(ld_stats *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nentries; i++)
        entry_fini(&s->entries[i]);
    free(s->entries);
    entry_fini(&s->total);
    clear_failures(s);
    free(s->failures);
    free(s->failure_slots);
    clear_exceptions(s);
    free(s->exceptions);
    free(s);
}

void ld_stats_reset(ld_stats *s)
{
    for (size_t i = 0; i < s->nentries; i++)
        entry_clear(&s->entries[i]);
    entry_clear(&s->total);
    clear_failures(s);
    clear_exceptions(s);
}

size_t ld_stats_intern(ld_stats *s, const char *method, const char *name)
{
    if (!method) method = "";
    for (size_t i = 0; i < s->nentries; i++)
        if (strcmp(s->entries[i].name, name) == 0 && strcmp(s->entries[i].method, method) == 0)
            return i;
    XGROW(s->entries, s->nentries + 1, s->cap_entries);
    entry_init(&s->entries[s->nentries], method, name);
    return s->nentries++;
}

/* ---- failures table: (method, name, error) -> occurrences ---- */

static uint64_t fnv1a(uint64_t h, const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull; /* separator, so ("ab","c") != ("a","bc") */
}

static uint64_t failure_hash(const char *method, const char *name, const char *error)
{
    return fnv1a(fnv1a(fnv1a(14695981039346656037ull, method), name), error);
}

static void failure_slots_rebuild(ld_stats *s, size_t cap)
{
    free(s->failure_slots);
    s->failure_slots     = xcalloc(cap, sizeof(size_t));
    s->cap_failure_slots = cap;
    for (size_t i = 0; i < s->nfailures; i++) {
        const ld_failure *f = &s->failures[i];
        size_t j            = failure_hash(f->method, f->name, f->error) & (cap - 1);
        while (s->failure_slots[j])
            j = (j + 1) & (cap - 1);
        s->failure_slots[j] = i + 1;
    }
}

static void add_failure(ld_stats *s, const char *method, const char *name, const char *error,
                        uint64_t occurrences)
{
    /* Keep the load factor at most 1/2 so probes stay short. */
    if (2 * (s->nfailures + 1) > s->cap_failure_slots)
        failure_slots_rebuild(s, s->cap_failure_slots ? 2 * s->cap_failure_slots : 16);
    size_t mask = s->cap_failure_slots - 1;
    size_t j    = failure_hash(method, name, error) & mask;
    for (; s->failure_slots[j]; j = (j + 1) & mask) {
        ld_failure *f = &s->failures[s->failure_slots[j] - 1];
        if (strcmp(f->error, error) == 0 && strcmp(f->name, name) == 0 &&
            strcmp(f->method, method) == 0) {
            f->occurrences += occurrences;
            return;
        }
    }
    XGROW(s->failures, s->nfailures + 1, s->cap_failures);
    ld_failure *f       = &s->failures[s->nfailures++];
    f->method           = xstrdup(method);
    f->name             = xstrdup(name);
    f->error            = xstrdup(error);
    f->occurrences      = occurrences;
    s->failure_slots[j] = s->nfailures;
}

static void add_exception(ld_stats *s, const char *message, const char *where, uint64_t count)
{
    for (size_t i = 0; i < s->nexceptions; i++) {
        if (strcmp(s->exceptions[i].traceback, where) == 0) {
            s->exceptions[i].count += count;
            return;
        }
    }
    XGROW(s->exceptions, s->nexceptions + 1, s->cap_exceptions);
    ld_exception *x = &s->exceptions[s->nexceptions++];
    x->message      = xstrdup(message);
    x->traceback    = xstrdup(where);
    x->count        = count;
}

/* ---- recording ---- */

/* Adds reqs/fails to second sec of e's ring. A slot holding an older second is taken over; a
 * second older than the slot's (a wall clock stepped back) is left out of the rates only. */
static void ring_add(ld_entry *e, uint64_t sec, uint64_t reqs, uint64_t fails)
{
    size_t k = (size_t)(sec % LD_RPS_SLOTS);
    if (e->sec_stamp[k] < sec) {
        e->sec_stamp[k] = sec;
        e->sec_reqs[k]  = 0;
        e->sec_fails[k] = 0;
    }
    if (e->sec_stamp[k] == sec) {
        e->sec_reqs[k] += reqs;
        e->sec_fails[k] += fails;
    }
}

static void entry_record(ld_entry *e, uint64_t latency_ns, uint64_t content_length, uint64_t now,
                         uint64_t sec, int failed)
{
    e->num_requests++;
    e->num_failures += (uint64_t)failed;
    e->total_content_length += content_length;
    mp_hist_record(e->rt, latency_ns);
    if (e->first_ns == 0 || now < e->first_ns) e->first_ns = now;
    if (now > e->last_ns) e->last_ns = now;
    ring_add(e, sec, 1, (uint64_t)failed);
}

void ld_stats_record(ld_stats *s, size_t entry, uint64_t latency_ns, uint64_t content_length,
                     uint64_t now_wall_ns, const char *error)
{
    ld_entry *e  = &s->entries[entry];
    int failed   = error != NULL;
    uint64_t sec = now_wall_ns / NS_PER_S;
    entry_record(e, latency_ns, content_length, now_wall_ns, sec, failed);
    entry_record(&s->total, latency_ns, content_length, now_wall_ns, sec, failed);
    if (failed) add_failure(s, e->method, e->name, error, 1);
}

void ld_stats_exception(ld_stats *s, const char *message, const char *where)
{
    add_exception(s, message ? message : "", where ? where : "", 1);
}

/* ---- merging ---- */

static void entry_merge(ld_entry *d, const ld_entry *e)
{
    d->num_requests += e->num_requests;
    d->num_failures += e->num_failures;
    d->total_content_length += e->total_content_length;
    mp_hist_merge(d->rt, e->rt);
    if (e->first_ns && (d->first_ns == 0 || e->first_ns < d->first_ns)) d->first_ns = e->first_ns;
    if (e->last_ns > d->last_ns) d->last_ns = e->last_ns;
    for (size_t k = 0; k < LD_RPS_SLOTS; k++)
        if (e->sec_stamp[k]) ring_add(d, e->sec_stamp[k], e->sec_reqs[k], e->sec_fails[k]);
}

void ld_stats_merge(ld_stats *dst, const ld_stats *src)
{
    for (size_t i = 0; i < src->nentries; i++) {
        const ld_entry *e = &src->entries[i];
        /* The contract is that every table interned the same entries in the same order; matching
         * names as a fallback keeps a table that did not from mixing two requests' numbers. */
        size_t j = i;
        if (j >= dst->nentries || strcmp(dst->entries[j].name, e->name) != 0 ||
            strcmp(dst->entries[j].method, e->method) != 0)
            j = ld_stats_intern(dst, e->method, e->name);
        entry_merge(&dst->entries[j], e);
    }
    entry_merge(&dst->total, &src->total);
    for (size_t i = 0; i < src->nfailures; i++) {
        const ld_failure *f = &src->failures[i];
        add_failure(dst, f->method, f->name, f->error, f->occurrences);
    }
    for (size_t i = 0; i < src->nexceptions; i++) {
        const ld_exception *x = &src->exceptions[i];
        add_exception(dst, x->message, x->traceback, x->count);
    }
    if (src->start_wall_ns && (dst->start_wall_ns == 0 || src->start_wall_ns < dst->start_wall_ns))
        dst->start_wall_ns = src->start_wall_ns;
}

/* ---- current rates ---- */

static double window_rate(const ld_entry *e, const uint64_t *counts, uint64_t now_wall_ns)
{
    if (e->first_ns == 0) return 0;
    uint64_t now_s = now_wall_ns / NS_PER_S, first_s = e->first_ns / NS_PER_S;
    uint64_t from = now_s >= LD_RPS_WINDOW ? now_s - LD_RPS_WINDOW : 0;
    if (from < first_s) from = first_s;
    if (from >= now_s) return 0;
    uint64_t sum = 0;
    for (uint64_t sec = from; sec < now_s; sec++) {
        size_t k = (size_t)(sec % LD_RPS_SLOTS);
        if (e->sec_stamp[k] == sec) sum += counts[k];
    }
    return (double)sum / (double)(now_s - from);
}

double ld_entry_current_rps(const ld_entry *e, uint64_t now_wall_ns)
{
    return window_rate(e, e->sec_reqs, now_wall_ns);
}

double ld_entry_current_fail_rps(const ld_entry *e, uint64_t now_wall_ns)
{
    return window_rate(e, e->sec_fails, now_wall_ns);
}
