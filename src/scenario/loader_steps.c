/* Flows and steps: requests (with their query, headers, bodies, expectations, captures and
 * pushes), set, pick, push, sleep and loop. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/jsonpath.h"
#include "scenario/loader_internal.h"
#include "util/mem.h"

static void load_step(ld *L, const yaml_node_t *n, sc_step *s);

static const char *kind_of(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE  ? "a list"
           : n->type == YAML_MAPPING_NODE ? "a mapping"
                                          : "a string";
}

static size_t nitems(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static size_t npairs(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

/* ---- flows ----------------------------------------------------------------------------------- */

void ld_flow(ld *L, const yaml_node_t *n, sc_flow *out, const char *where)
{
    if (yd_is_null(n)) return;
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&L->y, n, "%s is %s (expected a list of steps)", where, kind_of(n));
        return;
    }
    size_t k = nitems(n);
    if (!k) return;
    if (yd_enter(&L->y, n) < 0) return;
    out->steps = xcalloc(k, sizeof *out->steps);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = yd_node(&L->y, n->data.sequence.items.start[i]);
        if (!e) continue;
        sc_step *s = &out->steps[out->n++];
        s->pos     = ld_pos(e);
        s->kind    = STEP_SET; /* empty until load_step fills it: frees nothing */
        load_step(L, e, s);
    }
    yd_leave(&L->y);
}

/* ---- name: template mappings ----------------------------------------------------------------- */

/* form and query: name: template, or name: [templates] for a field sent once per item (a
 * multi-select, a bulk action's ids); an empty list sends no field. */
static void load_kvs(ld *L, const yaml_node_t *n, sc_kv **out, size_t *nout, const char *what)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "%s is %s (expected a mapping of name: template)", what, kind_of(n));
        return;
    }
    char where[64], item[64];
    snprintf(where, sizeof where, "in %s", what);
    snprintf(item, sizeof item, "an item of a %s list", what);
    yd_plain_keys(&L->y, n, where);
    size_t total = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *vn = yd_node(&L->y, p->value);
        total += vn && vn->type == YAML_SEQUENCE_NODE ? nitems(vn) : 1;
    }
    *out = xcalloc(total ? total : 1, sizeof **out);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key), *vn = yd_node(&L->y, p->value);
        if (!yd_is_scalar(kn) || !vn) continue;
        char *name;
        if (yd_string(&L->y, kn, "a name", &name) < 0) continue;
        if (vn->type != YAML_SEQUENCE_NODE) {
            tpl *t = ld_tpl(L, vn, "a value");
            if (t)
                (*out)[(*nout)++] = (sc_kv){name, t};
            else
                free(name);
            continue;
        }
        for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top;
             it++) {
            yaml_node_t *e = yd_node(&L->y, *it);
            tpl *t         = e ? ld_tpl(L, e, item) : NULL;
            if (t) (*out)[(*nout)++] = (sc_kv){xstrdup(name), t};
        }
        free(name);
    }
}

void ld_headers(ld *L, const yaml_node_t *n, sc_kv **out, size_t *nout, const char *what)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "%s is %s (expected a mapping of name: template)", what, kind_of(n));
        return;
    }
    *out = xcalloc(npairs(n) ? npairs(n) : 1, sizeof **out);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key), *vn = yd_node(&L->y, p->value);
        if (!kn || !vn) continue;
        if (!yd_is_scalar(kn) || strlen(yd_sval(kn)) != yd_slen(kn) ||
            !ld_header_name_ok(yd_sval(kn))) {
            yd_err_node(&L->y, kn,
                        "invalid header name (expected letters, digits and !#$%%&'*+-.^_`|~)");
            continue;
        }
        int dup = 0;
        for (size_t i = 0; i < *nout; i++)
            if (strcasecmp((*out)[i].name, yd_sval(kn)) == 0) dup = 1;
        if (dup) {
            yd_err_node(&L->y, kn,
                        "duplicate header '%s' (expected each header once; names ignore case)",
                        yd_sval(kn));
            continue;
        }
        tpl *t = ld_tpl(L, vn, "a header value");
        if (t) (*out)[(*nout)++] = (sc_kv){xstrdup(yd_sval(kn)), t};
    }
}

