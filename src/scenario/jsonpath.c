#include "scenario/jsonpath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

enum seg_kind { SEG_KEY, SEG_INDEX, SEG_ALL };

struct seg {
    enum seg_kind kind;
    char *key; /* SEG_KEY, NUL-terminated (keys with NUL cannot be written) */
    long long index;
};

struct mp_jsonpath {
    char *src;
    struct seg *segs;
    size_t n;
};

typedef struct jc {
    const char *s;
    size_t len;
    tpl_loc *loc;
    mp_err *err;
} jc;

/* Paths are single-line scalars: the column is the map's, or counted in characters. */
__attribute__((format(printf, 3, 4))) static int fail(jc *c, size_t off, const char *fmt, ...)
{
    int col = c->loc->col;
    if (c->loc->cols) {
        col = c->loc->cols[off];
    } else {
        for (size_t i = 0; i < off; i++)
            if (((unsigned char)c->s[i] & 0xC0) != 0x80) col++;
    }
    c->loc->err_line = c->loc->line;
    c->loc->err_col  = col;
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mp_fail_at(c->err, c->loc->file, c->loc->line, col, "%s", msg);
}

static const char *describe(char ch, char buf[16])
{
    unsigned char u = (unsigned char)ch;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 16, "'%c'", ch);
    else
        snprintf(buf, 16, "byte 0x%02X", u);
    return buf;
}

static int is_name_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '$' || ch >= 0x80;
}

