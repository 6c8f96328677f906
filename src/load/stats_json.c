/* --json: the whole table at full precision (ns, nearest-rank percentiles within 1%, the
 * histograms themselves), for mixperf's own later stages. Shape: docs/outputs.md. */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "load/stats.h"
#include "load/stats_fmt.h"
#include "util/clock.h"
#include "util/mem.h"

static json_t *jint(uint64_t v)
{
    /* json_int_t is signed; a value beyond it (292 years of ns) degrades to a real, not a wrap. */
    return v <= (uint64_t)LLONG_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one (overlong forms,
 * surrogates and code points above U+10FFFF are not). */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, cp = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, cp = p[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0; /* also stops at the terminating NUL */
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

/* A JSON string of text that may not be UTF-8 (an error can quote a response body): each byte
 * that is not part of a valid sequence becomes U+FFFD, so the document stays valid JSON. */
static json_t *jstr(const char *text)
{
    json_t *j = json_string(text);
    if (j) return j;
    sb clean = {0};
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_seq(p);
        if (n) {
            sb_add(&clean, p, n);
            p += n;
        } else {
            sb_adds(&clean, "\xef\xbf\xbd");
            p++;
        }
    }
    j = json_string(sb_str(&clean));
    sb_free(&clean);
    return j;
}

static void add_pair(uint64_t value_ns, uint64_t count, void *arg)
{
    json_t *pair = json_array();
    json_array_append_new(pair, jint(value_ns));
    json_array_append_new(pair, jint(count));
    json_array_append_new(arg, pair);
}

/* Percentile label without its '%' ("99.9"), the key used in the JSON. */
static const char *pct_key(size_t i, char buf[16])
{
    size_t n = strlen(ld_pct_labels[i]) - 1;
    memcpy(buf, ld_pct_labels[i], n);
    buf[n] = '\0';
    return buf;
}

static json_t *entry_json(const ld_entry *e, double elapsed_s)
{
    json_t *o = json_object();
    json_object_set_new(o, "method", jstr(e->method));
    json_object_set_new(o, "name", jstr(e->name));
    json_object_set_new(o, "num_requests", jint(e->num_requests));
    json_object_set_new(o, "num_failures", jint(e->num_failures));
    json_object_set_new(o, "total_content_length", jint(e->total_content_length));
    json_object_set_new(o, "avg_content_length",
                        json_real(e->num_requests
                                      ? (double)e->total_content_length / (double)e->num_requests
                                      : 0.0));
    json_object_set_new(o, "requests_per_s",
                        json_real(elapsed_s > 0 ? (double)e->num_requests / elapsed_s : 0.0));
    json_object_set_new(o, "failures_per_s",
                        json_real(elapsed_s > 0 ? (double)e->num_failures / elapsed_s : 0.0));
    json_object_set_new(o, "first_wall_ns", jint(e->first_ns));
    json_object_set_new(o, "last_wall_ns", jint(e->last_ns));

    json_t *rt = json_object();
    json_object_set_new(rt, "count", jint(mp_hist_count(e->rt)));
    json_object_set_new(rt, "min", jint(mp_hist_min(e->rt)));
    json_object_set_new(rt, "max", jint(mp_hist_max(e->rt)));
    json_object_set_new(rt, "mean", json_real(mp_hist_mean(e->rt)));
    json_t *pct = json_object();
    for (size_t i = 0; i < LD_NPCT; i++) {
        char key[16];
        json_object_set_new(pct, pct_key(i, key), jint(mp_hist_quantile(e->rt, ld_pct_values[i])));
    }
    json_object_set_new(rt, "percentiles", pct);
    json_t *buckets = json_array();
    mp_hist_each(e->rt, add_pair, buckets);
    json_object_set_new(rt, "histogram", buckets);
    json_object_set_new(o, "response_time_ns", rt);
    return o;
}

int ld_write_json(const ld_stats *s, double elapsed_s, const char *meta_json, FILE *out)
{
    json_t *meta = json_null();
    if (meta_json) {
        json_error_t jerr;
        json_decref(meta);
        meta = json_loads(meta_json, 0, &jerr);
        if (!meta || !json_is_object(meta)) {
            json_decref(meta);
            return -1;
        }
    }
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("mixperf-load-stats"));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "meta", meta);
    json_object_set_new(root, "start_wall_ns", jint(s->start_wall_ns));
    if (s->start_wall_ns) {
        char iso[32];
        mp_iso8601(s->start_wall_ns, iso);
        json_object_set_new(root, "start_time", json_string(iso));
    } else {
        json_object_set_new(root, "start_time", json_null());
    }
    json_object_set_new(root, "elapsed_s", json_real(elapsed_s));
    json_t *pcts = json_array();
    for (size_t i = 0; i < LD_NPCT; i++)
        json_array_append_new(pcts, json_real(ld_pct_values[i]));
    json_object_set_new(root, "percentiles", pcts);

    json_t *entries = json_array();
    for (size_t i = 0; i < s->nentries; i++)
        json_array_append_new(entries, entry_json(&s->entries[i], elapsed_s));
    json_object_set_new(root, "entries", entries);
    json_object_set_new(root, "total", entry_json(&s->total, elapsed_s));

    json_t *failures          = json_array();
    const ld_failure **sorted = ld_sorted_failures(s);
    for (size_t i = 0; i < s->nfailures; i++) {
        const ld_failure *f = sorted[i];
        json_t *o           = json_object();
        json_object_set_new(o, "method", jstr(f->method));
        json_object_set_new(o, "name", jstr(f->name));
        json_object_set_new(o, "error", jstr(f->error));
        json_object_set_new(o, "occurrences", jint(f->occurrences));
        json_array_append_new(failures, o);
    }
    free(sorted);
    json_object_set_new(root, "failures", failures);
    json_t *exceptions = json_array();
    for (size_t i = 0; i < s->nexceptions; i++) {
        const ld_exception *x = &s->exceptions[i];
        json_t *o             = json_object();
        json_object_set_new(o, "count", jint(x->count));
        json_object_set_new(o, "message", jstr(x->message));
        json_object_set_new(o, "traceback", jstr(x->traceback));
        json_array_append_new(exceptions, o);
    }
    json_object_set_new(root, "exceptions", exceptions);

    int rc = json_dumpf(root, out, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc == 0 && fputc('\n', out) == EOF) rc = -1;
    return fflush(out) == 0 && !ferror(out) && rc == 0 ? 0 : -1;
}