/* The request's headers, then the defaults it does not override (names ignore case). */
static void merge_default_headers(ld *L, sc_request *r)
{
    if (!L->ndheaders) return;
    r->headers = xrealloc(r->headers, (r->nheaders + L->ndheaders) * sizeof *r->headers);
    size_t own = r->nheaders;
    for (size_t d = 0; d < L->ndheaders; d++) {
        int overridden = 0;
        for (size_t i = 0; i < own; i++)
            if (strcasecmp(r->headers[i].name, L->dheaders[d].name) == 0) overridden = 1;
        if (!overridden)
            r->headers[r->nheaders++] =
                (sc_kv){xstrdup(L->dheaders[d].name), tpl_dup(L->dheaders[d].value)};
    }
}

/* ---- JSON bodies ----------------------------------------------------------------------------- */

/* JSON's number grammar: YAML numbers that JSON would not read (0x1F, .5, +1) stay strings. */
static int json_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (isdigit((unsigned char)*s))
            s++;
    else
        return 0;
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s)) return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!isdigit((unsigned char)*s)) return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

static void free_json(sc_json *j)
{
    if (!j) return;
    free(j->number);
    tpl_free(j->string);
    for (size_t i = 0; i < j->n; i++) {
        free_json(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
}

static void load_json(ld *L, const yaml_node_t *n, sc_json *j)
{
    memset(j, 0, sizeof *j);
    if (yd_enter(&L->y, n) < 0) return;
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = yd_sval(n);
        int plain     = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (plain && yd_is_null(n)) {
            j->kind = SCJ_NULL;
        } else if (plain && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))) {
            j->kind    = SCJ_BOOL;
            j->boolean = 1;
        } else if (plain && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))) {
            j->kind = SCJ_BOOL;
        } else if (plain && json_number(s)) {
            j->kind   = SCJ_NUMBER;
            j->number = xstrdup(s);
        } else {
            j->kind   = SCJ_STRING;
            j->string = ld_tpl(L, n, "a JSON string");
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        j->kind  = SCJ_ARRAY;
        j->items = xcalloc(nitems(n) ? nitems(n) : 1, sizeof *j->items);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            yaml_node_t *e = yd_node(&L->y, *it);
            if (e) load_json(L, e, &j->items[j->n++]);
        }
    } else {
        j->kind  = SCJ_OBJECT;
        j->items = xcalloc(npairs(n) ? npairs(n) : 1, sizeof *j->items);
        j->keys  = xcalloc(npairs(n) ? npairs(n) : 1, sizeof *j->keys);
        yd_plain_keys(&L->y, n, "in a JSON object");
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *kn = yd_node(&L->y, p->key), *vn = yd_node(&L->y, p->value);
            if (!yd_is_scalar(kn) || !vn) continue;
            char *key;
            if (yd_string(&L->y, kn, "a JSON key", &key) < 0) continue;
            j->keys[j->n] = key;
            load_json(L, vn, &j->items[j->n++]);
        }
    }
    yd_leave(&L->y);
}

/* ---- expectations, captures, pushes ---------------------------------------------------------- */

static void load_tpl_list(ld *L, const yaml_node_t *n, tpl ***out, size_t *nout, const char *what)
{
    if (n->type == YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "%s is a mapping (expected a template or a list of templates)", what);
        return;
    }
    if (n->type == YAML_SCALAR_NODE) {
        tpl *t = ld_tpl(L, n, what);
        if (!t) return;
        *out      = xcalloc(1, sizeof **out);
        (*out)[0] = t;
        *nout     = 1;
        return;
    }
    *out = xcalloc(nitems(n) ? nitems(n) : 1, sizeof **out);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yd_node(&L->y, *it);
        if (!e) continue;
        tpl *t = ld_tpl(L, e, what);
        if (t) (*out)[(*nout)++] = t;
    }
}

static void load_status(ld *L, const yaml_node_t *n, sc_expect *x)
{
    const yaml_node_t *one = n;
    size_t k               = 1;
    if (n->type == YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "status is a mapping (expected a status code or a list of them)");
        return;
    }
    if (n->type == YAML_SEQUENCE_NODE) k = nitems(n);
    if (k == 0) {
        yd_err_node(&L->y, n, "status is an empty list (expected at least one status code)");
        return;
    }
    x->status = xcalloc(k, sizeof *x->status);
    for (size_t i = 0; i < k; i++) {
        if (n->type == YAML_SEQUENCE_NODE) one = yd_node(&L->y, n->data.sequence.items.start[i]);
        if (!one) continue;
        long code;
        if (yd_long(&L->y, one, "status", &code) < 0) continue;
        if (code < 100 || code > 599) {
            yd_err_node(&L->y, one, "status %ld is out of range (expected 100..599)", code);
            continue;
        }
        x->status[x->nstatus++] = (int)code;
    }
}

