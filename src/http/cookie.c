#include "http/cookie.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

static int is_delim(unsigned char c)
{
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/* Reads 1..max digits at s (n bytes); the token may go on only with a non-digit. Returns the
 * number of digits taken, or 0 when the token does not fit. */
static size_t digits(const char *s, size_t n, size_t min, size_t max, int *value)
{
    size_t i = 0;
    int v    = 0;
    while (i < n && i < max && isdigit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i < min || (i < n && isdigit((unsigned char)s[i]))) return 0;
    *value = v;
    return i;
}

static int time_token(const char *s, size_t n, int *h, int *m, int *sec)
{
    size_t a = digits(s, n, 1, 2, h);
    if (!a || a >= n || s[a] != ':') return 0;
    size_t b = digits(s + a + 1, n - a - 1, 1, 2, m);
    if (!b || a + 1 + b >= n || s[a + 1 + b] != ':') return 0;
    size_t c = digits(s + a + b + 2, n - a - b - 2, 1, 2, sec);
    return c != 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return days[m - 1];
}

int http_cookie_date(const char *s, size_t len, int64_t *out)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    int have_time = 0, have_day = 0, have_month = 0, have_year = 0;
    int h = 0, mi = 0, sec = 0, day = 0, month = 0, year = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_delim((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < len && !is_delim((unsigned char)s[i]))
            i++;
        const char *tok = s + start;
        size_t n        = i - start;
        if (n == 0) continue;
        int v;
        if (!have_time && time_token(tok, n, &h, &mi, &sec)) {
            have_time = 1;
        } else if (!have_day && digits(tok, n, 1, 2, &v)) {
            have_day = 1;
            day      = v;
        } else if (!have_month && n >= 3) {
            for (int k = 0; k < 12; k++) {
                if (strncasecmp(tok, months + 3 * k, 3) == 0) {
                    have_month = 1;
                    month      = k + 1;
                    break;
                }
            }
            if (!have_month && !have_year && digits(tok, n, 2, 4, &v)) {
                have_year = 1;
                year      = v;
            }
        } else if (!have_year && digits(tok, n, 2, 4, &v)) {
            have_year = 1;
            year      = v;
        }
    }
    if (!have_time || !have_day || !have_month || !have_year) return -1;
    if (year >= 70 && year <= 99) year += 1900;
    if (year >= 0 && year <= 69) year += 2000;
    if (year < 1601 || day < 1 || day > days_in_month(year, month) || h > 23 || mi > 59 || sec > 59)
        return -1;
    *out = days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

static void trim(const char **a, const char **b)
{
    while (*a < *b && (**a == ' ' || **a == '\t'))
        (*a)++;
    while (*b > *a && ((*b)[-1] == ' ' || (*b)[-1] == '\t'))
        (*b)--;
}

/* RFC 6265 5.1.3. */
static int domain_match(const char *host, int host_is_ip, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);
    if (h == d) return memcmp(host, domain, h) == 0;
    return !host_is_ip && h > d && host[h - d - 1] == '.' && memcmp(host + h - d, domain, d) == 0;
}

/* RFC 6265 5.1.4. */
static int path_match(const char *req, size_t req_len, const char *path)
{
    size_t n = strlen(path);
    if (n > req_len || memcmp(req, path, n) != 0) return 0;
    return n == req_len || path[n - 1] == '/' || req[n] == '/';
}

static uint64_t load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

/* A control character other than tab, or DEL, in s[0..n). Eight bytes at a time first: with
 * ones = 0x01.. and highs = 0x80.., (v - 0x20 * ones) & ~v & highs is non-zero exactly when some
 * byte of v is below 0x20, and v ^ 0x7f.. turns DEL into a zero byte; a hit (perhaps only a tab)
 * is then judged byte by byte. */
static int has_control(const char *s, size_t n)
{
    if (n >= 8) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t hit = 0, v, w;
        for (size_t i = 0; i + 8 < n; i += 8) {
            v = load8(s + i);
            w = v ^ (ones * 0x7f);
            hit |= ((v - ones * 0x20) & ~v & highs) | ((w - ones) & ~w & highs);
        }
        v = load8(s + n - 8);
        w = v ^ (ones * 0x7f);
        hit |= ((v - ones * 0x20) & ~v & highs) | ((w - ones) & ~w & highs);
        if (!hit) return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return 1;
    }
    return 0;
}

