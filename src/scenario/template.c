#include "scenario/template.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lorem.h"
#include "scenario/suggest.h"
#include "util/clock.h"
#include "util/mem.h"

/* ---- values ---------------------------------------------------------------------------------- */

void mp_value_clear(mp_value *v)
{
    free(v->str);
    for (size_t i = 0; i < v->nitems; i++)
        free(v->items[i]);
    free(v->items);
    free(v->item_lens);
    memset(v, 0, sizeof *v);
}

void mp_value_set(mp_value *v, const char *s, size_t len)
{
    /* s may point into v itself (`set: {a: "{{ a }}"}` renders elsewhere, but a copy between
     * slots of the same array can alias), so copy before releasing the old value. */
    char *n = xmalloc(len + 1);
    if (len) memcpy(n, s, len);
    n[len] = '\0';
    mp_value_clear(v);
    v->str = n;
    v->len = len;
}

void mp_value_set_list(mp_value *v, char *const *items, const size_t *lens, size_t n)
{
    char **it  = xcalloc(n ? n : 1, sizeof *it);
    size_t *ln = xcalloc(n ? n : 1, sizeof *ln);
    for (size_t i = 0; i < n; i++) {
        it[i] = xmalloc(lens[i] + 1);
        if (lens[i]) memcpy(it[i], items[i], lens[i]);
        it[i][lens[i]] = '\0';
        ln[i]          = lens[i];
    }
    mp_value_clear(v);
    v->items     = it;
    v->item_lens = ln;
    v->nitems    = n;
    v->is_list   = 1;
}

void mp_value_copy(mp_value *dst, const mp_value *src)
{
    if (dst == src) return;
    if (src->is_list)
        mp_value_set_list(dst, src->items, src->item_lens, src->nitems);
    else if (src->str)
        mp_value_set(dst, src->str, src->len);
    else
        mp_value_clear(dst);
}

/* ---- symbol table ---------------------------------------------------------------------------- */

static int find_name(char *const *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arr[i], name) == 0) return (int)i;
    return -1;
}

static int intern(char ***arr, size_t *n, size_t *cap, const char *name)
{
    int i = find_name(*arr, *n, name);
    if (i >= 0) return i;
    xgrow((void **)arr, sizeof **arr, *n + 1, cap);
    (*arr)[*n] = xstrdup(name);
    return (int)(*n)++;
}

int mp_symtab_var(mp_symtab *t, const char *name)
{
    return intern(&t->vars, &t->nvars, &t->cap_vars, name);
}

int mp_symtab_counter(mp_symtab *t, const char *name)
{
    return intern(&t->counters, &t->ncounters, &t->cap_counters, name);
}

int mp_symtab_pool(mp_symtab *t, const char *name)
{
    return intern(&t->pools, &t->npools, &t->cap_pools, name);
}

int mp_symtab_find_var(const mp_symtab *t, const char *name)
{
    return find_name(t->vars, t->nvars, name);
}

int mp_symtab_find_pool(const mp_symtab *t, const char *name)
{
    return find_name(t->pools, t->npools, name);
}

static void free_names(char **arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(arr[i]);
    free(arr);
}

void mp_symtab_free(mp_symtab *t)
{
    free_names(t->vars, t->nvars);
    free_names(t->counters, t->ncounters);
    free_names(t->pools, t->npools);
    memset(t, 0, sizeof *t);
}

void mp_counters_init(mp_counters *c, const mp_symtab *t)
{
    c->n      = t->ncounters;
    c->values = xcalloc(c->n ? c->n : 1, sizeof *c->values);
}

void mp_counters_free(mp_counters *c)
{
    free(c->values);
    c->values = NULL;
    c->n      = 0;
}

/* ---- compiled form ----------------------------------------------------------------------------
 * A template is a flat list of parts rendered in order. Everything that can be decided at load
 * time (slots, counter indices, bounds, environment values) is decided then, so rendering is a
 * switch over parts writing into the output buffer. */

enum op {
    OP_LIT,    /* src[off, off+len), never escaped */
    OP_CONST,  /* text[off, off+len): an environment value, escaped like any value */
    OP_VAR,    /* idx = slot; text[off, off+len) = name, for messages */
    OP_CHOICE, /* random.choice(var): same fields as OP_VAR */
    OP_USER_INDEX,
    OP_CLASS_INDEX,
    OP_CLASS,
    OP_COUNTER,  /* idx = counter */
    OP_RAND_INT, /* a, b = bounds; idx bit 0/1: A/B come from the OP_ARG parts that follow */
    OP_ARG,      /* a variable argument of the part before it: idx = slot, text = name; renders
                    nothing by itself */
    OP_RAND_STR, /* a = length */
    OP_LOREM_WORD,
    OP_LOREM_SENTENCE,
    OP_LOREM_PARAGRAPH,
    OP_UUID,
    OP_TIME_S,
    OP_TIME_MS,
};