static void load_expect(ld *L, const yaml_node_t *n, sc_expect *x)
{
    static const char *const keys[] = {"status", "contains", "not_contains"};
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "expect is %s (expected a mapping of status, contains, not_contains)",
                    kind_of(n));
        return;
    }
    yaml_node_t *v[3];
    yd_keys(&L->y, n, "in expect", keys, 3, v, NULL);
    if (v[0]) load_status(L, v[0], x);
    if (v[1]) load_tpl_list(L, v[1], &x->contains, &x->ncontains, "contains");
    if (v[2]) load_tpl_list(L, v[2], &x->not_contains, &x->nnot_contains, "not_contains");
}

static void compile_regex(ld *L, const yaml_node_t *n, sc_capture *c)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)yd_sval(n), yd_slen(n), 0, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        tpl_loc loc;
        int *cols;
        ld_scalar_loc(L, n, &loc, &cols);
        if (off > yd_slen(n)) off = yd_slen(n);
        int col = ld_loc_col(&loc, yd_sval(n), off);
        free(cols);
        yd_err(&L->y, loc.line, col, "invalid regex: %s at offset %zu (expected a PCRE2 pattern)",
               (const char *)msg, (size_t)off);
        return;
    }
    /* JIT is an optimisation: when the platform has none, the interpreter gives the same
     * matches. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    c->compiled = re;
}

static void free_capture(sc_capture *c)
{
    free(c->arg);
    if (c->compiled) {
        if (c->src == CAP_REGEX)
            pcre2_code_free(c->compiled);
        else if (c->src == CAP_JSON)
            mp_jsonpath_free(c->compiled);
    }
    tpl_free(c->dflt);
}

static void load_capture(ld *L, const yaml_node_t *n, sc_capture *c)
{
    static const char *const keys[] = {"var",   "regex", "cookie",  "header",  "json",
                                       "group", "pick",  "default", "optional"};
    enum { C_VAR, C_REGEX, C_COOKIE, C_HEADER, C_JSON, C_GROUP, C_PICK, C_DEFAULT, C_OPTIONAL };
    c->pos   = ld_pos(n);
    c->var   = -1;
    c->group = 1;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "a capture is %s (expected e.g. {var: v, regex: 'id=(\\d+)'})",
                    kind_of(n));
        return;
    }
    yaml_node_t *v[9], *k[9];
    int unknown = yd_keys(&L->y, n, "in capture", keys, 9, v, k);
    if (!v[C_VAR]) {
        if (!unknown) yd_err_node(&L->y, n, "capture has no var (expected var: NAME)");
    } else {
        c->var = ld_assigned_var(L, v[C_VAR], "var");
    }

    int src = -1;
    for (int s = C_REGEX; s <= C_JSON; s++) {
        if (!v[s]) continue;
        if (src >= 0) {
            /* The later of the two in the file is the mistake. */
            const yaml_node_t *a = k[src], *b = k[s];
            int b_later =
                yd_line(b) > yd_line(a) || (yd_line(b) == yd_line(a) && yd_col(b) > yd_col(a));
            yd_err_node(&L->y, b_later ? b : a, "capture has both %s and %s (expected one source)",
                        keys[src], keys[s]);
            continue;
        }
        src = s;
    }
    if (src < 0) {
        if (!unknown)
            yd_err_node(&L->y, n,
                        "capture has no source (expected one of regex, cookie, header or json)");
        return;
    }
    c->src = src == C_REGEX    ? CAP_REGEX
             : src == C_COOKIE ? CAP_COOKIE
             : src == C_HEADER ? CAP_HEADER
                               : CAP_JSON;
    if (yd_string(&L->y, v[src], keys[src], &c->arg) < 0) return;
    if (c->src == CAP_REGEX) {
        compile_regex(L, v[src], c);
    } else if (c->src == CAP_JSON) {
        tpl_loc loc;
        int *cols;
        mp_err e;
        ld_scalar_loc(L, v[src], &loc, &cols);
        c->compiled = mp_jsonpath_compile(yd_sval(v[src]), yd_slen(v[src]), &loc, &e);
        free(cols);
        if (!c->compiled) yd_err_msg(&L->y, loc.err_line, loc.err_col, &e);
    } else if (!ld_header_name_ok(c->arg)) {
        yd_err_node(&L->y, v[src],
                    "invalid %s name (expected letters, digits and !#$%%&'*+-.^_`|~)", keys[src]);
    }

    if (v[C_GROUP]) {
        long g;
        if (c->src != CAP_REGEX) {
            yd_err_node(&L->y, k[C_GROUP],
                        "group applies only to regex captures (expected it with "
                        "regex)");
        } else if (yd_long(&L->y, v[C_GROUP], "group", &g) == 0) {
            uint32_t count = 0;
            if (c->compiled) pcre2_pattern_info(c->compiled, PCRE2_INFO_CAPTURECOUNT, &count);
            if (g < 0 || (c->compiled && g > (long)count))
                yd_err_node(&L->y, v[C_GROUP],
                            "group %ld but the pattern has %u capture group%s (expected 0..%u)", g,
                            count, count == 1 ? "" : "s", count);
            else
                c->group = (int)g;
        }
    } else if (c->src == CAP_REGEX && c->compiled) {
        uint32_t count = 0;
        pcre2_pattern_info(c->compiled, PCRE2_INFO_CAPTURECOUNT, &count);
        c->group = count ? 1 : 0;
    }
    if (c->src != CAP_REGEX) c->group = 0;

    if (v[C_PICK]) {
        if (c->src != CAP_REGEX && c->src != CAP_JSON) {
            yd_err_node(&L->y, k[C_PICK],
                        "pick applies only to regex and json captures (expected it "
                        "with regex or json)");
        } else if (!yd_is_scalar(v[C_PICK]) ||
                   (strcmp(yd_sval(v[C_PICK]), "first") && strcmp(yd_sval(v[C_PICK]), "random") &&
                    strcmp(yd_sval(v[C_PICK]), "all"))) {
            yd_err_node(&L->y, v[C_PICK], "bad pick (expected first, random or all)");
        } else {
            const char *p = yd_sval(v[C_PICK]);
            c->pick       = !strcmp(p, "first")    ? PICK_FIRST
                            : !strcmp(p, "random") ? PICK_RANDOM
                                                   : PICK_ALL;
        }
    }
    if (v[C_DEFAULT] && v[C_OPTIONAL]) {
        const yaml_node_t *a = k[C_DEFAULT], *b = k[C_OPTIONAL];
        int b_later =
            yd_line(b) > yd_line(a) || (yd_line(b) == yd_line(a) && yd_col(b) > yd_col(a));
        yd_err_node(&L->y, b_later ? b : a,
                    "capture has both default and optional (expected one of "
                    "them)");
    }
    if (v[C_DEFAULT]) c->dflt = ld_tpl(L, v[C_DEFAULT], "default");
    if (v[C_OPTIONAL]) yd_bool(&L->y, v[C_OPTIONAL], "optional", &c->optional);
}

