#include "yaml/ydoc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/suggest.h"
#include "util/mem.h"
#include "util/opts.h"

/* ---- errors ---------------------------------------------------------------------------------- */

static int earlier(const ydoc *y, int line, int col)
{
    return !y->have_err || line < y->err_line || (line == y->err_line && col < y->err_col);
}

static void keep(ydoc *y, int line, int col, const char *msg)
{
    if (!earlier(y, line, col)) return;
    mp_fail_at(&y->err, y->file, line, col, "%s", msg);
    y->have_err = 1;
    y->err_line = line;
    y->err_col  = col;
}

void yd_err_msg(ydoc *y, int line, int col, const mp_err *e)
{
    if (!earlier(y, line, col)) return;
    y->err      = *e;
    y->have_err = 1;
    y->err_line = line;
    y->err_col  = col;
}

void yd_err(ydoc *y, int line, int col, const char *fmt, ...)
{
    if (!earlier(y, line, col)) return;
    char msg[sizeof y->err.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keep(y, line, col, msg);
}

int yd_line(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

int yd_col(const yaml_node_t *n)
{
    return (int)n->start_mark.column + 1;
}

void yd_err_node(ydoc *y, const yaml_node_t *n, const char *fmt, ...)
{
    int line = yd_line(n), col = yd_col(n);
    if (!earlier(y, line, col)) return;
    char msg[sizeof y->err.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keep(y, line, col, msg);
}

/* ---- nodes ----------------------------------------------------------------------------------- */

yaml_node_t *yd_node(ydoc *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

int yd_is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

const char *yd_sval(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

size_t yd_slen(const yaml_node_t *n)
{
    return n->data.scalar.length;
}

int yd_is_null(const yaml_node_t *n)
{
    if (!yd_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = yd_sval(n);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

int yd_enter(ydoc *y, const yaml_node_t *n)
{
    if (++y->visits > YD_MAX_VISITS) {
        yd_err_node(y, n,
                    "the document is too large once aliases are expanded (expected at most %d "
                    "nodes)",
                    YD_MAX_VISITS);
        return -1;
    }
    if (y->depth >= YD_MAX_DEPTH) {
        yd_err_node(y, n, "nesting deeper than %d levels (expected a flatter structure)",
                    YD_MAX_DEPTH);
        return -1;
    }
    y->depth++;
    return 0;
}

void yd_leave(ydoc *y)
{
    y->depth--;
}

const char *yd_kind_name(const yaml_node_t *n)
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

const char *yd_show(const char *s, char buf[72])
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

void yd_expected(char *buf, size_t size, const char *word, const char *const *names, size_t n)
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

int yd_keys(ydoc *y, const yaml_node_t *map, const char *where, const char *const *names, size_t n,
            yaml_node_t **vals, yaml_node_t **keys)
{
    int unknown = 0;
    for (size_t k = 0; k < n; k++) {
        vals[k] = NULL;
        if (keys) keys[k] = NULL;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yd_node(y, p->key), *vn = yd_node(y, p->value);
        if (!kn || !vn) continue;
        if (!yd_is_scalar(kn)) {
            yd_err_node(y, kn, "a key %s is %s (expected a name)", where, yd_kind_name(kn));
            unknown++;
            continue;
        }
        size_t k = 0;
        while (k < n && strcmp(names[k], yd_sval(kn)) != 0)
            k++;
        char b[72];
        if (k == n) {
            char exp[512];
            yd_expected(exp, sizeof exp, yd_sval(kn), names, n);
            yd_err_node(y, kn, "unknown key '%s' %s (%s)", yd_show(yd_sval(kn), b), where, exp);
            unknown++;
            continue;
        }
        if (vals[k]) {
            yd_err_node(y, kn, "duplicate key '%s' %s (expected each key once)", names[k], where);
            continue;
        }
        vals[k] = vn;
        if (keys) keys[k] = kn;
    }
    return unknown;
}

int yd_plain_keys(ydoc *y, const yaml_node_t *map, const char *where)
{
    int rc = 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yd_node(y, p->key);
        if (!kn) continue;
        if (!yd_is_scalar(kn)) {
            yd_err_node(y, kn, "a key %s is %s (expected a name)", where, yd_kind_name(kn));
            rc = -1;
            continue;
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *qn = yd_node(y, q->key);
            if (yd_is_scalar(qn) && yd_slen(qn) == yd_slen(kn) &&
                memcmp(yd_sval(qn), yd_sval(kn), yd_slen(kn)) == 0) {
                char b[72];
                yd_err_node(y, kn, "duplicate key '%s' %s (expected each key once)",
                            yd_show(yd_sval(kn), b), where);
                rc = -1;
                break;
            }
        }
    }
    return rc;
}

/* ---- scalars --------------------------------------------------------------------------------- */

int yd_want_scalar(ydoc *y, const yaml_node_t *n, const char *what, const char *expected)
{
    if (yd_is_scalar(n)) return 0;
    yd_err_node(y, n, "%s is %s (expected %s)", what, yd_kind_name(n), expected);
    return -1;
}

int yd_string(ydoc *y, const yaml_node_t *n, const char *what, char **out)
{
    if (yd_want_scalar(y, n, what, "a string") < 0) return -1;
    if (strlen(yd_sval(n)) != yd_slen(n)) {
        yd_err_node(y, n, "%s contains a NUL character (expected text)", what);
        return -1;
    }
    *out = xstrdup(yd_sval(n));
    return 0;
}

int yd_bool(ydoc *y, const yaml_node_t *n, const char *what, int *out)
{
    if (yd_want_scalar(y, n, what, "true or false") < 0) return -1;
    const char *s = yd_sval(n);
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
        *out = 0;
        return 0;
    }
    char b[72];
    yd_err_node(y, n, "%s is '%s' (expected true or false)", what, yd_show(s, b));
    return -1;
}

int yd_number(ydoc *y, const yaml_node_t *n, const char *what, double *out)
{
    if (yd_want_scalar(y, n, what, "a number") < 0) return -1;
    const char *s = yd_sval(n);
    char *end;
    errno    = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || strlen(s) != yd_slen(n) || strpbrk(s, "xXpP \t")) {
        char b[72];
        yd_err_node(y, n, "%s is '%s' (expected a number)", what, yd_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

int yd_long(ydoc *y, const yaml_node_t *n, const char *what, long *out)
{
    if (yd_want_scalar(y, n, what, "an integer") < 0) return -1;
    const char *s = yd_sval(n);
    char *end;
    errno  = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || strlen(s) != yd_slen(n) || strpbrk(s, " \t")) {
        char b[72];
        yd_err_node(y, n, "%s is '%s' (expected an integer)", what, yd_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

int yd_duration(ydoc *y, const yaml_node_t *n, const char *what, int allow_zero, double *out)
{
    const char *expected = "a duration such as 30, 1.5s, 250ms, 2m or 1h30m";
    if (yd_want_scalar(y, n, what, expected) < 0) return -1;
    const char *s = yd_sval(n);
    double v;
    char b[72];
    if (strlen(s) != yd_slen(n) || strpbrk(s, " \t\n") || mp_parse_duration(s, &v) != 0 ||
        !isfinite(v)) {
        yd_err_node(y, n, "%s is '%s' (expected %s)", what, yd_show(s, b), expected);
        return -1;
    }
    if (!allow_zero && v <= 0) {
        yd_err_node(y, n, "%s is '%s' (expected a duration greater than zero)", what,
                    yd_show(s, b));
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- columns inside scalars -------------------------------------------------------------------
 * libyaml marks count characters; messages about a part of a value need bytes of the decoded
 * value. For a single-line scalar the value's bytes are walked alongside the file's text to map
 * each to its column, undoing the quoting ('' in single quotes, backslash escapes in double
 * quotes). Multi-line and block scalars are folded by YAML in ways this does not replay: errors
 * inside them point at the scalar's start. Any disagreement between the walk and libyaml's value
 * also falls back to the start, so a wrong column is never printed. */

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
    case 'y':
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
int yd_scalar_cols(ydoc *y, const yaml_node_t *n, int **cols)
{
    *cols = NULL;
    if (!y->char_off || n->start_mark.line != n->end_mark.line || n->end_mark.index > y->nchars ||
        n->start_mark.index > n->end_mark.index)
        return -1;
    const char *raw           = y->text + y->char_off[n->start_mark.index];
    size_t rawlen             = y->char_off[n->end_mark.index] - y->char_off[n->start_mark.index];
    const char *v             = yd_sval(n);
    size_t vlen               = yd_slen(n);
    yaml_scalar_style_t style = n->data.scalar.style;
    if (style == YAML_PLAIN_SCALAR_STYLE)
        return rawlen == vlen && memcmp(raw, v, vlen) == 0 ? 0 : -1;
    if (style != YAML_SINGLE_QUOTED_SCALAR_STYLE && style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        return -1;
    char q = style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\'' : '"';
    if (rawlen < 2 || raw[0] != q || raw[rawlen - 1] != q) return -1;
    int *c   = xmalloc((vlen + 1) * sizeof *c);
    int col  = yd_col(n) + 1; /* column of raw[j], j = 1 */
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

/* ---- names ----------------------------------------------------------------------------------- */

int yd_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* ---- the document ---------------------------------------------------------------------------- */

static void yaml_error(const ydoc *y, const yaml_parser_t *p, mp_err *err)
{
    if (p->error == YAML_MEMORY_ERROR) {
        mp_fail(err, "%s: out of memory while reading YAML", y->file);
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        int line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < y->len; i++) {
            unsigned char ch = (unsigned char)y->text[i];
            if (ch == '\n') {
                line++;
                col = 1;
            } else if ((ch & 0xC0) != 0x80) {
                col++;
            }
        }
        mp_fail_at(err, y->file, line, col, "invalid YAML: %s (expected UTF-8 text)",
                   p->problem ? p->problem : "unreadable input");
        return;
    }
    const char *problem = p->problem ? p->problem : "syntax error";
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context)
        mp_fail_at(err, y->file, line, col,
                   "invalid YAML: %s, %s started at %d:%d (expected valid "
                   "YAML)",
                   problem, p->context, (int)p->context_mark.line + 1,
                   (int)p->context_mark.column + 1);
    else
        mp_fail_at(err, y->file, line, col, "invalid YAML: %s (expected valid YAML)", problem);
}

/* libyaml's marks count characters from after a UTF-8 byte-order mark; messages and scalar
 * columns need bytes. Input in another encoding gets no map (columns then fall back to a scalar's
 * start). */
static void build_char_map(ydoc *y)
{
    const unsigned char *s = (const unsigned char *)y->text;
    size_t i = 0, n = 0;
    if (y->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
    if (y->len >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0xFF && s[1] == 0xFE))) return;
    for (size_t j = i; j < y->len; j++)
        if ((s[j] & 0xC0) != 0x80) n++;
    y->char_off = xmalloc((n + 1) * sizeof *y->char_off);
    size_t k    = 0;
    for (size_t j = i; j < y->len; j++)
        if ((s[j] & 0xC0) != 0x80) y->char_off[k++] = j;
    y->char_off[n] = y->len;
    y->nchars      = n;
}

int yd_value_col(ydoc *y, const yaml_node_t *n, size_t off)
{
    int *cols = NULL;
    if (yd_scalar_cols(y, n, &cols) != 0) return yd_col(n);
    int col;
    if (cols) {
        col = cols[off <= yd_slen(n) ? off : yd_slen(n)];
        free(cols);
        return col;
    }
    const char *s = yd_sval(n);
    col           = yd_col(n);
    for (size_t i = 0; i < off && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) col++;
    return col;
}

int yd_parse(ydoc *y, const char *file, const char *text, size_t len, mp_err *err)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    y->text = text;
    y->len  = len;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return mp_fail(err, "%s: out of memory while reading YAML", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &y->doc)) {
        yaml_error(y, &p, err);
        yaml_parser_delete(&p);
        return -1;
    }
    y->have_doc       = 1;
    yaml_node_t *root = yaml_document_get_root_node(&y->doc);
    if (root) {
        /* A second document would be silently ignored by a reader of the first. */
        yaml_document_t more;
        if (!yaml_parser_load(&p, &more)) {
            yaml_error(y, &p, err);
            yaml_parser_delete(&p);
            yd_free(y);
            return -1;
        }
        yaml_node_t *root2 = yaml_document_get_root_node(&more);
        if (root2) yd_err_node(y, root2, "a second YAML document (expected one document per file)");
        yaml_document_delete(&more);
        build_char_map(y);
    }
    yaml_parser_delete(&p);
    return 0;
}

yaml_node_t *yd_root(ydoc *y)
{
    return y->have_doc ? yaml_document_get_root_node(&y->doc) : NULL;
}

void yd_free(ydoc *y)
{
    if (y->have_doc) yaml_document_delete(&y->doc);
    y->have_doc = 0;
    free(y->char_off);
    y->char_off = NULL;
    y->nchars   = 0;
}

int yd_read_file(const char *path, sb *out, mp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mp_fail(err, "%s: cannot open: %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(out, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) return mp_fail(err, "%s: cannot read: %s", path, strerror(errno));
    return 0;
}
