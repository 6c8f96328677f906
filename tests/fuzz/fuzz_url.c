/* libFuzzer target for URL parsing and Location resolution. Checks that a parsed URL is
 * normalised (formatting and parsing again gives the same URL), that what goes into a request
 * line has no control characters or spaces, and that resolving against a parsed URL works. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/url.h"
#include "util/sb.h"

static void check(const http_url *u)
{
    if (!u->host[0] || u->target[0] != '/' || u->path_len > strlen(u->target)) abort();
    for (const char *p = u->target; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) abort();
    sb a = {0};
    http_url_format(u, &a);
    http_url again;
    mp_err err;
    if (http_url_parse(&again, a.buf, a.len, &err) < 0) abort();
    sb b = {0};
    http_url_format(&again, &b);
    if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) abort();
    if (!http_url_same_origin(u, &again)) abort();
    sb_free(&a);
    sb_free(&b);
    http_url_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    http_url u, r;
    mp_err err;
    if (http_url_parse(&u, s, size, &err) == 0) {
        check(&u);
        if (http_url_resolve(&r, &u, "../x?y#z", 8, &err) < 0) abort();
        check(&r);
        http_url_free(&r);
        http_url_free(&u);
    }
    const char *base = "https://www.example.com:8443/a/b/c?q=1";
    if (http_url_parse(&u, base, strlen(base), &err) < 0) abort();
    if (http_url_resolve(&r, &u, s, size, &err) == 0) {
        check(&r);
        http_url_free(&r);
    }
    http_url_free(&u);
    return 0;
}
