/* The libcurl baseline behind the decision in docs/http.md: N keep-alive connections of plain GETs
 * through curl's multi interface driven by libuv (uv_poll per socket, uv_timer for curl's timer),
 * tuned as fairly as we could: easy handles reused and re-added without setting options again,
 * numeric host, no pipelining, no progress meter, NOSIGNAL, TCP_NODELAY, one uv_poll per socket
 * kept across curl's REMOVE/re-add. Prints user+sys CPU microseconds per request.
 * Built and run by bench/http/run.sh; not part of mixperf. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <uv.h>

#define MAX_FD 65536

struct bench {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    long target, started, done;
    uv_poll_t *polls[MAX_FD];
};

static void check_done(struct bench *b)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(b->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL *e = m->easy_handle;
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        if (m->data.result != CURLE_OK || code != 200) {
            fprintf(stderr, "curl_baseline: %s (status %ld)\n", curl_easy_strerror(m->data.result),
                    code);
            exit(1);
        }
        b->done++;
        curl_multi_remove_handle(b->multi, e);
        if (b->started < b->target) {
            b->started++;
            curl_multi_add_handle(b->multi, e);
        }
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct bench *b = h->loop->data;
    int flags = 0, running;
    if (status < 0) flags |= CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    uv_os_fd_t fd;
    uv_fileno((uv_handle_t *)h, &fd);
    curl_multi_socket_action(b->multi, fd, flags, &running);
    check_done(b);
}

static void on_timeout(uv_timer_t *t)
{
    struct bench *b = t->data;
    int running;
    curl_multi_socket_action(b->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(b);
}

static int start_timeout(CURLM *m, long ms, void *arg)
{
    struct bench *b = arg;
    if (ms < 0)
        uv_timer_stop(&b->timer);
    else
        uv_timer_start(&b->timer, on_timeout, (uint64_t)ms, 0);
    return 0;
}

static int handle_socket(CURL *e, curl_socket_t s, int action, void *arg, void *socketp)
{
    struct bench *b = arg;
    if (s < 0 || s >= MAX_FD) return -1;
    uv_poll_t *p = b->polls[s];
    if (action == CURL_POLL_REMOVE) {
        if (p) uv_poll_stop(p);
        return 0;
    }
    if (!p) {
        p = calloc(1, sizeof *p);
        uv_poll_init_socket(b->loop, p, s);
        b->polls[s] = p;
    }
    int ev = 0;
    if (action & CURL_POLL_IN) ev |= UV_READABLE;
    if (action & CURL_POLL_OUT) ev |= UV_WRITABLE;
    uv_poll_start(p, ev, on_poll);
    return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    return size * n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: curl_baseline URL CONNECTIONS REQUESTS\n");
        return 2;
    }
    static struct bench b;
    int conns = atoi(argv[2]);
    b.target  = atol(argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    b.loop       = uv_default_loop();
    b.loop->data = &b;
    uv_timer_init(b.loop, &b.timer);
    b.timer.data = &b;
    b.multi      = curl_multi_init();
    curl_multi_setopt(b.multi, CURLMOPT_SOCKETFUNCTION, handle_socket);
    curl_multi_setopt(b.multi, CURLMOPT_SOCKETDATA, &b);
    curl_multi_setopt(b.multi, CURLMOPT_TIMERFUNCTION, start_timeout);
    curl_multi_setopt(b.multi, CURLMOPT_TIMERDATA, &b);
    curl_multi_setopt(b.multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
    curl_multi_setopt(b.multi, CURLMOPT_MAXCONNECTS, (long)conns);
    for (int i = 0; i < conns; i++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, argv[1]);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 1L);
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 16384L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        b.started++;
        curl_multi_add_handle(b.multi, e);
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    while (b.done < b.target)
        uv_run(b.loop, UV_RUN_ONCE);
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    printf("cpu per request     %.3f us (user+sys %.3f s, %ld requests)\n",
           cpu / (double)b.done * 1e6, cpu, b.done);
    return 0;
}
