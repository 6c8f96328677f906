/* mixperf httpbench: the HTTP client alone, as a load generator with no scenario, so `make bench`
 * can put its CPU time per request next to wrk's and measure what an idle session with a
 * keep-alive connection and a cookie jar costs in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "cmd/commands.h"
#include "http/http.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"

struct bench {
    http_client *client;
    http_session **sessions;
    long nsessions;
    const char *url;
    const char *first_url;
    double timeout_s;
    long total;      /* requests after the first round */
    long sent, done; /* of the measured phase */
    long first_done;
    long errors;
    long non2xx;
    uint64_t bytes;
    const char *first_error;
    int phase; /* 0: every session makes its first request; 1: measured requests */
    long rss_before;
    long rss_held;
    struct rusage ru0;
};

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static double cpu_seconds(const struct rusage *a, const struct rusage *b)
{
    return (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec) +
           (double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec) / 1e6 +
           (double)(b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
           (double)(b->ru_stime.tv_usec - a->ru_stime.tv_usec) / 1e6;
}

static void on_done(http_session *s, const http_response *r, void *arg);

static void send_one(struct bench *b, http_session *s, const char *url)
{
    http_request req = {0};
    req.method       = "GET";
    req.url          = url;
    req.timeout_s    = b->timeout_s;
    mp_err err;
    if (http_send(s, &req, on_done, b, &err) < 0) {
        fprintf(stderr, "mixperf httpbench: %s\n", err.msg);
        exit(MP_EXIT_USAGE);
    }
}

static void on_done(http_session *s, const http_response *r, void *arg)
{
    struct bench *b = arg;
    if (r->error) {
        b->errors++;
        if (!b->first_error) b->first_error = xstrdup(r->error);
    } else if (r->status < 200 || r->status > 299) {
        b->non2xx++;
    }
    if (b->phase == 0) {
        if (++b->first_done < b->nsessions) return;
        /* Every session now holds its connection (and any cookies): weigh them, then start. */
        b->rss_held = rss_bytes();
        b->phase    = 1;
        getrusage(RUSAGE_SELF, &b->ru0);
        for (long i = 0; i < b->nsessions && b->sent < b->total; i++, b->sent++)
            send_one(b, b->sessions[i], b->url);
        return;
    }
    b->done++;
    b->bytes += r->bytes_received;
    if (b->sent < b->total) {
        b->sent++;
        send_one(b, s, b->url);
    }
}

int cmd_httpbench(int argc, char **argv)
{
    long sessions = 64, requests = 100000;
    double timeout             = 30;
    const char *first          = NULL;
    const struct opt options[] = {
        {OPT_INT, 'c', "sessions", &sessions, "N", "concurrent sessions (64)"},
        {OPT_INT, 'n', "requests", &requests, "N", "measured requests in total (100000)"},
        {OPT_DURATION, 't', "timeout", &timeout, "DURATION", "per-request timeout (30s)"},
        {OPT_STRING, 0, "first-url", &first, "URL",
         "each session's first, unmeasured request (e.g. one that sets cookies); default URL"},
        OPT_END_(),
    };
    static const struct opt_usage usage = {
        "httpbench", "[options] URL",
        "Drives URL with GET requests from N sessions, each with its own keep-alive connection\n"
        "and cookie jar. Every session first makes one request; then the resident memory per\n"
        "session is printed, and the CPU time (user+sys) per request over the measured requests."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 1 || sessions < 1 || requests < 0) {
        fprintf(stderr, "mixperf httpbench: expected one URL, --sessions >= 1, --requests >= 0\n");
        return MP_EXIT_USAGE;
    }

    /* Each session holds a socket: make the soft descriptor limit as high as allowed. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)sessions + 64 > rl.rlim_cur) {
        fprintf(stderr,
                "mixperf httpbench: %ld sessions need more open files than the limit %llu\n",
                sessions, (unsigned long long)rl.rlim_cur);
        return MP_EXIT_RUNTIME;
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    mp_err err;
    struct bench b = {0};
    b.client       = http_client_new(&loop, NULL, &err);
    if (!b.client) {
        fprintf(stderr, "mixperf httpbench: %s\n", err.msg);
        return MP_EXIT_RUNTIME;
    }
    b.url        = argv[0];
    b.first_url  = first ? first : argv[0];
    b.nsessions  = sessions;
    b.total      = requests;
    b.timeout_s  = timeout;
    b.rss_before = rss_bytes();
    b.sessions   = xcalloc((size_t)sessions, sizeof *b.sessions);
    for (long i = 0; i < sessions; i++) {
        b.sessions[i] = http_session_new(b.client);
        send_one(&b, b.sessions[i], b.first_url);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    double cpu   = cpu_seconds(&b.ru0, &ru1);
    long rss_end = rss_bytes();

    printf("sessions            %ld\n", sessions);
    printf("memory per session  %ld bytes (resident %ld -> %ld bytes with every session holding "
           "its connection)\n",
           (b.rss_held - b.rss_before) / sessions, b.rss_before, b.rss_held);
    printf("                    %ld bytes after the measured requests (resident %ld bytes)\n",
           (rss_end - b.rss_before) / sessions, rss_end);
    printf("requests            %ld measured, %ld errors, %ld non-2xx, %llu bytes received\n",
           b.done, b.errors, b.non2xx, (unsigned long long)b.bytes);
    if (b.done)
        printf("cpu per request     %.3f us (user+sys %.3f s)\n", cpu / (double)b.done * 1e6, cpu);
    if (b.first_error) printf("first error         %s\n", b.first_error);

    for (long i = 0; i < sessions; i++)
        http_session_free(b.sessions[i]);
    http_client_free(b.client);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(b.sessions);
    free((char *)b.first_error);
    return b.errors || b.non2xx ? MP_EXIT_FAILED : MP_EXIT_OK;
}
