/* How bytes move on a connection, plain TCP or TLS, behind one small table of functions (wrk's
 * `sock` idea) so the client never asks which one it has. All calls are non-blocking: they return
 * HTTP_IO_AGAIN_READ / HTTP_IO_AGAIN_WRITE when they must wait for the socket to become readable
 * or writable. Internal to the http area. */
#ifndef MP_HTTP_TRANSPORT_H
#define MP_HTTP_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

enum { HTTP_IO_ERROR = -1, HTTP_IO_AGAIN_READ = -2, HTTP_IO_AGAIN_WRITE = -3 };

typedef struct http_io {
    int fd;
    void *ssl; /* SSL * while TLS is in use */
} http_io;

typedef struct http_transport {
    /* 0 when the connection is ready for requests, HTTP_IO_AGAIN_*, or -1 with a message. */
    int (*handshake)(http_io *io, mp_err *err);
    /* Bytes read (> 0), 0 at end of stream, HTTP_IO_AGAIN_*, or -1 with a message. */
    ssize_t (*read)(http_io *io, char *buf, size_t len, mp_err *err);
    /* Bytes written (> 0), HTTP_IO_AGAIN_*, or -1 with a message. */
    ssize_t (*write)(http_io *io, const char *buf, size_t len, mp_err *err);
    /* Releases TLS state and closes the socket. */
    void (*close)(http_io *io);
} http_transport;

extern const http_transport http_transport_plain;
extern const http_transport http_transport_tls;

/* TLS configuration shared by a client's connections: one context that verifies certificates
 * (system trust store, or SSL_CERT_FILE / SSL_CERT_DIR) and one that does not. */
typedef struct http_tls http_tls;

http_tls *http_tls_new(mp_err *err);
void http_tls_free(http_tls *t);
/* Puts TLS on io's connected socket, for host (SNI and name check unless an IP literal). */
int http_tls_attach(http_tls *t, http_io *io, const char *host, int host_is_ip, int verify,
                    mp_err *err);

/* A lower-case message for a socket errno, e.g. "connection refused". */
const char *http_errno_message(int e);

#endif