struct part {
    enum op op;
    int line, col; /* of the expression, for render-time messages */
    size_t off, len;
    int idx;
    int64_t a, b;
};

struct tpl {
    char *src;
    size_t len;
    char *file;
    int line, col; /* of the first byte */
    struct part *parts;
    size_t nparts;
    char *text; /* environment values and variable names the parts point into */
    size_t ntext;
    int constant;
};

/* ---- compiler -------------------------------------------------------------------------------- */

typedef struct cc {
    const char *s;
    size_t len;
    mp_symtab *syms;
    tpl_loc *loc;
    mp_err *err;
    struct part *parts;
    size_t nparts, cap;
    sb text;
    size_t pos_off; /* pos_at's resume point */
    int pos_line, pos_col;
} cc;

/* Column of byte off: from the caller's map, or counted in characters (UTF-8 continuation bytes
 * do not start a column) from the last line break for verbatim text. Offsets are asked for mostly
 * in increasing order, so counting resumes from the previous answer to stay linear. */
static void pos_at(cc *c, size_t off, int *line, int *col)
{
    if (c->loc->cols) {
        *line = c->loc->line;
        *col  = c->loc->cols[off];
        return;
    }
    if (off < c->pos_off) {
        c->pos_off  = 0;
        c->pos_line = c->loc->line;
        c->pos_col  = c->loc->col;
    }
    for (size_t i = c->pos_off; i < off; i++) {
        unsigned char ch = (unsigned char)c->s[i];
        if (ch == '\n') {
            c->pos_line++;
            c->pos_col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c->pos_col++;
        }
    }
    c->pos_off = off;
    *line      = c->pos_line;
    *col       = c->pos_col;
}

__attribute__((format(printf, 3, 4))) static int fail(cc *c, size_t off, const char *fmt, ...)
{
    int line, col;
    pos_at(c, off, &line, &col);
    c->loc->err_line = line;
    c->loc->err_col  = col;
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mp_fail_at(c->err, c->loc->file, line, col, "%s", msg);
}

static struct part *add_part(cc *c, enum op op, size_t at)
{
    XGROW(c->parts, c->nparts + 1, c->cap);
    struct part *p = &c->parts[c->nparts++];
    memset(p, 0, sizeof *p);
    p->op = op;
    pos_at(c, at, &p->line, &p->col);
    return p;
}