static void load_captures(ld *L, const yaml_node_t *n, sc_request *r)
{
    size_t k = n->type == YAML_SEQUENCE_NODE ? nitems(n) : 1;
    if (n->type == YAML_SCALAR_NODE) {
        yd_err_node(&L->y, n, "capture is a string (expected a list of captures)");
        return;
    }
    r->captures = xcalloc(k ? k : 1, sizeof *r->captures);
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = n->type == YAML_SEQUENCE_NODE
                             ? yd_node(&L->y, n->data.sequence.items.start[i])
                             : (yaml_node_t *)n;
        if (!e) continue;
        load_capture(L, e, &r->captures[r->ncaptures++]);
    }
}

static void load_push(ld *L, const yaml_node_t *n, sc_push *p)
{
    static const char *const keys[] = {"pool", "value"};
    p->pool                         = -1;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "push is %s (expected {pool: P, value: template})", kind_of(n));
        return;
    }
    yaml_node_t *v[2];
    int unknown = yd_keys(&L->y, n, "in push", keys, 2, v, NULL);
    if ((!v[0] || !v[1]) && !unknown) {
        yd_err_node(&L->y, n, "push has no %s (expected {pool: P, value: template})",
                    v[0] ? "value" : "pool");
    }
    if (v[0]) p->pool = ld_pool(L, v[0]);
    if (v[1]) p->value = ld_tpl(L, v[1], "value");
}

