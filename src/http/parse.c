#include "http/parse.h"

#include <string.h>
#include <strings.h>

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
    sb_reset(&p->line);
    sb_reset(&p->headers);
}

void http_parser_free(http_parser *p)
{
    sb_free(&p->line);
    sb_free(&p->headers);
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

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Calls fn for each comma-separated element of value, trimmed; stops early when fn returns
 * non-zero and returns that. */
static int each_token(const char *value, int (*fn)(const char *tok, size_t len, void *arg),
                      void *arg)
{
    const char *s = value;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *end   = comma ? comma : s + strlen(s);
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

struct conn_tokens {
    int close, keep_alive;
};

static int connection_token(const char *tok, size_t len, void *arg)
{
    struct conn_tokens *t = arg;
    if (len == 5 && strncasecmp(tok, "close", 5) == 0) t->close = 1;
    if (len == 10 && strncasecmp(tok, "keep-alive", 10) == 0) t->keep_alive = 1;
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
        p->header_bytes = 0;
        p->state        = HP_STATUS;
        return 0;
    }
    struct conn_tokens conn = {0, 0};
    struct length cl        = {0, 0};
    struct last_token te    = {NULL, 0};
    int have_te = 0, have_cl = 0;
    const char *value;
    for (const char *name = http_parser_next_header(p, NULL, &value); name;
         name             = http_parser_next_header(p, name, &value)) {
        if (strcasecmp(name, "connection") == 0) {
            each_token(value, connection_token, &conn);
        } else if (strcasecmp(name, "content-length") == 0) {
            have_cl = 1;
            if (each_token(value, length_token, &cl))
                return fail_line(p, err, "invalid Content-Length", value, strlen(value));
        } else if (strcasecmp(name, "transfer-encoding") == 0) {
            have_te = 1;
            each_token(value, remember_token, &te);
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
        if (te.len == 7 && strncasecmp(te.tok, "chunked", 7) == 0) {
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

static int header_line(http_parser *p, const char *s, size_t n, mp_err *err)
{
    if (n == 0) return headers_done(p, err);
    if (memchr(s, '\0', n)) return fail_line(p, err, "NUL byte in header line", s, n);
    /* A bare CR could end the line for another parser (RFC 9112 section 2.2): reject it. */
    if (memchr(s, '\r', n)) return fail_line(p, err, "bare CR in header line", s, n);
    if (is_ows(s[0])) {
        /* Obsolete line folding: the line continues the previous header's value. */
        if (p->headers.len == 0)
            return fail_line(p, err, "continuation line before any header", s, n);
        size_t a = 0, b = n;
        while (a < b && is_ows(s[a]))
            a++;
        while (b > a && is_ows(s[b - 1]))
            b--;
        sb_truncate(&p->headers, p->headers.len - 1); /* the value's terminating NUL */
        sb_addc(&p->headers, ' ');
        sb_add(&p->headers, s + a, b - a);
        sb_addc(&p->headers, '\0');
        return 0;
    }
    size_t colon = 0;
    while (colon < n && is_tchar((unsigned char)s[colon]))
        colon++;
    if (colon == 0 || colon == n || s[colon] != ':')
        return fail_line(p, err, "malformed header line", s, n);
    size_t a = colon + 1, b = n;
    while (a < b && is_ows(s[a]))
        a++;
    while (b > a && is_ows(s[b - 1]))
        b--;
    sb_add(&p->headers, s, colon);
    sb_addc(&p->headers, '\0');
    sb_add(&p->headers, s + a, b - a);
    sb_addc(&p->headers, '\0');
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
                rc = header_line(p, line, n, err);
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
            sb_reset(&p->line);
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
    if (!p->headers.buf) return NULL;
    const char *end = p->headers.buf + p->headers.len;
    const char *name;
    if (!prev) {
        name = p->headers.buf;
    } else {
        const char *v = prev + strlen(prev) + 1;
        name          = v + strlen(v) + 1;
    }
    if (!name || name >= end) return NULL;
    *value = name + strlen(name) + 1;
    return name;
}

const char *http_parser_header(const http_parser *p, const char *name)
{
    const char *found = NULL, *value;
    for (const char *h = http_parser_next_header(p, NULL, &value); h;
         h             = http_parser_next_header(p, h, &value))
        if (strcasecmp(h, name) == 0) found = value;
    return found;
}
