/* Turning a scenario request step into the bytes the HTTP client sends, and judging the answer
 * against the step's expectations. Buffers live in an ld_reqbuf that a worker thread reuses for
 * every request, so the hot path allocates only while the buffers grow. */
#ifndef MP_LOAD_REQUEST_H
#define MP_LOAD_REQUEST_H

#include <stddef.h>

#include "http/http.h"
#include "scenario/scenario.h"
#include "scenario/template.h"
#include "util/err.h"
#include "util/sb.h"

typedef struct ld_reqbuf {
    sb url, values, body, tmp;
    size_t *value_off; /* where each header value starts in `values` */
    http_header *headers;
    size_t nheaders, cap_headers;
    http_request req; /* points into the buffers above once ld_request_build succeeded */
} ld_reqbuf;

void ld_reqbuf_free(ld_reqbuf *b);

/* What can be decided about a request step once, before the run, instead of per request. */
typedef struct ld_reqplan {
    enum tpl_escape url_escape; /* how the URL template's values are escaped (see below) */
    char *url; /* the whole URL when it is the same for every request (a URL without {{ }} and
                  without query parameters), host included; else NULL */
    int has_content_type; /* the step sets Content-Type itself */
} ld_reqplan;

void ld_reqplan_init(ld_reqplan *p, const sc_request *r, const char *host);
void ld_reqplan_free(ld_reqplan *p);

enum ld_build_result {
    LD_BUILD_OK     = 0,
    LD_BUILD_FAILED = 1,  /* the request fails (a header value with CR/LF): a request failure */
    LD_BUILD_ERROR  = -1, /* a template could not be rendered (variable unset): a scenario error */
};

/* Renders the step: url (TPL_URL, except that a URL template that is exactly one expression, a
 * captured link, is taken as is; prefixed with `host` unless absolute; anything after '#' is
 * dropped), query (each name and rendered value percent-encoded, spaces as %20, appended with '?'
 * or '&'), headers (TPL_HEADER), and the body: form (application/x-www-form-urlencoded, spaces as
 * '+'), json (compact JSON, strings escaped) or raw. A query or form value that is exactly one
 * variable holding a list sends its field once per element (none for an empty list). Content-Type
 * is added for form and json unless the step sets one. host has no trailing '/'. */
enum ld_build_result ld_request_build(const sc_request *r, const char *host, const tpl_env *env,
                                      ld_reqbuf *b, mp_err *err);
/* The same with the step's plan (made with the same host), as the engine does for every request:
 * the result is identical. b->req.url may then point into the plan. */
enum ld_build_result ld_request_build_plan(const sc_request *r, const ld_reqplan *plan,
                                           const char *host, const tpl_env *env, ld_reqbuf *b,
                                           mp_err *err);

/* JSON string escaping: '"', '\\' and control characters (\b \f \n \r \t, others \u00XX); other
 * bytes, UTF-8 included, as they are. Appends the quoted string. */
void ld_json_quote(sb *out, const char *s, size_t len);
/* Renders an sc_json value compactly (no spaces). tmp is scratch space. */
int ld_json_render(const sc_json *j, const tpl_env *env, sb *out, sb *tmp, mp_err *err);

/* Checks a response against the step's expectations (no `expect`: status < 400). Returns 0 when it
 * passes, 1 when it fails with the message in msg ("expected status 200, got 403", "body does not
 * contain \"Welcome\"", ...), -1 when a template could not be rendered (err). */
int ld_expect_check(const sc_expect *e, int status, const char *body, size_t body_len,
                    const tpl_env *env, sb *tmp, sb *msg, mp_err *err);

#endif