/* ---- requests -------------------------------------------------------------------------------- */

static int method_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s)) return 0;
    return 1;
}

static void load_url(ld *L, const yaml_node_t *n, sc_request *r)
{
    r->url = ld_tpl(L, n, "url");
    if (!r->url) return;
    const char *s = tpl_source(r->url);
    if (s[0] != '/' && strncmp(s, "{{", 2) != 0 && strncasecmp(s, "http://", 7) != 0 &&
        strncasecmp(s, "https://", 8) != 0)
        yd_err_node(&L->y, n,
                    "url does not start with / or http(s):// (expected a path such as "
                    "/posts/ or an absolute URL)");
}

enum {
    S_GET,
    S_POST,
    S_PUT,
    S_PATCH,
    S_DELETE,
    S_HEAD,
    S_OPTIONS,
    S_REQUEST,
    S_SET,
    S_PICK,
    S_PUSH,
    S_SLEEP,
    S_LOOP,
    S_STEPS,
    S_NAME,
    S_QUERY,
    S_HEADERS,
    S_FORM,
    S_JSON,
    S_BODY,
    S_FOLLOW,
    S_TIMEOUT,
    S_EXPECT,
    S_CAPTURE,
    S_NKEYS
};
static const char *const step_keys[S_NKEYS] = {
    "get",     "post",   "put",     "patch", "delete", "head", "options",
    "request", "set",    "pick",    "push",  "sleep",  "loop", "steps",
    "name",    "query",  "headers", "form",  "json",   "body", "follow_redirects",
    "timeout", "expect", "capture"};

static void load_request(ld *L, const yaml_node_t *n, yaml_node_t **v, yaml_node_t **k, int action,
                         sc_request *r)
{
    (void)n;
    r->follow_redirects = L->sc->default_follow_redirects;
    r->timeout          = L->sc->default_timeout;
    r->tls_verify       = L->sc->default_tls_verify;
    if (action == S_REQUEST) {
        static const char *const keys[] = {"method", "url"};
        const yaml_node_t *rn           = v[S_REQUEST];
        if (rn->type != YAML_MAPPING_NODE) {
            yd_err_node(&L->y, rn, "request is %s (expected {method: M, url: U})", kind_of(rn));
        } else {
            yaml_node_t *rv[2];
            int unknown = yd_keys(&L->y, rn, "in request", keys, 2, rv, NULL);
            if ((!rv[0] || !rv[1]) && !unknown)
                yd_err_node(&L->y, rn, "request has no %s (expected {method: M, url: U})",
                            rv[0] ? "url" : "method");
            if (rv[0] && yd_string(&L->y, rv[0], "method", &r->method) == 0) {
                if (!method_ok(r->method))
                    yd_err_node(&L->y, rv[0],
                                "invalid method (expected an HTTP method such as GET "
                                "or PURGE)");
                for (char *c = r->method; *c; c++)
                    *c = (char)toupper((unsigned char)*c);
            }
            if (rv[1]) load_url(L, rv[1], r);
        }
    } else {
        r->method = xstrdup(step_keys[action]);
        for (char *c = r->method; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        load_url(L, v[action], r);
    }
    if (v[S_NAME]) {
        yd_string(&L->y, v[S_NAME], "name", &r->name);
    } else if (r->url) {
        r->name = xstrdup(tpl_source(r->url));
    }
    if (v[S_QUERY]) load_kvs(L, v[S_QUERY], &r->query, &r->nquery, "query");
    if (v[S_HEADERS]) ld_headers(L, v[S_HEADERS], &r->headers, &r->nheaders, "headers");
    merge_default_headers(L, r);

    /* Bodies: the second one in the file is the mistake. */
    const yaml_node_t *first = NULL;
    for (int b = S_FORM; b <= S_BODY; b++) {
        if (!v[b]) continue;
        if (!first || yd_line(k[b]) < yd_line(first) ||
            (yd_line(k[b]) == yd_line(first) && yd_col(k[b]) < yd_col(first)))
            first = k[b];
    }
    for (int b = S_FORM; b <= S_BODY; b++) {
        if (!v[b] || k[b] == first) continue;
        yd_err_node(&L->y, k[b], "more than one of form, json and body (expected only one)");
    }
    if (v[S_FORM]) {
        r->body_kind = BODY_FORM;
        load_kvs(L, v[S_FORM], &r->form, &r->nform, "form");
    } else if (v[S_JSON]) {
        r->body_kind = BODY_JSON;
        r->json      = xcalloc(1, sizeof *r->json);
        load_json(L, v[S_JSON], r->json);
    } else if (v[S_BODY]) {
        r->body_kind = BODY_RAW;
        r->body      = ld_tpl(L, v[S_BODY], "body");
    }
    if (v[S_FOLLOW]) yd_bool(&L->y, v[S_FOLLOW], "follow_redirects", &r->follow_redirects);
    if (v[S_TIMEOUT]) yd_duration(&L->y, v[S_TIMEOUT], "timeout", 0, &r->timeout);
    if (v[S_EXPECT]) load_expect(L, v[S_EXPECT], &r->expect);
    if (v[S_CAPTURE]) load_captures(L, v[S_CAPTURE], r);
    if (v[S_PUSH]) {
        const yaml_node_t *pn = v[S_PUSH];
        size_t np             = pn->type == YAML_SEQUENCE_NODE ? nitems(pn) : 1;
        r->push               = xcalloc(np ? np : 1, sizeof *r->push);
        for (size_t i = 0; i < np; i++) {
            yaml_node_t *e = pn->type == YAML_SEQUENCE_NODE
                                 ? yd_node(&L->y, pn->data.sequence.items.start[i])
                                 : (yaml_node_t *)pn;
            if (e) load_push(L, e, &r->push[r->npush++]);
        }
    }
}

static void free_request(sc_request *r)
{
    free(r->method);
    tpl_free(r->url);
    free(r->name);
    for (size_t i = 0; i < r->nquery; i++) {
        free(r->query[i].name);
        tpl_free(r->query[i].value);
    }
    free(r->query);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        tpl_free(r->headers[i].value);
    }
    free(r->headers);
    for (size_t i = 0; i < r->nform; i++) {
        free(r->form[i].name);
        tpl_free(r->form[i].value);
    }
    free(r->form);
    if (r->json) {
        free_json(r->json);
        free(r->json);
    }
    tpl_free(r->body);
    free(r->expect.status);
    for (size_t i = 0; i < r->expect.ncontains; i++)
        tpl_free(r->expect.contains[i]);
    free(r->expect.contains);
    for (size_t i = 0; i < r->expect.nnot_contains; i++)
        tpl_free(r->expect.not_contains[i]);
    free(r->expect.not_contains);
    for (size_t i = 0; i < r->ncaptures; i++)
        free_capture(&r->captures[i]);
    free(r->captures);
    for (size_t i = 0; i < r->npush; i++)
        tpl_free(r->push[i].value);
    free(r->push);
}