static size_t add_text(cc *c, const char *s, size_t n)
{
    size_t off = c->text.len;
    sb_add(&c->text, s, n);
    sb_addc(&c->text, '\0'); /* names are printed with %s */
    return off;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int is_ident_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_ident(char ch)
{
    return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

static void skip_ws(const cc *c, size_t *i)
{
    while (*i < c->len && is_space(c->s[*i]))
        (*i)++;
}

/* "'x'" for a printable character, "byte 0xC3" otherwise, so messages never carry raw control
 * bytes. */
static const char *describe(char ch, char buf[16])
{
    unsigned char u = (unsigned char)ch;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 16, "'%c'", ch);
    else
        snprintf(buf, 16, "byte 0x%02X", u);
    return buf;
}

static const char *const builtins[] = {
    "user.index",    "user.class_index", "user.class",     "random.int",      "random.string",
    "random.choice", "lorem.word",       "lorem.sentence", "lorem.paragraph", "uuid",
    "time.unix",     "time.unix_ms",
};

static const char *ns_expected(const char *ns)
{
    if (strcmp(ns, "user") == 0) return "user.index, user.class_index or user.class";
    if (strcmp(ns, "random") == 0) return "random.int, random.string or random.choice";
    if (strcmp(ns, "lorem") == 0) return "lorem.word, lorem.sentence or lorem.paragraph";
    if (strcmp(ns, "time") == 0) return "time.unix or time.unix_ms";
    if (strcmp(ns, "counter") == 0) return "counter.NAME";
    if (strcmp(ns, "env") == 0) return "env.NAME";
    return NULL;
}

static int parse_int(cc *c, size_t *i, int64_t *out, const char *usage)
{
    size_t start = *i;
    int neg      = 0;
    if (*i < c->len && c->s[*i] == '-') {
        neg = 1;
        (*i)++;
    }
    if (*i >= c->len || c->s[*i] < '0' || c->s[*i] > '9')
        return fail(c, start, "expected an integer (%s)", usage);
    uint64_t v = 0;
    while (*i < c->len && c->s[*i] >= '0' && c->s[*i] <= '9') {
        unsigned d = (unsigned)(c->s[*i] - '0');
        if (v > ((uint64_t)INT64_MAX + 1 - d) / 10)
            return fail(c, start, "integer out of range (expected a 64-bit integer)");
        v = v * 10 + d;
        (*i)++;
    }
    if (!neg && v > (uint64_t)INT64_MAX)
        return fail(c, start, "integer out of range (expected a 64-bit integer)");
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int expect_char(cc *c, size_t *i, char ch, const char *usage)
{
    skip_ws(c, i);
    if (*i < c->len && c->s[*i] == ch) {
        (*i)++;
        skip_ws(c, i);
        return 0;
    }
    if (*i >= c->len) return fail(c, *i, "expected '%c' (%s)", ch, usage);
    char d[16];
    return fail(c, *i, "unexpected %s (expected '%c': %s)", describe(c->s[*i], d), ch, usage);
}

static const char *const reserved[] = {"user", "counter", "random", "lorem",
                                       "env",  "time",    "uuid",   "pool"};

static int is_reserved(const char *name, size_t n)
{
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        if (strlen(reserved[k]) == n && memcmp(reserved[k], name, n) == 0) return 1;
    return 0;
}

/* The arguments of random.int / random.string / random.choice; *i is at '('. */
static int parse_call(cc *c, size_t *i, const char *fn, size_t at)
{
    (*i)++; /* '(' */
    skip_ws(c, i);
    if (strcmp(fn, "int") == 0) {
        const char *usage = "random.int(A, B)";
        int64_t v[2]      = {0, 0};
        size_t v_at[2];
        int is_var[2] = {0, 0};
        size_t name_at[2], name_len[2];
        for (int k = 0; k < 2; k++) {
            if (k && expect_char(c, i, ',', usage) < 0) return -1;
            v_at[k] = *i;
            if (*i < c->len && is_ident_start(c->s[*i])) {
                /* A variable, read when the template renders (e.g. a page count captured from
                 * the index). */
                while (*i < c->len && is_ident(c->s[*i]))
                    (*i)++;
                name_at[k]  = v_at[k];
                name_len[k] = *i - v_at[k];
                if (is_reserved(c->s + v_at[k], name_len[k]) || (*i < c->len && c->s[*i] == '.'))
                    return fail(c, v_at[k], "random.int takes integers or variables (expected %s)",
                                usage);
                is_var[k] = 1;
            } else if (parse_int(c, i, &v[k], usage) < 0) {
                return -1;
            }
        }
        if (expect_char(c, i, ')', usage) < 0) return -1;
        if (!is_var[0] && !is_var[1] && v[0] > v[1])
            return fail(c, v_at[0], "random.int(%lld, %lld): A is greater than B (expected A <= B)",
                        (long long)v[0], (long long)v[1]);
        struct part *p = add_part(c, OP_RAND_INT, at);
        p->a           = v[0];
        p->b           = v[1];
        p->idx         = is_var[0] | is_var[1] << 1;
        for (int k = 0; k < 2; k++) {
            if (!is_var[k]) continue;
            char *name = xstrndup(c->s + name_at[k], name_len[k]);
            p          = add_part(c, OP_ARG, name_at[k]);
            p->idx     = mp_symtab_var(c->syms, name);
            p->off     = add_text(c, name, name_len[k]);
            p->len     = name_len[k];
            free(name);
        }
        return 0;
    }
    if (strcmp(fn, "string") == 0) {
        const char *usage = "random.string(N)";
        int64_t n;
        size_t n_at = *i;
        if (parse_int(c, i, &n, usage) < 0 || expect_char(c, i, ')', usage) < 0) return -1;
        if (n < 0 || n > (1 << 20))
            return fail(c, n_at, "random.string(%lld): N out of range (expected 0..1048576)",
                        (long long)n);
        struct part *p = add_part(c, OP_RAND_STR, at);
        p->a           = n;
        return 0;
    }
    /* choice */
    const char *usage = "random.choice(v) with v a list variable";
    size_t v_at       = *i;
    if (*i >= c->len || !is_ident_start(c->s[*i]))
        return fail(c, v_at, "expected a variable name (%s)", usage);
    while (*i < c->len && is_ident(c->s[*i]))
        (*i)++;
    size_t vlen = *i - v_at;
    if (is_reserved(c->s + v_at, vlen) || (*i < c->len && c->s[*i] == '.'))
        return fail(c, v_at, "random.choice takes a variable (expected %s)", usage);
    if (expect_char(c, i, ')', usage) < 0) return -1;
    char *name     = xstrndup(c->s + v_at, vlen);
    struct part *p = add_part(c, OP_CHOICE, v_at);
    p->idx         = mp_symtab_var(c->syms, name);
    p->off         = add_text(c, name, vlen);
    p->len         = vlen;
    free(name);
    return 0;
}

/* `| default(VALUE)` after env.NAME, VALUE a quoted string or an integer; *i is at '|'. The value's
 * text is s[*off, *off + *len). Used when the variable is unset (a variable set to the empty string
 * is the empty string, as in Jinja). */
static int parse_default(cc *c, size_t *i, size_t *off, size_t *len)
{
    const char *usage = "env.NAME | default(VALUE), VALUE a quoted string or an integer";
    const char *s     = c->s;
    (*i)++; /* '|' */
    skip_ws(c, i);
    size_t name_at = *i;
    while (*i < c->len && is_ident(s[*i]))
        (*i)++;
    if (*i == name_at) {
        char d[16];
        if (name_at >= c->len) return fail(c, name_at, "expected default after '|' (%s)", usage);
        return fail(c, name_at, "unexpected %s after '|' (expected %s)", describe(s[name_at], d),
                    usage);
    }
    if (*i - name_at != 7 || memcmp(s + name_at, "default", 7) != 0)
        return fail(c, name_at, "unknown filter '%.*s' (expected %s)", (int)(*i - name_at),
                    s + name_at, usage);
    if (expect_char(c, i, '(', usage) < 0) return -1;
    size_t v_at = *i;
    if (v_at < c->len && (s[v_at] == '"' || s[v_at] == '\'')) {
        const char *close = memchr(s + v_at + 1, s[v_at], c->len - v_at - 1);
        if (!close) return fail(c, v_at, "unterminated string (expected a closing %c)", s[v_at]);
        *off = v_at + 1;
        *len = (size_t)(close - s) - v_at - 1;
        *i   = (size_t)(close - s) + 1;
    } else {
        int64_t ignored;
        if (parse_int(c, i, &ignored, usage) < 0) return -1;
        *off = v_at;
        *len = *i - v_at;
    }
    return expect_char(c, i, ')', usage);
}

/* A dotted name at s[at, end) split at its first dot; *i is just past it. */
static int resolve(cc *c, size_t *i, size_t at, size_t end, size_t ndots, size_t dot2)
{
    const char *s = c->s;
    size_t dot    = at;
    while (dot < end && s[dot] != '.')
        dot++;
    char *full        = xstrndup(s + at, end - at);
    char *ns          = xstrndup(s + at, dot - at);
    const char *field = dot < end ? full + (dot - at) + 1 : NULL;
    int rc            = -1;
    size_t paren      = *i;
    skip_ws(c, &paren);
    int has_paren        = paren < c->len && s[paren] == '(';
    const char *expected = ns_expected(ns);

    if (ndots >= 2) {
        rc = fail(c, dot2, "unexpected '.' after '%.*s' (expected '}}')", (int)(dot2 - at), s + at);
        goto out;
    }
    if (!field) {
        if (expected) {
            rc = fail(c, at, "'%s' needs a name after it (expected %s)", ns, expected);
            goto out;
        }
        if (has_paren) {
            rc = fail(c, paren, "'%s' is not a function (expected %s)", ns,
                      "random.int(A, B), random.string(N) or random.choice(v)");
            goto out;
        }
        if (strcmp(ns, "uuid") == 0) {
            add_part(c, OP_UUID, at);
        } else {
            struct part *p = add_part(c, OP_VAR, at);
            p->idx         = mp_symtab_var(c->syms, ns);
            p->off         = add_text(c, ns, strlen(ns));
            p->len         = strlen(ns);
        }
        rc = 0;
        goto out;
    }
    if (!expected) {
        const char *best = mp_suggest(full, builtins, sizeof builtins / sizeof builtins[0]);
        if (best)
            rc = fail(c, at, "unknown name '%s' (did you mean '%s'?)", full, best);
        else
            rc = fail(c, at,
                      "unknown name '%s' (expected a variable, or user.*, counter.*, random.*, "
                      "lorem.*, env.* or time.*)",
                      full);
        goto out;
    }
    if (strcmp(ns, "random") == 0) {
        int known = strcmp(field, "int") == 0 || strcmp(field, "string") == 0 ||
                    strcmp(field, "choice") == 0;
        if (!known) {
            rc = fail(c, at, "unknown function '%s' (expected %s)", full, expected);
            goto out;
        }
        if (!has_paren) {
            rc = fail(c, at, "%s needs arguments (expected %s)", full,
                      strcmp(field, "int") == 0      ? "random.int(A, B)"
                      : strcmp(field, "string") == 0 ? "random.string(N)"
                                                     : "random.choice(v)");
            goto out;
        }
        *i = paren;
        rc = parse_call(c, i, field, at);
        goto out;
    }
    if (has_paren) {
        rc =
            fail(c, paren, "'%s' takes no arguments (expected %s without parentheses)", full, full);
        goto out;
    }
    static const struct {
        const char *name;
        enum op op;
    } fixed[] = {
        {"user.index", OP_USER_INDEX},
        {"user.class_index", OP_CLASS_INDEX},
        {"user.class", OP_CLASS},
        {"lorem.word", OP_LOREM_WORD},
        {"lorem.sentence", OP_LOREM_SENTENCE},
        {"lorem.paragraph", OP_LOREM_PARAGRAPH},
        {"time.unix", OP_TIME_S},
        {"time.unix_ms", OP_TIME_MS},
    };
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        if (strcmp(full, fixed[k].name) == 0) {
            add_part(c, fixed[k].op, at);
            rc = 0;
            goto out;
        }
    }
    if (strcmp(ns, "counter") == 0) {
        struct part *p = add_part(c, OP_COUNTER, at);
        p->idx         = mp_symtab_counter(c->syms, field);
        p->off         = add_text(c, full, strlen(full)); /* for messages */
        p->len         = strlen(full);
        rc             = 0;
        goto out;
    }
    if (strcmp(ns, "env") == 0) {
        const char *v = getenv(field);
        size_t j = *i, doff = 0, dlen = 0;
        skip_ws(c, &j);
        int has_default = j < c->len && s[j] == '|';
        if (has_default) {
            if (parse_default(c, &j, &doff, &dlen) < 0) goto out;
            *i = j;
        }
        if (!v && !has_default) {
            rc = fail(c, at,
                      "environment variable '%s' is not set (expected it set when the scenario "
                      "loads, or a default: {{ env.%s | default(VALUE) }})",
                      field, field);
            goto out;
        }
        struct part *p = add_part(c, OP_CONST, at);
        if (v) {
            p->len = strlen(v);
            p->off = add_text(c, v, p->len);
        } else {
            p->len = dlen;
            p->off = add_text(c, s + doff, dlen);
        }
        rc = 0;
        goto out;
    }
    rc = fail(c, at, "unknown name '%s' (expected %s)", full, expected);
out:
    free(full);
    free(ns);
    return rc;
}

/* One {{ ... }}; *i is just past "{{". */
static int parse_expr(cc *c, size_t *i, size_t open)
{
    const char *s = c->s;
    char d[16];
    skip_ws(c, i);
    if (*i >= c->len) return fail(c, open, "unterminated '{{' (expected an expression and '}}')");
    size_t at = *i;
    if (s[at] == '"' || s[at] == '\'') {
        const char *close = memchr(s + at + 1, s[at], c->len - at - 1);
        if (!close) return fail(c, at, "unterminated string (expected a closing %c)", s[at]);
        struct part *p = add_part(c, OP_LIT, at);
        p->off         = at + 1;
        p->len         = (size_t)(close - s) - at - 1;
        *i             = (size_t)(close - s) + 1;
    } else if (is_ident_start(s[at])) {
        size_t ndots = 0, dot2 = 0;
        while (*i < c->len) {
            while (*i < c->len && is_ident(s[*i]))
                (*i)++;
            if (*i < c->len && s[*i] == '.') {
                if (++ndots == 2) dot2 = *i;
                (*i)++;
                if (*i >= c->len || !is_ident_start(s[*i]))
                    return fail(c, *i, "expected a name after '.' (expected e.g. user.index)");
                continue;
            }
            break;
        }
        if (resolve(c, i, at, *i, ndots, dot2) < 0) return -1;
    } else if (s[at] == '}' && at + 1 < c->len && s[at + 1] == '}') {
        return fail(c, at, "empty expression (expected a variable, a function or a quoted string)");
    } else {
        return fail(c, at, "unexpected %s (expected a variable, a function or a quoted string)",
                    describe(s[at], d));
    }
    skip_ws(c, i);
    if (*i + 1 < c->len && s[*i] == '}' && s[*i + 1] == '}') {
        *i += 2;
        return 0;
    }
    if (*i >= c->len) return fail(c, open, "unterminated '{{' (expected '}}')");
    if (s[*i] == '|') return fail(c, *i, "a default applies only to env.NAME (expected '}}')");
    return fail(c, *i, "unexpected %s (expected '}}')", describe(s[*i], d));
}

tpl *tpl_compile_loc(const char *src, size_t len, mp_symtab *syms, tpl_loc *loc, mp_err *err)
{
    cc c          = {.s        = src,
                     .len      = len,
                     .syms     = syms,
                     .loc      = loc,
                     .err      = err,
                     .pos_line = loc->line,
                     .pos_col  = loc->col};
    loc->err_line = loc->err_col = 0;
    int constant                 = 1;
    size_t i = 0, lit = 0;
    while (i + 1 < len) {
        if (src[i] != '{' || src[i + 1] != '{') {
            i++;
            continue;
        }
        constant = 0;
        if (i > lit) {
            struct part *p = add_part(&c, OP_LIT, lit);
            p->off         = lit;
            p->len         = i - lit;
        }
        size_t open = i;
        i += 2;
        if (parse_expr(&c, &i, open) < 0) {
            free(c.parts);
            sb_free(&c.text);
            return NULL;
        }
        lit = i;
    }
    if (len > lit) {
        struct part *p = add_part(&c, OP_LIT, lit);
        p->off         = lit;
        p->len         = len - lit;
    }
    tpl *t = xcalloc(1, sizeof *t);
    t->src = xmalloc(len + 1);
    if (len) memcpy(t->src, src, len);
    t->src[len] = '\0';
    t->len      = len;
    t->file     = xstrdup(loc->file);
    t->line     = loc->line;
    t->col      = loc->cols ? loc->cols[0] : loc->col;
    t->parts    = c.parts;
    t->nparts   = c.nparts;
    t->ntext    = c.text.len;
    t->text     = sb_detach(&c.text);
    t->constant = constant;
    return t;
}

tpl *tpl_compile(const char *src, size_t len, mp_symtab *syms, const char *file, int line, int col,
                 mp_err *err)
{
    tpl_loc loc = {.file = file, .line = line, .col = col};
    return tpl_compile_loc(src, len, syms, &loc, err);
}

tpl *tpl_dup(const tpl *t)
{
    tpl *d   = xmemdup(t, sizeof *t);
    d->src   = xmemdup(t->src, t->len + 1);
    d->file  = xstrdup(t->file);
    d->parts = xmemdup(t->parts, t->nparts * sizeof *t->parts);
    d->text  = xmemdup(t->text, t->ntext + 1);
    return d;
}

void tpl_free(tpl *t)
{
    if (!t) return;
    free(t->src);
    free(t->file);
    free(t->parts);
    free(t->text);
    free(t);
}

const char *tpl_source(const tpl *t)
{
    return t->src;
}

int tpl_is_constant(const tpl *t)
{
    return t->constant;
}

void tpl_each_var(const tpl *t, void (*fn)(int slot, int line, int col, void *arg), void *arg)
{
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].op == OP_VAR || t->parts[i].op == OP_CHOICE || t->parts[i].op == OP_ARG)
            fn(t->parts[i].idx, t->parts[i].line, t->parts[i].col, arg);
}

