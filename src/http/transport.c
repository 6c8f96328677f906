#include "http/transport.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/mem.h"

const char *http_errno_message(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return "connection refused";
    case ECONNRESET:
        return "connection reset by server";
    case EPIPE:
        return "connection closed by server";
    case ETIMEDOUT:
        return "connection timed out";
    case EHOSTUNREACH:
        return "host unreachable";
    case ENETUNREACH:
        return "network unreachable";
    case EADDRNOTAVAIL:
        return "no local port available (EADDRNOTAVAIL)";
    case EMFILE:
        return "too many open files (raise ulimit -n)";
    case ENFILE:
        return "too many open files in the system";
    default:
        return strerror(e);
    }
}

/* ---- plain TCP ---- */

static int plain_handshake(http_io *io, mp_err *err)
{
    return 0;
}

static ssize_t plain_read(http_io *io, char *buf, size_t len, mp_err *err)
{
    for (;;) {
        ssize_t n = read(io->fd, buf, len);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return HTTP_IO_AGAIN_READ;
        return mp_fail(err, "%s", http_errno_message(errno));
    }
}

static ssize_t plain_write(http_io *io, const char *buf, size_t len, mp_err *err)
{
    for (;;) {
        /* MSG_NOSIGNAL: a server that closed the connection must not kill us with SIGPIPE. */
        ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return HTTP_IO_AGAIN_WRITE;
        return mp_fail(err, "%s", http_errno_message(errno));
    }
}

static void plain_close(http_io *io)
{
    if (io->fd >= 0) close(io->fd);
    io->fd = -1;
}

const http_transport http_transport_plain = {
    .handshake = plain_handshake,
    .read      = plain_read,
    .write     = plain_write,
    .close     = plain_close,
};

/* ---- TLS ---- */

struct http_tls {
    SSL_CTX *verify;
    SSL_CTX *noverify;
    BIO_METHOD *bio; /* the socket BIO below, sending with MSG_NOSIGNAL */
};

static int bio_fd(BIO *b)
{
    return (int)(intptr_t)BIO_get_data(b);
}

static int bio_write(BIO *b, const char *buf, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n;
    do
        n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(b);
    return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n;
    do
        n = read(bio_fd(b), buf, (size_t)len);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(b);
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static SSL_CTX *new_ctx(int verify, mp_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return mp_fail(err, "cannot create a TLS context"), NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* RELEASE_BUFFERS: an idle connection of one of 10,000 users should not hold 34 KiB of
     * record buffers. IGNORE_UNEXPECTED_EOF: many servers close without close_notify, and a body
     * delimited by the close must still end cleanly. */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_default_verify_paths(ctx);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

http_tls *http_tls_new(mp_err *err)
{
    http_tls *t = xcalloc(1, sizeof *t);
    t->verify   = new_ctx(1, err);
    t->noverify = t->verify ? new_ctx(0, err) : NULL;
    t->bio      = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mixperf socket");
    if (!t->verify || !t->noverify || !t->bio) {
        if (t->verify && t->noverify) mp_fail(err, "cannot create the TLS socket layer");
        http_tls_free(t);
        return NULL;
    }
    BIO_meth_set_write(t->bio, bio_write);
    BIO_meth_set_read(t->bio, bio_read);
    BIO_meth_set_ctrl(t->bio, bio_ctrl);
    BIO_meth_set_create(t->bio, bio_create);
    return t;
}

void http_tls_free(http_tls *t)
{
    if (!t) return;
    SSL_CTX_free(t->verify);
    SSL_CTX_free(t->noverify);
    BIO_meth_free(t->bio);
    free(t);
}

static int ssl_fail(mp_err *err, const char *what)
{
    unsigned long e = ERR_get_error();
    const char *why = e ? ERR_reason_error_string(e) : NULL;
    ERR_clear_error();
    return mp_fail(err, "%s: %s", what, why ? why : "unknown error");
}

int http_tls_attach(http_tls *t, http_io *io, const char *host, int host_is_ip, int verify,
                    mp_err *err)
{
    ERR_clear_error();
    SSL *ssl = SSL_new(verify ? t->verify : t->noverify);
    BIO *bio = ssl ? BIO_new(t->bio) : NULL;
    if (!bio) {
        SSL_free(ssl);
        return ssl_fail(err, "cannot start TLS");
    }
    BIO_set_data(bio, (void *)(intptr_t)io->fd);
    SSL_set_bio(ssl, bio, bio);
    int ok = 1;
    if (!host_is_ip) ok = SSL_set_tlsext_host_name(ssl, host) == 1;
    if (ok && verify) {
        if (host_is_ip)
            ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
        else
            ok = SSL_set1_host(ssl, host) == 1;
    }
    if (!ok) {
        SSL_free(ssl);
        return ssl_fail(err, "cannot set the TLS server name");
    }
    SSL_set_connect_state(ssl);
    io->ssl = ssl;
    return 0;
}

/* Maps an SSL_* return into our convention; `what` names the operation for messages. */
static int ssl_result(http_io *io, int rc, const char *what, mp_err *err)
{
    SSL *ssl = io->ssl;
    int e    = SSL_get_error(ssl, rc);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return HTTP_IO_AGAIN_READ;
    case SSL_ERROR_WANT_WRITE:
        return HTTP_IO_AGAIN_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            ERR_clear_error();
            if (errno == 0 || rc == 0) return 0; /* end of stream */
            return mp_fail(err, "%s", http_errno_message(errno));
        }
        return ssl_fail(err, what);
    default: {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK) {
            ERR_clear_error();
            return mp_fail(err, "TLS certificate verification failed: %s",
                           X509_verify_cert_error_string(v));
        }
        return ssl_fail(err, what);
    }
    }
}

static int tls_handshake(http_io *io, mp_err *err)
{
    ERR_clear_error();
    errno  = 0;
    int rc = SSL_do_handshake(io->ssl);
    if (rc == 1) return 0;
    int r = ssl_result(io, rc, "TLS handshake failed", err);
    if (r == 0) return mp_fail(err, "TLS handshake failed: server closed the connection");
    return r;
}

static ssize_t tls_read(http_io *io, char *buf, size_t len, mp_err *err)
{
    ERR_clear_error();
    errno  = 0;
    int rc = SSL_read(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    if (rc > 0) return rc;
    return ssl_result(io, rc, "TLS read failed", err);
}

static ssize_t tls_write(http_io *io, const char *buf, size_t len, mp_err *err)
{
    ERR_clear_error();
    errno  = 0;
    int rc = SSL_write(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    if (rc > 0) return rc;
    int r = ssl_result(io, rc, "TLS write failed", err);
    if (r == 0) return mp_fail(err, "connection closed by server");
    return r;
}

static void tls_close(http_io *io)
{
    SSL_free(io->ssl); /* also frees the BIO */
    io->ssl = NULL;
    plain_close(io);
}

const http_transport http_transport_tls = {
    .handshake = tls_handshake,
    .read      = tls_read,
    .write     = tls_write,
    .close     = tls_close,
};
