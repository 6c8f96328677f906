#include "http/parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/mem.h"

/* A chunk-size line with extensions, or the CRLF after chunk data, is never longer than this in
 * any real server's output. */
#define MAX_CHUNK_LINE 4096

void http_parser_reset(http_parser *p, int head)
{
    p->state        = HP_STATUS;
    p->head         = (uint8_t)(head != 0);
    p->keep_alive   = 0;
    p->chunked      = 0;
    p->status       = 0;
    p->minor        = 0;
    p->header_bytes = 0;
    p->remaining    = 0;
    /* sb_reset, without two calls per response */
    p->line.len    = 0;
    p->headers.len = 0;
    if (p->line.buf) p->line.buf[0] = '\0';
    if (p->headers.buf) p->headers.buf[0] = '\0';
    p->nhdr = 0;
    memset(p->last, 0, sizeof p->last);
}

void http_parser_free(http_parser *p)
{
    sb_free(&p->line);
    sb_free(&p->headers);
    free(p->hdr);
    p->hdr  = NULL;
    p->nhdr = p->cap_hdr = 0;
    memset(p->last, 0, sizeof p->last);
}

void http_parser_trim(http_parser *p, size_t keep)
{
    if (p->line.cap > keep) sb_free(&p->line);
    if (p->headers.cap > keep || p->cap_hdr * sizeof *p->hdr > keep) {
        sb_free(&p->headers);
        free(p->hdr);
        p->hdr  = NULL;
        p->nhdr = p->cap_hdr = 0;
        memset(p->last, 0, sizeof p->last);
    }
}

static void quote_line(sb *q, const char *s, size_t len)
{
    size_t n = len > 80 ? 80 : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '\\')
            sb_addf(q, "\\x%02x", c);
        else
            sb_addc(q, (char)c);
    }
    if (len > n) sb_adds(q, "...");
}

static int fail_line(http_parser *p, mp_err *err, const char *what, const char *s, size_t len)
{
    sb q = {0};
    quote_line(&q, s, len);
    p->state = HP_ERROR;
    mp_fail(err, "%s '%s'", what, sb_str(&q));
    sb_free(&q);
    return -1;
}

static int fail(http_parser *p, mp_err *err, const char *msg)
{
    p->state = HP_ERROR;
    return mp_fail(err, "%s", msg);
}

/* RFC 9110 tchar (letters, digits and !#$%&'*+-.^_`|~), one lookup per byte of a header name;
 * bytes from 0x80 are not tokens. */
static const uint8_t tchar_table[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, /* 0x70 */
};

static int is_tchar(unsigned char c)
{
    return tchar_table[c];
}

int http_is_token(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i])) return 0;
    return 1;
}

static uint64_t load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

/* A token of n >= 8 bytes equals lower (lower-case letters and '-') ignoring case: eight bytes at
 * a time, the last eight overlapping. Or-ing 0x20 into each byte lower-cases letters and leaves
 * '-' alone; among token bytes only a letter's two cases give a lower-case letter, and only '-'
 * gives '-', so the comparison is exact for tokens. */
static int token_eq_lower(const char *s, const char *lower, size_t n)
{
    const uint64_t lc = 0x2020202020202020ull;
    for (size_t i = 0; i + 8 < n; i += 8)
        if ((load8(s + i) | lc) != load8(lower + i)) return 0;
    return (load8(s + n - 8) | lc) == load8(lower + n - 8);
}

/* http_hdr_classify for a name already known to be a token. */
static enum http_hdr_id classify_token(const char *name, size_t len)
{
    switch (len) {
    case 8:
        return token_eq_lower(name, "location", 8) ? HH_LOCATION : HH_OTHER;
    case 10:
        if (token_eq_lower(name, "connection", 10)) return HH_CONNECTION;
        return token_eq_lower(name, "set-cookie", 10) ? HH_SET_COOKIE : HH_OTHER;
    case 14:
        return token_eq_lower(name, "content-length", 14) ? HH_CONTENT_LENGTH : HH_OTHER;
    case 16:
        return token_eq_lower(name, "content-encoding", 16) ? HH_CONTENT_ENCODING : HH_OTHER;
    case 17:
        return token_eq_lower(name, "transfer-encoding", 17) ? HH_TRANSFER_ENCODING : HH_OTHER;
    default:
        return HH_OTHER;
    }
}