int tpl_lone_var(const tpl *t)
{
    return t->nparts == 1 && t->parts[0].op == OP_VAR ? t->parts[0].idx : -1;
}

/* What a part is called in messages. */
static const char *part_name(const tpl *t, const struct part *p)
{
    switch (p->op) {
    case OP_VAR:
    case OP_ARG:
    case OP_COUNTER:
        return t->text + p->off;
    case OP_CHOICE:
        return "random.choice";
    case OP_USER_INDEX:
        return "user.index";
    case OP_CLASS_INDEX:
        return "user.class_index";
    case OP_CLASS:
        return "user.class";
    case OP_RAND_INT:
        return "random.int";
    case OP_RAND_STR:
        return "random.string";
    case OP_LOREM_WORD:
        return "lorem.word";
    case OP_LOREM_SENTENCE:
        return "lorem.sentence";
    case OP_LOREM_PARAGRAPH:
        return "lorem.paragraph";
    case OP_UUID:
        return "uuid";
    case OP_TIME_S:
        return "time.unix";
    case OP_TIME_MS:
        return "time.unix_ms";
    case OP_LIT:
    case OP_CONST:
        break;
    }
    return "text";
}

int tpl_render_static(const tpl *t, const mp_value *known, size_t nknown, sb *out, tpl_dynamic *why)
{
    size_t start = out->len;
    for (size_t i = 0; i < t->nparts; i++) {
        const struct part *p = &t->parts[i];
        if (p->op == OP_LIT) {
            sb_add(out, t->src + p->off, p->len);
        } else if (p->op == OP_CONST) {
            sb_add(out, t->text + p->off, p->len);
        } else if (p->op == OP_VAR && (size_t)p->idx < nknown && known[p->idx].str &&
                   !known[p->idx].is_list) {
            sb_add(out, known[p->idx].str, known[p->idx].len);
        } else {
            sb_truncate(out, start);
            why->line = p->line;
            why->col  = p->col;
            why->what = part_name(t, p);
            return -1;
        }
    }
    return 0;
}