static struct seg *add_seg(struct seg **segs, size_t *n, size_t *cap, enum seg_kind kind)
{
    XGROW(*segs, *n + 1, *cap);
    struct seg *s = &(*segs)[(*n)++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    return s;
}

static void free_segs(struct seg *segs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(segs[i].key);
    free(segs);
}

/* After a bracket's content: the closing ']'. */
static int close_bracket(jc *c, size_t *i, size_t open)
{
    char d[16];
    if (*i >= c->len) return fail(c, open, "unterminated '[' (expected ']')");
    if (c->s[*i] != ']') return fail(c, *i, "unexpected %s (expected ']')", describe(c->s[*i], d));
    (*i)++;
    return 0;
}

/* ["key"] or ['key'] with \\, \" and \' escapes; *i is at the quote. */
static int parse_quoted(jc *c, size_t *i, sb *key)
{
    char q       = c->s[*i];
    size_t start = *i;
    (*i)++;
    while (*i < c->len && c->s[*i] != q) {
        char ch = c->s[*i];
        if (ch == '\0') return fail(c, *i, "NUL in a key (expected text)");
        if (ch == '\\') {
            if (*i + 1 >= c->len) break;
            char e = c->s[*i + 1];
            if (e != '\\' && e != '"' && e != '\'')
                return fail(c, *i, "unknown escape '\\%c' (expected \\\\, \\\" or \\')", e);
            sb_addc(key, e);
            *i += 2;
            continue;
        }
        sb_addc(key, ch);
        (*i)++;
    }
    if (*i >= c->len) return fail(c, start, "unterminated string (expected a closing %c)", q);
    (*i)++;
    return 0;
}

mp_jsonpath *mp_jsonpath_compile(const char *src, size_t len, tpl_loc *loc, mp_err *err)
{
    jc c          = {.s = src, .len = len, .loc = loc, .err = err};
    loc->err_line = loc->err_col = 0;
    struct seg *segs             = NULL;
    size_t n = 0, cap = 0, i = 1;
    sb key = {0};
    char d[16];
    if (len == 0 || src[0] != '$') {
        fail(&c, 0, "a JSON path starts with '$' (expected e.g. $.data[0].id)");
        return NULL;
    }
    while (i < len) {
        char ch = src[i];
        if (ch == '.') {
            i++;
            if (i < len && src[i] == '*') {
                add_seg(&segs, &n, &cap, SEG_ALL);
                i++;
                continue;
            }
            size_t start = i;
            while (i < len && is_name_char((unsigned char)src[i]))
                i++;
            if (i == start) {
                if (i < len)
                    fail(&c, i, "unexpected %s after '.' (expected a key name, or [\"key\"])",
                         describe(src[i], d));
                else
                    fail(&c, i, "expected a key name after '.' (expected e.g. $.id)");
                goto bad;
            }
            add_seg(&segs, &n, &cap, SEG_KEY)->key = xstrndup(src + start, i - start);
        } else if (ch == '[') {
            size_t open = i++;
            if (i < len && src[i] == '*') {
                i++;
                if (close_bracket(&c, &i, open) < 0) goto bad;
                add_seg(&segs, &n, &cap, SEG_ALL);
            } else if (i < len && (src[i] == '"' || src[i] == '\'')) {
                sb_reset(&key);
                if (parse_quoted(&c, &i, &key) < 0 || close_bracket(&c, &i, open) < 0) goto bad;
                struct seg *s = add_seg(&segs, &n, &cap, SEG_KEY);
                s->key        = xmemdup(sb_str(&key), key.len + 1);
            } else if (i < len && (src[i] == '-' || (src[i] >= '0' && src[i] <= '9'))) {
                size_t start = i;
                int neg      = src[i] == '-';
                if (neg) i++;
                long long v   = 0;
                size_t digits = 0;
                while (i < len && src[i] >= '0' && src[i] <= '9') {
                    if (v > 100000000000000LL) {
                        fail(&c, start, "index out of range (expected at most 15 digits)");
                        goto bad;
                    }
                    v = v * 10 + (src[i] - '0');
                    i++;
                    digits++;
                }
                if (!digits) {
                    fail(&c, start, "expected digits after '-' (expected e.g. [-1])");
                    goto bad;
                }
                if (close_bracket(&c, &i, open) < 0) goto bad;
                add_seg(&segs, &n, &cap, SEG_INDEX)->index = neg ? -v : v;
            } else {
                if (i < len)
                    fail(&c, i, "unexpected %s after '[' (expected an index, * or a quoted key)",
                         describe(src[i], d));
                else
                    fail(&c, open, "unterminated '[' (expected ']')");
                goto bad;
            }
        } else {
            fail(&c, i, "unexpected %s (expected '.' or '[')", describe(ch, d));
            goto bad;
        }
    }
    sb_free(&key);
    mp_jsonpath *p = xcalloc(1, sizeof *p);
    p->src         = xstrndup(src, len);
    p->segs        = segs;
    p->n           = n;
    return p;
bad:
    sb_free(&key);
    free_segs(segs, n);
    return NULL;
}

void mp_jsonpath_free(mp_jsonpath *p)
{
    if (!p) return;
    free_segs(p->segs, p->n);
    free(p->src);
    free(p);
}

const char *mp_jsonpath_source(const mp_jsonpath *p)
{
    return p->src;
}

/* Returns 1 once fn asked to stop. */
static int walk(const struct seg *s, size_t n, json_t *v, int (*fn)(json_t *, void *), void *arg,
                size_t *calls)
{
    if (n == 0) {
        (*calls)++;
        return fn(v, arg) != 0;
    }
    switch (s->kind) {
    case SEG_KEY: {
        json_t *child = json_is_object(v) ? json_object_get(v, s->key) : NULL;
        return child ? walk(s + 1, n - 1, child, fn, arg, calls) : 0;
    }
    case SEG_INDEX: {
        if (!json_is_array(v)) return 0;
        long long size = (long long)json_array_size(v);
        long long k    = s->index < 0 ? size + s->index : s->index;
        if (k < 0 || k >= size) return 0;
        return walk(s + 1, n - 1, json_array_get(v, (size_t)k), fn, arg, calls);
    }
    case SEG_ALL:
        if (json_is_array(v)) {
            for (size_t k = 0; k < json_array_size(v); k++)
                if (walk(s + 1, n - 1, json_array_get(v, k), fn, arg, calls)) return 1;
        } else if (json_is_object(v)) {
            /* jansson keeps insertion order, which for a parsed body is document order. */
            const char *key;
            json_t *child;
            json_object_foreach(v, key, child)
            {
                if (walk(s + 1, n - 1, child, fn, arg, calls)) return 1;
            }
        }
        return 0;
    }
    return 0;
}

size_t mp_jsonpath_eval(const mp_jsonpath *p, json_t *root, int (*fn)(json_t *v, void *arg),
                        void *arg)
{
    size_t calls = 0;
    if (root) walk(p->segs, p->n, root, fn, arg, &calls);
    return calls;
}

void mp_json_capture_text(const json_t *v, sb *out)
{
    if (json_is_string(v)) {
        sb_add(out, json_string_value(v), json_string_length(v));
        return;
    }
    if (json_is_real(v)) {
        /* The shortest text that reads back as the same double, as a reader of the body would
         * write it (jansson's own dump always prints 17 digits). */
        double d = json_real_value(v);
        char buf[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (strtod(buf, NULL) == d) break;
        }
        sb_adds(out, buf);
        /* Keep it a JSON real, as jansson would ("1.0", not "1"). */
        if (!strpbrk(buf, ".eEn")) sb_adds(out, ".0");
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text) {
        sb_adds(out, text);
        free(text);
    }
}
