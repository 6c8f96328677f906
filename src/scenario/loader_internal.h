/* Internals of the scenario loader (loader.c, loader_steps.c, loader_yaml.c); not a contract.
 *
 * The loader walks libyaml's node tree once. Every check records its error through yd_err, which
 * keeps only the error earliest in the file, and the walk goes on; so the one error reported is the
 * first in document order whatever order the sections are processed in (a variable may be set in a
 * later task than the one using it, and `variables` may come after `users`). Checks are written so
 * that one mistake does not cause a second, earlier-looking one (a variable whose `set` had a bad
 * value still counts as set). */
#ifndef MP_SCENARIO_LOADER_INTERNAL_H
#define MP_SCENARIO_LOADER_INTERNAL_H

#include <stddef.h>
#include <yaml.h>

#include "scenario/scenario.h"
#include "yaml/ydoc.h"

enum { VF_SET = 1, VF_READONLY = 2, VF_DECLARED = 4 };

/* Who owns a flow's variables: setup, teardown and each user class have their own (a user starts
 * with the values of `variables:` only). SCOPE_ANY marks what every flow sees: `variables:` and
 * defaults.headers, which are copied into every request. */
enum { SCOPE_ANY = -1, SCOPE_SETUP = 0, SCOPE_TEARDOWN = 1, SCOPE_USER0 = 2 };

typedef struct ld_use {
    int slot, line, col, scope;
} ld_use;

typedef struct ld_set {
    int slot, scope;
} ld_set;

typedef struct ld {
    ydoc y; /* the document, the error kept, the walk's depth and visits */
    scenario *sc;

    unsigned char *vflags; /* per variable slot, VF_* */
    size_t cap_vflags;
    ld_use *uses; /* every variable read by a template or a loop, checked at the end */
    size_t nuses, cap_uses;
    ld_set *sets; /* every (variable, scope) some step assigns */
    size_t nsets, cap_sets;
    int scope;          /* of the flow being loaded */
    mp_value *statics;  /* by slot: values of `variables:` fixed when the file loads */
    size_t cap_statics; /* entries allocated (zeroed) */
    int pools_bad;      /* `pools:` was malformed: do not call every pool undeclared */

    sc_kv *dheaders; /* defaults.headers, copied into every request */
    size_t ndheaders;
} ld;

sc_pos ld_pos(const yaml_node_t *n);

/* A template from a scalar, with exact columns for single-line scalars; its variable reads are
 * recorded for the end-of-load check. NULL (error recorded) on failure. */
tpl *ld_tpl(ld *L, const yaml_node_t *n, const char *what);
/* Where a scalar's value bytes are (cols is malloc'd or NULL; free it). */
void ld_scalar_loc(ld *L, const yaml_node_t *n, tpl_loc *loc, int **cols);
/* Column of value byte off of a scalar located by loc. */
int ld_loc_col(const tpl_loc *loc, const char *s, size_t off);

/* Names. */
int ld_is_reserved(const char *s);
/* A variable some step assigns: checks the name; returns the slot, or -1 (error recorded). */
int ld_assigned_var(ld *L, const yaml_node_t *n, const char *what);
void ld_mark_set(ld *L, int slot, unsigned flags);
unsigned ld_flags(ld *L, int slot);
void ld_use_var(ld *L, int slot, int line, int col);
/* A pool reference: the index, or -1 (error recorded unless pools were malformed). */
int ld_pool(ld *L, const yaml_node_t *n);
int ld_header_name_ok(const char *s);

/* Sections (loader_steps.c). */
void ld_headers(ld *L, const yaml_node_t *n, sc_kv **out, size_t *nout, const char *what);
void ld_flow(ld *L, const yaml_node_t *n, sc_flow *out, const char *where);
void ld_free_flow(sc_flow *f);

#endif