enum http_hdr_id http_hdr_classify(const char *name, size_t len)
{
    /* Anything else is no header name at all, so none the parser stored. */
    return http_is_token(name, len) ? classify_token(name, len) : HH_OTHER;
}

/* Whether s[0..n) holds a NUL or a CR, eight bytes at a time: (v - 0x01..) & ~v & 0x80.. is
 * non-zero exactly when some byte of v is zero, and v ^ 0x0d.. turns CRs into zeros. */
static int has_nul_or_cr(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t crs = ones * '\r';
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\0' || s[i] == '\r') return 1;
        return 0;
    }
    uint64_t hit = 0, v, w;
    for (size_t i = 0; i + 8 < n; i += 8) {
        v = load8(s + i);
        w = v ^ crs;
        hit |= ((v - ones) & ~v & highs) | ((w - ones) & ~w & highs);
    }
    v = load8(s + n - 8); /* the last eight bytes, overlapping the loop's */
    w = v ^ crs;
    hit |= ((v - ones) & ~v & highs) | ((w - ones) & ~w & highs);
    return hit != 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Calls fn for each comma-separated element of value, trimmed; stops early when fn returns
 * non-zero and returns that. */
static int each_token(const char *value, size_t len,
                      int (*fn)(const char *tok, size_t len, void *arg), void *arg)
{
    const char *s = value, *stop = value + len;
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(stop - s));
        const char *end   = comma ? comma : stop;
        const char *a = s, *b = end;
        while (a < b && is_ows(*a))
            a++;
        while (b > a && is_ows(b[-1]))
            b--;
        int r = fn(a, (size_t)(b - a), arg);
        if (r) return r;
        if (!comma) return 0;
        s = comma + 1;
    }
}

/* A piece of a header value equals lower (a lower-case word of letters and '-') ignoring ASCII
 * case, both n bytes. Or-ing 0x20 lower-cases a letter; besides a letter's two cases only CR,
 * which no stored header value holds, would turn into a lower-case letter or '-'. */
static int word_eq(const char *s, const char *lower, size_t n)
{
    if (n >= 8) {
        const uint64_t lc = 0x2020202020202020ull;
        for (size_t i = 0; i + 8 < n; i += 8)
            if ((load8(s + i) | lc) != load8(lower + i)) return 0;
        return (load8(s + n - 8) | lc) == load8(lower + n - 8);
    }
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] | 0x20) != (unsigned char)lower[i]) return 0;
    return 1;
}

struct conn_tokens {
    int close, keep_alive;
};

static int connection_token(const char *tok, size_t len, void *arg)
{
    struct conn_tokens *t = arg;
    if (len == 5 && word_eq(tok, "close", 5)) t->close = 1;
    if (len == 10 && word_eq(tok, "keep-alive", 10)) t->keep_alive = 1;
    return 0;
}

struct length {
    int seen;
    uint64_t value;
};

/* One element of a Content-Length list; returns 1 when invalid or different from the others. */
static int length_token(const char *tok, size_t len, void *arg)
{
    struct length *l = arg;
    if (len == 0 || len > 18) return 1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (tok[i] < '0' || tok[i] > '9') return 1;
        v = v * 10 + (uint64_t)(tok[i] - '0');
    }
    if (l->seen && l->value != v) return 1;
    l->seen  = 1;
    l->value = v;
    return 0;
}

struct last_token {
    const char *tok;
    size_t len;
};

