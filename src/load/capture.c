#include "load/capture.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "scenario/jsonpath.h"
#include "util/mem.h"

void ld_capture_scratch_init(ld_capture_scratch *s, unsigned max_pairs)
{
    memset(s, 0, sizeof *s);
    s->match_data = pcre2_match_data_create(max_pairs ? max_pairs : 1, NULL);
    if (!s->match_data) abort(); /* only fails when out of memory, like xmalloc */
}

void ld_capture_scratch_free(ld_capture_scratch *s)
{
    pcre2_match_data_free(s->match_data);
    free(s->offs);
    free(s->items);
    free(s->lens);
    free(s->values);
    sb_free(&s->tmp);
    sb_free(&s->texts);
    if (s->doc) json_decref(s->doc);
    memset(s, 0, sizeof *s);
}

void ld_capture_end(ld_capture_scratch *s)
{
    if (s->doc) json_decref(s->doc);
    s->doc        = NULL;
    s->doc_parsed = 0;
}

unsigned ld_capture_pairs(const sc_capture *c)
{
    if (c->src != CAP_REGEX || !c->compiled) return 1;
    uint32_t n = 0;
    pcre2_pattern_info(c->compiled, PCRE2_INFO_CAPTURECOUNT, &n);
    return (unsigned)n + 1;
}

/* Matches from `start`; returns 1 with the group's bounds, 0 when there is no further match, -1
 * on a matching error (message in msg). *next is where the following search starts. */