static void drop(http_jar *j, uint32_t i)
{
    free(j->v[i]);
    j->v[i] = j->v[--j->n];
}

void http_jar_set(http_jar *j, const char *header, size_t len, const http_url *u, int64_t now)
{
    if (len > HTTP_COOKIE_MAX_BYTES) return;
    /* Control characters would end up in a Cookie request header (RFC 6265bis 5.6 step 2). */
    if (has_control(header, len)) return;
    const char *end    = header + len;
    const char *semi   = memchr(header, ';', len);
    const char *nv_end = semi ? semi : end;
    const char *eq     = memchr(header, '=', (size_t)(nv_end - header));
    if (!eq) return;
    const char *na = header, *nb = eq, *va = eq + 1, *vb = nv_end;
    trim(&na, &nb);
    trim(&va, &vb);
    if (na == nb) return;

    int64_t expires  = INT64_MAX;
    int have_max_age = 0, secure = 0, http_only = 0;
    const char *da = NULL, *db = NULL, *pa = NULL, *pb = NULL;
    const char *a = semi;
    while (a && a < end) {
        a++; /* past ';' */
        const char *next = memchr(a, ';', (size_t)(end - a));
        const char *aend = next ? next : end;
        const char *aeq  = memchr(a, '=', (size_t)(aend - a));
        const char *kn = a, *kb = aeq ? aeq : aend;
        const char *xa = aeq ? aeq + 1 : aend, *xb = aend;
        trim(&kn, &kb);
        trim(&xa, &xb);
        size_t klen = (size_t)(kb - kn);
        if (klen == 7 && strncasecmp(kn, "expires", 7) == 0) {
            int64_t t;
            if (!have_max_age && http_cookie_date(xa, (size_t)(xb - xa), &t) == 0) expires = t;
        } else if (klen == 7 && strncasecmp(kn, "max-age", 7) == 0) {
            const char *q = xa;
            int neg       = q < xb && *q == '-';
            if (neg) q++;
            int ok        = q < xb;
            int64_t delta = 0;
            for (; q < xb && ok; q++) {
                if (!isdigit((unsigned char)*q))
                    ok = 0;
                else if (delta < (int64_t)1 << 40)
                    delta = delta * 10 + (*q - '0');
            }
            if (ok) {
                have_max_age = 1;
                expires      = (neg || delta == 0) ? INT64_MIN : now + delta;
            }
        } else if (klen == 6 && strncasecmp(kn, "domain", 6) == 0) {
            if (xa < xb && *xa == '.') xa++;
            if (xa < xb) {
                da = xa;
                db = xb;
            }
        } else if (klen == 4 && strncasecmp(kn, "path", 4) == 0) {
            if (xa < xb && *xa == '/') {
                pa = xa;
                pb = xb;
            } else {
                pa = pb = NULL; /* a later invalid Path means the default path */
            }
        } else if (klen == 6 && strncasecmp(kn, "secure", 6) == 0) {
            secure = 1;
        } else if (klen == 8 && strncasecmp(kn, "httponly", 8) == 0) {
            http_only = 1;
        }
        a = next;
    }

    /* Domain, lower-cased; host-only when the attribute is absent. */
    char domain[256];
    int host_only = 1;
    if (da) {
        size_t dl = (size_t)(db - da);
        if (dl >= sizeof domain) return;
        for (size_t i = 0; i < dl; i++)
            domain[i] = (char)tolower((unsigned char)da[i]);
        domain[dl] = '\0';
        if (!domain_match(u->host, u->host_is_ip, domain)) return;
        host_only = 0;
    } else {
        size_t hl = strlen(u->host);
        if (hl >= sizeof domain) return;
        memcpy(domain, u->host, hl + 1);
    }
    /* Default path: the request path up to, not including, its last '/'. */
    if (!pa) {
        const char *path = u->target;
        size_t n         = u->path_len;
        while (n > 0 && path[n - 1] != '/')
            n--;
        if (n > 1) n--; /* drop the last '/' unless it is the only one */
        pa = path;
        pb = path + (n ? n : 1);
    }

    size_t nl = (size_t)(nb - na), vl = (size_t)(vb - va), dl = strlen(domain),
           pl        = (size_t)(pb - pa);
    uint64_t created = ++j->clock;
    for (uint32_t i = 0; i < j->n; i++) {
        http_cookie *c = j->v[i];
        if (strlen(c->name) == nl && memcmp(c->name, na, nl) == 0 &&
            strcmp(c->domain, domain) == 0 && strlen(c->path) == pl &&
            memcmp(c->path, pa, pl) == 0) {
            if (expires > now && strlen(c->value) == vl && memcmp(c->value, va, vl) == 0) {
                /* Set again with the same value, as servers do on every response: updated in
                 * place (the jar's order of cookies means nothing; `created` and `set` do). */
                c->expires   = expires;
                c->set       = ++j->clock;
                c->host_only = (uint8_t)host_only;
                c->secure    = (uint8_t)secure;
                c->http_only = (uint8_t)http_only;
                return;
            }
            created = c->created;
            drop(j, i);
            break;
        }
    }
    if (expires <= now) return; /* a deletion, or already stale */

    if (j->n == HTTP_JAR_MAX) {
        for (uint32_t i = 0; i < j->n;)
            if (j->v[i]->expires <= now)
                drop(j, i);
            else
                i++;
    }
    if (j->n == HTTP_JAR_MAX) {
        uint32_t oldest = 0;
        for (uint32_t i = 1; i < j->n; i++)
            if (j->v[i]->set < j->v[oldest]->set) oldest = i;
        drop(j, oldest);
    }
    http_cookie *c = xmalloc(sizeof *c + nl + vl + dl + pl + 4);
    char *p        = (char *)(c + 1);
    c->name        = p;
    memcpy(p, na, nl);
    p += nl;
    *p++     = '\0';
    c->value = p;
    memcpy(p, va, vl);
    p += vl;
    *p++      = '\0';
    c->domain = p;
    memcpy(p, domain, dl + 1);
    p += dl + 1;
    c->path = p;
    memcpy(p, pa, pl);
    p[pl]        = '\0';
    c->expires   = expires;
    c->created   = created;
    c->set       = ++j->clock;
    c->host_only = (uint8_t)host_only;
    c->secure    = (uint8_t)secure;
    c->http_only = (uint8_t)http_only;
    if (j->n == j->cap) {
        size_t cap = j->cap;
        XGROW(j->v, (size_t)j->n + 1, cap);
        j->cap = (uint32_t)cap;
    }
    j->v[j->n++] = c;
}

