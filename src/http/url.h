/* URLs as the HTTP client needs them: absolute http(s) URLs split into the parts a request line and
 * a connection need, and RFC 3986 resolution of a redirect's Location against the URL it came from.
 * Internal to the http area. */
#ifndef MP_HTTP_URL_H
#define MP_HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/sb.h"

typedef struct http_url {
    int https;
    int ipv6;       /* host is an IPv6 literal (written without brackets in host) */
    int host_is_ip; /* IPv4 or IPv6 literal: no SNI, cookies are host-only */
    uint16_t port;  /* always set: 80/443 when the URL gave none */
    char *host;     /* lower-case */
    size_t host_len;
    char *origin;      /* "scheme://authority" normalised: lower-case host, no default port */
    size_t origin_len; /* the authority (Host header value) is origin + (https ? 8 : 7) */
    char *input;       /* the string u was parsed from, exactly as written */
    size_t input_len;
    size_t input_origin_len; /* its scheme and authority part, up to the target */
    char *target; /* origin-form request target: path (starts with '/') and query, no fragment */
    size_t target_len;
    size_t path_len; /* the path part of target, before any '?' */
    sb buf;          /* owns host, origin, input and target, in that order */
} http_url;

/* Parses an absolute http:// or https:// URL. Dot segments are removed, a fragment is dropped, and
 * spaces, quotes, angle brackets, backquotes and non-ASCII bytes are percent-encoded; control
 * characters and user credentials are refused. On failure u is left empty. */
int http_url_parse(http_url *u, const char *s, size_t len, mp_err *err);

/* http_url_parse into a u that holds a parsed URL (or is empty): when s is the string u was parsed
 * from, nothing is done; when it begins with the same scheme and authority text, only the path and
 * query are parsed again, since the rest would come out the same. A load test sends nearly every
 * request to one origin, often to the same URL, so this is the per-request path. On failure u is
 * left empty. */
int http_url_update(http_url *u, const char *s, size_t len, mp_err *err);

/* Resolves reference ref (a Location header value) against base into out (RFC 3986 section 5).
 * out must not be base. */
int http_url_resolve(http_url *out, const http_url *base, const char *ref, size_t len, mp_err *err);

/* Appends "scheme://host[:port]target" (default ports omitted). */
void http_url_format(const http_url *u, sb *out);
/* Appends the Host header value: host[:port], with IPv6 brackets. */
void http_url_authority(const http_url *u, sb *out);
/* Same scheme, host and port. */
int http_url_same_origin(const http_url *a, const http_url *b);

void http_url_free(http_url *u);

#endif
