#include "http/decode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "util/mem.h"

enum { D_BEFORE, D_INSIDE, D_BETWEEN, D_FINISHED };

int http_decoder_start(http_decoder *d, const char *enc)
{
    http_decoder_end(d);
    d->kind = HTTP_ENC_IDENTITY;
    if (enc) {
        while (*enc == ' ' || *enc == '\t')
            enc++;
        if (strcasecmp(enc, "gzip") == 0 || strcasecmp(enc, "x-gzip") == 0)
            d->kind = HTTP_ENC_GZIP;
        else if (strcasecmp(enc, "deflate") == 0)
            d->kind = HTTP_ENC_DEFLATE;
    }
    return d->kind;
}

void http_decoder_end(http_decoder *d)
{
    if (d->z) {
        inflateEnd(d->z);
        free(d->z);
    }
    d->z     = NULL;
    d->state = D_BEFORE;
    d->nhead = 0;
}

static int zfail(http_decoder *d, mp_err *err, int rc)
{
    z_stream *z      = d->z;
    const char *what = d->kind == HTTP_ENC_GZIP ? "gzip" : "deflate";
    const char *why  = z && z->msg         ? z->msg
                       : rc == Z_NEED_DICT ? "needs a preset dictionary"
                                           : "invalid compressed data";
    d->state         = D_FINISHED;
    return mp_fail(err, "cannot decode %s body: %s", what, why);
}

static int inflate_into(http_decoder *d, const unsigned char *in, size_t len, http_sink_fn sink,
                        void *ctx, mp_err *err)
{
    z_stream *z = d->z;
    unsigned char out[16384];
    while (len > 0 && d->state != D_FINISHED) {
        if (d->state == D_BETWEEN) {
            /* Another gzip member may follow; anything else is trailing garbage browsers ignore. */
            if (d->kind != HTTP_ENC_GZIP || in[0] != 0x1f) {
                d->state = D_FINISHED;
                break;
            }
            inflateReset(z);
            d->state = D_INSIDE;
        }
        uInt chunk  = len > (1u << 30) ? 1u << 30 : (uInt)len;
        z->next_in  = (Bytef *)in;
        z->avail_in = chunk;
        int rc      = Z_OK;
        /* Until this piece is used up and zlib holds no more output for a full buffer. */
        do {
            z->next_out  = out;
            z->avail_out = sizeof out;
            rc           = inflate(z, Z_NO_FLUSH);
            if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR ||
                rc == Z_STREAM_ERROR)
                return zfail(d, err, rc);
            size_t produced = sizeof out - z->avail_out;
            if (produced && sink(ctx, (const char *)out, produced, err) < 0) return -1;
            if (rc == Z_BUF_ERROR) break; /* no progress possible without more input */
        } while ((z->avail_in > 0 || z->avail_out == 0) && rc != Z_STREAM_END);
        size_t consumed = chunk - z->avail_in;
        in += consumed;
        len -= consumed;
        if (rc == Z_STREAM_END)
            d->state = D_BETWEEN;
        else if (consumed == 0)
            break;
    }
    return 0;
}

int http_decoder_feed(http_decoder *d, const char *data, size_t len, http_sink_fn sink, void *ctx,
                      mp_err *err)
{
    if (d->kind == HTTP_ENC_IDENTITY) return len ? sink(ctx, data, len, err) : 0;
    if (d->state == D_FINISHED || len == 0) return 0;
    const unsigned char *in = (const unsigned char *)data;
    if (d->state == D_BEFORE) {
        int bits = 15 + 32; /* gzip, or a zlib stream mislabelled as gzip */
        if (d->kind == HTTP_ENC_DEFLATE) {
            while (d->nhead < 2 && len > 0) {
                d->head[d->nhead++] = *in++;
                len--;
            }
            if (d->nhead < 2) return 0;
            int zlib_wrapped =
                (d->head[0] & 0x0f) == 8 && ((d->head[0] << 8) | d->head[1]) % 31 == 0;
            bits = zlib_wrapped ? 15 : -15;
        }
        d->z = xcalloc(1, sizeof(z_stream));
        if (inflateInit2((z_stream *)d->z, bits) != Z_OK) {
            free(d->z);
            d->z     = NULL;
            d->state = D_FINISHED;
            return mp_fail(err, "cannot decode body: zlib initialisation failed");
        }
        d->state = D_INSIDE;
        if (d->nhead && inflate_into(d, d->head, d->nhead, sink, ctx, err) < 0) return -1;
    }
    return inflate_into(d, in, len, sink, ctx, err);
}