static int remember_token(const char *tok, size_t len, void *arg)
{
    struct last_token *l = arg;
    if (len) {
        l->tok = tok;
        l->len = len;
    }
    return 0;
}

static int headers_done(http_parser *p, mp_err *err)
{
    if (p->status >= 100 && p->status < 200 && p->status != 101) {
        /* Interim response (100 Continue, 103 Early Hints): the real one follows. */
        sb_reset(&p->headers);
        p->nhdr = 0;
        memset(p->last, 0, sizeof p->last);
        p->header_bytes = 0;
        p->state        = HP_STATUS;
        return 0;
    }
    struct conn_tokens conn = {0, 0};
    struct length cl        = {0, 0};
    struct last_token te    = {NULL, 0};
    int have_te = 0, have_cl = 0;
    for (uint32_t i = 0; i < p->nhdr; i++) {
        const http_hdr *h = &p->hdr[i];
        if (h->id == HH_OTHER) continue;
        const char *value = p->headers.buf + h->value;
        switch (h->id) {
        case HH_CONNECTION:
            /* The usual single word first: the same as the one token each_token would give. */
            if (h->value_len == 10 && word_eq(value, "keep-alive", 10))
                conn.keep_alive = 1;
            else if (h->value_len == 5 && word_eq(value, "close", 5))
                conn.close = 1;
            else
                each_token(value, h->value_len, connection_token, &conn);
            break;
        case HH_CONTENT_LENGTH:
            have_cl = 1;
            /* Plain digits are one token as they are; length_token changes nothing when it
             * refuses, so each_token then judges the value. */
            if (length_token(value, h->value_len, &cl) &&
                each_token(value, h->value_len, length_token, &cl))
                return fail_line(p, err, "invalid Content-Length", value, h->value_len);
            break;
        case HH_TRANSFER_ENCODING:
            have_te = 1;
            each_token(value, h->value_len, remember_token, &te);
            break;
        default:
            break;
        }
    }
    p->keep_alive = p->minor >= 1 ? !conn.close : (conn.keep_alive && !conn.close);

    int next;
    if (p->head || p->status == 204 || p->status == 304 || p->status < 200) {
        if (p->status == 101) p->keep_alive = 0; /* the connection now speaks something else */
        next = HP_DONE;
    } else if (have_te) {
        /* Transfer-Encoding overrides Content-Length, and a message that carried both is not
         * to be trusted for framing the next one. */
        if (have_cl) p->keep_alive = 0;
        if (te.len == 7 && word_eq(te.tok, "chunked", 7)) {
            p->chunked      = 1;
            p->header_bytes = 0;
            next            = HP_CHUNK_SIZE;
        } else {
            p->keep_alive = 0;
            next          = HP_BODY_EOF;
        }
    } else if (have_cl) {
        p->remaining = cl.value;
        next         = cl.value ? HP_BODY_LENGTH : HP_DONE;
    } else {
        p->keep_alive = 0;
        next          = HP_BODY_EOF;
    }
    p->state = (uint8_t)next;
    if (p->on_headers && p->on_headers(p->ctx, err) < 0) {
        p->state = HP_ERROR;
        return -1;
    }
    return 0;
}

static int status_line(http_parser *p, const char *s, size_t n, mp_err *err)
{
    if (n == 0) return 0; /* stray CRLF after a previous message: tolerated */
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ' ||
        s[9] < '1' || s[9] > '9' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9' ||
        (n > 12 && s[12] != ' '))
        return fail_line(p, err, "malformed status line", s, n);
    p->minor  = s[7] - '0';
    p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    p->state  = HP_HEADERS;
    return 0;
}

/* Obsolete line folding: the line continues the previous header's value. Rare, so kept out of
 * header_line. */
