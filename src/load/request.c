#include "load/request.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

void ld_reqbuf_free(ld_reqbuf *b)
{
    sb_free(&b->url);
    sb_free(&b->values);
    sb_free(&b->body);
    sb_free(&b->tmp);
    free(b->value_off);
    free(b->headers);
    memset(b, 0, sizeof *b);
}

static int is_absolute(const char *s, size_t len)
{
    return (len >= 7 && strncasecmp(s, "http://", 7) == 0) ||
           (len >= 8 && strncasecmp(s, "https://", 8) == 0);
}

/* A URL template that is one expression and nothing else ("{{ link }}") takes a whole URL or path,
 * typically a captured link, which is already encoded: it is used as is. Anywhere else an
 * interpolated value is percent-encoded. */
static enum tpl_escape url_escape(const tpl *url)
{
    const char *s = tpl_source(url);
    size_t n      = strlen(s);
    if (n >= 4 && s[0] == '{' && s[1] == '{' && s[n - 2] == '}' && s[n - 1] == '}' &&
        !strstr(s + 2, "{{") && strstr(s + 2, "}}") == s + n - 2)
        return TPL_RAW;
    return TPL_URL;
}

static int has_header(const sc_request *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return 1;
    return 0;
}

static void add_header(ld_reqbuf *b, const char *name, size_t value_off)
{
    if (b->nheaders == b->cap_headers) {
        size_t cap = b->cap_headers;
        XGROW(b->headers, b->nheaders + 1, cap);
        b->value_off   = xrealloc(b->value_off, cap * sizeof *b->value_off);
        b->cap_headers = cap;
    }
    b->headers[b->nheaders].name  = name;
    b->value_off[b->nheaders]     = value_off;
    b->headers[b->nheaders].value = NULL; /* resolved once `values` stops moving */
    b->nheaders++;
}

void ld_json_quote(sb *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    sb_grow(out, len + 2);
    sb_addc(out, '"');
    size_t run = 0; /* bytes copied in one go when nothing needs escaping */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sb_add(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            sb_add(out, "\\\"", 2);
            break;
        case '\\':
            sb_add(out, "\\\\", 2);
            break;
        case '\b':
            sb_add(out, "\\b", 2);
            break;
        case '\f':
            sb_add(out, "\\f", 2);
            break;
        case '\n':
            sb_add(out, "\\n", 2);
            break;
        case '\r':
            sb_add(out, "\\r", 2);
            break;
        case '\t':
            sb_add(out, "\\t", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sb_add(out, u, 6);
        }
        }
    }
    sb_add(out, s + run, len - run);
    sb_addc(out, '"');
}

int ld_json_render(const sc_json *j, const tpl_env *env, sb *out, sb *tmp, mp_err *err)
{
    switch (j->kind) {
    case SCJ_NULL:
        sb_add(out, "null", 4);
        return 0;
    case SCJ_BOOL:
        sb_adds(out, j->boolean ? "true" : "false");
        return 0;
    case SCJ_NUMBER:
        sb_adds(out, j->number);
        return 0;
    case SCJ_STRING:
        sb_reset(tmp);
        if (tpl_render(j->string, env, TPL_RAW, tmp, err) != 0) return -1;
        ld_json_quote(out, tmp->buf ? tmp->buf : "", tmp->len);
        return 0;
    case SCJ_ARRAY:
        sb_addc(out, '[');
        for (size_t i = 0; i < j->n; i++) {
            if (i) sb_addc(out, ',');
            if (ld_json_render(&j->items[i], env, out, tmp, err) != 0) return -1;
        }
        sb_addc(out, ']');
        return 0;
    case SCJ_OBJECT:
        sb_addc(out, '{');
        for (size_t i = 0; i < j->n; i++) {
            if (i) sb_addc(out, ',');
            ld_json_quote(out, j->keys[i], strlen(j->keys[i]));
            sb_addc(out, ':');
            if (ld_json_render(&j->items[i], env, out, tmp, err) != 0) return -1;
        }
        sb_addc(out, '}');
        return 0;
    }
    return mp_fail(err, "unknown JSON value kind %d", (int)j->kind);
}

static void add_pair(sb *out, const char *name, const char *value, size_t len, int form, char *sep)
{
    if (*sep) sb_addc(out, *sep);
    *sep = '&';
    mp_url_encode(out, name, strlen(name), form);
    sb_addc(out, '=');
    mp_url_encode(out, value, len, form);
}

