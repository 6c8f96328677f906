/* The loader's YAML plumbing: errors ordered by position, node access, key checks, scalar types,
 * columns inside scalars, and names. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/loader_internal.h"
#include "scenario/suggest.h"
#include "util/mem.h"
#include "util/opts.h"

/* ---- errors ---------------------------------------------------------------------------------- */

static int earlier(const ld *L, int line, int col)
{
    return !L->have_err || line < L->err_line || (line == L->err_line && col < L->err_col);
}

static void keep(ld *L, int line, int col, const char *msg)
{
    if (!earlier(L, line, col)) return;
    mp_fail_at(&L->err, L->file, line, col, "%s", msg);
    L->have_err = 1;
    L->err_line = line;
    L->err_col  = col;
}

void ld_err_msg(ld *L, int line, int col, const mp_err *e)
{
    if (!earlier(L, line, col)) return;
    L->err      = *e;
    L->have_err = 1;
    L->err_line = line;
    L->err_col  = col;
}

void ld_err(ld *L, int line, int col, const char *fmt, ...)
{
    if (!earlier(L, line, col)) return;
    char msg[sizeof L->err.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keep(L, line, col, msg);
}

int ld_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

int ld_col(const yaml_node_t *n)
{
    return (int)n->start_mark.column + 1;
}

sc_pos ld_pos(const yaml_node_t *n)
{
    return (sc_pos){ld_line(n), ld_col(n)};
}

void ld_err_node(ld *L, const yaml_node_t *n, const char *fmt, ...)
{
    int line = ld_line(n), col = ld_col(n);
    if (!earlier(L, line, col)) return;
    char msg[sizeof L->err.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keep(L, line, col, msg);
}

/* ---- nodes ----------------------------------------------------------------------------------- */

yaml_node_t *ld_node(ld *L, int id)
{
    return yaml_document_get_node(&L->doc, id);
}

int ld_is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

const char *ld_sval(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

size_t ld_slen(const yaml_node_t *n)
{
    return n->data.scalar.length;
}

int ld_is_null(const yaml_node_t *n)
{
    if (!ld_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = ld_sval(n);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

int ld_enter(ld *L, const yaml_node_t *n)
{
    if (++L->visits > LD_MAX_VISITS) {
        ld_err_node(L, n,
                    "the document is too large once aliases are expanded (expected at most %d "
                    "nodes)",
                    LD_MAX_VISITS);
        return -1;
    }
    if (L->depth >= LD_MAX_DEPTH) {
        ld_err_node(L, n, "nesting deeper than %d levels (expected a flatter structure)",
                    LD_MAX_DEPTH);
        return -1;
    }
    L->depth++;
    return 0;
}

void ld_leave(ld *L)
{
    L->depth--;
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "a string";
    }
}

const char *ld_show(const char *s, char buf[72])
{
    size_t n = 0;
    for (; s[n] && n < 64; n++)
        buf[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
    if (s[n]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- keys ------------------------------------------------------------------------------------ */

void ld_expected(char *buf, size_t size, const char *word, const char *const *names, size_t n)
{
    const char *best = mp_suggest(word, names, n);
    if (best) {
        snprintf(buf, size, "did you mean '%s'?", best);
        return;
    }
    size_t w = (size_t)snprintf(buf, size, "expected %s", n > 1 ? "one of " : "");
    for (size_t i = 0; i < n && w < size; i++)
        w += (size_t)snprintf(buf + w, size - w, "%s%s",
                              i == 0       ? ""
                              : i + 1 == n ? " or "
                                           : ", ",
                              names[i]);
}

int ld_keys(ld *L, const yaml_node_t *map, const char *where, const char *const *names, size_t n,
            yaml_node_t **vals, yaml_node_t **keys)
{
    int unknown = 0;
    for (size_t k = 0; k < n; k++) {
        vals[k] = NULL;
        if (keys) keys[k] = NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = ld_node(L, p->key), *vn = ld_node(L, p->value);
        if (!kn || !vn) continue;
        if (!ld_is_scalar(kn)) {
            ld_err_node(L, kn, "a key %s is %s (expected a name)", where, kind_name(kn));
            unknown++;
            continue;
        }
        size_t k = 0;
        while (k < n && strcmp(names[k], ld_sval(kn)) != 0)
            k++;
        char b[72];
        if (k == n) {
            char exp[512];
            ld_expected(exp, sizeof exp, ld_sval(kn), names, n);
            ld_err_node(L, kn, "unknown key '%s' %s (%s)", ld_show(ld_sval(kn), b), where, exp);
            unknown++;
            continue;
        }
        if (vals[k]) {
            ld_err_node(L, kn, "duplicate key '%s' %s (expected each key once)", names[k], where);
            continue;
        }
        vals[k] = vn;
        if (keys) keys[k] = kn;
    }
    return unknown;
}

int ld_plain_keys(ld *L, const yaml_node_t *map, const char *where)
{
    int rc = 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = ld_node(L, p->key);
        if (!kn) continue;
        if (!ld_is_scalar(kn)) {
            ld_err_node(L, kn, "a key %s is %s (expected a name)", where, kind_name(kn));
            rc = -1;
            continue;
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *qn = ld_node(L, q->key);
            if (ld_is_scalar(qn) && ld_slen(qn) == ld_slen(kn) &&
                memcmp(ld_sval(qn), ld_sval(kn), ld_slen(kn)) == 0) {
                char b[72];
                ld_err_node(L, kn, "duplicate key '%s' %s (expected each key once)",
                            ld_show(ld_sval(kn), b), where);
                rc = -1;
                break;
            }
        }
    }
    return rc;
}

/* ---- scalars --------------------------------------------------------------------------------- */

static int want_scalar(ld *L, const yaml_node_t *n, const char *what, const char *expected)
{
    if (ld_is_scalar(n)) return 0;
    ld_err_node(L, n, "%s is %s (expected %s)", what, kind_name(n), expected);
    return -1;
}

int ld_string(ld *L, const yaml_node_t *n, const char *what, char **out)
{
    if (want_scalar(L, n, what, "a string") < 0) return -1;
    if (strlen(ld_sval(n)) != ld_slen(n)) {
        ld_err_node(L, n, "%s contains a NUL character (expected text)", what);
        return -1;
    }
    *out = xstrdup(ld_sval(n));
    return 0;
}

int ld_bool(ld *L, const yaml_node_t *n, const char *what, int *out)
{
    if (want_scalar(L, n, what, "true or false") < 0) return -1;
    const char *s = ld_sval(n);
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
        *out = 0;
        return 0;
    }
    char b[72];
    ld_err_node(L, n, "%s is '%s' (expected true or false)", what, ld_show(s, b));
    return -1;
}

int ld_number(ld *L, const yaml_node_t *n, const char *what, double *out)
{
    if (want_scalar(L, n, what, "a number") < 0) return -1;
    const char *s = ld_sval(n);
    char *end;
    errno    = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || strlen(s) != ld_slen(n) || strpbrk(s, "xXpP \t")) {
        char b[72];
        ld_err_node(L, n, "%s is '%s' (expected a number)", what, ld_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

int ld_long(ld *L, const yaml_node_t *n, const char *what, long *out)
{
    if (want_scalar(L, n, what, "an integer") < 0) return -1;
    const char *s = ld_sval(n);
    char *end;
    errno  = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || strlen(s) != ld_slen(n) || strpbrk(s, " \t")) {
        char b[72];
        ld_err_node(L, n, "%s is '%s' (expected an integer)", what, ld_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

int ld_duration(ld *L, const yaml_node_t *n, const char *what, int allow_zero, double *out)
{
    const char *expected = "a duration such as 30, 1.5s, 250ms, 2m or 1h30m";
    if (want_scalar(L, n, what, expected) < 0) return -1;
    const char *s = ld_sval(n);
    double v;
    char b[72];
    if (strlen(s) != ld_slen(n) || strpbrk(s, " \t\n") || mp_parse_duration(s, &v) != 0 ||
        !isfinite(v)) {
        ld_err_node(L, n, "%s is '%s' (expected %s)", what, ld_show(s, b), expected);
        return -1;
    }
    if (!allow_zero && v <= 0) {
        ld_err_node(L, n, "%s is '%s' (expected a duration greater than zero)", what,
                    ld_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- columns inside scalars -------------------------------------------------------------------
 * libyaml marks count characters; templates, regexes and JSON paths count bytes of the decoded
 * value. For a single-line scalar the value's bytes are walked alongside the file's text to map
 * each to its column, undoing the quoting ('' in single quotes, backslash escapes in double
 * quotes). Multi-line and block scalars are folded by YAML in ways this does not replay: errors
 * inside them point at the scalar's start (the caller gets a map with every byte there). Any
 * disagreement between the walk and libyaml's value also falls back to the start, so a wrong
 * column is never printed. */

/* UTF-8 length of a code point. */
static size_t utf8_len(unsigned long cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Output bytes of the double-quoted escape starting at raw[j] (raw[j] == '\\'), and its length in
 * the file; 0 when unknown. */
static size_t escape_len(const char *raw, size_t rawlen, size_t j, size_t *consumed)
{
    if (j + 1 >= rawlen) return 0;
    char e     = raw[j + 1];
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits) {
        if (j + 2 + (size_t)digits > rawlen) return 0;
        unsigned long cp = 0;
        for (int k = 0; k < digits; k++) {
            int h = hexval(raw[j + 2 + (size_t)k]);
            if (h < 0) return 0;
            cp = cp * 16 + (unsigned long)h;
        }
        *consumed = 2 + (size_t)digits;
        return utf8_len(cp);
    }
    *consumed = 2;
    switch (e) {
    case 'N':
    case '_':
        return 2;
    case 'L':
    case 'P':
        return 3;
    case '0':
    case 'a':
    case 'b':
    case 't':
    case '\t':
    case 'n':
    case 'v':
    case 'f':
    case 'r':
    case 'e':
    case ' ':
    case '"':
    case '/':
    case '\\':
        return 1;
    default:
        return 0;
    }
}

/* 0 with *cols NULL: the value is the file's text verbatim; 0 with *cols: mapped; -1: fall back. */
static int map_scalar(ld *L, const yaml_node_t *n, int **cols)
{
    *cols = NULL;
    if (!L->char_off || n->start_mark.line != n->end_mark.line || n->end_mark.index > L->nchars ||
        n->start_mark.index > n->end_mark.index)
        return -1;
    const char *raw           = L->text + L->char_off[n->start_mark.index];
    size_t rawlen             = L->char_off[n->end_mark.index] - L->char_off[n->start_mark.index];
    const char *v             = ld_sval(n);
    size_t vlen               = ld_slen(n);
    yaml_scalar_style_t style = n->data.scalar.style;
    if (style == YAML_PLAIN_SCALAR_STYLE)
        return rawlen == vlen && memcmp(raw, v, vlen) == 0 ? 0 : -1;
    if (style != YAML_SINGLE_QUOTED_SCALAR_STYLE && style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        return -1;
    char q = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\'' : '"';
    if (rawlen < 2 || raw[0] != q || raw[rawlen - 1] != q) return -1;
    int *c   = xmalloc((vlen + 1) * sizeof *c);
    int col  = ld_col(n) + 1; /* column of raw[j], j = 1 */
    size_t w = 0, j = 1;
    while (j < rawlen - 1) {
        size_t out = 1, consumed = 1;
        if (q == '\'' && raw[j] == '\'') {
            if (raw[j + 1] != '\'' || w >= vlen || v[w] != '\'') goto bad;
            consumed = 2;
        } else if (q == '"' && raw[j] == '\\') {
            out = escape_len(raw, rawlen - 1, j, &consumed);
            if (!out) goto bad;
        } else if (w >= vlen || v[w] != raw[j]) {
            goto bad;
        }
        if (w + out > vlen) goto bad;
        /* A UTF-8 continuation byte belongs to the character before it. */
        int at = (((unsigned char)raw[j] & 0xC0) == 0x80) ? col - 1 : col;
        for (size_t k = 0; k < out; k++)
            c[w++] = at;
        for (size_t k = 0; k < consumed; k++)
            if (((unsigned char)raw[j + k] & 0xC0) != 0x80) col++;
        j += consumed;
    }
    if (w != vlen) goto bad;
    c[vlen] = col;
    *cols   = c;
    return 0;
bad:
    free(c);
    return -1;
}

void ld_scalar_loc(ld *L, const yaml_node_t *n, tpl_loc *loc, int **cols)
{
    memset(loc, 0, sizeof *loc);
    loc->file = L->file;
    loc->line = ld_line(n);
    loc->col  = ld_col(n);
    if (map_scalar(L, n, cols) == 0) {
        loc->cols = *cols;
        return;
    }
    size_t vlen = ld_slen(n);
    *cols       = xmalloc((vlen + 1) * sizeof **cols);
    for (size_t i = 0; i <= vlen; i++)
        (*cols)[i] = loc->col;
    loc->cols = *cols;
}

int ld_loc_col(const tpl_loc *loc, const char *s, size_t off)
{
    if (loc->cols) return loc->cols[off];
    int col = loc->col;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) col++;
    return col;
}

static void record_use(int slot, int line, int col, void *arg)
{
    ld_use_var(arg, slot, line, col);
}

tpl *ld_tpl(ld *L, const yaml_node_t *n, const char *what)
{
    if (want_scalar(L, n, what, "a template string") < 0) return NULL;
    tpl_loc loc;
    int *cols;
    ld_scalar_loc(L, n, &loc, &cols);
    mp_err e;
    tpl *t = tpl_compile_loc(ld_sval(n), ld_slen(n), &L->sc->syms, &loc, &e);
    free(cols);
    if (!t) {
        ld_err_msg(L, loc.err_line, loc.err_col, &e);
        return NULL;
    }
    tpl_each_var(t, record_use, L);
    return t;
}

/* ---- names ----------------------------------------------------------------------------------- */

int ld_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static const char *const reserved[] = {"user", "counter", "random", "lorem",
                                       "env",  "time",    "uuid",   "pool"};

int ld_is_reserved(const char *s)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(s, reserved[i]) == 0) return 1;
    return 0;
}

static void ensure_flags(ld *L, int slot)
{
    size_t old = L->cap_vflags;
    if ((size_t)slot < old) return;
    XGROW(L->vflags, (size_t)slot + 1, L->cap_vflags);
    memset(L->vflags + old, 0, L->cap_vflags - old);
}

void ld_mark_set(ld *L, int slot, unsigned flags)
{
    ensure_flags(L, slot);
    L->vflags[slot] |= (unsigned char)flags;
}

unsigned ld_flags(ld *L, int slot)
{
    ensure_flags(L, slot);
    return L->vflags[slot];
}

void ld_use_var(ld *L, int slot, int line, int col)
{
    XGROW(L->uses, L->nuses + 1, L->cap_uses);
    L->uses[L->nuses++] = (ld_use){slot, line, col};
}

int ld_assigned_var(ld *L, const yaml_node_t *n, const char *what)
{
    if (want_scalar(L, n, what, "a variable name") < 0) return -1;
    const char *s = ld_sval(n);
    char b[72];
    if (strlen(s) != ld_slen(n) || !ld_ident(s)) {
        ld_err_node(L, n,
                    "invalid variable name '%s' (expected letters, digits and _, not starting "
                    "with a digit)",
                    ld_show(s, b));
        return -1;
    }
    if (ld_is_reserved(s)) {
        ld_err_node(L, n,
                    "'%s' is a reserved name (expected a variable name other than user, counter, "
                    "random, lorem, env, time, uuid or pool)",
                    s);
        return -1;
    }
    int slot = mp_symtab_var(&L->sc->syms, s);
    if (ld_flags(L, slot) & VF_READONLY) {
        ld_err_node(L, n, "variable '%s' is read-only (expected a name not declared in variables)",
                    s);
        return -1;
    }
    ld_mark_set(L, slot, VF_SET);
    return slot;
}

int ld_pool(ld *L, const yaml_node_t *n)
{
    if (want_scalar(L, n, "a pool name", "a name declared in pools") < 0) return -1;
    const char *s = ld_sval(n);
    int i         = mp_symtab_find_pool(&L->sc->syms, s);
    if (i >= 0 || L->pools_bad) return i;
    char b[72];
    const mp_symtab *t = &L->sc->syms;
    if (t->npools == 0) {
        ld_err_node(L, n, "undeclared pool '%s' (expected it declared in pools: [%s])",
                    ld_show(s, b), ld_show(s, b));
        return -1;
    }
    char exp[512];
    ld_expected(exp, sizeof exp, s, (const char *const *)t->pools, t->npools);
    ld_err_node(L, n, "undeclared pool '%s' (%s)", ld_show(s, b), exp);
    return -1;
}

int ld_header_name_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr("!#$%&'*+-.^_`|~", ch)))
            return 0;
    }
    return 1;
}