__attribute__((noinline)) static int header_fold(http_parser *p, const char *s, size_t n,
                                                 mp_err *err)
{
    sb *hb = &p->headers;
    if (p->nhdr == 0) return fail_line(p, err, "continuation line before any header", s, n);
    size_t a = 0, b = n;
    while (a < b && is_ows(s[a]))
        a++;
    while (b > a && is_ows(s[b - 1]))
        b--;
    sb_truncate(hb, hb->len - 1); /* the value's terminating NUL */
    sb_addc(hb, ' ');
    sb_add(hb, s + a, b - a);
    sb_addc(hb, '\0');
    p->hdr[p->nhdr - 1].value_len += (uint32_t)(1 + b - a);
    return 0;
}

__attribute__((noinline)) static int bad_bytes(http_parser *p, const char *s, size_t n, mp_err *err)
{
    if (memchr(s, '\0', n)) return fail_line(p, err, "NUL byte in header line", s, n);
    /* A bare CR could end the line for another parser (RFC 9112 section 2.2): reject it. */
    return fail_line(p, err, "bare CR in header line", s, n);
}

__attribute__((noinline)) static void grow_hdr(http_parser *p)
{
    size_t cap = p->cap_hdr;
    XGROW(p->hdr, (size_t)p->nhdr + 1, cap);
    p->cap_hdr = (uint32_t)cap;
}

/* One header line without its line end; `clean` says the caller already knows it holds no NUL or
 * CR. The byte after the line is readable and no token byte (CR, LF or the NUL ending p->line),
 * so the name scan needs no bounds check. */
static int header_line(http_parser *p, const char *s, size_t n, int clean, mp_err *err)
{
    if (n == 0) return headers_done(p, err);
    if (!clean && has_nul_or_cr(s, n)) return bad_bytes(p, s, n, err);
    if (is_ows(s[0])) return header_fold(p, s, n, err);
    const unsigned char *u = (const unsigned char *)s;
    size_t colon           = 0;
    while (colon + 4 <= n && (tchar_table[u[colon]] & tchar_table[u[colon + 1]] &
                              tchar_table[u[colon + 2]] & tchar_table[u[colon + 3]]))
        colon += 4;
    while (tchar_table[u[colon]])
        colon++;
    if (colon == 0 || colon >= n || s[colon] != ':')
        return fail_line(p, err, "malformed header line", s, n);
    size_t a = colon + 1, b = n;
    while (a < b && is_ows(s[a]))
        a++;
    while (b > a && is_ows(s[b - 1]))
        b--;
    if (p->nhdr == p->cap_hdr) grow_hdr(p);
    sb *hb       = &p->headers;
    http_hdr *h  = &p->hdr[p->nhdr++];
    h->name      = (uint32_t)hb->len;
    h->name_len  = (uint32_t)colon;
    h->value     = (uint32_t)(hb->len + a);
    h->value_len = (uint32_t)(b - a);
    h->id        = (uint8_t)classify_token(s, colon);
    if (h->id != HH_OTHER) p->last[h->id] = p->nhdr;
    /* The line is copied whole, the colon and the end of the value turned into NULs: one memcpy
     * (sb_grow leaves room for the byte after b). */
    if (hb->len + b + 2 > hb->cap) sb_grow(hb, b + 1);
    char *d = hb->buf + hb->len;
    memcpy(d, s, b);
    d[colon] = '\0';
    d[b]     = '\0';
    hb->len += b + 1;
    hb->buf[hb->len] = '\0';
    return 0;
}