static int match_at(const sc_capture *c, const char *body, size_t len, size_t start,
                    pcre2_match_data *md, size_t *b, size_t *e, size_t *next, sb *msg,
                    const char *var)
{
    int rc = pcre2_match(c->compiled, (PCRE2_SPTR)body, len, start, 0, md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) {
        PCRE2_UCHAR text[256];
        pcre2_get_error_message(rc, text, sizeof text);
        sb_addf(msg, "capture '%s': regex error: %s", var, (const char *)text);
        return -1;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    int g          = c->group;
    if (g < rc && ov[2 * g] != PCRE2_UNSET) {
        *b = ov[2 * g];
        *e = ov[2 * g + 1];
    } else {
        *b = *e = ov[0]; /* the group did not take part in this match: an empty value */
    }
    size_t n = ov[1];
    if (ov[1] == ov[0]) {
        /* An empty match: step over one character (not into the middle of a UTF-8 sequence). */
        n++;
        while (n < len && ((unsigned char)body[n] & 0xC0) == 0x80)
            n++;
    }
    *next = n;
    return 1;
}

static int capture_regex(const sc_capture *c, const char *var, const ld_response_view *r,
                         mp_value *dst, mp_rng *rng, ld_capture_scratch *s, sb *msg)
{
    pcre2_match_data *md = s->match_data;
    size_t b, e, next, pos = 0;
    const char *body = r->body ? r->body : "";
    size_t len       = r->body ? r->body_len : 0;

    if (c->pick == PICK_FIRST) {
        int rc = match_at(c, body, len, 0, md, &b, &e, &next, msg, var);
        if (rc <= 0) return rc == 0 ? 1 : -1;
        mp_value_set(dst, body + b, e - b);
        return 0;
    }

    s->noffs = 0;
    while (pos <= len) {
        int rc = match_at(c, body, len, pos, md, &b, &e, &next, msg, var);
        if (rc < 0) return -1;
        if (rc == 0) break;
        XGROW(s->offs, s->noffs + 2, s->cap_offs);
        s->offs[s->noffs++] = b;
        s->offs[s->noffs++] = e;
        pos                 = next;
    }
    size_t n = s->noffs / 2;
    if (n == 0) return 1;
    if (c->pick == PICK_RANDOM) {
        size_t k = (size_t)mp_rng_below(rng, n);
        mp_value_set(dst, body + s->offs[2 * k], s->offs[2 * k + 1] - s->offs[2 * k]);
        return 0;
    }
    if (n > s->cap_items) {
        s->items     = xrealloc(s->items, n * sizeof *s->items);
        s->lens      = xrealloc(s->lens, n * sizeof *s->lens);
        s->cap_items = n;
    }
    for (size_t k = 0; k < n; k++) {
        s->items[k] = (char *)body + s->offs[2 * k];
        s->lens[k]  = s->offs[2 * k + 1] - s->offs[2 * k];
    }
    mp_value_set_list(dst, s->items, s->lens, n);
    return 0;
}

static int take_first(json_t *v, void *arg)
{
    *(json_t **)arg = v;
    return 1;
}

static int take_each(json_t *v, void *arg)
{
    ld_capture_scratch *s = arg;
    XGROW(s->values, s->nvalues + 1, s->cap_values);
    s->values[s->nvalues++] = v;
    return 0;
}

/* 0: set; 1: nothing selected; 2: the body is not JSON. */
static int capture_json(const sc_capture *c, const ld_response_view *r, mp_value *dst, mp_rng *rng,
                        ld_capture_scratch *s)
{
    if (!s->doc_parsed) {
        s->doc_parsed = 1;
        s->doc =
            json_loadb(r->body ? r->body : "", r->body ? r->body_len : 0, JSON_DECODE_ANY, NULL);
    }
    if (!s->doc) return 2;
    if (c->pick == PICK_FIRST) {
        json_t *v = NULL;
        if (!mp_jsonpath_eval(c->compiled, s->doc, take_first, &v)) return 1;
        sb_reset(&s->texts);
        mp_json_capture_text(v, &s->texts);
        mp_value_set(dst, sb_str(&s->texts), s->texts.len);
        return 0;
    }
    s->nvalues = 0;
    mp_jsonpath_eval(c->compiled, s->doc, take_each, s);
    size_t n = s->nvalues;
    if (n == 0) return 1;
    if (c->pick == PICK_RANDOM) {
        sb_reset(&s->texts);
        mp_json_capture_text(s->values[mp_rng_below(rng, n)], &s->texts);
        mp_value_set(dst, sb_str(&s->texts), s->texts.len);
        return 0;
    }
    /* all: the texts one after the other, then pointers into them once they stop moving */
    sb_reset(&s->texts);
    XGROW(s->offs, 2 * n, s->cap_offs);
    for (size_t k = 0; k < n; k++) {
        s->offs[2 * k] = s->texts.len;
        mp_json_capture_text(s->values[k], &s->texts);
        s->offs[2 * k + 1] = s->texts.len;
    }
    if (n > s->cap_items) {
        s->items     = xrealloc(s->items, n * sizeof *s->items);
        s->lens      = xrealloc(s->lens, n * sizeof *s->lens);
        s->cap_items = n;
    }
    for (size_t k = 0; k < n; k++) {
        s->items[k] = s->texts.buf + s->offs[2 * k];
        s->lens[k]  = s->offs[2 * k + 1] - s->offs[2 * k];
    }
    mp_value_set_list(dst, s->items, s->lens, n);
    return 0;
}

int ld_capture_run(const sc_capture *c, const char *var_name, const ld_response_view *r,
                   mp_value *vars, const tpl_env *env, mp_rng *rng, ld_capture_scratch *s, sb *msg,
                   mp_err *err)
{
    mp_value *dst = &vars[c->var];
    sb_reset(msg);
    const char *what = NULL; /* why nothing was found */
    const char *v;
    switch (c->src) {
    case CAP_REGEX: {
        int rc = capture_regex(c, var_name, r, dst, rng, s, msg);
        if (rc == 0) return 0;
        if (rc < 0) return 1; /* a matching error fails the request; msg says why */
        what = "regex found no match";
        break;
    }
    case CAP_COOKIE:
        v = r->cookie ? r->cookie(r->arg, c->arg) : NULL;
        if (v) {
            mp_value_set(dst, v, strlen(v));
            return 0;
        }
        what = "no cookie";
        break;
    case CAP_HEADER:
        v = r->header ? r->header(r->arg, c->arg) : NULL;
        if (v) {
            mp_value_set(dst, v, strlen(v));
            return 0;
        }
        what = "no header";
        break;
    case CAP_JSON: {
        int rc = capture_json(c, r, dst, rng, s);
        if (rc == 0) return 0;
        what = rc == 2 ? "body is not JSON" : "JSON path found nothing";
        break;
    }
    }

    if (c->dflt) {
        sb_reset(&s->tmp);
        if (tpl_render(c->dflt, env, TPL_RAW, &s->tmp, err) != 0) return -1;
        mp_value_set(dst, sb_str(&s->tmp), s->tmp.len);
        return 0;
    }
    if (c->optional) return 0;
    if (c->src == CAP_COOKIE || c->src == CAP_HEADER)
        sb_addf(msg, "capture '%s': %s '%s'", var_name, what, c->arg);
    else if (c->src == CAP_JSON && strcmp(what, "body is not JSON") != 0)
        sb_addf(msg, "capture '%s': JSON path '%s' found nothing", var_name, c->arg);
    else
        sb_addf(msg, "capture '%s': %s", var_name, what);
    return 1;
}