/* ---- other steps ----------------------------------------------------------------------------- */

static void load_set(ld *L, const yaml_node_t *n, sc_step *s)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "set is %s (expected a mapping of name: template)", kind_of(n));
        return;
    }
    if (!npairs(n)) {
        yd_err_node(&L->y, n, "set is empty (expected at least one name: template)");
        return;
    }
    yd_plain_keys(&L->y, n, "in set");
    s->u.set.items = xcalloc(npairs(n), sizeof *s->u.set.items);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key), *vn = yd_node(&L->y, p->value);
        if (!yd_is_scalar(kn) || !vn) continue;
        int slot = ld_assigned_var(L, kn, "a variable name");
        tpl *t   = ld_tpl(L, vn, "a value");
        if (slot < 0 || !t) {
            tpl_free(t);
            continue;
        }
        s->u.set.items[s->u.set.n++] = (sc_set){slot, t};
    }
}

static void load_pick(ld *L, const yaml_node_t *n, sc_step *s)
{
    static const char *const keys[] = {"pool", "as"};
    s->u.pick.pool = s->u.pick.var = -1;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "pick is %s (expected {pool: P, as: v})", kind_of(n));
        return;
    }
    yaml_node_t *v[2];
    int unknown = yd_keys(&L->y, n, "in pick", keys, 2, v, NULL);
    if ((!v[0] || !v[1]) && !unknown)
        yd_err_node(&L->y, n, "pick has no %s (expected {pool: P, as: v})", v[0] ? "as" : "pool");
    if (v[0]) s->u.pick.pool = ld_pool(L, v[0]);
    if (v[1]) s->u.pick.var = ld_assigned_var(L, v[1], "as");
}

