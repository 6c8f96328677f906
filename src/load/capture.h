/* Captures: taking values out of a response into a user's variables (docs/scenarios.md,
 * "Captures"). The response is seen through a small view so that regex and JSON captures can be
 * tested on plain bodies. */
#ifndef MP_LOAD_CAPTURE_H
#define MP_LOAD_CAPTURE_H

#include <stddef.h>

#include "scenario/scenario.h"
#include "scenario/template.h"
#include "util/err.h"
#include "util/rng.h"
#include "util/sb.h"

typedef struct ld_response_view {
    const char *body;
    size_t body_len;
    /* Last value of a response header / of a cookie in the user's jar, or NULL. */
    const char *(*header)(void *arg, const char *name);
    const char *(*cookie)(void *arg, const char *name);
    void *arg;
} ld_response_view;

/* Scratch space a worker thread reuses for every capture. */
typedef struct ld_capture_scratch {
    void *match_data; /* pcre2_match_data*, big enough for every pattern of the scenario */
    size_t *offs;     /* start/end pairs of `pick: all` matches */
    size_t noffs, cap_offs;
    char **items;
    size_t *lens;
    size_t cap_items;
    sb tmp, texts;
    /* the response body parsed as JSON, once per response, for JSON captures */
    void *doc; /* json_t* */
    int doc_parsed;
    void **values; /* json_t* selected by a path */
    size_t nvalues, cap_values;
} ld_capture_scratch;

/* max_pairs: the largest capture count + 1 over all patterns (ld_capture_max_pairs). */
void ld_capture_scratch_init(ld_capture_scratch *s, unsigned max_pairs);
void ld_capture_scratch_free(ld_capture_scratch *s);
/* Ovector pairs a pattern needs. */
unsigned ld_capture_pairs(const sc_capture *c);

/* Forgets the response the captures ran on (its parsed JSON). Call after each response. */
void ld_capture_end(ld_capture_scratch *s);

/* Runs one capture into vars[c->var]. Returns 0 when the variable was set (or left alone by an
 * optional capture), 1 when the capture fails the request (message in msg, e.g. "capture 'csrf':
 * regex found no match", "capture 'id': JSON path '$.id' found nothing", "capture 'id': body is
 * not JSON"), -1 when a default template could not be rendered (err). var_name names
 * c->var in messages. */
int ld_capture_run(const sc_capture *c, const char *var_name, const ld_response_view *r,
                   mp_value *vars, const tpl_env *env, mp_rng *rng, ld_capture_scratch *s, sb *msg,
                   mp_err *err);

#endif
