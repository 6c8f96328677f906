/* The HTTP client the load engine drives: asynchronous on a libuv loop, one client per worker
 * thread, one session per virtual user. A session is what a browser tab is to a user: its own
 * cookie jar and its own keep-alive connection(s). The implementation behind this header may be
 * a hand-written HTTP/1.1 client (docs/http.md says why not libcurl); the engine must not care.
 *
 * Threading: a client and its sessions belong to the thread running their loop; nothing here is
 * called from another thread. */
#ifndef MP_HTTP_HTTP_H
#define MP_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "util/err.h"

typedef struct http_client http_client;
typedef struct http_session http_session;

typedef struct http_client_opts {
    size_t max_body; /* bodies larger than this are counted but not kept (0: 16 MiB) */
} http_client_opts;

http_client *http_client_new(uv_loop_t *loop, const http_client_opts *opts, mp_err *err);
/* All sessions must have been freed. Like every libuv handle owner, the client and its
 * connections are released by close callbacks: run the loop (uv_run) once more after this, before
 * uv_loop_close. */
void http_client_free(http_client *c);

http_session *http_session_new(http_client *c);
/* Closes the session's connections. If a request is in flight it is cancelled first (its callback
 * runs with error "cancelled" before this returns or on the next loop turn -- see http_send). */
void http_session_free(http_session *s);

typedef struct http_header {
    const char *name;
    const char *value;
} http_header;

typedef struct http_request {
    const char *method; /* "GET", "POST", any token */
    const char *url;    /* absolute http:// or https:// URL */
    const http_header *headers;
    size_t nheaders;
    const char *body; /* may be NULL */
    size_t body_len;
    double timeout_s;     /* whole exchange including redirects; <= 0 means none */
    int follow_redirects; /* 301/302/303/307/308, up to 10 hops; 303 (and 301/302 after POST) become
                             GET */
    int tls_verify;       /* verify certificate and host name for https */
} http_request;

typedef struct http_response {
    int status; /* final status; 0 when error is set */
    const char
        *error; /* NULL, or a transport error: "connection refused", "timeout after 30s", ... */
    const char
        *body; /* decoded (gzip/deflate removed), NUL-terminated; valid only in the callback */
    size_t body_len;
    const char *url; /* final URL after redirects */
    int redirects;
    uint64_t bytes_received; /* on the wire, headers included, summed over redirect hops */
    uint64_t body_size;      /* decoded body length, including bytes beyond max_body that were not
                                kept (body_len counts only the kept bytes) */
} http_response;

/* Last value of a response header (case-insensitive name), or NULL. Only during the callback, and
 * only with the pointer the callback received (it finds the session from it). NULL when error is
 * set. */
const char *http_response_header(const http_response *r, const char *name);

/* Called exactly once per http_send, on the loop thread, never from inside http_send itself. */
typedef void (*http_done_cb)(http_session *s, const http_response *r, void *arg);

/* Starts a request. Everything in req is copied, so the caller may reuse its buffers at once.
 * One request per session at a time: returns -1 with a message if one is already in flight or
 * the URL is malformed (then cb is not called). Cookies from the session's jar are sent and
 * Set-Cookie answers (including those on redirect hops) update it; Accept-Encoding: gzip is sent
 * unless the request sets it. */
int http_send(http_session *s, const http_request *req, http_done_cb cb, void *arg, mp_err *err);

/* Value of cookie `name` in the session's jar (any domain/path; the most recently set wins), or
 * NULL. */
const char *http_session_cookie(const http_session *s, const char *name);

#endif
