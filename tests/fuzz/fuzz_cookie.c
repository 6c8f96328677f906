/* libFuzzer target for the cookie jar: Set-Cookie parsing (attributes, cookie-dates, domains,
 * paths) and Cookie header generation. Input: the first line is the request URL after "http://"
 * (or "https://" when the line starts with 's'), each further line one Set-Cookie value. Checks
 * that nothing the jar emits could break a request header and that limits hold. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"
#include "util/sb.h"

#define NOW 1700000000

static void check_header(const sb *h)
{
    for (size_t i = 0; i < h->len; i++) {
        unsigned char c = (unsigned char)h->buf[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s         = (const char *)data;
    const char *end       = s + size;
    const char *nl        = memchr(s, '\n', size);
    const char *first_end = nl ? nl : end;

    sb u      = {0};
    int https = first_end > s && s[0] == 's';
    sb_adds(&u, https ? "https://" : "http://");
    sb_add(&u, s + https, (size_t)(first_end - s - https));
    http_url url;
    mp_err err;
    if (http_url_parse(&url, u.buf, u.len, &err) < 0) {
        const char *fallback = "http://www.example.com/a/b/c";
        if (http_url_parse(&url, fallback, strlen(fallback), &err) < 0) abort();
    }
    sb_free(&u);

    http_jar jar = {0};
    int64_t now  = NOW;
    for (const char *line = nl ? nl + 1 : end; line < end;) {
        const char *e = memchr(line, '\n', (size_t)(end - line));
        if (!e) e = end;
        int64_t t;
        if (http_cookie_date(line, (size_t)(e - line), &t) == 0 && (t < -11644473600 || t > 1e12))
            abort(); /* years 1601..9999 only */
        http_jar_set(&jar, line, (size_t)(e - line), &url, now);
        if (jar.n > HTTP_JAR_MAX) abort();
        now += 7;
        line = e + 1;
    }
    for (uint32_t i = 0; i < jar.n; i++) {
        const http_cookie *c = jar.v[i];
        if (!c->name[0] || c->path[0] != '/' || !c->domain[0]) abort();
        if (http_jar_get(&jar, c->name, now) == NULL && c->expires > now) abort();
    }
    sb h = {0};
    http_jar_header(&jar, &url, now, &h);
    check_header(&h);
    sb_reset(&h);
    http_jar_header(&jar, &url, INT64_MAX - 1, &h);
    if (h.len != 0 || jar.n != 0) {
        /* Only session cookies survive the end of time. */
        for (uint32_t i = 0; i < jar.n; i++)
            if (jar.v[i]->expires != INT64_MAX) abort();
    }
    sb_free(&h);
    http_jar_free(&jar);
    http_url_free(&url);
    return 0;
}
