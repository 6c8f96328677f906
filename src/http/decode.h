/* Content-Encoding removal for response bodies: gzip (also multi-member, also x-gzip) and deflate
 * (zlib-wrapped as the RFC says, or raw as some servers send it), with zlib. Other encodings pass
 * through unchanged. The zlib state exists only while a compressed body is being received.
 * Internal to the http area. */
#ifndef MP_HTTP_DECODE_H
#define MP_HTTP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef int (*http_sink_fn)(void *ctx, const char *data, size_t len, mp_err *err);

enum { HTTP_ENC_IDENTITY, HTTP_ENC_GZIP, HTTP_ENC_DEFLATE };

typedef struct http_decoder {
    uint8_t kind;
    uint8_t state; /* internal: before the stream, inside it, between gzip members, finished */
    uint8_t nhead;
    unsigned char head[2]; /* first deflate bytes, to tell zlib-wrapped from raw */
    void *z;               /* z_stream while inflating */
} http_decoder;

/* Chooses the decoding for a Content-Encoding value (NULL: none). Returns the HTTP_ENC_ kind. */
int http_decoder_start(http_decoder *d, const char *content_encoding);
/* Decodes a piece of body into sink. -1 with "cannot decode gzip body: ..." on corrupt data. */
int http_decoder_feed(http_decoder *d, const char *data, size_t len, http_sink_fn sink, void *ctx,
                      mp_err *err);
/* Releases the zlib state; the decoder may be started again. */
void http_decoder_end(http_decoder *d);

#endif