static int chunk_size_line(http_parser *p, const char *s, size_t n, mp_err *err)
{
    size_t i   = 0;
    uint64_t v = 0;
    while (i < n) {
        char c = s[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            break;
        if (i >= 15) return fail_line(p, err, "chunk size too large", s, n);
        v = v * 16 + (uint64_t)d;
        i++;
    }
    if (i == 0) return fail_line(p, err, "invalid chunk size line", s, n);
    while (i < n && is_ows(s[i]))
        i++;
    if (i < n && s[i] != ';') return fail_line(p, err, "invalid chunk size line", s, n);
    p->header_bytes = 0;
    if (v == 0) {
        p->state = HP_TRAILERS;
    } else {
        p->remaining = v;
        p->state     = HP_CHUNK_DATA;
    }
    return 0;
}

/* Takes the next complete line (without its LF or CRLF) from data at *i, carrying a partial line
 * over in p->line. Returns 1 with a line, 0 when the data ran out first, -1 when too long. */
static int take_line(http_parser *p, const char *data, size_t len, size_t *i, const char **line,
                     size_t *n, mp_err *err)
{
    size_t limit      = (p->state == HP_CHUNK_SIZE || p->state == HP_CHUNK_END) ? MAX_CHUNK_LINE
                                                                                : HTTP_MAX_HEADER_BYTES;
    const char *start = data + *i;
    const char *nl    = memchr(start, '\n', len - *i);
    size_t piece      = nl ? (size_t)(nl - start) : len - *i;
    if (p->header_bytes + p->line.len + piece + 1 > limit) {
        p->state = HP_ERROR;
        if (limit == MAX_CHUNK_LINE)
            return mp_fail(err, "chunk size line longer than %d bytes", MAX_CHUNK_LINE);
        return mp_fail(err, "response headers longer than %d bytes", HTTP_MAX_HEADER_BYTES);
    }
    if (!nl) {
        sb_add(&p->line, start, piece);
        *i = len;
        return 0;
    }
    if (p->line.len) {
        sb_add(&p->line, start, piece);
        *line = p->line.buf;
        *n    = p->line.len;
    } else {
        *line = start;
        *n    = piece;
    }
    p->header_bytes += (uint32_t)(*n + 1);
    *i += piece + 1;
    if (*n && (*line)[*n - 1] == '\r') (*n)--;
    return 1;
}

/* Index of the first LF, CR or NUL in s[0..n), or n: the end of a header line, and the bytes a
 * header line must not otherwise hold, found in one pass (16 bytes at a time with SSE2). */
static size_t find_line_end(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i v     = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m     = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                                     _mm_cmpeq_epi8(v, nul));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return i + (size_t)__builtin_ctz(bits);
    }
#endif
    for (; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\0') return i;
    return n;
}

/* The common case of a header line wholly inside data at *i, ended by CRLF or LF, with no NUL or
 * bare CR: consumed and parsed without copying or a second scan. Returns 1 when it took the line
 * (rc set), 0 when take_line must handle it (split line, odd bytes, or over the size limit, so
 * that errors come from one place). */
static int header_line_fast(http_parser *p, const char *data, size_t len, size_t *i, int *rc,
                            mp_err *err)
{
    const char *start = data + *i;
    size_t avail      = len - *i;
    size_t end        = find_line_end(start, avail);
    size_t piece; /* up to the LF, as take_line counts it */
    if (end < avail && start[end] == '\n')
        piece = end;
    else if (end + 1 < avail && start[end] == '\r' && start[end + 1] == '\n')
        piece = end + 1;
    else
        return 0;
    if (p->header_bytes + piece + 1 > HTTP_MAX_HEADER_BYTES) return 0;
    p->header_bytes += (uint32_t)(piece + 1);
    *i += piece + 1;
    *rc = header_line(p, start, end, 1, err);
    return 1;
}

static int body(http_parser *p, const char *data, size_t n, mp_err *err)
{
    if (p->on_body && p->on_body(p->ctx, data, n, err) < 0) {
        p->state = HP_ERROR;
        return -1;
    }
    return 0;
}