/* ---- rendering ------------------------------------------------------------------------------- */

/* Unreserved characters of RFC 3986, section 2.3. */
static int unreserved(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

void mp_url_encode(sb *out, const char *s, size_t len, int form)
{
    static const char hex[] = "0123456789ABCDEF";
    sb_grow(out, 3 * len);
    char *w = out->buf + out->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (unreserved(ch)) {
            *w++ = (char)ch;
        } else if (form && ch == ' ') {
            *w++ = '+';
        } else {
            *w++ = '%';
            *w++ = hex[ch >> 4];
            *w++ = hex[ch & 15];
        }
    }
    out->len           = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

static void put(sb *out, const char *s, size_t n, enum tpl_escape esc)
{
    if (esc == TPL_URL)
        mp_url_encode(out, s, n, 0);
    else
        sb_add(out, s, n);
}

/* Decimal digits never need escaping: '-' and digits are unreserved. */
static void put_u64(sb *out, uint64_t v)
{
    char buf[24];
    char *p = buf + sizeof buf;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_add(out, p, (size_t)(buf + sizeof buf - p));
}

static void put_i64(sb *out, int64_t v)
{
    if (v < 0) {
        sb_addc(out, '-');
        put_u64(out, 0 - (uint64_t)v);
    } else {
        put_u64(out, (uint64_t)v);
    }
}

static void put_random_string(sb *out, mp_rng *r, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    /* 36^12 < 2^64, so one unbiased draw yields 12 characters. */
    const uint64_t span = 4738381338321616896ull; /* 36^12 */
    sb_grow(out, n);
    char *w = out->buf + out->len;
    while (n) {
        uint64_t v = mp_rng_below(r, span);
        for (int k = 0; k < 12 && n; k++, n--) {
            *w++ = alphabet[v % 36];
            v /= 36;
        }
    }
    out->len           = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

static void put_uuid(sb *out, mp_rng *r)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t hi = mp_rng_next(r), lo = mp_rng_next(r);
    hi = (hi & ~(uint64_t)0xF000) | 0x4000;                 /* version 4 */
    lo = (lo & ~((uint64_t)3 << 62)) | ((uint64_t)2 << 62); /* RFC 4122 variant */
    char buf[36];
    int w = 0;
    for (int k = 0; k < 32; k++) {
        if (k == 8 || k == 12 || k == 16 || k == 20) buf[w++] = '-';
        uint64_t word = k < 16 ? hi : lo;
        int shift     = 60 - 4 * (k % 16);
        buf[w++]      = hex[(word >> shift) & 15];
    }
    sb_add(out, buf, sizeof buf);
}

static int render_fail(const tpl *t, const struct part *p, sb *out, size_t start, mp_err *err,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int render_fail(const tpl *t, const struct part *p, sb *out, size_t start, mp_err *err,
                       const char *fmt, ...)
{
    sb_truncate(out, start);
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mp_fail_at(err, t->file, p ? p->line : t->line, p ? p->col : t->col, "%s", msg);
}

/* The value of a variable argument of random.int: a string that is a whole 64-bit integer. */
static int arg_int(const tpl *t, const struct part *arg, const tpl_env *env, int64_t *out_v,
                   sb *out, size_t start, mp_err *err)
{
    const mp_value *v = &env->vars[arg->idx];
    const char *name  = t->text + arg->off;
    if (v->is_list)
        return render_fail(t, arg, out, start, err,
                           "variable '%s' holds a list (expected an integer for random.int)", name);
    if (!v->str)
        return render_fail(t, arg, out, start, err,
                           "variable '%s' has no value (expected a step setting it to run first)",
                           name);
    const char *s = v->str;
    size_t k      = *s == '-' ? 1 : 0;
    int ok        = s[k] >= '0' && s[k] <= '9';
    uint64_t n    = 0;
    for (; ok && k < v->len; k++) {
        unsigned d = (unsigned)(s[k] - '0');
        if (s[k] < '0' || s[k] > '9' || n > ((uint64_t)INT64_MAX + 1 - d) / 10)
            ok = 0;
        else
            n = n * 10 + d;
    }
    if (ok && *s != '-' && n > (uint64_t)INT64_MAX) ok = 0;
    if (!ok) {
        char shown[40];
        size_t m = v->len < 32 ? v->len : 32;
        for (size_t j = 0; j < m; j++)
            shown[j] = ((unsigned char)s[j] < 0x20 || s[j] == 0x7f) ? '?' : s[j];
        memcpy(shown + m, v->len > 32 ? "..." : "", v->len > 32 ? 4 : 1);
        return render_fail(t, arg, out, start, err,
                           "variable '%s' is \"%s\" (expected a 64-bit integer for random.int)",
                           name, shown);
    }
    *out_v = *s == '-' ? (int64_t)(0 - n) : (int64_t)n;
    return 0;
}

int tpl_render(const tpl *t, const tpl_env *env, enum tpl_escape esc, sb *out, mp_err *err)
{
    size_t start = out->len;
    sb_grow(out, t->len);
    for (size_t i = 0; i < t->nparts; i++) {
        const struct part *p = &t->parts[i];
        switch (p->op) {
        case OP_LIT:
            sb_add(out, t->src + p->off, p->len);
            break;
        case OP_CONST:
            put(out, t->text + p->off, p->len, esc);
            break;
        case OP_VAR: {
            const mp_value *v = &env->vars[p->idx];
            if (v->is_list)
                return render_fail(t, p, out, start, err,
                                   "variable '%s' holds a list (expected a string; use "
                                   "random.choice(%s) or a loop over it)",
                                   t->text + p->off, t->text + p->off);
            if (!v->str)
                return render_fail(t, p, out, start, err,
                                   "variable '%s' has no value (expected a step setting it to "
                                   "run first)",
                                   t->text + p->off);
            put(out, v->str, v->len, esc);
            break;
        }
        case OP_CHOICE: {
            const mp_value *v = &env->vars[p->idx];
            if (v->is_list) {
                if (v->nitems == 0)
                    return render_fail(t, p, out, start, err,
                                       "random.choice(%s): the list is empty (expected at least "
                                       "one element)",
                                       t->text + p->off);
                uint64_t k = mp_rng_below(env->rng, v->nitems);
                put(out, v->items[k], v->item_lens[k], esc);
            } else if (v->str) {
                put(out, v->str, v->len, esc);
            } else {
                return render_fail(t, p, out, start, err,
                                   "variable '%s' has no value (expected a step setting it to "
                                   "run first)",
                                   t->text + p->off);
            }
            break;
        }
        case OP_USER_INDEX:
            put_u64(out, env->user_index);
            break;
        case OP_CLASS_INDEX:
            put_u64(out, env->class_index);
            break;
        case OP_CLASS: {
            const char *cls = env->class_name ? env->class_name : "";
            put(out, cls, strlen(cls), esc);
            break;
        }
        case OP_COUNTER:
            if (!env->counters || (size_t)p->idx >= env->counters->n)
                return render_fail(t, p, out, start, err,
                                   "counter not allocated (expected mp_counters_init over the "
                                   "scenario's symbols)");
            put_u64(out, __atomic_add_fetch(&env->counters->values[p->idx], 1, __ATOMIC_RELAXED));
            break;
        case OP_RAND_INT: {
            int64_t lim[2]         = {p->a, p->b};
            const struct part *arg = p + 1;
            for (int k = 0; k < 2; k++) {
                if (!(p->idx & (1 << k))) continue;
                if (arg_int(t, arg, env, &lim[k], out, start, err) != 0) return -1;
                arg++;
            }
            if (lim[0] > lim[1])
                return render_fail(t, p, out, start, err,
                                   "random.int(%lld, %lld): A is greater than B (expected A <= B)",
                                   (long long)lim[0], (long long)lim[1]);
            put_i64(out, mp_rng_range(env->rng, lim[0], lim[1]));
            break;
        }
        case OP_ARG:
            break; /* read by the part before it */
        case OP_RAND_STR:
            put_random_string(out, env->rng, (size_t)p->a);
            break;
        case OP_LOREM_WORD: {
            char buf[MP_LOREM_WORD_MAX];
            size_t n = mp_lorem_word(env->rng, buf);
            put(out, buf, n, esc);
            break;
        }
        case OP_LOREM_SENTENCE: {
            char buf[MP_LOREM_SENTENCE_MAX];
            size_t n = mp_lorem_sentence(env->rng, buf);
            put(out, buf, n, esc);
            break;
        }
        case OP_LOREM_PARAGRAPH: {
            char buf[MP_LOREM_PARAGRAPH_MAX];
            size_t n = mp_lorem_paragraph(env->rng, buf);
            put(out, buf, n, esc);
            break;
        }
        case OP_UUID:
            put_uuid(out, env->rng);
            break;
        case OP_TIME_S:
            put_u64(out, mp_wall_ns() / 1000000000u);
            break;
        case OP_TIME_MS:
            put_u64(out, mp_wall_ns() / 1000000u);
            break;
        }
    }
    if (esc == TPL_HEADER) {
        const char *b = out->buf ? out->buf + start : "";
        for (size_t k = 0; k < out->len - start; k++)
            if (b[k] == '\r' || b[k] == '\n' || b[k] == '\0')
                return render_fail(t, NULL, out, start, err,
                                   "header value contains %s (expected a single line of text)",
                                   b[k] == '\0'   ? "NUL"
                                   : b[k] == '\r' ? "CR"
                                                  : "LF");
    }
    return 0;
}
