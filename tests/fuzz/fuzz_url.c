/* libFuzzer target for URL parsing and Location resolution. Checks that a parsed URL is
 * normalised (formatting and parsing again gives the same URL), that what goes into a request
 * line has no control characters or spaces, that resolving against a parsed URL works, and that
 * the shortcuts (http_url_update after another URL, an absolute Location on the base's origin)
 * give exactly what a full parse gives, errors included. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static int eq(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

static void same_url(const http_url *a, const http_url *b)
{
    if (a->https != b->https || a->ipv6 != b->ipv6 || a->host_is_ip != b->host_is_ip ||
        a->port != b->port || !eq(a->host, a->host_len, b->host, b->host_len) ||
        strlen(a->host) != a->host_len || !eq(a->origin, a->origin_len, b->origin, b->origin_len) ||
        !eq(a->target, a->target_len, b->target, b->target_len) || a->path_len != b->path_len ||
        !eq(a->input, a->input_len, b->input, b->input_len) || a->input_origin_len > a->input_len)
        abort();
}

/* update(parse(base), s) and parse(s) agree, success or failure; a second update is a no-op. */
static void check_update(const char *base, const char *s, size_t size)
{
    http_url u, v;
    mp_err e1, e2;
    if (http_url_parse(&u, base, strlen(base), &e1) < 0) abort();
    int a = http_url_update(&u, s, size, &e1);
    int b = http_url_parse(&v, s, size, &e2);
    if (a != b) abort();
    if (a == 0) {
        same_url(&u, &v);
        if (http_url_update(&u, s, size, &e1) < 0) abort();
        same_url(&u, &v);
    } else if (strcmp(e1.msg, e2.msg) != 0 || u.buf.buf) {
        abort();
    }
    http_url_free(&u);
    http_url_free(&v);
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
    /* An absolute reference resolves to what parsing it (without its fragment) gives. */
    if (size >= 6 && strncasecmp(s, "http", 4) == 0 &&
        (s[4] == ':' || ((s[4] == 's' || s[4] == 'S') && s[5] == ':'))) {
        const char *hash = memchr(s, '#', size);
        size_t n         = hash ? (size_t)(hash - s) : size;
        http_url p;
        mp_err e2;
        int a = http_url_resolve(&r, &u, s, size, &err);
        int b = http_url_parse(&p, s, n, &e2);
        if (a != b || (a < 0 && strcmp(err.msg, e2.msg) != 0)) abort();
        if (a == 0) {
            same_url(&r, &p);
            http_url_free(&r);
            http_url_free(&p);
        }
    }
    http_url_free(&u);
    static const char *const bases[] = {"https://www.example.com:8443/a/b/c?q=1",
                                        "http://www.example.com/x", "http://www.example.com:80/x",
                                        "http://127.0.0.1:8000/", "http://[::1]:81/z"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        check_update(bases[i], s, size);
    return 0;
}