/* name=value pairs, each part encoded; `form` selects '+' for spaces. sep goes before the first
 * pair ('?' for a query on a URL without one, '&' after an existing query, '\0' for a body), '&'
 * between the others; nothing at all is written when no pair is. A value that is one variable
 * holding a list (`_selected_action: "{{ ids }}"`) gives one pair per element, none for an empty
 * list: repeated fields are how HTML forms send multi-selects and bulk actions. */
static int encode_pairs(const sc_kv *kv, size_t n, const tpl_env *env, int form, char sep, sb *out,
                        sb *tmp, mp_err *err)
{
    for (size_t i = 0; i < n; i++) {
        int slot = tpl_lone_var(kv[i].value);
        if (slot >= 0 && env->vars[slot].is_list) {
            const mp_value *v = &env->vars[slot];
            for (size_t k = 0; k < v->nitems; k++)
                add_pair(out, kv[i].name, v->items[k], v->item_lens[k], form, &sep);
            continue;
        }
        sb_reset(tmp);
        if (tpl_render(kv[i].value, env, TPL_RAW, tmp, err) != 0) return -1;
        add_pair(out, kv[i].name, tmp->buf ? tmp->buf : "", tmp->len, form, &sep);
    }
    return 0;
}

/* Appends the request URL for u (the rendered url template): host-relative unless absolute, the
 * fragment dropped. */
static void add_url(sb *out, const char *host, const char *u, size_t ulen)
{
    const char *hash = memchr(u, '#', ulen);
    if (hash) ulen = (size_t)(hash - u); /* fragments are never sent to servers */
    if (!is_absolute(u, ulen)) {
        sb_adds(out, host);
        if (ulen == 0 || u[0] != '/') sb_addc(out, '/');
    }
    sb_add(out, u, ulen);
}

void ld_reqplan_init(ld_reqplan *p, const sc_request *r, const char *host)
{
    memset(p, 0, sizeof *p);
    p->url_escape       = url_escape(r->url);
    p->has_content_type = has_header(r, "Content-Type");
    if (tpl_is_constant(r->url) && r->nquery == 0) {
        sb u            = {0};
        const char *src = tpl_source(r->url);
        add_url(&u, host, src, strlen(src));
        p->url = sb_detach(&u);
    }
}

void ld_reqplan_free(ld_reqplan *p)
{
    free(p->url);
    memset(p, 0, sizeof *p);
}

enum ld_build_result ld_request_build(const sc_request *r, const char *host, const tpl_env *env,
                                      ld_reqbuf *b, mp_err *err)
{
    ld_reqplan plan;
    ld_reqplan_init(&plan, r, host);
    enum ld_build_result rc = ld_request_build_plan(r, &plan, host, env, b, err);
    if (rc == LD_BUILD_OK && plan.url) {
        /* The plan goes away: the URL moves into b. */
        sb_reset(&b->url);
        sb_adds(&b->url, plan.url);
        b->req.url = b->url.buf;
    }
    ld_reqplan_free(&plan);
    return rc;
}

