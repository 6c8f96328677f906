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

/* No control character (nor DEL) in s[0..len). */
static int no_controls(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return 0;
    }
    return 1;
}

/* Sets the pointers into buf once it has stopped growing. */
static void point(http_url *u, size_t origin_off, size_t input_off, size_t target_off)
{
    char *b       = u->buf.buf;
    u->host       = b;
    u->origin     = b + origin_off;
    u->input      = b + input_off;
    u->target     = b + target_off;
    u->target_len = u->buf.len - target_off;
}

/* Appends the request target for s[i..len), which is empty or starts with '/', '?' or '#', and
 * has no control characters: dot segments removed, fragment dropped, unsafe bytes encoded. */
static void add_target(http_url *u, const char *s, size_t i, size_t len)
{
    sb *b             = &u->buf;
    size_t target_off = b->len;
    const char *hash  = memchr(s + i, '#', len - i);
    size_t end        = hash ? (size_t)(hash - s) : len;
    const char *qm    = memchr(s + i, '?', end - i);
    size_t q          = qm ? (size_t)(qm - s) : end;
    if (q == i) {
        sb_addc(b, '/');
    } else {
        /* The usual path has nothing to encode and no dot segment: copied as it is. */
        int plain = 1;
        for (size_t k = i; k < q && plain; k++) {
            unsigned char c = (unsigned char)s[k];
            if (needs_encoding(c) || (c == '.' && s[k - 1] == '/')) plain = 0;
        }
        if (plain) {
            sb_add(b, s + i, q - i);
        } else {
            sb enc = {0};
            add_encoded(&enc, s + i, q - i);
            add_path_without_dots(b, enc.buf, enc.len);
            sb_free(&enc);
        }
    }
    u->path_len = b->len - target_off;
    add_encoded(b, s + q, end - q);
}

static void add_port(sb *b, unsigned port)
{
    char d[6];
    size_t n = sizeof d;
    do {
        d[--n] = (char)('0' + port % 10);
        port /= 10;
    } while (port);
    sb_addc(b, ':');
    sb_add(b, d + n, sizeof d - n);
}

int http_url_parse(http_url *u, const char *s, size_t len, mp_err *err)
{
    memset(u, 0, sizeof *u);
    if (!no_controls(s, len)) return url_fail(err, s, len, "control character in URL");
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

    sb *b = &u->buf;
    /* Room for host and origin at once, so that b->buf does not move while the origin is
     * written from the lower-cased host at its start. */
    sb_grow(b, 2 * host_len + 2 * auth_end + 32);
    for (size_t k = 0; k < host_len; k++)
        b->buf[k] = (char)tolower((unsigned char)host[k]);
    b->len      = host_len;
    u->host_len = host_len;
    sb_addc(b, '\0');
    size_t origin_off = b->len;
    sb_adds(b, u->https ? "https://" : "http://");
    if (u->ipv6) sb_addc(b, '[');
    sb_add(b, b->buf, host_len);
    if (u->ipv6) sb_addc(b, ']');
    if (port != (u->https ? 443u : 80u)) add_port(b, port);
    u->origin_len = b->len - origin_off;
    sb_addc(b, '\0');
    size_t input_off = b->len;
    sb_add(b, s, len);
    sb_addc(b, '\0');
    u->input_len        = len;
    u->input_origin_len = auth_end;
    size_t target_off   = b->len;
    add_target(u, s, auth_end, len);
    point(u, origin_off, input_off, target_off);
    return 0;
}

/* Length of s's scheme and authority when they are the same text as those of the string u was
 * parsed from, or as u's normalised origin: parsing s would then give u's scheme, host and port.
 * 0 otherwise. */
static size_t same_origin_prefix(const http_url *u, const char *s, size_t len)
{
    if (!u->buf.buf) return 0;
    const char *texts[2] = {u->input, u->origin};
    size_t lens[2]       = {u->input_origin_len, u->origin_len};
    for (int k = 0; k < 2; k++) {
        size_t n = lens[k];
        if (len >= n && memcmp(s, texts[k], n) == 0 &&
            (len == n || s[n] == '/' || s[n] == '?' || s[n] == '#'))
            return n;
    }
    return 0;
}

int http_url_update(http_url *u, const char *s, size_t len, mp_err *err)
{
    if (u->buf.buf && len == u->input_len && memcmp(s, u->input, len) == 0) return 0;
    size_t n = same_origin_prefix(u, s, len);
    if (!n) {
        http_url_free(u);
        return http_url_parse(u, s, len, err);
    }
    if (!no_controls(s + n, len - n)) { /* s[0..n) is known to be clean */
        http_url_free(u);
        return url_fail(err, s, len, "control character in URL");
    }
    size_t origin_off = (size_t)(u->origin - u->buf.buf);
    size_t input_off  = (size_t)(u->input - u->buf.buf);
    sb_truncate(&u->buf, input_off);
    sb_add(&u->buf, s, len);
    sb_addc(&u->buf, '\0');
    u->input_len        = len;
    u->input_origin_len = n;
    size_t target_off   = u->buf.len;
    add_target(u, s, n, len);
    point(u, origin_off, input_off, target_off);
    return 0;
}

/* Parses s, whose first n bytes are base's origin (same_origin_prefix), into out: base's scheme,
 * host and port, and the target parsed from s. */
static int parse_with_origin(http_url *out, const http_url *base, const char *s, size_t len,
                             size_t n, mp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!no_controls(s, len)) return url_fail(err, s, len, "control character in URL");
    out->https            = base->https;
    out->ipv6             = base->ipv6;
    out->host_is_ip       = base->host_is_ip;
    out->port             = base->port;
    out->host_len         = base->host_len;
    out->origin_len       = base->origin_len;
    out->input_origin_len = n;
    out->input_len        = len;
    sb *b                 = &out->buf;
    sb_grow(b, base->host_len + base->origin_len + 2 * len + 8);
    sb_add(b, base->host, base->host_len + 1);
    sb_add(b, base->origin, base->origin_len + 1);
    sb_add(b, s, len);
    sb_addc(b, '\0');
    size_t target_off = b->len;
    add_target(out, s, n, len);
    point(out, base->host_len + 1, base->host_len + base->origin_len + 2, target_off);
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
    if (has_scheme(ref, len)) {
        /* Servers often redirect to an absolute URL on the same origin. */
        size_t n = same_origin_prefix(base, ref, len);
        return n ? parse_with_origin(out, base, ref, len, n, err)
                 : http_url_parse(out, ref, len, err);
    }

    sb abs = {0};
    if (len >= 2 && ref[0] == '/' && ref[1] == '/') {
        sb_adds(&abs, base->https ? "https:" : "http:");
        sb_add(&abs, ref, len);
        int rc = http_url_parse(out, abs.buf, abs.len, err);
        sb_free(&abs);
        return rc;
    }
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
    /* Same origin as base, written as base's normalised origin. */
    int rc = parse_with_origin(out, base, abs.buf, abs.len, base->origin_len, err);
    sb_free(&abs);
    return rc;
}

void http_url_authority(const http_url *u, sb *out)
{
    size_t skip = u->https ? 8 : 7;
    sb_add(out, u->origin + skip, u->origin_len - skip);
}

void http_url_format(const http_url *u, sb *out)
{
    sb_grow(out, u->origin_len + u->target_len);
    sb_add(out, u->origin, u->origin_len);
    sb_add(out, u->target, u->target_len);
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
