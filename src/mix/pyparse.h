/* tree-sitter-python, as src/mix uses it: parsing and locating the first syntax error. Private to
 * src/mix. */
#ifndef MP_MIX_PYPARSE_H
#define MP_MIX_PYPARSE_H

#include <stddef.h>
#include <tree_sitter/api.h>

#include "util/err.h"

const TSLanguage *tree_sitter_python(void);

/* Parses text; on a syntax error (or input that tree-sitter cannot take) fails with
 * "path:line:col: syntax error: ..." and returns NULL. */
TSTree *mixpy_parse(const char *path, const char *text, size_t len, mp_err *err);
/* Parses without judging: the tree may hold errors. NULL only when the parser refuses. */
TSTree *mixpy_parse_any(const char *text, size_t len);
/* Children of a node, one step at a time in O(1) (ts_node_child(n, i) walks from the first
 * child, which makes loops over wide nodes quadratic). */
struct mixpy_kids {
    TSTreeCursor cur;
    int started, done;
};
void mixpy_kids_begin(struct mixpy_kids *k, TSNode n);
/* The next child (only named ones with named_only), with its field name or NULL; 0 at the end. */
int mixpy_kids_next(struct mixpy_kids *k, int named_only, TSNode *child, const char **field);
void mixpy_kids_end(struct mixpy_kids *k);

/* The text of n, as a new string. */
char *mixpy_text(const char *text, TSNode n);
/* Whether n's text equals s. */
int mixpy_text_is(const char *text, TSNode n, const char *s);

#endif