enum ld_build_result ld_request_build_plan(const sc_request *r, const ld_reqplan *plan,
                                           const char *host, const tpl_env *env, ld_reqbuf *b,
                                           mp_err *err)
{
    b->nheaders = 0;
    const char *url;
    if (plan->url) {
        url = plan->url;
    } else {
        /* URL: rendered into tmp first so "absolute or relative" is decided on the result. */
        sb_reset(&b->url);
        sb_reset(&b->tmp);
        if (tpl_render(r->url, env, plan->url_escape, &b->tmp, err) != 0) return LD_BUILD_ERROR;
        add_url(&b->url, host, b->tmp.buf ? b->tmp.buf : "", b->tmp.len);
        if (r->nquery) {
            char sep = memchr(b->url.buf, '?', b->url.len) ? '&' : '?';
            if (encode_pairs(r->query, r->nquery, env, 0, sep, &b->url, &b->tmp, err) != 0)
                return LD_BUILD_ERROR;
        }
        url = sb_str(&b->url);
    }

    if (r->nheaders) sb_reset(&b->values);
    for (size_t i = 0; i < r->nheaders; i++) {
        size_t off = b->values.len;
        if (tpl_render(r->headers[i].value, env, TPL_HEADER, &b->values, err) != 0) {
            /* Rendered raw it works: then only CR/LF stopped it, and the request fails (header
             * injection is refused); otherwise it is a scenario error. */
            sb_reset(&b->tmp);
            mp_err raw;
            if (tpl_render(r->headers[i].value, env, TPL_RAW, &b->tmp, &raw) == 0)
                return LD_BUILD_FAILED;
            return LD_BUILD_ERROR;
        }
        sb_addc(&b->values, '\0');
        add_header(b, r->headers[i].name, off);
    }

    if (r->body_kind != BODY_NONE) sb_reset(&b->body);
    switch (r->body_kind) {
    case BODY_FORM:
        if (encode_pairs(r->form, r->nform, env, 1, '\0', &b->body, &b->tmp, err) != 0)
            return LD_BUILD_ERROR;
        if (!plan->has_content_type) add_header(b, "Content-Type", SIZE_MAX);
        break;
    case BODY_JSON:
        if (ld_json_render(r->json, env, &b->body, &b->tmp, err) != 0) return LD_BUILD_ERROR;
        if (!plan->has_content_type) add_header(b, "Content-Type", SIZE_MAX - 1);
        break;
    case BODY_RAW:
        if (tpl_render(r->body, env, TPL_RAW, &b->body, err) != 0) return LD_BUILD_ERROR;
        break;
    case BODY_NONE:
        break;
    }

    for (size_t i = 0; i < b->nheaders; i++) {
        size_t off = b->value_off[i];
        if (off == SIZE_MAX)
            b->headers[i].value = "application/x-www-form-urlencoded";
        else if (off == SIZE_MAX - 1)
            b->headers[i].value = "application/json";
        else
            b->headers[i].value = b->values.buf + off;
    }

    http_request *q     = &b->req;
    q->method           = r->method;
    q->url              = url;
    q->headers          = b->headers;
    q->nheaders         = b->nheaders;
    q->body             = r->body_kind == BODY_NONE ? NULL : sb_str(&b->body);
    q->body_len         = r->body_kind == BODY_NONE ? 0 : b->body.len;
    q->timeout_s        = r->timeout;
    q->follow_redirects = r->follow_redirects;
    q->tls_verify       = r->tls_verify;
    return LD_BUILD_OK;
}

/* Quotes text for a failure message, cut at 60 bytes so messages (which key the failures table)
 * stay readable. */
static void quote_short(sb *msg, const char *s, size_t len)
{
    sb_addc(msg, '"');
    if (len > 60) {
        sb_add(msg, s, 57);
        sb_adds(msg, "...");
    } else {
        sb_add(msg, s, len);
    }
    sb_addc(msg, '"');
}

int ld_expect_check(const sc_expect *e, int status, const char *body, size_t body_len,
                    const tpl_env *env, sb *tmp, sb *msg, mp_err *err)
{
    sb_reset(msg);
    if (e->nstatus == 0) {
        if (status >= 400) {
            sb_addf(msg, "expected status < 400, got %d", status);
            return 1;
        }
    } else {
        int ok = 0;
        for (size_t i = 0; i < e->nstatus; i++)
            if (e->status[i] == status) ok = 1;
        if (!ok) {
            sb_adds(msg, "expected status ");
            for (size_t i = 0; i < e->nstatus; i++) {
                if (i) sb_adds(msg, i + 1 == e->nstatus ? " or " : ", ");
                sb_addf(msg, "%d", e->status[i]);
            }
            sb_addf(msg, ", got %d", status);
            return 1;
        }
    }
    for (size_t i = 0; i < e->ncontains; i++) {
        sb_reset(tmp);
        if (tpl_render(e->contains[i], env, TPL_RAW, tmp, err) != 0) return -1;
        if (tmp->len && !memmem(body, body_len, tmp->buf, tmp->len)) {
            sb_adds(msg, "body does not contain ");
            quote_short(msg, tmp->buf, tmp->len);
            return 1;
        }
    }
    for (size_t i = 0; i < e->nnot_contains; i++) {
        sb_reset(tmp);
        if (tpl_render(e->not_contains[i], env, TPL_RAW, tmp, err) != 0) return -1;
        if (tmp->len && memmem(body, body_len, tmp->buf, tmp->len)) {
            sb_adds(msg, "body contains ");
            quote_short(msg, tmp->buf, tmp->len);
            return 1;
        }
    }
    return 0;
}
