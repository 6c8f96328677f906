/* The HTTP/1.1 client behind http.h: one libuv loop, a uv_poll per connection driving non-blocking
 * sockets directly (one write per request, one read per readiness event in the common case, no
 * epoll_ctl per request), an incremental parser, and per-session cookie jars and connections.
 * docs/http.md explains why this is not libcurl (CPU per request) and what was measured. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/cookie.h"
#include "http/decode.h"
#include "http/parse.h"
#include "http/transport.h"
#include "http/url.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/sb.h"

#define MAX_REDIRECTS 10
#define MAX_CONNS_PER_SESSION 4
#define MAX_ADDRS 4
#define READ_BUF_SIZE 65536
#define DEFAULT_MAX_BODY (16u << 20)
/* Buffers above these capacities are released after the response that grew them, so that 10,000
 * idle sessions cost what their last small response needed, not their largest. */
#define KEEP_BODY_CAP 65536
#define KEEP_BUF_CAP 16384
#define NOT_IN_HEAP UINT32_MAX

typedef struct http_conn http_conn;
typedef struct dns_entry dns_entry;

/* Caller headers the client treats specially, recognised once in http_send. */
enum rq_kind {
    RH_OTHER,
    RH_HOST,
    RH_COOKIE,
    RH_CONTENT_LENGTH,
    RH_AUTHORIZATION,
    RH_CONTENT_TYPE,
    RH_ACCEPT_ENCODING,
    RH_USER_AGENT,
    RH_TRANSFER_ENCODING,
};

/* One caller header inside the session's request copy: its whole line, and its value. */
typedef struct rq_hdr {
    uint32_t off, len; /* "Name: value\r\n" */
    uint32_t value_off, value_len;
    uint8_t kind;
} rq_hdr;

enum dns_state { DNS_PENDING, DNS_OK };

/* A resolved host name, shared by every session of the client; kept for the client's lifetime,
 * since a load test talks to one or two hosts and must not resolve per connection. */
struct dns_entry {
    char *host;
    uint8_t state;
    uint8_t naddr;
    struct sockaddr_storage addr[MAX_ADDRS];
    socklen_t addrlen[MAX_ADDRS];
    http_session *waiters;
    uv_getaddrinfo_t *req; /* while resolving */
    http_client *client;   /* NULL once the client is freed with a resolution still running */
    dns_entry *next;
};

enum conn_state { C_CONNECTING, C_HANDSHAKE, C_ACTIVE, C_IDLE, C_CLOSED };

struct http_conn {
    uv_poll_t poll; /* first: the close callback gets the handle and frees the conn */
    http_io io;
    const http_transport *ops;
    http_client *c;
    http_session *s; /* owner; NULL once closed */
    http_conn *next; /* in the owner's list */
    dns_entry *dns;
    char *host;
    uint16_t port;
    uint8_t https, verify, state, addr_idx, read_wants_write;
    int events;
    uint32_t served; /* responses completed on this connection */
};

struct http_client {
    uv_loop_t *loop;
    size_t max_body;
    char *rbuf; /* every read lands here and is parsed at once, so sessions need no read buffer */
    uv_timer_t timer;
    http_session **heap; /* deadlines, a binary min-heap */
    uint32_t nheap, heap_cap;
    uv_idle_t idle; /* runs deferred completions on the next loop turn */
    http_session *defer_head, *defer_tail;
    uint64_t defer_gen;
    http_tls *tls;
    dns_entry *dns;
    size_t nsessions;
    int open_handles;
    mp_err scratch; /* messages are formatted here, then copied into the session */
};

struct http_session {
    http_client *c;
    http_conn *conns;
    http_conn *conn; /* carrying the current exchange */
    http_jar jar;

    /* The request, copied: "method\0", then each header as the line it is sent as
     * ("Name: value\r\n", described by rq_hdr), then the body. */
    sb rq;
    rq_hdr *rqh;
    uint32_t rq_nheaders, rqh_cap;
    uint32_t rq_method_len;
    uint32_t rq_user_host;   /* 1 + index of the caller's first Host header, 0 if none */
    uint32_t rq_user_cookie; /* 1 + index of the caller's last Cookie header, 0 if none */
    size_t rq_headers_len;   /* bytes of the header lines sent whatever the hop */
    size_t rq_body_off, rq_body_len;
    uint8_t rq_has_body, rq_user_ae, rq_user_ua, rq_head, rq_idempotent, rq_payload;
    uint8_t follow, verify;
    uint8_t as_get;         /* a redirect turned the method into GET without a body */
    uint8_t origin_changed; /* a redirect left the first origin: drop Host/Authorization */
    double timeout_s;
    http_done_cb cb;
    void *arg;
    http_url url; /* of the current hop */
    int hops;
    uint64_t rx, hop_rx;

    sb out;
    size_t out_off;

    http_parser p;
    http_decoder dec;
    uint8_t redirect; /* the response in progress is a redirect to follow: its body is dropped */
    sb body;
    uint64_t body_size;
    char *error;      /* failure of the exchange in progress */
    char *resp_error; /* failure reported to the last callback */
    sb final_url;
    http_response resp;

    uint8_t busy, in_send, closing, free_pending, retried, deferred;
    int in_cb;
    uint64_t deadline; /* uv_now() milliseconds */
    uint32_t heap_idx;
    uint64_t defer_gen;
    http_session *defer_prev, *defer_next;
    dns_entry *dns_wait;
    http_session *dns_prev, *dns_next;
};

