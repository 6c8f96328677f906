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

/* Headers the client acts on, recognised once while the header line is parsed so that nothing
 * later compares names again. */
enum http_hdr_id {
    HH_OTHER,
    HH_CONNECTION,
    HH_CONTENT_LENGTH,
    HH_TRANSFER_ENCODING,
    HH_CONTENT_ENCODING,
    HH_LOCATION,
    HH_SET_COOKIE,
    HH_COUNT
};

/* One stored header: offsets into `headers` (name and value are NUL-terminated there). */
typedef struct http_hdr {
    uint32_t name, name_len, value, value_len;
    uint8_t id;
} http_hdr;

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
    sb headers;    /* each header line of the final response, in order: name, NUL, ":" and spaces,
                      value, NUL (hdr says where) */
    http_hdr *hdr; /* one per stored header, in order */
    uint32_t nhdr, cap_hdr;
    uint32_t last[HH_COUNT]; /* 1 + index in hdr of the last header with that id, 0 if none */
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
/* Last value of a recognised header, or NULL. */
const char *http_parser_known(const http_parser *p, enum http_hdr_id id);
/* The id of a header name (any case) of len bytes: HH_OTHER unless it is one the client acts on. */
enum http_hdr_id http_hdr_classify(const char *name, size_t len);
/* Whether s[0..n) is a non-empty RFC 9110 token (a method or a header name). */
int http_is_token(const char *s, size_t n);
/* Releases header storage grown beyond `keep` bytes (after an unusually large response). */
void http_parser_trim(http_parser *p, size_t keep);

#endif
