/* Templates: strings with {{ expression }} parts (docs/scenarios.md, "Templates"). A template is
 * compiled once when the scenario loads -- variable names resolved to slots, functions checked,
 * env.NAME read -- and rendered many times on the hot path without parsing or allocation beyond
 * the output buffer. */
#ifndef MP_SCENARIO_TEMPLATE_H
#define MP_SCENARIO_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/rng.h"
#include "util/sb.h"

/* A variable's value: a string, or a list of strings (from `pick: all`). Owned by whoever holds
 * the array of values (a user). */
typedef struct mp_value {
    char *str; /* NUL-terminated; NULL when unset */
    size_t len;
    char **items; /* list elements when is_list */
    size_t *item_lens;
    size_t nitems;
    int is_list;
} mp_value;

void mp_value_set(mp_value *v, const char *s, size_t len);
void mp_value_set_list(mp_value *v, char *const *items, const size_t *lens, size_t n);
void mp_value_copy(mp_value *dst, const mp_value *src);
void mp_value_clear(mp_value *v);

/* Names the scenario knows: variables (slots into a user's value array), counters and pools.
 * The loader interns every name it sees here; templates refer to them by index. */
typedef struct mp_symtab {
    char **vars;
    size_t nvars, cap_vars;
    char **counters;
    size_t ncounters, cap_counters;
    char **pools;
    size_t npools, cap_pools;
} mp_symtab;

int mp_symtab_var(mp_symtab *t, const char *name);             /* interns; returns slot */
int mp_symtab_counter(mp_symtab *t, const char *name);         /* interns; returns index */
int mp_symtab_pool(mp_symtab *t, const char *name);            /* declares; returns index */
int mp_symtab_find_var(const mp_symtab *t, const char *name);  /* -1 when never interned */
int mp_symtab_find_pool(const mp_symtab *t, const char *name); /* -1 when undeclared */
void mp_symtab_free(mp_symtab *t);

/* Run-wide counters, shared by all threads (atomic increments). */
typedef struct mp_counters {
    uint64_t *values; /* accessed only through __atomic builtins; one per mp_symtab counter */
    size_t n;
} mp_counters;

/* Allocates one zeroed counter per counter the symbol table knows (the first value rendered is 1).
 */
void mp_counters_init(mp_counters *c, const mp_symtab *t);
void mp_counters_free(mp_counters *c);

/* Everything a template may read while rendering, for one user. */
typedef struct tpl_env {
    const mp_value *vars; /* indexed by mp_symtab slot */
    mp_rng *rng;          /* the user's random stream */
    mp_counters *counters;
    uint64_t user_index;
    uint64_t class_index;
    const char *class_name;
} tpl_env;

/* Where a rendered value lands decides how interpolated values are escaped. Literal text of the
 * template is never escaped. */
enum tpl_escape {
    TPL_RAW,    /* as is (form/query/json values are encoded later by their builder) */
    TPL_URL,    /* interpolated values percent-encoded (everything but unreserved chars) */
    TPL_HEADER, /* rendering fails if the result would contain CR, LF or NUL */
};

typedef struct tpl tpl;

/* Compiles src. file/line/col locate src's first character for error messages (a YAML scalar's
 * position); errors look like "blog.yaml:12:18: unknown function 'random.flot' (expected
 * random.int, random.string or random.choice)". Variable and counter names are interned into
 * syms; env.NAME is read now. */
tpl *tpl_compile(const char *src, size_t len, mp_symtab *syms, const char *file, int line, int col,
                 mp_err *err);
void tpl_free(tpl *t);

/* Where a source's bytes sit in its file. `cols` is for sources that are not a verbatim copy of
 * the file's text (a quoted YAML scalar with escapes): when non-NULL it holds len+1 entries, the
 * 1-based column on `line` of each byte and of the end. On a compile error err_line/err_col
 * receive the position the message names (so a caller can order several errors). */
typedef struct tpl_loc {
    const char *file;
    int line, col;
    const int *cols;
    int err_line, err_col; /* out */
} tpl_loc;
/* tpl_compile with a tpl_loc (the loader uses it for quoted scalars). */
tpl *tpl_compile_loc(const char *src, size_t len, mp_symtab *syms, tpl_loc *loc, mp_err *err);
/* An independent copy (same source, slots and positions). */
tpl *tpl_dup(const tpl *t);

/* The template's source text, as written. */
const char *tpl_source(const tpl *t);
/* Non-zero when the template has no {{ }} parts: rendering always yields tpl_source(). */
int tpl_is_constant(const tpl *t);
/* Calls fn for every variable slot the template reads (for "used but never set" checks). */
void tpl_each_var(const tpl *t, void (*fn)(int slot, int line, int col, void *arg), void *arg);
/* The slot of the variable when the template is exactly one variable and nothing else
 * ("{{ ids }}"), else -1. (A form or query field whose value is such a variable holding a list is
 * sent once per element.) */
int tpl_lone_var(const tpl *t);

/* Why a template cannot be rendered when the file loads: the first part that needs a user or the
 * run, and where it is. */
typedef struct tpl_dynamic {
    int line, col;
    const char *what; /* "user.index", "random.int", a variable's name, ...; valid while t lives */
} tpl_dynamic;
/* Renders a template whose value is fixed when the file loads (for settings such as fixed_count):
 * literal text, env.NAME (with its default), and variables whose value known[slot] already holds
 * (slots >= nknown or with no value count as unknown). Returns 0 with the text appended to out, or
 * -1 with out unchanged and *why naming the first part that is not fixed. */
int tpl_render_static(const tpl *t, const mp_value *known, size_t nknown, sb *out,
                      tpl_dynamic *why);

/* Appends the rendering to out. Fails (with a message naming the template's position, leaving out
 * as it was) when a variable has no value yet or holds a list, when random.choice's variable is an
 * empty list, or when TPL_HEADER output would contain CR, LF or NUL. A string variable given to
 * random.choice counts as a list of one. */
int tpl_render(const tpl *t, const tpl_env *env, enum tpl_escape esc, sb *out, mp_err *err);

/* Percent-encodes s (RFC 3986 unreserved characters kept) onto out. form=1 encodes space as '+'
 * (application/x-www-form-urlencoded). */
void mp_url_encode(sb *out, const char *s, size_t len, int form);

#endif
