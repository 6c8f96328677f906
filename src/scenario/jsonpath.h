/* JSON paths for `capture: {json: ...}` (docs/scenarios.md, "Captures"): `$` then any number of
 * `.key`, `["key"]` (or `['key']`), `[index]` (negative counts from the end), `[*]` or `.*` (every
 * element of an array, every value of an object, in document order). Compiled once at load time;
 * evaluation walks a jansson document without allocating. */
#ifndef MP_SCENARIO_JSONPATH_H
#define MP_SCENARIO_JSONPATH_H

#include <jansson.h>
#include <stddef.h>

#include "scenario/template.h"
#include "util/err.h"
#include "util/sb.h"

typedef struct mp_jsonpath mp_jsonpath;

/* Compiles src (len bytes). Errors name the offending character's position through loc (same
 * conventions as tpl_compile_loc), e.g. "blog.yaml:9:24: unterminated [ (expected ']')". */
mp_jsonpath *mp_jsonpath_compile(const char *src, size_t len, tpl_loc *loc, mp_err *err);
void mp_jsonpath_free(mp_jsonpath *p);
/* The path as written. */
const char *mp_jsonpath_source(const mp_jsonpath *p);

/* Calls fn on every value the path selects in root, in document order, until fn returns non-zero.
 * Returns the number of calls made. A step that does not apply (a key on an array, an index out of
 * range) selects nothing. */
size_t mp_jsonpath_eval(const mp_jsonpath *p, json_t *root, int (*fn)(json_t *v, void *arg),
                        void *arg);

/* The captured text of a selected value: a string as is, anything else as its compact JSON text. */
void mp_json_capture_text(const json_t *v, sb *out);

#endif
