/* A cookie jar with the RFC 6265 essentials a load generator needs to look like a browser to a
 * web framework: Domain and Path matching, host-only cookies, Expires and Max-Age (Max-Age wins),
 * Secure, replacement of a cookie with the same name/domain/path, and deletion by expiry.
 * Times are seconds since the Unix epoch, passed in so tests can move the clock.
 * Internal to the http area. */
#ifndef MP_HTTP_COOKIE_H
#define MP_HTTP_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "http/url.h"
#include "util/sb.h"

/* A jar holds at most this many cookies; storing one more evicts the least recently set. */
#define HTTP_JAR_MAX 64
/* A Set-Cookie header longer than this is ignored, as browsers do with cookies over 4 KiB. */
#define HTTP_COOKIE_MAX_BYTES 8192

typedef struct http_cookie {
    int64_t expires;  /* INT64_MAX for a session cookie */
    uint64_t created; /* order of first creation; a replacement keeps it */
    uint64_t set;     /* order of the last Set-Cookie that stored it */
    uint8_t host_only, secure, http_only;
    char *name, *value, *domain, *path; /* all point into the same allocation as the struct */
} http_cookie;

typedef struct http_jar {
    http_cookie **v;
    uint32_t n, cap;
    uint64_t clock; /* counter behind created/set */
} http_jar;

/* Applies one Set-Cookie header received in answer to a request for u. Cookies the RFC says to
 * ignore (no '=', empty name, a Domain the host does not match) are ignored silently. */
void http_jar_set(http_jar *j, const char *header, size_t len, const http_url *u, int64_t now);

/* Appends the Cookie header value for a request to u ("a=1; b=2"), longest path first, then
 * oldest first; nothing when no cookie matches. Expired cookies are dropped on the way. */
void http_jar_header(http_jar *j, const http_url *u, int64_t now, sb *out);

/* Value of the most recently set live cookie called name, whatever its domain or path. */
const char *http_jar_get(const http_jar *j, const char *name, int64_t now);

void http_jar_free(http_jar *j);

/* Parses an RFC 6265 section 5.1.1 cookie-date; returns 0 and seconds since the epoch, or -1. */
int http_cookie_date(const char *s, size_t len, int64_t *out);

#endif