static int by_path_then_age(const void *a, const void *b)
{
    const http_cookie *x = *(http_cookie *const *)a, *y = *(http_cookie *const *)b;
    size_t lx = strlen(x->path), ly = strlen(y->path);
    if (lx != ly) return lx > ly ? -1 : 1;
    return x->created < y->created ? -1 : x->created > y->created;
}

void http_jar_header(http_jar *j, const http_url *u, int64_t now, sb *out)
{
    http_cookie *match[HTTP_JAR_MAX];
    size_t m = 0;
    for (uint32_t i = 0; i < j->n;) {
        http_cookie *c = j->v[i];
        if (c->expires <= now) {
            drop(j, i);
            continue;
        }
        i++;
        if (c->host_only ? strcmp(u->host, c->domain) != 0
                         : !domain_match(u->host, u->host_is_ip, c->domain))
            continue;
        if (!path_match(u->target, u->path_len, c->path)) continue;
        if (c->secure && !u->https) continue;
        match[m++] = c;
    }
    if (m > 1) qsort(match, m, sizeof match[0], by_path_then_age);
    for (size_t i = 0; i < m; i++) {
        size_t nl = strlen(match[i]->name), vl = strlen(match[i]->value);
        sb_grow(out, nl + vl + 3);
        char *d = out->buf + out->len;
        if (i) {
            memcpy(d, "; ", 2);
            d += 2;
        }
        memcpy(d, match[i]->name, nl);
        d[nl] = '=';
        memcpy(d + nl + 1, match[i]->value, vl);
        out->len           = (size_t)(d + nl + 1 + vl - out->buf);
        out->buf[out->len] = '\0';
    }
}

const char *http_jar_get(const http_jar *j, const char *name, int64_t now)
{
    const http_cookie *best = NULL;
    for (uint32_t i = 0; i < j->n; i++) {
        const http_cookie *c = j->v[i];
        if (c->expires > now && strcmp(c->name, name) == 0 && (!best || c->set > best->set))
            best = c;
    }
    return best ? best->value : NULL;
}

void http_jar_free(http_jar *j)
{
    for (uint32_t i = 0; i < j->n; i++)
        free(j->v[i]);
    free(j->v);
    memset(j, 0, sizeof *j);
}