static void start_hop(http_session *s);
static void complete(http_session *s);
static void deliver(http_session *s);
static void on_poll(uv_poll_t *h, int status, int events);

static void set_error(http_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(http_session *s, const char *fmt, ...)
{
    sb m = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&m, fmt, ap);
    va_end(ap);
    free(s->error);
    s->error = sb_detach(&m);
}

/* ---- deadlines: one uv_timer for the client, a heap of sessions ---- */

static int heap_less(http_client *c, uint32_t a, uint32_t b)
{
    return c->heap[a]->deadline < c->heap[b]->deadline;
}

static void heap_swap(http_client *c, uint32_t a, uint32_t b)
{
    http_session *t      = c->heap[a];
    c->heap[a]           = c->heap[b];
    c->heap[b]           = t;
    c->heap[a]->heap_idx = a;
    c->heap[b]->heap_idx = b;
}

static void heap_up(http_client *c, uint32_t i)
{
    while (i > 0 && heap_less(c, i, (i - 1) / 2)) {
        heap_swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(http_client *c, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nheap && heap_less(c, l, m)) m = l;
        if (r < c->nheap && heap_less(c, r, m)) m = r;
        if (m == i) return;
        heap_swap(c, i, m);
        i = m;
    }
}

static void on_timer(uv_timer_t *t);

static void heap_insert(http_session *s)
{
    http_client *c = s->c;
    if (c->nheap == c->heap_cap) {
        size_t cap = c->heap_cap;
        XGROW(c->heap, (size_t)c->nheap + 1, cap);
        c->heap_cap = (uint32_t)cap;
    }
    s->heap_idx         = c->nheap;
    c->heap[c->nheap++] = s;
    heap_up(c, s->heap_idx);
    /* Re-arm only for a new earliest deadline; a removed one just makes the timer fire early. */
    if (s->heap_idx == 0) {
        uint64_t now = uv_now(c->loop);
        uv_timer_start(&c->timer, on_timer, s->deadline > now ? s->deadline - now : 0, 0);
    }
}

static void heap_remove(http_session *s)
{
    http_client *c = s->c;
    uint32_t i     = s->heap_idx;
    if (i == NOT_IN_HEAP) return;
    s->heap_idx = NOT_IN_HEAP;
    c->nheap--;
    if (c->nheap == 0) uv_timer_stop(&c->timer);
    if (i == c->nheap) return;
    c->heap[i]           = c->heap[c->nheap];
    c->heap[i]->heap_idx = i;
    heap_up(c, i);
    heap_down(c, c->heap[i]->heap_idx);
}

/* ---- deferred completions: never call back from inside http_send ---- */

static void defer_unlink(http_session *s)
{
    if (!s->deferred) return;
    http_client *c = s->c;
    if (s->defer_prev)
        s->defer_prev->defer_next = s->defer_next;
    else
        c->defer_head = s->defer_next;
    if (s->defer_next)
        s->defer_next->defer_prev = s->defer_prev;
    else
        c->defer_tail = s->defer_prev;
    s->defer_prev = s->defer_next = NULL;
    s->deferred                   = 0;
    if (!c->defer_head) uv_idle_stop(&c->idle);
}

static void on_idle(uv_idle_t *h)
{
    http_client *c = h->data;
    /* Only what was queued before this turn: a callback that fails again at once waits for the
     * next turn instead of spinning here. */
    uint64_t gen = c->defer_gen++;
    while (c->defer_head && c->defer_head->defer_gen <= gen) {
        http_session *s = c->defer_head;
        defer_unlink(s);
        deliver(s);
    }
}

static void defer(http_session *s)
{
    http_client *c = s->c;
    s->deferred    = 1;
    s->defer_gen   = c->defer_gen;
    s->defer_next  = NULL;
    s->defer_prev  = c->defer_tail;
    if (c->defer_tail)
        c->defer_tail->defer_next = s;
    else
        c->defer_head = s;
    c->defer_tail = s;
    uv_idle_start(&c->idle, on_idle);
}

/* ---- connections ---- */

static void conn_freed(uv_handle_t *h)
{
    http_conn *k = (http_conn *)h;
    free(k->host);
    free(k);
}

static void conn_close(http_conn *k)
{
    if (k->state == C_CLOSED) return;
    http_session *s = k->s;
    if (s) {
        for (http_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
            if (*pp == k) {
                *pp = k->next;
                break;
            }
        }
        if (s->conn == k) s->conn = NULL;
    }
    k->state = C_CLOSED;
    k->s     = NULL;
    k->next  = NULL;
    /* uv_close removes the fd from epoll, so the socket is closed after it. */
    uv_close((uv_handle_t *)&k->poll, conn_freed);
    k->ops->close(&k->io);
}

static void set_events(http_conn *k, int events)
{
    if (k->events == events) return;
    k->events = events;
    uv_poll_start(&k->poll, events, on_poll);
}

/* Ends the exchange with the message in c->scratch (or msg), naming the server. */
static void fail_with(http_session *s, const char *host, unsigned port, const char *msg)
{
    set_error(s, "%s (%s:%u)", msg, host, port);
    complete(s);
}

/* The connection carrying s's exchange failed. A reused keep-alive connection that dies before
 * any response byte most likely raced the server closing it while idle: an idempotent request is
 * sent again, once, on a new connection. */
static void exchange_failed(http_conn *k, const char *msg, int may_retry)
{
    http_session *s = k->s;
    int reused      = k->served > 0;
    conn_close(k); /* k->host stays valid until the close callback */
    if (!s) return;
    if (may_retry && reused && s->hop_rx == 0 && !s->retried && (s->rq_idempotent || s->as_get)) {
        s->retried = 1;
        start_hop(s);
        return;
    }
    fail_with(s, k->host, k->port, msg);
}