static void load_loop(ld *L, const yaml_node_t *n, const yaml_node_t *steps, int step_unknown,
                      sc_loop *lp)
{
    static const char *const keys[] = {"count", "over", "as"};
    enum { L_COUNT, L_OVER, L_AS };
    lp->var = lp->pool = lp->as = -1;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "loop is %s (expected {count: N, as: i} or {over: LIST, as: x})",
                    kind_of(n));
    } else {
        yaml_node_t *v[3], *k[3];
        int unknown = yd_keys(&L->y, n, "in loop", keys, 3, v, k);
        if (v[L_COUNT] && v[L_OVER]) {
            const yaml_node_t *a = k[L_COUNT], *b = k[L_OVER];
            int b_later =
                yd_line(b) > yd_line(a) || (yd_line(b) == yd_line(a) && yd_col(b) > yd_col(a));
            yd_err_node(&L->y, b_later ? b : a,
                        "loop has both count and over (expected one of them)");
        } else if (!v[L_COUNT] && !v[L_OVER] && !unknown) {
            yd_err_node(&L->y, n,
                        "loop has neither count nor over (expected count: N or over: LIST)");
        }
        if (!v[L_AS]) {
            if (!unknown)
                yd_err_node(&L->y, n,
                            "loop has no as (expected as: NAME for the index or element)");
        } else {
            lp->as = ld_assigned_var(L, v[L_AS], "as");
        }
        if (v[L_COUNT] && !v[L_OVER]) {
            lp->kind  = LOOP_COUNT;
            lp->count = ld_tpl(L, v[L_COUNT], "count");
            if (lp->count && tpl_is_constant(lp->count)) {
                const char *c = tpl_source(lp->count);
                char *end;
                errno    = 0;
                long cnt = strtol(c, &end, 10);
                char b[72];
                if (!*c || *end || errno || cnt < 0 || !isdigit((unsigned char)c[0]))
                    yd_err_node(&L->y, v[L_COUNT],
                                "loop count is '%s' (expected an integer >= 0 or a template)",
                                yd_show(yd_sval(v[L_COUNT]), b));
            }
        } else if (v[L_OVER] && !v[L_COUNT]) {
            const yaml_node_t *o = v[L_OVER];
            if (o->type == YAML_SEQUENCE_NODE) {
                lp->kind  = LOOP_LIST;
                lp->items = xcalloc(nitems(o) ? nitems(o) : 1, sizeof *lp->items);
                for (yaml_node_item_t *it = o->data.sequence.items.start;
                     it < o->data.sequence.items.top; it++) {
                    yaml_node_t *e = yd_node(&L->y, *it);
                    tpl *t         = e ? ld_tpl(L, e, "a loop item") : NULL;
                    if (t) lp->items[lp->nitems++] = t;
                }
            } else if (yd_is_scalar(o) && strncmp(yd_sval(o), "pool.", 5) == 0) {
                lp->kind = LOOP_POOL;
                /* Look the name up without "pool."; in a plain scalar, point messages at it. */
                yaml_node_t name = *o;
                name.data.scalar.value += 5;
                name.data.scalar.length -= 5;
                if (o->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) name.start_mark.column += 5;
                lp->pool = ld_pool(L, &name);
            } else if (yd_is_scalar(o) && strlen(yd_sval(o)) == yd_slen(o) &&
                       yd_ident(yd_sval(o)) && !ld_is_reserved(yd_sval(o))) {
                lp->kind = LOOP_VAR;
                lp->var  = mp_symtab_var(&L->sc->syms, yd_sval(o));
                ld_use_var(L, lp->var, yd_line(o), yd_col(o));
            } else if (yd_is_scalar(o) && strstr(yd_sval(o), "{{")) {
                /* Not a template: which list to iterate is fixed when the file loads. */
                yd_err_node(&L->y, o,
                            "loop over is a template (expected a list variable's name without "
                            "{{ }}, e.g. over: ids, a YAML list or pool.NAME)");
            } else {
                yd_err_node(&L->y, o,
                            "bad loop over (expected a list, a list variable's name or "
                            "pool.NAME)");
            }
        }
    }
    if (!steps) {
        if (!step_unknown)
            yd_err_node(&L->y, n, "loop has no steps (expected steps: [...] next to loop)");
        return;
    }
    if (steps->type == YAML_SEQUENCE_NODE && !nitems(steps))
        yd_err_node(&L->y, steps, "loop has no steps (expected at least one step)");
    ld_flow(L, steps, &lp->body, "steps");
}

