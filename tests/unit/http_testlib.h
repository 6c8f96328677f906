/* Shared by the HTTP client tests: starting tests/e2e/httpd.py, and running one request on a
 * libuv loop until its callback has run. Header-only so each test executable stays one file. */
#ifndef MP_TESTS_HTTP_TESTLIB_H
#define MP_TESTS_HTTP_TESTLIB_H

#include <criterion/criterion.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "http/http.h"
#include "util/mem.h"

extern char **environ;

typedef struct test_server {
    pid_t pid;
    int port;
    int stdin_fd; /* the server exits when this closes, even if the test crashes */
} test_server;

/* Starts the test server (TLS when cert and key are given) and waits for its port. */
static inline test_server server_start(const char *cert, const char *key)
{
    test_server srv = {0};
    int in[2], out[2];
    cr_assert_eq(pipe(in), 0);
    cr_assert_eq(pipe(out), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const char *script = MP_SOURCE_DIR "/tests/e2e/httpd.py";
    char *argv_plain[] = {"/usr/bin/python3", (char *)script, NULL};
    char *argv_tls[]   = {"/usr/bin/python3", (char *)script, "--tls",
                          (char *)cert,       (char *)key,    NULL};
    int rc =
        posix_spawn(&srv.pid, "/usr/bin/python3", &fa, NULL, cert ? argv_tls : argv_plain, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "cannot start httpd.py: %s", strerror(rc));
    close(in[0]);
    close(out[1]);
    srv.stdin_fd  = in[1];
    char line[32] = {0};
    size_t n      = 0;
    while (n < sizeof line - 1) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n') break;
        n++;
    }
    close(out[0]);
    srv.port = atoi(line);
    cr_assert_gt(srv.port, 0, "httpd.py did not print its port");
    return srv;
}

static inline void server_stop(test_server *srv)
{
    if (srv->pid <= 0) return;
    close(srv->stdin_fd);
    kill(srv->pid, SIGTERM);
    waitpid(srv->pid, NULL, 0);
    srv->pid = 0;
}

#define MAX_CAPTURED_HEADERS 4

/* What a callback saw, copied out of the callback's lifetime. */
typedef struct result {
    int done;
    int calls;
    int status;
    char *error;
    char *body;
    size_t body_len;
    uint64_t body_size;
    char *url;
    int redirects;
    uint64_t bytes;
    const char *want[MAX_CAPTURED_HEADERS]; /* header names to capture */
    char *got[MAX_CAPTURED_HEADERS];        /* their values, NULL when absent */
} result;

static inline void result_free(result *r)
{
    free(r->error);
    free(r->body);
    free(r->url);
    for (int i = 0; i < MAX_CAPTURED_HEADERS; i++)
        free(r->got[i]);
}

static inline void capture_cb(http_session *s, const http_response *resp, void *arg)
{
    result *r = arg;
    r->calls++;
    r->done      = 1;
    r->status    = resp->status;
    r->error     = resp->error ? xstrdup(resp->error) : NULL;
    r->body      = xmemdup(resp->body, resp->body_len + 1);
    r->body_len  = resp->body_len;
    r->body_size = resp->body_size;
    r->url       = xstrdup(resp->url);
    r->redirects = resp->redirects;
    r->bytes     = resp->bytes_received;
    cr_assert_eq(resp->body[resp->body_len], '\0', "body must be NUL-terminated");
    for (int i = 0; i < MAX_CAPTURED_HEADERS && r->want[i]; i++) {
        const char *v = http_response_header(resp, r->want[i]);
        r->got[i]     = v ? xstrdup(v) : NULL;
    }
}

/* Sends req on s and runs the loop until the callback has run; returns what it saw. */
static inline result run_request(uv_loop_t *loop, http_session *s, const http_request *req,
                                 const char *const *want)
{
    result r = {0};
    for (int i = 0; want && want[i] && i < MAX_CAPTURED_HEADERS; i++)
        r.want[i] = want[i];
    mp_err err;
    int rc = http_send(s, req, capture_cb, &r, &err);
    cr_assert_eq(rc, 0, "http_send failed: %s", err.msg);
    cr_assert_eq(r.calls, 0, "callback ran inside http_send");
    while (!r.done)
        if (uv_run(loop, UV_RUN_ONCE) == 0 && !r.done)
            cr_assert_fail("the loop ran dry before the callback");
    cr_assert_eq(r.calls, 1);
    return r;
}

#endif