static char *put(char *d, const void *src, size_t n)
{
    memcpy(d, src, n);
    return d + n;
}

#define PUT_LIT(d, lit) put((d), (lit), sizeof(lit) - 1)

static const char accept_encoding_line[] = "Accept-Encoding: gzip\r\n";
static const char user_agent_line[]      = "User-Agent: mixperf/" MP_VERSION "\r\n";

/* Writes the request for the current hop into s->out: the fixed pieces are copied into room
 * reserved once, and only the Cookie value, which the jar builds, goes through sb calls. */
static void serialize(http_session *s)
{
    sb *o             = &s->out;
    const char *rq    = s->rq.buf;
    const http_url *u = &s->url;
    int as_get        = s->as_get;
    const rq_hdr *uh  = s->rq_user_host && !s->origin_changed ? &s->rqh[s->rq_user_host - 1] : NULL;
    size_t skip       = u->https ? 8 : 7;
    const char *host  = uh ? rq + uh->value_off : u->origin + skip;
    size_t host_len   = uh ? uh->value_len : u->origin_len - skip;
    size_t mlen       = as_get ? 3 : s->rq_method_len;
    sb_reset(o);
    sb_grow(o, mlen + u->target_len + host_len + s->rq_headers_len + sizeof accept_encoding_line +
                   sizeof user_agent_line + 64);
    char *d = o->buf;
    d       = put(d, as_get ? "GET" : rq, mlen);
    *d++    = ' ';
    d       = put(d, u->target, u->target_len);
    d       = PUT_LIT(d, " HTTP/1.1\r\nHost: ");
    d       = put(d, host, host_len);
    d       = PUT_LIT(d, "\r\n");
    for (uint32_t i = 0; i < s->rq_nheaders; i++) {
        const rq_hdr *h = &s->rqh[i];
        switch (h->kind) {
        case RH_HOST:           /* written above, or not for another origin */
        case RH_COOKIE:         /* joined with the jar's cookies below */
        case RH_CONTENT_LENGTH: /* computed here */
            continue;
        case RH_AUTHORIZATION:
            if (s->origin_changed) continue;
            break;
        case RH_CONTENT_TYPE:
            if (as_get) continue; /* it described a dropped body */
            break;
        default:
            break;
        }
        d = put(d, rq + h->off, h->len);
    }
    if (!s->rq_user_ae) d = PUT_LIT(d, accept_encoding_line);
    if (!s->rq_user_ua) d = PUT_LIT(d, user_agent_line);
    o->len         = (size_t)(d - o->buf);
    o->buf[o->len] = '\0';
    if (s->jar.n || s->rq_user_cookie) {
        size_t mark = o->len;
        sb_add(o, "Cookie: ", 8);
        size_t start = o->len;
        if (s->jar.n) http_jar_header(&s->jar, u, (int64_t)(mp_wall_ns() / 1000000000u), o);
        if (s->rq_user_cookie) {
            const rq_hdr *c = &s->rqh[s->rq_user_cookie - 1];
            if (o->len > start) sb_add(o, "; ", 2);
            sb_add(o, rq + c->value_off, c->value_len);
        }
        if (o->len == start)
            sb_truncate(o, mark);
        else
            sb_add(o, "\r\n", 2);
    }
    size_t body_len = as_get ? 0 : s->rq_body_len;
    sb_grow(o, 40 + body_len);
    d = o->buf + o->len;
    if (!as_get && (s->rq_has_body || s->rq_payload)) {
        char num[20];
        size_t n = sizeof num, v = s->rq_body_len;
        do {
            num[--n] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        d = PUT_LIT(d, "Content-Length: ");
        d = put(d, num + n, sizeof num - n);
        d = PUT_LIT(d, "\r\n");
    }
    d = PUT_LIT(d, "\r\n");
    if (body_len) d = put(d, rq + s->rq_body_off, body_len);
    o->len         = (size_t)(d - o->buf);
    o->buf[o->len] = '\0';
    s->out_off     = 0;
}

static void do_write(http_conn *k)
{
    http_session *s = k->s;
    while (s->out_off < s->out.len) {
        ssize_t n =
            k->ops->write(&k->io, s->out.buf + s->out_off, s->out.len - s->out_off, &k->c->scratch);
        if (n > 0) {
            s->out_off += (size_t)n;
        } else if (n == HTTP_IO_AGAIN_WRITE) {
            set_events(k, UV_READABLE | UV_WRITABLE);
            return;
        } else if (n == HTTP_IO_AGAIN_READ) {
            set_events(k, UV_READABLE);
            return;
        } else {
            exchange_failed(k, k->c->scratch.msg, 1);
            return;
        }
    }
    set_events(k, UV_READABLE);
}

static void send_request(http_session *s, http_conn *k)
{
    if (k->state == C_IDLE) uv_ref((uv_handle_t *)&k->poll);
    k->state  = C_ACTIVE;
    s->conn   = k;
    s->hop_rx = 0; /* the parser is reset at the first byte: a callback may still read headers */
    serialize(s);
    do_write(k);
}

static void response_done(http_conn *k, int extra)
{
    http_session *s = k->s;
    k->served++;
    if (s->p.keep_alive && !extra && s->out_off == s->out.len) {
        k->state = C_IDLE;
        s->conn  = NULL;
        if (k->events != UV_READABLE) set_events(k, UV_READABLE);
        /* Still watched (to notice the server closing it), but an idle connection alone must not
         * keep uv_run from returning. */
        uv_unref((uv_handle_t *)&k->poll);
    } else {
        conn_close(k);
    }
    http_decoder_end(&s->dec);
    if (!s->redirect) {
        complete(s);
        return;
    }
    mp_err *err     = &s->c->scratch;
    const char *loc = http_parser_known(&s->p, HH_LOCATION);
    http_url next;
    if (++s->hops > MAX_REDIRECTS) {
        set_error(s, "too many redirects (more than %d)", MAX_REDIRECTS);
        complete(s);
        return;
    }
    if (http_url_resolve(&next, &s->url, loc, strlen(loc), err) < 0) {
        set_error(s, "cannot follow redirect: %s", err->msg);
        complete(s);
        return;
    }
    if (!http_url_same_origin(&s->url, &next)) s->origin_changed = 1;
    int status         = s->p.status;
    const char *method = s->as_get ? "GET" : s->rq.buf;
    if ((status == 303 && strcmp(method, "HEAD") != 0) ||
        ((status == 301 || status == 302) && strcmp(method, "POST") == 0))
        s->as_get = 1;
    http_url_free(&s->url);
    s->url     = next;
    s->retried = 0;
    start_hop(s);
}

static void do_read(http_conn *k)
{
    http_client *c = k->c;
    for (;;) {
        ssize_t n = k->ops->read(&k->io, c->rbuf, READ_BUF_SIZE, &c->scratch);
        if (n == HTTP_IO_AGAIN_READ) {
            if (k->read_wants_write) {
                k->read_wants_write = 0;
                if (k->state != C_ACTIVE || k->s->out_off == k->s->out.len)
                    set_events(k, UV_READABLE);
            }
            return;
        }
        if (n == HTTP_IO_AGAIN_WRITE) {
            k->read_wants_write = 1;
            set_events(k, UV_READABLE | UV_WRITABLE);
            return;
        }
        if (k->state != C_ACTIVE) {
            /* An idle connection: the server closed it, or sent something nobody asked for. */
            conn_close(k);
            return;
        }
        http_session *s = k->s;
        if (n < 0) {
            exchange_failed(k, c->scratch.msg, 1);
            return;
        }
        if (n == 0) {
            if (s->hop_rx == 0) {
                exchange_failed(k, "server closed the connection without responding", 1);
            } else if (http_parser_eof(&s->p, &c->scratch) == 0) {
                response_done(k, 1); /* a body delimited by the close */
            } else {
                exchange_failed(k, c->scratch.msg, 0);
            }
            return;
        }
        if (s->hop_rx == 0) http_parser_reset(&s->p, s->rq_head && !s->as_get);
        s->rx += (uint64_t)n;
        s->hop_rx += (uint64_t)n;
        size_t used;
        if (http_parser_feed(&s->p, c->rbuf, (size_t)n, &used, &c->scratch) < 0) {
            exchange_failed(k, c->scratch.msg, 0);
            return;
        }
        if (s->p.state == HP_DONE) {
            response_done(k, used < (size_t)n);
            return;
        }
        /* A short plain read emptied the socket; TLS may still hold decrypted bytes. */
        if (k->ops == &http_transport_plain && n < READ_BUF_SIZE) return;
    }
}

static void do_handshake(http_conn *k)
{
    int r = k->ops->handshake(&k->io, &k->c->scratch);
    if (r == 0) {
        set_events(k, UV_READABLE);
        send_request(k->s, k);
    } else if (r == HTTP_IO_AGAIN_READ) {
        set_events(k, UV_READABLE);
    } else if (r == HTTP_IO_AGAIN_WRITE) {
        set_events(k, UV_WRITABLE);
    } else {
        exchange_failed(k, k->c->scratch.msg, 0);
    }
}

static void connect_addr(http_session *s, dns_entry *d, unsigned idx);

static void connected(http_conn *k)
{
    http_session *s = k->s;
    http_client *c  = k->c;
    if (!k->https) {
        set_events(k, UV_READABLE);
        send_request(s, k);
        return;
    }
    if (!c->tls && !(c->tls = http_tls_new(&c->scratch))) {
        exchange_failed(k, c->scratch.msg, 0);
        return;
    }
    if (http_tls_attach(c->tls, &k->io, s->url.host, s->url.host_is_ip, s->verify, &c->scratch) <
        0) {
        exchange_failed(k, c->scratch.msg, 0);
        return;
    }
    k->ops   = &http_transport_tls;
    k->state = C_HANDSHAKE;
    do_handshake(k);
}

static void connect_failed(http_conn *k, int e)
{
    http_session *s = k->s;
    dns_entry *d    = k->dns;
    unsigned next   = k->addr_idx + 1u;
    conn_close(k);
    if (next < d->naddr) {
        connect_addr(s, d, next); /* the host has another address: try it */
        return;
    }
    fail_with(s, s->url.host, s->url.port, http_errno_message(e));
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    http_conn *k = (http_conn *)h;
    if (k->state == C_CLOSED) return;
    if (status < 0) {
        /* libuv reports EPOLLERR as UV_EBADF; the socket knows the real reason. */
        int e         = 0;
        socklen_t len = sizeof e;
        if (getsockopt(k->io.fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) e = 0;
        if (k->state == C_IDLE)
            conn_close(k);
        else if (k->state == C_CONNECTING)
            connect_failed(k, e ? e : ECONNREFUSED);
        else
            exchange_failed(k, e ? http_errno_message(e) : uv_strerror(status), 1);
        return;
    }
    switch (k->state) {
    case C_CONNECTING: {
        int e         = 0;
        socklen_t len = sizeof e;
        if (getsockopt(k->io.fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) e = errno;
        if (e)
            connect_failed(k, e);
        else
            connected(k);
        return;
    }
    case C_HANDSHAKE:
        do_handshake(k);
        return;
    case C_ACTIVE:
        if (k->s->out_off < k->s->out.len) {
            do_write(k);
            if (k->state != C_ACTIVE) return;
        }
        if ((events & UV_READABLE) || k->read_wants_write) do_read(k);
        return;
    default: /* C_IDLE */
        do_read(k);
        return;
    }
}

static void connect_addr(http_session *s, dns_entry *d, unsigned idx)
{
    http_client *c = s->c;
    for (; idx < d->naddr; idx++) {
        struct sockaddr_storage sa = d->addr[idx];
        uint16_t port              = htons(s->url.port);
        if (sa.ss_family == AF_INET)
            ((struct sockaddr_in *)&sa)->sin_port = port;
        else
            ((struct sockaddr_in6 *)&sa)->sin6_port = port;
        int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            fail_with(s, s->url.host, s->url.port, http_errno_message(errno));
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int e = 0;
        if (connect(fd, (struct sockaddr *)&sa, d->addrlen[idx]) < 0 && errno != EINPROGRESS)
            e = errno;
        if (e) {
            close(fd);
            if (idx + 1 < d->naddr) continue;
            fail_with(s, s->url.host, s->url.port, http_errno_message(e));
            return;
        }
        http_conn *k = xcalloc(1, sizeof *k);
        int rc       = uv_poll_init_socket(c->loop, &k->poll, fd);
        if (rc < 0) {
            close(fd);
            free(k);
            fail_with(s, s->url.host, s->url.port, uv_strerror(rc));
            return;
        }
        k->io.fd    = fd;
        k->ops      = &http_transport_plain;
        k->c        = c;
        k->s        = s;
        k->dns      = d;
        k->host     = xstrdup(s->url.host);
        k->port     = s->url.port;
        k->https    = (uint8_t)s->url.https;
        k->verify   = s->verify;
        k->addr_idx = (uint8_t)idx;
        k->state    = C_CONNECTING;
        k->next     = s->conns;
        s->conns    = k;
        s->conn     = k;
        set_events(k, UV_WRITABLE);
        return;
    }
}

/* ---- name resolution ---- */

static void dns_unwait(http_session *s)
{
    dns_entry *d = s->dns_wait;
    if (!d) return;
    if (s->dns_prev)
        s->dns_prev->dns_next = s->dns_next;
    else
        d->waiters = s->dns_next;
    if (s->dns_next) s->dns_next->dns_prev = s->dns_prev;
    s->dns_prev = s->dns_next = NULL;
    s->dns_wait               = NULL;
}

static void dns_unlink(http_client *c, dns_entry *d)
{
    for (dns_entry **pp = &c->dns; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    dns_entry *d = req->data;
    free(req);
    d->req         = NULL;
    http_client *c = d->client;
    if (!c) { /* the client went away meanwhile */
        uv_freeaddrinfo(res);
        free(d->host);
        free(d);
        return;
    }
    for (struct addrinfo *ai = res; ai && d->naddr < MAX_ADDRS; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        memcpy(&d->addr[d->naddr], ai->ai_addr, ai->ai_addrlen);
        d->addrlen[d->naddr++] = (socklen_t)ai->ai_addrlen;
    }
    uv_freeaddrinfo(res);
    if (status < 0 || d->naddr == 0) {
        /* Not cached: the waiters fail, and a later request asks again. */
        char msg[320];
        snprintf(msg, sizeof msg, "cannot resolve host '%s': %s", d->host,
                 status < 0 ? uv_strerror(status) : "no IPv4 or IPv6 address");
        dns_unlink(c, d);
        http_session *s;
        while ((s = d->waiters)) {
            dns_unwait(s);
            set_error(s, "%s", msg);
            complete(s);
        }
        free(d->host);
        free(d);
        return;
    }
    d->state = DNS_OK;
    http_session *s;
    while ((s = d->waiters)) {
        dns_unwait(s);
        connect_addr(s, d, 0);
    }
}

/* The entry for u's host, resolving it if needed; NULL with s failed. */
static dns_entry *dns_get(http_session *s)
{
    http_client *c = s->c;
    for (dns_entry *d = c->dns; d; d = d->next)
        if (strcmp(d->host, s->url.host) == 0) return d;
    dns_entry *d = xcalloc(1, sizeof *d);
    d->host      = xstrdup(s->url.host);
    d->client    = c;
    if (s->url.host_is_ip) {
        if (s->url.ipv6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&d->addr[0];
            a->sin6_family         = AF_INET6;
            inet_pton(AF_INET6, d->host, &a->sin6_addr);
            d->addrlen[0] = sizeof *a;
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&d->addr[0];
            a->sin_family         = AF_INET;
            inet_pton(AF_INET, d->host, &a->sin_addr);
            d->addrlen[0] = sizeof *a;
        }
        d->naddr = 1;
        d->state = DNS_OK;
    } else {
        struct addrinfo hints = {0};
        hints.ai_family       = AF_UNSPEC;
        hints.ai_socktype     = SOCK_STREAM;
        d->state              = DNS_PENDING;
        d->req                = xmalloc(sizeof *d->req);
        d->req->data          = d;
        int rc                = uv_getaddrinfo(c->loop, d->req, on_resolved, d->host, NULL, &hints);
        if (rc < 0) {
            free(d->req);
            set_error(s, "cannot resolve host '%s': %s", d->host, uv_strerror(rc));
            free(d->host);
            free(d);
            complete(s);
            return NULL;
        }
    }
    d->next = c->dns;
    c->dns  = d;
    return d;
}

/* ---- exchanges ---- */

static void start_hop(http_session *s)
{
    http_conn *idle = NULL, *oldest_idle = NULL;
    int n = 0;
    for (http_conn *k = s->conns; k; k = k->next) {
        n++;
        if (k->state != C_IDLE) continue;
        oldest_idle = k;
        if (!idle && k->port == s->url.port && k->https == s->url.https &&
            (!k->https || k->verify == s->verify) && strcmp(k->host, s->url.host) == 0)
            idle = k;
    }
    if (idle) {
        send_request(s, idle);
        return;
    }
    if (n >= MAX_CONNS_PER_SESSION && oldest_idle) conn_close(oldest_idle);
    dns_entry *d = dns_get(s);
    if (!d) return;
    if (d->state == DNS_PENDING) {
        s->dns_wait = d;
        s->dns_prev = NULL;
        s->dns_next = d->waiters;
        if (d->waiters) d->waiters->dns_prev = s;
        d->waiters = s;
        return;
    }
    connect_addr(s, d, 0);
}

/* The exchange is over (s->error says whether it failed): report it now, or on the next loop
 * turn when we are still inside http_send. */
static void complete(http_session *s)
{
    heap_remove(s);
    if (s->in_send) {
        defer(s);
        return;
    }
    deliver(s);
}

static void shrink(http_session *s)
{
    if (s->body.cap > KEEP_BODY_CAP) sb_free(&s->body);
    http_parser_trim(&s->p, KEEP_BUF_CAP);
    if (!s->busy) {
        if (s->out.cap > KEEP_BUF_CAP) sb_free(&s->out);
        if (s->rq.cap > KEEP_BUF_CAP) sb_free(&s->rq);
        if (s->rqh_cap * sizeof *s->rqh > KEEP_BUF_CAP) {
            free(s->rqh);
            s->rqh     = NULL;
            s->rqh_cap = 0;
        }
    }
}

static void destroy(http_session *s);

static void deliver(http_session *s)
{
    heap_remove(s);
    http_decoder_end(&s->dec);
    free(s->resp_error);
    s->resp_error    = s->error;
    s->error         = NULL;
    http_response *r = &s->resp;
    memset(r, 0, sizeof *r);
    r->error = s->resp_error;
    if (!r->error) {
        r->status    = s->p.status;
        r->body      = sb_str(&s->body);
        r->body_len  = s->body.len;
        r->body_size = s->body_size;
    } else {
        r->body = "";
    }
    /* The final URL, by hand: it is formatted for every response. */
    sb *fu   = &s->final_url;
    size_t n = s->url.origin_len + s->url.target_len;
    fu->len  = 0;
    if (n + 1 > fu->cap) sb_grow(fu, n);
    memcpy(fu->buf, s->url.origin, s->url.origin_len);
    memcpy(fu->buf + s->url.origin_len, s->url.target, s->url.target_len);
    fu->len           = n;
    fu->buf[n]        = '\0';
    r->url            = s->final_url.buf;
    r->redirects      = s->hops;
    r->bytes_received = s->rx;

    http_done_cb cb = s->cb;
    void *arg       = s->arg;
    s->busy         = 0;
    s->cb           = NULL;
    s->in_cb++;
    cb(s, r, arg);
    s->in_cb--;
    if (s->in_cb == 0 && s->free_pending) {
        destroy(s);
        return;
    }
    shrink(s);
}

static int on_headers(void *ctx, mp_err *err)
{
    http_session *s      = ctx;
    const http_parser *p = &s->p;
    const char *value;
    if (p->last[HH_SET_COOKIE]) {
        int64_t now = (int64_t)(mp_wall_ns() / 1000000000u);
        for (uint32_t i = 0; i < p->last[HH_SET_COOKIE]; i++)
            if (p->hdr[i].id == HH_SET_COOKIE)
                http_jar_set(&s->jar, p->headers.buf + p->hdr[i].value, p->hdr[i].value_len,
                             &s->url, now);
    }
    int st      = p->status;
    s->redirect = s->follow && (st == 301 || st == 302 || st == 303 || st == 307 || st == 308) &&
                  (value = http_parser_known(p, HH_LOCATION)) && *value;
    sb_reset(&s->body);
    s->body_size = 0;
    http_decoder_start(&s->dec, s->redirect ? NULL : http_parser_known(p, HH_CONTENT_ENCODING));
    return 0;
}

static int body_sink(void *ctx, const char *data, size_t len, mp_err *err)
{
    http_session *s = ctx;
    size_t max      = s->c->max_body;
    s->body_size += len;
    if (s->body.len < max)
        sb_add(&s->body, data, len < max - s->body.len ? len : max - s->body.len);
    return 0;
}

static int on_body(void *ctx, const char *data, size_t len, mp_err *err)
{
    http_session *s = ctx;
    if (s->redirect) return 0;
    return http_decoder_feed(&s->dec, data, len, body_sink, s, err);
}

/* ---- public interface ---- */

static void on_handle_closed(uv_handle_t *h)
{
    http_client *c = h->data;
    if (--c->open_handles == 0) free(c);
}

http_client *http_client_new(uv_loop_t *loop, const http_client_opts *opts, mp_err *err)
{
    http_client *c = xcalloc(1, sizeof *c);
    c->loop        = loop;
    c->max_body    = opts && opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
    if (uv_timer_init(loop, &c->timer) < 0 || uv_idle_init(loop, &c->idle) < 0) {
        free(c);
        mp_fail(err, "cannot set up the HTTP client on this event loop");
        return NULL;
    }
    /* A busy session always has something else keeping the loop alive (its socket, its name
     * lookup, or the idle handle of a deferred completion), so the deadline timer never needs to,
     * and must not keep uv_run from returning once everything is idle. */
    uv_unref((uv_handle_t *)&c->timer);
    c->timer.data   = c;
    c->idle.data    = c;
    c->open_handles = 2;
    c->rbuf         = xmalloc(READ_BUF_SIZE);
    return c;
}

void http_client_free(http_client *c)
{
    if (!c) return;
    if (c->nsessions) {
        fprintf(stderr, "mixperf: http_client_free with %zu sessions still open\n", c->nsessions);
        abort();
    }
    while (c->dns) {
        dns_entry *d = c->dns;
        c->dns       = d->next;
        if (d->req) {
            d->client = NULL; /* on_resolved frees it */
        } else {
            free(d->host);
            free(d);
        }
    }
    http_tls_free(c->tls);
    free(c->rbuf);
    free(c->heap);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->idle, on_handle_closed);
}

http_session *http_session_new(http_client *c)
{
    http_session *s = xcalloc(1, sizeof *s);
    s->c            = c;
    s->heap_idx     = NOT_IN_HEAP;
    s->p.on_headers = on_headers;
    s->p.on_body    = on_body;
    s->p.ctx        = s;
    c->nsessions++;
    return s;
}

static void destroy(http_session *s)
{
    while (s->conns)
        conn_close(s->conns);
    heap_remove(s);
    defer_unlink(s);
    dns_unwait(s);
    http_jar_free(&s->jar);
    http_url_free(&s->url);
    http_parser_free(&s->p);
    http_decoder_end(&s->dec);
    sb_free(&s->rq);
    free(s->rqh);
    sb_free(&s->out);
    sb_free(&s->body);
    sb_free(&s->final_url);
    free(s->error);
    free(s->resp_error);
    s->c->nsessions--;
    free(s);
}

void http_session_free(http_session *s)
{
    if (!s || s->closing) return;
    s->closing = 1;
    if (s->busy) {
        if (s->conn) conn_close(s->conn);
        dns_unwait(s);
        defer_unlink(s);
        set_error(s, "cancelled");
        deliver(s);
    }
    if (s->in_cb) {
        s->free_pending = 1; /* freed when the callback we are inside returns */
        return;
    }
    destroy(s);
}

static uint8_t rq_kind(const char *n, size_t len)
{
    switch (len) {
    case 4:
        return strncasecmp(n, "host", 4) ? RH_OTHER : RH_HOST;
    case 6:
        return strncasecmp(n, "cookie", 6) ? RH_OTHER : RH_COOKIE;
    case 10:
        return strncasecmp(n, "user-agent", 10) ? RH_OTHER : RH_USER_AGENT;
    case 12:
        return strncasecmp(n, "content-type", 12) ? RH_OTHER : RH_CONTENT_TYPE;
    case 13:
        return strncasecmp(n, "authorization", 13) ? RH_OTHER : RH_AUTHORIZATION;
    case 14:
        return strncasecmp(n, "content-length", 14) ? RH_OTHER : RH_CONTENT_LENGTH;
    case 15:
        return strncasecmp(n, "accept-encoding", 15) ? RH_OTHER : RH_ACCEPT_ENCODING;
    case 17:
        return strncasecmp(n, "transfer-encoding", 17) ? RH_OTHER : RH_TRANSFER_ENCODING;
    default:
        return RH_OTHER;
    }
}

/* Sets the method flags: the exact upper-case names, as before (methods are case-sensitive). */
static void classify_method(http_session *s, const char *m, size_t n)
{
    s->rq_head = s->rq_idempotent = s->rq_payload = 0;
    switch (n) {
    case 3:
        s->rq_idempotent = !memcmp(m, "GET", 3) || !memcmp(m, "PUT", 3);
        s->rq_payload    = !memcmp(m, "PUT", 3);
        break;
    case 4:
        s->rq_head       = !memcmp(m, "HEAD", 4);
        s->rq_idempotent = s->rq_head;
        s->rq_payload    = !memcmp(m, "POST", 4);
        break;
    case 5:
        s->rq_idempotent = !memcmp(m, "TRACE", 5);
        s->rq_payload    = !memcmp(m, "PATCH", 5);
        break;
    case 6:
        s->rq_idempotent = !memcmp(m, "DELETE", 6);
        break;
    case 7:
        s->rq_idempotent = !memcmp(m, "OPTIONS", 7);
        break;
    default:
        break;
    }
}

int http_send(http_session *s, const http_request *req, http_done_cb cb, void *arg, mp_err *err)
{
    if (s->closing) return mp_fail(err, "cannot send: the session is being freed");
    if (s->busy) return mp_fail(err, "a request is already in flight on this session");
    if (!cb) return mp_fail(err, "http_send needs a callback");
    size_t mlen = req->method ? strlen(req->method) : 0;
    if (!req->method || !http_is_token(req->method, mlen))
        return mp_fail(err, "invalid HTTP method '%s'", req->method ? req->method : "(null)");
    if (req->nheaders > UINT32_MAX / 2) return mp_fail(err, "too many request headers");
    /* Checked and copied in one pass; nothing of the session changes until all are valid. */
    if (req->nheaders > s->rqh_cap) {
        size_t cap = s->rqh_cap;
        XGROW(s->rqh, req->nheaders, cap);
        s->rqh_cap = (uint32_t)cap;
    }
    sb *q = &s->rq;
    sb_reset(q);
    sb_add(q, req->method, mlen + 1);
    uint32_t user_host = 0, user_cookie = 0;
    uint8_t user_ae = 0, user_ua = 0;
    size_t lines = 0;
    for (size_t i = 0; i < req->nheaders; i++) {
        const char *n = req->headers[i].name, *v = req->headers[i].value;
        size_t nl = n ? strlen(n) : 0;
        if (!n || !http_is_token(n, nl))
            return mp_fail(err, "invalid header name '%s'", n ? n : "(null)");
        if (!v) return mp_fail(err, "header '%s' has no value", n);
        size_t vl = strlen(v);
        if (memchr(v, '\r', vl) || memchr(v, '\n', vl))
            return mp_fail(err, "header '%s' value contains a line break", n);
        uint8_t kind = rq_kind(n, nl);
        if (kind == RH_TRANSFER_ENCODING)
            return mp_fail(err, "header 'Transfer-Encoding' cannot be set: the body is sent with "
                                "Content-Length");
        if (q->len + nl + vl + 4 > UINT32_MAX) return mp_fail(err, "request headers too large");
        rq_hdr *h    = &s->rqh[i];
        h->off       = (uint32_t)q->len;
        h->len       = (uint32_t)(nl + vl + 4);
        h->value_off = (uint32_t)(q->len + nl + 2);
        h->value_len = (uint32_t)vl;
        h->kind      = kind;
        sb_grow(q, nl + vl + 4);
        char *d = q->buf + q->len;
        d       = put(d, n, nl);
        d       = PUT_LIT(d, ": ");
        d       = put(d, v, vl);
        d       = PUT_LIT(d, "\r\n");
        q->len += nl + vl + 4;
        q->buf[q->len] = '\0';
        switch (kind) {
        case RH_HOST:
            if (!user_host) user_host = (uint32_t)i + 1;
            break;
        case RH_COOKIE:
            user_cookie = (uint32_t)i + 1;
            break;
        case RH_ACCEPT_ENCODING:
            user_ae = 1;
            lines += h->len;
            break;
        case RH_USER_AGENT:
            user_ua = 1;
            lines += h->len;
            break;
        case RH_CONTENT_LENGTH:
            break;
        default:
            lines += h->len;
            break;
        }
    }
    if (!req->url) return mp_fail(err, "request has no URL");
    if (http_url_update(&s->url, req->url, strlen(req->url), err) < 0) return -1;

    /* Copied: the caller may reuse its buffers, even the response's, at once. */
    s->rq_method_len  = (uint32_t)mlen;
    s->rq_nheaders    = (uint32_t)req->nheaders;
    s->rq_user_host   = user_host;
    s->rq_user_cookie = user_cookie;
    s->rq_user_ae     = user_ae;
    s->rq_user_ua     = user_ua;
    s->rq_headers_len = lines;
    s->rq_body_off    = q->len;
    s->rq_body_len    = req->body ? req->body_len : 0;
    s->rq_has_body    = req->body != NULL;
    if (s->rq_body_len) sb_add(q, req->body, s->rq_body_len);
    classify_method(s, req->method, mlen);
    /* Servers answer 411 to a body-carrying method without a length, so send 0 (rq_payload). */

    s->follow         = req->follow_redirects != 0;
    s->verify         = req->tls_verify != 0;
    s->timeout_s      = req->timeout_s;
    s->as_get         = 0;
    s->origin_changed = 0;
    s->cb             = cb;
    s->arg            = arg;
    s->hops           = 0;
    s->rx             = 0;
    s->retried        = 0;
    s->redirect       = 0;
    free(s->error);
    s->error = NULL;
    s->busy  = 1;
    /* Beyond about 30,000 years a timeout is no timeout (and would overflow the clock). */
    if (req->timeout_s > 0 && req->timeout_s < 1e12) {
        double ms   = req->timeout_s * 1000.0;
        s->deadline = uv_now(s->c->loop) + (uint64_t)(ms < 1 ? 1 : ms + 0.999);
        heap_insert(s);
    }
    s->in_send = 1;
    start_hop(s);
    s->in_send = 0;
    return 0;
}

static void on_timer(uv_timer_t *t)
{
    http_client *c = t->data;
    uint64_t now   = uv_now(c->loop);
    while (c->nheap && c->heap[0]->deadline <= now) {
        http_session *s = c->heap[0];
        heap_remove(s);
        if (s->conn) conn_close(s->conn);
        dns_unwait(s);
        set_error(s, "timeout after %gs", s->timeout_s);
        deliver(s);
    }
    if (c->nheap) {
        uint64_t due = c->heap[0]->deadline;
        uv_timer_start(&c->timer, on_timer, due > now ? due - now : 0, 0);
    }
}

const char *http_response_header(const http_response *r, const char *name)
{
    if (r->error) return NULL;
    const http_session *s = (const http_session *)((const char *)r - offsetof(http_session, resp));
    return http_parser_header(&s->p, name);
}

const char *http_session_cookie(const http_session *s, const char *name)
{
    return http_jar_get(&s->jar, name, (int64_t)(mp_wall_ns() / 1000000000u));
}
