/* Reading mixperf's YAML input files (scenarios, experiments) with exact error positions: one
 * libyaml document, node access, mapping keys checked against a list ("did you mean"), typed
 * scalars, durations, and byte columns inside single-line scalars.
 *
 * A loader walks the node tree once and records every problem through yd_err*; only the problem
 * earliest in the file is kept, so the single error reported is the first in document order
 * whatever order the loader visits sections in. Messages read "file:line:col: what is wrong
 * (expected what)". */
#ifndef MP_YAML_YDOC_H
#define MP_YAML_YDOC_H

#include <stddef.h>
#include <yaml.h>

#include "util/err.h"
#include "util/sb.h"

#define YD_MAX_DEPTH 64      /* nesting (aliases can make cycles) */
#define YD_MAX_VISITS 200000 /* nodes walked, so alias bombs stay cheap */

typedef struct ydoc {
    const char *file;
    const char *text;
    size_t len;
    size_t *char_off; /* libyaml's mark index (characters) -> byte offset; nchars+1 entries */
    size_t nchars;
    yaml_document_t doc;
    int have_doc;

    int have_err, err_line, err_col;
    mp_err err;

    int depth;
    size_t visits;
} ydoc;

/* Parses text (named file in messages) as one YAML document. Returns -1 with *err set on a YAML
 * syntax error (nothing to free). Otherwise 0: the document is loaded and its root is yd_root (NULL
 * for an empty document; the caller decides what that means). When the root exists, a second
 * document in the text is recorded as an error, and the column map is built. Release with yd_free.
 */
int yd_parse(ydoc *y, const char *file, const char *text, size_t len, mp_err *err);
yaml_node_t *yd_root(ydoc *y);
void yd_free(ydoc *y);

/* Reads a whole file ("PATH: cannot open: ..." / "cannot read" on failure). */
int yd_read_file(const char *path, sb *out, mp_err *err);

/* ---- errors ---- */
void yd_err(ydoc *y, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An error whose message already starts with file:line:col. */
void yd_err_msg(ydoc *y, int line, int col, const mp_err *e);
void yd_err_node(ydoc *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A user's text for a message: control characters replaced, long text cut. */
const char *yd_show(const char *s, char buf[72]);
int yd_line(const yaml_node_t *n);
int yd_col(const yaml_node_t *n);
/* "a list", "a mapping" or "a string", for "X is a list (expected ...)". */
const char *yd_kind_name(const yaml_node_t *n);

/* ---- nodes ---- */
yaml_node_t *yd_node(ydoc *y, int id);
int yd_is_scalar(const yaml_node_t *n);
int yd_is_null(const yaml_node_t *n);
const char *yd_sval(const yaml_node_t *n); /* scalar text (NUL-terminated by libyaml) */
size_t yd_slen(const yaml_node_t *n);
/* Counts a visit; 0 when the walk may go on, -1 (error recorded) when nodes or depth ran out. */
int yd_enter(ydoc *y, const yaml_node_t *n);
void yd_leave(ydoc *y);

/* ---- keys ---- */
/* A mapping's keys checked against a list: unknown keys ("did you mean"), non-scalar and duplicate
 * keys are errors; vals[k]/keys[k] receive the value/key node of known key k (NULL if absent).
 * Returns the number of unknown keys: callers then say nothing about missing keys, since the
 * unknown one is most likely the missing one misspelt (and is the better message). */
int yd_keys(ydoc *y, const yaml_node_t *map, const char *where, const char *const *names, size_t n,
            yaml_node_t **vals, yaml_node_t **keys);
/* Checks that a mapping's keys are scalars without duplicates; returns 0 when all are fine. */
int yd_plain_keys(ydoc *y, const yaml_node_t *map, const char *where);
/* "did you mean 'x'?" or "expected one of a, b or c" for an unknown word. */
void yd_expected(char *buf, size_t size, const char *word, const char *const *names, size_t n);

/* Records "WHAT is a list (expected EXPECTED)" and returns -1 unless n is a scalar. */
int yd_want_scalar(ydoc *y, const yaml_node_t *n, const char *what, const char *expected);

/* ---- scalars: each records an error (and returns -1) when n is not what is expected ---- */
int yd_string(ydoc *y, const yaml_node_t *n, const char *what, char **out);
int yd_bool(ydoc *y, const yaml_node_t *n, const char *what, int *out);
int yd_number(ydoc *y, const yaml_node_t *n, const char *what, double *out);
int yd_long(ydoc *y, const yaml_node_t *n, const char *what, long *out);
int yd_duration(ydoc *y, const yaml_node_t *n, const char *what, int allow_zero, double *out);

/* Byte columns of a scalar's value: 0 with *cols NULL when the value is the file's text verbatim
 * (column of byte i = yd_col + i, counting characters); 0 with *cols (malloc'd, vlen+1 entries)
 * when quoting was undone; -1 when the mapping is unknown (multi-line, block scalars): use the
 * scalar's start. */
int yd_scalar_cols(ydoc *y, const yaml_node_t *n, int **cols);
/* The column of value byte off of scalar n: exact when yd_scalar_cols can tell, else the
 * scalar's start. */
int yd_value_col(ydoc *y, const yaml_node_t *n, size_t off);

/* letters, digits and _, not starting with a digit */
int yd_ident(const char *s);

#endif
