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
/* The text of n, as a new string. */
char *mixpy_text(const char *text, TSNode n);
/* Whether n's text equals s. */
int mixpy_text_is(const char *text, TSNode n, const char *s);

#endif
