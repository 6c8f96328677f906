/* libFuzzer target for everything a server's response goes through: the incremental parser (status
 * line, headers, Content-Length, chunked, close-delimited, 1xx) and the gzip/deflate decoder.
 * Input: byte 0 = flags (bit 0 HEAD request, bit 1 connection closes at the end, bits 2-3 content
 * encoding), byte 1 = where to split the rest, then the response bytes. Besides memory errors it
 * checks that the result does not depend on how the bytes were split into reads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/decode.h"
#include "http/parse.h"
#include "util/sb.h"

typedef struct run {
    int rc, state, status, keep_alive;
    size_t used;
    sb headers, body;
    mp_err err;
} run;

static int on_body(void *ctx, const char *data, size_t len, mp_err *err)
{
    sb_add(&((run *)ctx)->body, data, len);
    return 0;
}

static void parse(run *r, const uint8_t *data, size_t size, const size_t *cuts, size_t ncuts,
                  int head, int eof)
{
    memset(r, 0, sizeof *r);
    http_parser p = {0};
    p.on_body     = on_body;
    p.ctx         = r;
    http_parser_reset(&p, head);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && r->rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : size;
        size_t used;
        r->rc = http_parser_feed(&p, (const char *)data + at, end - at, &used, &r->err);
        r->used += used;
        if (used < end - at) break;
        at = end;
    }
    if (r->rc == 0 && eof) r->rc = http_parser_eof(&p, &r->err);
    r->state      = p.state;
    r->status     = p.status;
    r->keep_alive = p.keep_alive;
    const char *v;
    for (const char *h = http_parser_next_header(&p, NULL, &v); h;
         h             = http_parser_next_header(&p, h, &v)) {
        sb_adds(&r->headers, h);
        sb_addc(&r->headers, '\0');
        sb_adds(&r->headers, v);
        sb_addc(&r->headers, '\0');
        /* The indexed look-ups agree with a plain scan for the last header of that name. */
        const char *last = NULL, *v2;
        for (const char *g = http_parser_next_header(&p, NULL, &v2); g;
             g             = http_parser_next_header(&p, g, &v2))
            if (strcasecmp(g, h) == 0) last = v2;
        if (http_parser_header(&p, h) != last) abort();
        enum http_hdr_id id = http_hdr_classify(h, strlen(h));
        if (id != HH_OTHER && http_parser_known(&p, id) != last) abort();
    }
    http_parser_free(&p);
}

static void check_same(const run *a, const run *b)
{
    if (a->rc != b->rc || a->state != b->state || a->status != b->status ||
        a->keep_alive != b->keep_alive || a->used != b->used || a->headers.len != b->headers.len ||
        a->body.len != b->body.len ||
        (a->headers.len && memcmp(a->headers.buf, b->headers.buf, a->headers.len)) ||
        (a->body.len && memcmp(a->body.buf, b->body.buf, a->body.len)) ||
        (a->rc && strcmp(a->err.msg, b->err.msg)))
        abort();
}

static void run_free(run *r)
{
    sb_free(&r->headers);
    sb_free(&r->body);
}

static int into_sb(void *ctx, const char *data, size_t len, mp_err *err)
{
    sb_add(ctx, data, len);
    return 0;
}

static int decode(const char *enc, const sb *in, size_t cut, sb *out, mp_err *err)
{
    http_decoder d = {0};
    http_decoder_start(&d, enc);
    const char *buf = in->buf ? in->buf : "";
    int rc          = http_decoder_feed(&d, buf, cut, into_sb, out, err);
    if (rc == 0) rc = http_decoder_feed(&d, buf + cut, in->len - cut, into_sb, out, err);
    http_decoder_end(&d);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    int flags  = data[0];
    size_t cut = data[1];
    data += 2;
    size -= 2;
    int head = flags & 1, eof = (flags >> 1) & 1;
    static const char *const encs[] = {NULL, "gzip", "deflate", "br"};
    const char *enc                 = encs[(flags >> 2) & 3];

    run whole, split, bytes;
    parse(&whole, data, size, NULL, 0, head, eof);
    cut = size ? cut % size : 0;
    parse(&split, data, size, &cut, cut ? 1 : 0, head, eof);
    check_same(&whole, &split);
    if (size <= 2048) {
        size_t *cuts = malloc((size + 1) * sizeof *cuts);
        for (size_t i = 0; i + 1 < size; i++)
            cuts[i] = i + 1;
        parse(&bytes, data, size, cuts, size ? size - 1 : 0, head, eof);
        free(cuts);
        check_same(&whole, &bytes);
        run_free(&bytes);
    }

    /* Decode the body in one piece and in two: same result either way. */
    sb a = {0}, b = {0};
    mp_err ea, eb;
    size_t dcut = whole.body.len ? cut % (whole.body.len + 1) : 0;
    int ra      = decode(enc, &whole.body, 0, &a, &ea);
    int rb      = decode(enc, &whole.body, dcut, &b, &eb);
    if (ra != rb || (ra == 0 && (a.len != b.len || (a.len && memcmp(a.buf, b.buf, a.len)))))
        abort();
    sb_free(&a);
    sb_free(&b);
    run_free(&whole);
    run_free(&split);
    return 0;
}
