/* The scenario loader's own YAML helpers: positions, template locations, variable names and pools.
 * The generic plumbing (errors ordered by position, node access, key checks, scalar types, columns
 * inside scalars) is yaml/ydoc.h, shared with the experiment loader. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/loader_internal.h"
#include "util/mem.h"
#include "util/opts.h"

sc_pos ld_pos(const yaml_node_t *n)
{
    return (sc_pos){yd_line(n), yd_col(n)};
}

void ld_scalar_loc(ld *L, const yaml_node_t *n, tpl_loc *loc, int **cols)
{
    memset(loc, 0, sizeof *loc);
    loc->file = L->y.file;
    loc->line = yd_line(n);
    loc->col  = yd_col(n);
    if (yd_scalar_cols(&L->y, n, cols) == 0) {
        loc->cols = *cols;
        return;
    }
    size_t vlen = yd_slen(n);
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
    if (yd_want_scalar(&L->y, n, what, "a template string") < 0) return NULL;
    tpl_loc loc;
    int *cols;
    ld_scalar_loc(L, n, &loc, &cols);
    mp_err e;
    tpl *t = tpl_compile_loc(yd_sval(n), yd_slen(n), &L->sc->syms, &loc, &e);
    free(cols);
    if (!t) {
        yd_err_msg(&L->y, loc.err_line, loc.err_col, &e);
        return NULL;
    }
    tpl_each_var(t, record_use, L);
    return t;
}

/* ---- names ----------------------------------------------------------------------------------- */

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
    L->uses[L->nuses++] = (ld_use){slot, line, col, L->scope};
}

int ld_assigned_var(ld *L, const yaml_node_t *n, const char *what)
{
    if (yd_want_scalar(&L->y, n, what, "a variable name") < 0) return -1;
    const char *s = yd_sval(n);
    char b[72];
    if (strlen(s) != yd_slen(n) || !yd_ident(s)) {
        yd_err_node(&L->y, n,
                    "invalid variable name '%s' (expected letters, digits and _, not starting "
                    "with a digit)",
                    yd_show(s, b));
        return -1;
    }
    if (ld_is_reserved(s)) {
        yd_err_node(&L->y, n,
                    "'%s' is a reserved name (expected a variable name other than user, counter, "
                    "random, lorem, env, time, uuid or pool)",
                    s);
        return -1;
    }
    int slot = mp_symtab_var(&L->sc->syms, s);
    if (ld_flags(L, slot) & VF_READONLY) {
        yd_err_node(&L->y, n,
                    "variable '%s' is read-only (expected a name not declared in variables)", s);
        return -1;
    }
    ld_mark_set(L, slot, VF_SET);
    XGROW(L->sets, L->nsets + 1, L->cap_sets);
    L->sets[L->nsets++] = (ld_set){slot, L->scope};
    return slot;
}

int ld_pool(ld *L, const yaml_node_t *n)
{
    if (yd_want_scalar(&L->y, n, "a pool name", "a name declared in pools") < 0) return -1;
    const char *s = yd_sval(n);
    int i         = mp_symtab_find_pool(&L->sc->syms, s);
    if (i >= 0 || L->pools_bad) return i;
    char b[72];
    const mp_symtab *t = &L->sc->syms;
    if (t->npools == 0) {
        yd_err_node(&L->y, n, "undeclared pool '%s' (expected it declared in pools: [%s])",
                    yd_show(s, b), yd_show(s, b));
        return -1;
    }
    char exp[512];
    yd_expected(exp, sizeof exp, s, (const char *const *)t->pools, t->npools);
    yd_err_node(&L->y, n, "undeclared pool '%s' (%s)", yd_show(s, b), exp);
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