/* ---- steps ----------------------------------------------------------------------------------- */

static int is_action(int k)
{
    return k <= S_LOOP;
}

static int is_method(int k)
{
    return k <= S_REQUEST;
}

static void load_step(ld *L, const yaml_node_t *n, sc_step *s)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "a step is %s (expected a mapping such as {get: /path})", kind_of(n));
        return;
    }
    if (yd_enter(&L->y, n) < 0) return;
    yaml_node_t *v[S_NKEYS], *k[S_NKEYS];
    int unknown = yd_keys(&L->y, n, "in step", step_keys, S_NKEYS, v, k);

    /* The action: one key among the methods, request, set, pick, push, sleep, loop; push is an
     * action only without a request, which it otherwise follows. */
    int action = -1, has_request = 0;
    for (int i = 0; i <= S_REQUEST; i++)
        if (v[i]) has_request = 1;
    /* Walk the actions in file order so the second one is named as the mistake. */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key);
        int i           = -1;
        for (int j = 0; j <= S_LOOP; j++)
            if (k[j] == kn) i = j;
        if (i < 0 || !is_action(i) || (i == S_PUSH && has_request)) continue;
        if (action >= 0) {
            yd_err_node(&L->y, kn, "step has both %s and %s (expected one action per step)",
                        step_keys[action], step_keys[i]);
            continue;
        }
        action = i;
    }
    if (action < 0) {
        /* An unknown key is the better explanation (likely a misspelt action). */
        if (!unknown)
            yd_err_node(&L->y, n,
                        "step has no action (expected one of get, post, put, patch, delete, "
                        "head, options, request, set, pick, push, sleep or loop)");
        yd_leave(&L->y);
        return;
    }
    /* Keys that belong to another kind of step. */
    const char *kind = is_method(action) ? "request" : step_keys[action];
    for (int i = S_STEPS; i < S_NKEYS; i++) {
        if (!v[i]) continue;
        int fits = is_method(action) ? i != S_STEPS : action == S_LOOP && i == S_STEPS;
        if (fits) continue;
        if (i == S_STEPS)
            yd_err_node(&L->y, k[i],
                        "steps does not apply to a %s step (expected steps only with "
                        "loop)",
                        kind);
        else
            yd_err_node(&L->y, k[i],
                        "%s does not apply to a %s step (expected it only on requests)",
                        step_keys[i], kind);
    }
    if (is_method(action)) {
        s->kind = STEP_REQUEST;
        memset(&s->u.req, 0, sizeof s->u.req);
        load_request(L, n, v, k, action, &s->u.req);
    } else if (action == S_SET) {
        s->kind = STEP_SET;
        load_set(L, v[S_SET], s);
    } else if (action == S_PICK) {
        s->kind = STEP_PICK;
        load_pick(L, v[S_PICK], s);
    } else if (action == S_PUSH) {
        s->kind = STEP_PUSH;
        load_push(L, v[S_PUSH], &s->u.push);
    } else if (action == S_SLEEP) {
        s->kind = STEP_SLEEP;
        yd_duration(&L->y, v[S_SLEEP], "sleep", 1, &s->u.sleep);
    } else {
        s->kind = STEP_LOOP;
        memset(&s->u.loop, 0, sizeof s->u.loop);
        load_loop(L, v[S_LOOP], v[S_STEPS], unknown, &s->u.loop);
    }
    yd_leave(&L->y);
}

static void free_step(sc_step *s)
{
    switch (s->kind) {
    case STEP_REQUEST:
        free_request(&s->u.req);
        break;
    case STEP_SET:
        for (size_t i = 0; i < s->u.set.n; i++)
            tpl_free(s->u.set.items[i].value);
        free(s->u.set.items);
        break;
    case STEP_PUSH:
        tpl_free(s->u.push.value);
        break;
    case STEP_LOOP:
        tpl_free(s->u.loop.count);
        for (size_t i = 0; i < s->u.loop.nitems; i++)
            tpl_free(s->u.loop.items[i]);
        free(s->u.loop.items);
        ld_free_flow(&s->u.loop.body);
        break;
    case STEP_PICK:
    case STEP_SLEEP:
        break;
    }
}

void ld_free_flow(sc_flow *f)
{
    for (size_t i = 0; i < f->n; i++)
        free_step(&f->steps[i]);
    free(f->steps);
    f->steps = NULL;
    f->n     = 0;
}