int http_parser_feed(http_parser *p, const char *data, size_t len, size_t *used, mp_err *err)
{
    size_t i = 0;
    int rc   = 0;
    while (i < len && p->state != HP_DONE && rc == 0) {
        if (p->state == HP_HEADERS && p->line.len == 0 &&
            header_line_fast(p, data, len, &i, &rc, err))
            continue;
        switch (p->state) {
        case HP_STATUS:
        case HP_HEADERS:
        case HP_CHUNK_SIZE:
        case HP_CHUNK_END:
        case HP_TRAILERS: {
            const char *line = NULL;
            size_t n         = 0;
            int got          = take_line(p, data, len, &i, &line, &n, err);
            if (got < 0) {
                rc = -1;
                break;
            }
            if (got == 0) break;
            switch (p->state) {
            case HP_STATUS:
                rc = status_line(p, line, n, err);
                break;
            case HP_HEADERS:
                rc = header_line(p, line, n, 0, err);
                break;
            case HP_CHUNK_SIZE:
                rc = chunk_size_line(p, line, n, err);
                break;
            case HP_CHUNK_END:
                if (n != 0)
                    rc = fail_line(p, err, "missing CRLF after chunk data", line, n);
                else
                    p->state = HP_CHUNK_SIZE;
                p->header_bytes = 0;
                break;
            default: /* trailers are read and dropped */
                if (n == 0) p->state = HP_DONE;
                break;
            }
            if (p->line.len) sb_reset(&p->line);
            break;
        }
        case HP_BODY_LENGTH:
        case HP_CHUNK_DATA: {
            size_t n = len - i;
            if (n > p->remaining) n = (size_t)p->remaining;
            rc = body(p, data + i, n, err);
            i += n;
            p->remaining -= n;
            if (rc == 0 && p->remaining == 0)
                p->state = p->state == HP_CHUNK_DATA ? HP_CHUNK_END : HP_DONE;
            break;
        }
        case HP_BODY_EOF:
            rc = body(p, data + i, len - i, err);
            i  = len;
            break;
        default: /* HP_ERROR */
            rc = mp_fail(err, "response parser used after an error");
            break;
        }
    }
    *used = i;
    return rc;
}

int http_parser_eof(http_parser *p, mp_err *err)
{
    switch (p->state) {
    case HP_DONE:
        return 0;
    case HP_BODY_EOF:
        p->state = HP_DONE;
        return 0;
    case HP_STATUS:
        if (p->header_bytes == 0 && p->line.len == 0)
            return fail(p, err, "server closed the connection without responding");
        return fail(p, err, "server closed the connection in the status line");
    case HP_HEADERS:
        return fail(p, err, "server closed the connection in the response headers");
    case HP_BODY_LENGTH:
        p->state = HP_ERROR;
        return mp_fail(err, "server closed the connection with %llu body bytes still expected",
                       (unsigned long long)p->remaining);
    case HP_ERROR:
        return mp_fail(err, "response parser used after an error");
    default:
        return fail(p, err, "server closed the connection inside a chunked body");
    }
}

const char *http_parser_next_header(const http_parser *p, const char *prev, const char **value)
{
    uint32_t i = 0;
    if (prev) {
        /* Entries are in buffer order: find prev's by its offset. */
        uint32_t off = (uint32_t)(prev - p->headers.buf), lo = 0, hi = p->nhdr;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (p->hdr[mid].name < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo + 1;
    }
    if (i >= p->nhdr) return NULL;
    *value = p->headers.buf + p->hdr[i].value;
    return p->headers.buf + p->hdr[i].name;
}

const char *http_parser_known(const http_parser *p, enum http_hdr_id id)
{
    uint32_t i = p->last[id];
    return i ? p->headers.buf + p->hdr[i - 1].value : NULL;
}

const char *http_parser_header(const http_parser *p, const char *name)
{
    size_t len          = strlen(name);
    enum http_hdr_id id = http_hdr_classify(name, len);
    if (id != HH_OTHER) return http_parser_known(p, id);
    for (uint32_t i = p->nhdr; i-- > 0;) {
        const http_hdr *h = &p->hdr[i];
        if (h->name_len == len && strncasecmp(p->headers.buf + h->name, name, len) == 0)
            return p->headers.buf + h->value;
    }
    return NULL;
}
