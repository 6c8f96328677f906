/* Incremental HTTP/1.x response parser: bytes go in as they arrive, split anywhere; the status,
 * headers and the framing of the body (Content-Length, chunked, until close, or none for HEAD,
 * 1xx, 204 and 304) come out. Interim 1xx responses are skipped. Body bytes are handed to a
 * callback already de-chunked; headers are kept in `headers` until the next reset.
 * Internal to the http area. */
#ifndef MP_HTTP_PARSE_H
#define MP_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/sb.h"

/* Largest status line plus header block accepted, and likewise for a chunk-size line or trailers.
 */
#define HTTP_MAX_HEADER_BYTES 65536

enum http_parse_state {
    HP_STATUS,
    HP_HEADERS,
    HP_BODY_LENGTH,
    HP_CHUNK_SIZE,
    HP_CHUNK_DATA,
    HP_CHUNK_END,
    HP_TRAILERS,
    HP_BODY_EOF,
    HP_DONE,
    HP_ERROR,
};

typedef struct http_parser {
    uint8_t state;
    uint8_t head;       /* the request was HEAD: no body, whatever the headers say */
    uint8_t keep_alive; /* after HP_DONE: the connection may carry another request */
    uint8_t chunked;
    int status;
    int minor; /* HTTP/1.minor */
    uint32_t header_bytes;
    uint64_t remaining; /* of a Content-Length body or of the current chunk */
    sb line;            /* a line split across feeds */
    sb headers;         /* "name\0value\0" for each header of the final response, in order */
    /* Called once the final response's header block is complete, before any body byte; may
     * return -1 (with err filled) to stop. */
    int (*on_headers)(void *ctx, mp_err *err);
    /* Called with each piece of de-chunked body; may return -1 (with err filled) to stop. */
    int (*on_body)(void *ctx, const char *data, size_t len, mp_err *err);
    void *ctx;
} http_parser;

/* Prepares for the next response; keeps buffers. `head` is 1 when the request method was HEAD. */
void http_parser_reset(http_parser *p, int head);
void http_parser_free(http_parser *p);

/* Consumes bytes until the response is complete (state HP_DONE) or the data runs out; *used says
 * how many were consumed (bytes after a complete response are not). Returns -1 with a message on
 * malformed input, after which the parser stays in HP_ERROR. */
int http_parser_feed(http_parser *p, const char *data, size_t len, size_t *used, mp_err *err);

/* The connection was closed: completes a body delimited by the close, else fails with a message
 * saying what was missing. */
int http_parser_eof(http_parser *p, mp_err *err);

/* Walks the stored headers: pass NULL to start; returns the next name (and its value in *value)
 * or NULL at the end. */
const char *http_parser_next_header(const http_parser *p, const char *prev, const char **value);
/* Last value of header `name` (case-insensitive), or NULL. */
const char *http_parser_header(const http_parser *p, const char *name);

#endif
