#include "http/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Quotes untrusted text for an error message: at most 120 bytes, non-printables as \xNN, so a URL
 * carrying CR/LF cannot break a log line. */
static void quote(sb *out, const char *s, size_t len)
{
    size_t n = len > 120 ? 120 : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '\\')
            sb_addf(out, "\\x%02x", c);
        else
            sb_addc(out, (char)c);
    }
    if (len > n) sb_adds(out, "...");
}

static int url_fail(mp_err *err, const char *s, size_t len, const char *why)
{
    sb q = {0};
    quote(&q, s, len);
    mp_fail(err, "invalid URL '%s': %s", sb_str(&q), why);
    sb_free(&q);
    return -1;
}

/* Bytes a browser would percent-encode in a path or query rather than send raw. */
static int needs_encoding(unsigned char c)
{
    return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`' || c >= 0x80;
}

static void add_encoded(sb *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run              = 0; /* start of the bytes copied as they are */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_encoding(c)) continue;
        sb_add(out, s + run, i - run);
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        sb_add(out, e, 3);
        run = i + 1;
    }
    sb_add(out, s + run, len - run);
}

/* RFC 3986 5.2.4 for a path that starts with '/': "." segments vanish, ".." removes the segment
 * before it, and a path ending in either keeps its trailing slash. */
static void add_path_without_dots(sb *out, const char *path, size_t len)
{
    size_t base = out->len;
    size_t i    = 1; /* path[0] == '/' */
    for (;;) {
        const char *slash = memchr(path + i, '/', len - i);
        size_t end        = slash ? (size_t)(slash - path) : len;
        const char *seg   = path + i;
        size_t seglen     = end - i;
        int last          = slash == NULL;
        if (seglen == 1 && seg[0] == '.') {
            if (last) sb_addc(out, '/');
        } else if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
            size_t k = out->len;
            while (k > base && out->buf[k - 1] != '/')
                k--;
            if (k > base) k--; /* the '/' that began the removed segment */
            sb_truncate(out, k);
            if (last) sb_addc(out, '/');
        } else {
            sb_addc(out, '/');
            sb_add(out, seg, seglen);
        }
        if (last) break;
        i = end + 1;
    }
    if (out->len == base) sb_addc(out, '/');
}

static int host_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_';
}

int http_url_parse(http_url *u, const char *s, size_t len, mp_err *err)
{
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return url_fail(err, s, len, "control character in URL");
    }
    size_t i;
    if (len >= 7 && strncasecmp(s, "http://", 7) == 0) {
        i = 7;
    } else if (len >= 8 && strncasecmp(s, "https://", 8) == 0) {
        u->https = 1;
        i        = 8;
    } else {
        return url_fail(err, s, len, "expected an absolute http:// or https:// URL");
    }
    size_t auth = i;
    while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    size_t auth_end = i;
    if (memchr(s + auth, '@', auth_end - auth))
        return url_fail(err, s, len, "user credentials in URLs are not supported");

    const char *host;
    size_t host_len;
    size_t p = auth;
    if (p < auth_end && s[p] == '[') {
        const char *close = memchr(s + p, ']', auth_end - p);
        if (!close) return url_fail(err, s, len, "missing ']' after IPv6 address");
        host     = s + p + 1;
        host_len = (size_t)(close - host);
        char tmp[64];
        struct in6_addr a6;
        if (host_len == 0 || host_len >= sizeof tmp)
            return url_fail(err, s, len, "invalid IPv6 address");
        memcpy(tmp, host, host_len);
        tmp[host_len] = '\0';
        if (inet_pton(AF_INET6, tmp, &a6) != 1)
            return url_fail(err, s, len, "invalid IPv6 address");
        u->ipv6 = u->host_is_ip = 1;
        p                       = (size_t)(close - s) + 1;
        if (p < auth_end && s[p] != ':')
            return url_fail(err, s, len, "unexpected character after IPv6 address");
    } else {
        host = s + p;
        while (p < auth_end && s[p] != ':')
            p++;
        host_len = (size_t)(s + p - host);
        if (host_len == 0) return url_fail(err, s, len, "missing host");
        if (host_len > 253) return url_fail(err, s, len, "host name longer than 253 characters");
        for (size_t k = 0; k < host_len; k++)
            if (!host_char((unsigned char)host[k]))
                return url_fail(err, s, len, "invalid character in host name");
        char tmp[256];
        struct in_addr a4;
        memcpy(tmp, host, host_len);
        tmp[host_len] = '\0';
        if (inet_pton(AF_INET, tmp, &a4) == 1) u->host_is_ip = 1;
    }
    unsigned port = u->https ? 443 : 80;
    if (p < auth_end) { /* s[p] == ':' */
        p++;
        if (p < auth_end) {
            port = 0;
            for (; p < auth_end; p++) {
                if (!isdigit((unsigned char)s[p]))
                    return url_fail(err, s, len, "port is not a number");
                port = port * 10 + (unsigned)(s[p] - '0');
                if (port > 65535) return url_fail(err, s, len, "port out of range 1-65535");
            }
            if (port == 0) return url_fail(err, s, len, "port out of range 1-65535");
        }
    }
    u->port = (uint16_t)port;

    /* Path and query, without the fragment. */
    size_t end = i;
    while (end < len && s[end] != '#')
        end++;
    size_t q = i;
    while (q < end && s[q] != '?')
        q++;

    sb *b = &u->buf;
    for (size_t k = 0; k < host_len; k++)
        sb_addc(b, (char)tolower((unsigned char)host[k]));
    sb_addc(b, '\0');
    size_t target_off = b->len;
    if (q == i) {
        sb_addc(b, '/');
    } else {
        sb enc = {0};
        add_encoded(&enc, s + i, q - i);
        add_path_without_dots(b, enc.buf, enc.len);
        sb_free(&enc);
    }
    u->path_len = b->len - target_off;
    add_encoded(b, s + q, end - q);
    u->host   = b->buf;
    u->target = b->buf + target_off;
    return 0;
}

static int has_scheme(const char *ref, size_t len)
{
    if (len == 0 || !isalpha((unsigned char)ref[0])) return 0;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (c == ':') return 1;
        if (!isalnum(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

int http_url_resolve(http_url *out, const http_url *base, const char *ref, size_t len, mp_err *err)
{
    const char *hash = memchr(ref, '#', len);
    if (hash) len = (size_t)(hash - ref);
    if (has_scheme(ref, len)) return http_url_parse(out, ref, len, err);

    sb abs = {0};
    if (len >= 2 && ref[0] == '/' && ref[1] == '/') {
        sb_adds(&abs, base->https ? "https:" : "http:");
        sb_add(&abs, ref, len);
    } else {
        sb_adds(&abs, base->https ? "https://" : "http://");
        http_url_authority(base, &abs);
        if (len == 0) {
            sb_adds(&abs, base->target);
        } else if (ref[0] == '?') {
            sb_add(&abs, base->target, base->path_len);
            sb_add(&abs, ref, len);
        } else if (ref[0] == '/') {
            sb_add(&abs, ref, len);
        } else {
            /* Merge: the base path up to its last '/', then the reference. */
            const char *path = base->target;
            size_t dir       = base->path_len;
            while (dir > 0 && path[dir - 1] != '/')
                dir--;
            sb_add(&abs, path, dir);
            sb_add(&abs, ref, len);
        }
    }
    int rc = http_url_parse(out, abs.buf, abs.len, err);
    sb_free(&abs);
    return rc;
}

void http_url_authority(const http_url *u, sb *out)
{
    if (u->ipv6) {
        sb_addc(out, '[');
        sb_adds(out, u->host);
        sb_addc(out, ']');
    } else {
        sb_adds(out, u->host);
    }
    if (u->port != (u->https ? 443 : 80)) sb_addf(out, ":%u", (unsigned)u->port);
}

void http_url_format(const http_url *u, sb *out)
{
    sb_adds(out, u->https ? "https://" : "http://");
    http_url_authority(u, out);
    sb_adds(out, u->target);
}

int http_url_same_origin(const http_url *a, const http_url *b)
{
    return a->https == b->https && a->port == b->port && strcmp(a->host, b->host) == 0;
}

void http_url_free(http_url *u)
{
    sb_free(&u->buf);
    memset(u, 0, sizeof *u);
}
