/* Internals of the scenario loader (loader.c, loader_steps.c, loader_yaml.c); not a contract.
 *
 * The loader walks libyaml's node tree once. Every check records its error through ld_err, which
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

#define LD_MAX_DEPTH 64      /* nesting of loops and JSON bodies (aliases can make cycles) */
#define LD_MAX_VISITS 200000 /* nodes walked, so alias bombs stay cheap */

enum { VF_SET = 1, VF_READONLY = 2, VF_DECLARED = 4 };

typedef struct ld_use {
    int slot, line, col;
} ld_use;

typedef struct ld {
    const char *file;
    const char *text;
    size_t len;
    size_t *char_off; /* libyaml's mark index (characters) -> byte offset; nchars+1 entries */
    size_t nchars;
    yaml_document_t doc;
    scenario *sc;

    int have_err, err_line, err_col;
    mp_err err;

    unsigned char *vflags; /* per variable slot, VF_* */
    size_t cap_vflags;
    ld_use *uses; /* every variable read by a template or a loop, checked at the end */
    size_t nuses, cap_uses;
    int pools_bad; /* `pools:` was malformed: do not call every pool undeclared */

    sc_kv *dheaders; /* defaults.headers, copied into every request */
    size_t ndheaders;

    int depth;
    size_t visits;
} ld;

/* Errors. */
void ld_err(ld *L, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An error whose message already starts with file:line:col (from tpl_compile_loc and friends). */
void ld_err_msg(ld *L, int line, int col, const mp_err *e);
void ld_err_node(ld *L, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A user's text for a message: control characters replaced, long text cut. */
const char *ld_show(const char *s, char buf[72]);
int ld_line(const yaml_node_t *n);
int ld_col(const yaml_node_t *n);
sc_pos ld_pos(const yaml_node_t *n);

/* Nodes. */
yaml_node_t *ld_node(ld *L, int id);
int ld_is_scalar(const yaml_node_t *n);
int ld_is_null(const yaml_node_t *n);
const char *ld_sval(const yaml_node_t *n); /* scalar text (NUL-terminated by libyaml) */
size_t ld_slen(const yaml_node_t *n);
/* Counts a visit; 0 when the walk may go on, -1 (error recorded) when nodes or depth ran out. */
int ld_enter(ld *L, const yaml_node_t *n);
void ld_leave(ld *L);

/* A mapping's keys checked against a list: unknown keys ("did you mean"), non-scalar and duplicate
 * keys are errors; vals[k]/keys[k] receive the value/key node of known key k (NULL if absent).
 * Returns the number of unknown keys: callers then say nothing about missing keys, since the
 * unknown one is most likely the missing one misspelt (and is the better message). */
int ld_keys(ld *L, const yaml_node_t *map, const char *where, const char *const *names, size_t n,
            yaml_node_t **vals, yaml_node_t **keys);
/* Checks that a mapping's keys are scalars without duplicates; returns 0 when all are fine. */
int ld_plain_keys(ld *L, const yaml_node_t *map, const char *where);
/* "(did you mean 'x'?)" or "(expected one of a, b or c)" for an unknown word. */
void ld_expected(char *buf, size_t size, const char *word, const char *const *names, size_t n);

/* Scalars, each recording an error (and returning -1) when n is not what is expected. */
int ld_string(ld *L, const yaml_node_t *n, const char *what, char **out);
int ld_bool(ld *L, const yaml_node_t *n, const char *what, int *out);
int ld_number(ld *L, const yaml_node_t *n, const char *what, double *out);
int ld_long(ld *L, const yaml_node_t *n, const char *what, long *out);
int ld_duration(ld *L, const yaml_node_t *n, const char *what, int allow_zero, double *out);
/* A template from a scalar, with exact columns for single-line scalars; its variable reads are
 * recorded for the end-of-load check. NULL (error recorded) on failure. */
tpl *ld_tpl(ld *L, const yaml_node_t *n, const char *what);
/* Where a scalar's value bytes are (cols is malloc'd or NULL; free it). */
void ld_scalar_loc(ld *L, const yaml_node_t *n, tpl_loc *loc, int **cols);
/* Column of value byte off of a scalar located by loc. */
int ld_loc_col(const tpl_loc *loc, const char *s, size_t off);

/* Names. */
int ld_ident(const char *s);
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
