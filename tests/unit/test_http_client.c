/* The HTTP client against a real server (tests/e2e/httpd.py): what goes over the wire, cookies,
 * redirects, content decoding, framing, keep-alive, failures and their messages, TLS. */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "http_testlib.h"
#include "util/sb.h"

static test_server srv;
static uv_loop_t loop;
static http_client *client;
static http_session *sess;
static char url_buf[512];

static void setup_client(size_t max_body)
{
    uv_loop_init(&loop);
    mp_err err;
    http_client_opts opts = {max_body};
    client                = http_client_new(&loop, &opts, &err);
    cr_assert_not_null(client, "%s", err.msg);
    sess = http_session_new(client);
}

static void setup(void)
{
    srv = server_start(NULL, NULL);
    setup_client(0);
}

static void teardown(void)
{
    if (sess) http_session_free(sess);
    sess = NULL;
    http_client_free(client);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&loop), 0, "handles left open on the loop");
    server_stop(&srv);
}

/* printf into a static buffer, for expected messages that name the server's port. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
    static char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

static const char *url(const char *path)
{
    snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%d%s", srv.port, path);
    return url_buf;
}

static result get(const char *path)
{
    http_request req     = {0};
    req.method           = "GET";
    req.url              = url(path);
    req.follow_redirects = 1;
    req.timeout_s        = 10;
    return run_request(&loop, sess, &req, NULL);
}

static json_t *echo_json(const result *r)
{
    cr_assert_null(r->error, "unexpected error: %s", r->error);
    cr_assert_eq(r->status, 200);
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    cr_assert_not_null(j, "echo body is not JSON: %s", r->body);
    return j;
}

/* The echoed headers as "Name: value\n" lines, in the order they arrived. */
static char *echo_headers(json_t *j)
{
    sb s = {0};
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(j, "headers"), i, h)
    {
        sb_addf(&s, "%s: %s\n", json_string_value(json_array_get(h, 0)),
                json_string_value(json_array_get(h, 1)));
    }
    return sb_detach(&s);
}

static const char *echo_header(json_t *j, const char *name)
{
    size_t i;
    json_t *h;
    const char *found = NULL;
    json_array_foreach(json_object_get(j, "headers"), i, h)
    {
        if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0)
            found = json_string_value(json_array_get(h, 1));
    }
    return found;
}

static const char *echo_str(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

static long echo_int(json_t *j, const char *key)
{
    return (long)json_integer_value(json_object_get(j, key));
}

TestSuite(http_client, .init = setup, .fini = teardown);

MP_TEST(http_client, get_sends_exactly_these_bytes)
{
    http_header h[]  = {{"X-Test", "one"}, {"Accept", "text/html"}};
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/echo?a=1&b=%20x");
    req.headers      = h;
    req.nheaders     = 2;
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), "GET");
    cr_assert_str_eq(echo_str(j, "target"), "/echo?a=1&b=%20x");
    cr_assert_str_eq(echo_str(j, "version"), "HTTP/1.1");
    cr_assert_str_eq(echo_str(j, "body"), "");
    char *headers = echo_headers(j);
    char expect[256];
    snprintf(expect, sizeof expect,
             "Host: 127.0.0.1:%d\nX-Test: one\nAccept: text/html\nAccept-Encoding: gzip\n"
             "User-Agent: mixperf/" MP_VERSION "\n",
             srv.port);
    cr_assert_str_eq(headers, expect);
    snprintf(expect, sizeof expect, "http://127.0.0.1:%d/echo?a=1&b=%%20x", srv.port);
    cr_assert_str_eq(r.url, expect);
    cr_assert_eq(r.redirects, 0);
    cr_assert_gt(r.bytes, r.body_len, "bytes_received counts headers too");
    cr_assert_eq(r.body_size, r.body_len);
    free(headers);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, post_body_and_user_headers_replace_defaults)
{
    http_header h[]  = {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"User-Agent", "locust-like"},
                        {"Accept-Encoding", "identity"},
                        {"Content-Length", "999"}};
    http_request req = {0};
    req.method       = "POST";
    req.url          = url("/echo");
    req.headers      = h;
    req.nheaders     = 4;
    req.body         = "title=Hello&body=World";
    req.body_len     = strlen(req.body);
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), "POST");
    cr_assert_str_eq(echo_str(j, "body"), "title=Hello&body=World");
    char *headers = echo_headers(j);
    char expect[256];
    snprintf(expect, sizeof expect,
             "Host: 127.0.0.1:%d\nContent-Type: application/x-www-form-urlencoded\n"
             "User-Agent: locust-like\nAccept-Encoding: identity\nContent-Length: 22\n",
             srv.port);
    cr_assert_str_eq(headers, expect);
    free(headers);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, post_without_body_sends_zero_length_and_any_method_works)
{
    http_request req = {0};
    req.method       = "POST";
    req.url          = url("/echo");
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Content-Length"), "0");
    json_decref(j);
    result_free(&r);

    req.method = "PURGE";
    r          = run_request(&loop, sess, &req, NULL);
    j          = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), "PURGE");
    cr_assert_null(echo_header(j, "Content-Length"));
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, django_login_cookies_are_stored_and_sent)
{
    result r = get("/cookies/set?c=csrftoken%3DAbC123%3B%20expires%3DThu%2C%2001%20Jan%202099%2000"
                   "%3A00%3A00%20GMT%3B%20Max-Age%3D31449600%3B%20Path%3D%2F%3B%20SameSite%3DLax"
                   "&c=sessionid%3Dxyz789%3B%20HttpOnly%3B%20Max-Age%3D1209600%3B%20Path%3D%2F");
    cr_assert_eq(r.status, 200);
    result_free(&r);
    cr_assert_str_eq(http_session_cookie(sess, "csrftoken"), "AbC123");
    cr_assert_str_eq(http_session_cookie(sess, "sessionid"), "xyz789");
    cr_assert_null(http_session_cookie(sess, "other"));

    r         = get("/echo");
    json_t *j = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Cookie"), "csrftoken=AbC123; sessionid=xyz789");
    json_decref(j);
    result_free(&r);

    /* Django's logout: sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/ */
    r = get("/cookies/set?c=sessionid%3D%22%22%3B%20expires%3DThu%2C%2001%20Jan%201970%2000%3A00"
            "%3A00%20GMT%3B%20Max-Age%3D0%3B%20Path%3D%2F");
    result_free(&r);
    cr_assert_null(http_session_cookie(sess, "sessionid"));
    r = get("/echo");
    j = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Cookie"), "csrftoken=AbC123");
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, cookie_paths_replacement_and_a_user_cookie_header)
{
    result r = get("/cookies/set?c=a%3D1%3B%20Path%3D%2Fecho%2Fsub&c=b%3D2%3B%20Path%3D%2F"
                   "&c=c%3D3%3B%20Path%3D%2Felsewhere");
    result_free(&r);
    r         = get("/echo/sub/page");
    json_t *j = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Cookie"), "a=1; b=2", "longest path first");
    json_decref(j);
    result_free(&r);
    r = get("/echo");
    j = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Cookie"), "b=2");
    json_decref(j);
    result_free(&r);

    r = get("/cookies/set?c=b%3Dreplaced%3B%20Path%3D%2F");
    result_free(&r);
    cr_assert_str_eq(http_session_cookie(sess, "b"), "replaced");

    http_header h[]  = {{"Cookie", "manual=yes"}};
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/echo");
    req.headers      = h;
    req.nheaders     = 1;
    r                = run_request(&loop, sess, &req, NULL);
    j                = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Cookie"), "b=replaced; manual=yes");
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, host_only_cookie_is_not_sent_to_another_host_name)
{
    result r = get("/cookies/set?c=h%3D1");
    result_free(&r);
    /* localhost is another host than 127.0.0.1 for cookies (and may resolve to ::1 first, where
     * nothing listens: the client must fall back to 127.0.0.1). */
    char u[128];
    snprintf(u, sizeof u, "http://localhost:%d/echo", srv.port);
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    req.timeout_s    = 10;
    r                = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_null(echo_header(j, "Cookie"));
    char host[64];
    snprintf(host, sizeof host, "localhost:%d", srv.port);
    cr_assert_str_eq(echo_header(j, "Host"), host);
    json_decref(j);
    result_free(&r);
}

/* The session keeps the last URL's parsed origin (http_url_update): whatever it holds, every
 * request must reach the server, host and target it names. */
static json_t *get_echo_at(const char *u, const char *expect_host, const char *expect_target)
{
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    req.timeout_s    = 10;
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_str_eq(echo_header(j, "Host"), expect_host, "Host for %s", u);
    cr_assert_str_eq(echo_str(j, "target"), expect_target, "target for %s", u);
    result_free(&r);
    return j;
}

MP_TEST(http_client, requests_go_where_their_url_says_after_many_to_one_origin)
{
    test_server other = server_start(NULL, NULL);
    char u[256], host1[64], host2[64], local[64], target[64];
    snprintf(host1, sizeof host1, "127.0.0.1:%d", srv.port);
    snprintf(host2, sizeof host2, "127.0.0.1:%d", other.port);
    snprintf(local, sizeof local, "localhost:%d", srv.port);
    for (int i = 0; i < 20; i++) {
        snprintf(u, sizeof u, "http://127.0.0.1:%d/echo/%d?i=%d", srv.port, i % 3, i);
        snprintf(target, sizeof target, "/echo/%d?i=%d", i % 3, i);
        json_decref(get_echo_at(u, host1, target));
    }
    snprintf(u, sizeof u, "http://127.0.0.1:%d/echo/same", srv.port);
    for (int i = 0; i < 3; i++)
        json_decref(get_echo_at(u, host1, "/echo/same"));
    /* Another port, and the echo really comes from the other server (it names its own port). */
    snprintf(u, sizeof u, "http://127.0.0.1:%d/echo/other", other.port);
    json_decref(get_echo_at(u, host2, "/echo/other"));
    snprintf(u, sizeof u, "http://127.0.0.1:%d/echo/back", srv.port);
    json_decref(get_echo_at(u, host1, "/echo/back"));
    snprintf(u, sizeof u, "http://localhost:%d/echo/name", srv.port);
    json_decref(get_echo_at(u, local, "/echo/name"));
    /* Another spelling of the same origin, and a path that needs normalising. */
    snprintf(u, sizeof u, "HTTP://127.0.0.1:%d/echo/a/../b c#frag", srv.port);
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "target"), "/echo/b%20c");
    char expect[128];
    snprintf(expect, sizeof expect, "http://127.0.0.1:%d/echo/b%%20c", srv.port);
    cr_assert_str_eq(r.url, expect);
    json_decref(j);
    result_free(&r);
    server_stop(&other);
}

MP_TEST(http_client, cookies_stay_with_their_host_across_cached_origins)
{
    test_server other = server_start(NULL, NULL);
    result r          = get("/cookies/set?c=k%3Dv%3B%20Path%3D%2F");
    result_free(&r);
    char u[256], host[64];
    snprintf(host, sizeof host, "127.0.0.1:%d", srv.port);
    for (int i = 0; i < 10; i++) {
        json_t *j = get_echo_at(url("/echo"), host, "/echo");
        cr_assert_str_eq(echo_header(j, "Cookie"), "k=v", "request %d", i);
        json_decref(j);
    }
    /* Another host name for the same server: a host-only cookie is not sent. */
    snprintf(u, sizeof u, "http://localhost:%d/echo", srv.port);
    snprintf(host, sizeof host, "localhost:%d", srv.port);
    json_t *j = get_echo_at(u, host, "/echo");
    cr_assert_null(echo_header(j, "Cookie"));
    json_decref(j);
    /* Cookies are per host, not per port (RFC 6265 section 8.5): the other server on 127.0.0.1
     * gets it. */
    snprintf(u, sizeof u, "http://127.0.0.1:%d/echo", other.port);
    snprintf(host, sizeof host, "127.0.0.1:%d", other.port);
    j = get_echo_at(u, host, "/echo");
    cr_assert_str_eq(echo_header(j, "Cookie"), "k=v");
    json_decref(j);
    /* A cookie set by localhost goes to localhost only. */
    snprintf(u, sizeof u, "http://localhost:%d/cookies/set?c=only%%3Dlocal%%3B%%20Path%%3D%%2F",
             srv.port);
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    r                = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 200, "%s", r.error ? r.error : "");
    result_free(&r);
    snprintf(host, sizeof host, "127.0.0.1:%d", srv.port);
    j = get_echo_at(url("/echo"), host, "/echo");
    cr_assert_str_eq(echo_header(j, "Cookie"), "k=v");
    json_decref(j);
    snprintf(u, sizeof u, "http://localhost:%d/echo", srv.port);
    snprintf(host, sizeof host, "localhost:%d", srv.port);
    j = get_echo_at(u, host, "/echo");
    cr_assert_str_eq(echo_header(j, "Cookie"), "only=local");
    json_decref(j);
    server_stop(&other);
}

MP_TEST(http_client, a_callers_host_header_replaces_the_authority_wherever_it_stands)
{
    http_header h[]  = {{"X-A", "1"}, {"host", "example.test:81"}, {"X-B", "2"}, {"Host", "no"}};
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/echo");
    req.headers      = h;
    req.nheaders     = 4;
    result r         = run_request(&loop, sess, &req, NULL);
    json_t *j        = echo_json(&r);
    char *headers    = echo_headers(j);
    cr_assert_str_eq(headers, "Host: example.test:81\nX-A: 1\nX-B: 2\nAccept-Encoding: gzip\n"
                              "User-Agent: mixperf/" MP_VERSION "\n");
    free(headers);
    json_decref(j);
    result_free(&r);
}

static void check_redirect(int code, const char *expect_method, const char *expect_body)
{
    char path[128];
    snprintf(path, sizeof path, "/redirect?code=%d&to=/echo/after", code);
    http_header h[]      = {{"Content-Type", "text/plain"}};
    http_request req     = {0};
    req.method           = "POST";
    req.url              = url(path);
    req.headers          = h;
    req.nheaders         = 1;
    req.body             = "payload";
    req.body_len         = 7;
    req.follow_redirects = 1;
    result r             = run_request(&loop, sess, &req, NULL);
    json_t *j            = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), expect_method, "after %d", code);
    cr_assert_str_eq(echo_str(j, "body"), expect_body, "after %d", code);
    cr_assert_str_eq(echo_str(j, "target"), "/echo/after");
    if (strcmp(expect_method, "GET") == 0) {
        cr_assert_null(echo_header(j, "Content-Type"), "a dropped body has no type (%d)", code);
        cr_assert_null(echo_header(j, "Content-Length"), "after %d", code);
    } else {
        cr_assert_str_eq(echo_header(j, "Content-Type"), "text/plain");
        cr_assert_str_eq(echo_header(j, "Content-Length"), "7");
    }
    cr_assert_eq(r.redirects, 1);
    char expect[128];
    snprintf(expect, sizeof expect, "http://127.0.0.1:%d/echo/after", srv.port);
    cr_assert_str_eq(r.url, expect);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, redirect_method_rules)
{
    check_redirect(301, "GET", "");
    check_redirect(302, "GET", "");
    check_redirect(303, "GET", "");
    check_redirect(307, "POST", "payload");
    check_redirect(308, "POST", "payload");

    /* 301/302 keep a PUT; 303 turns it into GET. */
    http_request req     = {0};
    req.method           = "PUT";
    req.url              = url("/redirect?code=302&to=echo");
    req.body             = "x";
    req.body_len         = 1;
    req.follow_redirects = 1;
    result r             = run_request(&loop, sess, &req, NULL);
    json_t *j            = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), "PUT");
    cr_assert_str_eq(echo_str(j, "body"), "x");
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, redirect_chain_relative_with_cookies_on_every_hop)
{
    result r  = get("/chain/3");
    json_t *j = echo_json(&r);
    cr_assert_eq(r.redirects, 3);
    char expect[128];
    snprintf(expect, sizeof expect, "http://127.0.0.1:%d/chain/0", srv.port);
    cr_assert_str_eq(r.url, expect);
    cr_assert_str_eq(echo_header(j, "Cookie"), "hop3=1; hop2=1; hop1=1");
    cr_assert_eq(echo_int(j, "conn"), 1, "every hop on the same keep-alive connection");
    cr_assert_eq(echo_int(j, "nreq"), 4);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, redirect_absolute_and_not_followed)
{
    char path[256];
    snprintf(path, sizeof path, "/redirect?code=302&to=http://localhost:%d/echo/abs", srv.port);
    result r  = get(path);
    json_t *j = echo_json(&r);
    char expect[128];
    snprintf(expect, sizeof expect, "http://localhost:%d/echo/abs", srv.port);
    cr_assert_str_eq(r.url, expect);
    json_decref(j);
    result_free(&r);

    http_request req         = {0};
    req.method               = "GET";
    req.url                  = url("/redirect?code=302&to=/echo&c=k%3Dv");
    const char *const want[] = {"Location", "location", NULL};
    r                        = run_request(&loop, sess, &req, want);
    cr_assert_eq(r.status, 302);
    cr_assert_str_eq(r.got[0], "/echo");
    cr_assert_str_eq(r.got[1], "/echo");
    cr_assert_str_eq(r.body, "moved");
    cr_assert_eq(r.redirects, 0);
    cr_assert_str_eq(http_session_cookie(sess, "k"), "v");
    result_free(&r);
}

MP_TEST(http_client, too_many_redirects)
{
    result r = get("/chain/11");
    cr_assert_str_eq(r.error, "too many redirects (more than 10)");
    cr_assert_eq(r.status, 0);
    result_free(&r);
    r = get("/chain/10");
    cr_assert_null(r.error);
    cr_assert_eq(r.redirects, 10);
    result_free(&r);
}

MP_TEST(http_client, bad_redirect_location)
{
    result r = get("/redirect?code=302&to=ftp://example.com/");
    cr_assert_str_eq(r.error, "cannot follow redirect: invalid URL 'ftp://example.com/': expected "
                              "an absolute http:// or https:// URL");
    result_free(&r);
}

static const char *gzip_text(void)
{
    static char text[17 * 64 + 1];
    text[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(text, "compressed hello ");
    return text;
}

MP_TEST(http_client, content_encodings_are_removed)
{
    const char *paths[] = {"/gzip", "/deflate", "/deflate-raw", "/gzip-chunked"};
    for (size_t i = 0; i < 4; i++) {
        http_request req         = {0};
        req.method               = "GET";
        req.url                  = url(paths[i]);
        const char *const want[] = {"Content-Encoding", NULL};
        result r                 = run_request(&loop, sess, &req, want);
        cr_assert_null(r.error, "%s: %s", paths[i], r.error);
        cr_assert_str_eq(r.body, gzip_text(), "%s", paths[i]);
        cr_assert_eq(r.body_len, 17 * 64);
        cr_assert_eq(r.body_size, 17 * 64);
        cr_assert_not_null(r.got[0]);
        cr_assert_lt(r.bytes, 17 * 64, "%s travelled compressed", paths[i]);
        result_free(&r);
    }
    result r = get("/bad-gzip");
    cr_assert_str_eq(
        r.error, fmt("cannot decode gzip body: incorrect header check (127.0.0.1:%d)", srv.port));
    result_free(&r);
    /* The connection that carried the broken body is not reused, the next request works. */
    r = get("/echo");
    cr_assert_eq(r.status, 200);
    result_free(&r);
}

MP_TEST(http_client, framing_chunked_eof_head_no_body_interim)
{
    const char *const want[] = {"X-Sum", "X-Final", "Link", NULL};
    http_request req         = {0};
    req.method               = "GET";
    req.url                  = url("/chunked");
    result r                 = run_request(&loop, sess, &req, want);
    cr_assert_str_eq(r.body, "hello world!");
    cr_assert_null(r.got[0], "trailers are not headers");
    result_free(&r);

    req.url = url("/interim");
    r       = run_request(&loop, sess, &req, want);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "final");
    cr_assert_str_eq(r.got[1], "yes");
    cr_assert_null(r.got[2], "headers of the 103 are not the final response's");
    result_free(&r);

    req.url = url("/eof");
    r       = run_request(&loop, sess, &req, NULL);
    cr_assert_null(r.error);
    cr_assert_str_eq(r.body, "until the end");
    result_free(&r);

    req.method = "HEAD";
    req.url    = url("/head");
    r          = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.body_len, 0);
    result_free(&r);
    req.method = "GET";
    r          = run_request(&loop, sess, &req, NULL);
    cr_assert_str_eq(r.body, "head body!!");
    result_free(&r);

    req.url = url("/status?code=204");
    r       = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 204);
    cr_assert_eq(r.body_len, 0);
    result_free(&r);
    req.url = url("/status?code=304");
    r       = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 304);
    result_free(&r);
    req.url = url("/status?code=503");
    r       = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 503);
    cr_assert_null(r.error, "an HTTP error status is not a transport error");
    cr_assert_str_eq(r.body, "status");
    result_free(&r);

    /* After all of that, the connection opened after /eof is still in use: framing was exact. */
    r         = get("/echo");
    json_t *j = echo_json(&r);
    cr_assert_eq(echo_int(j, "conn"), 2);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, keep_alive_one_connection_for_100_requests)
{
    long conn = -1, port = -1;
    for (int i = 1; i <= 100; i++) {
        result r  = get("/echo");
        json_t *j = echo_json(&r);
        if (i == 1) {
            conn = echo_int(j, "conn");
            port = echo_int(j, "peer_port");
        }
        cr_assert_eq(echo_int(j, "conn"), conn);
        cr_assert_eq(echo_int(j, "peer_port"), port);
        cr_assert_eq(echo_int(j, "nreq"), i);
        json_decref(j);
        result_free(&r);
    }
    /* A second session has a connection of its own. */
    http_session *other = http_session_new(client);
    http_request req    = {0};
    req.method          = "GET";
    req.url             = url("/echo");
    result r            = run_request(&loop, other, &req, NULL);
    json_t *j           = echo_json(&r);
    cr_assert_neq(echo_int(j, "conn"), conn);
    json_decref(j);
    result_free(&r);
    http_session_free(other);
}

MP_TEST(http_client, server_closing_connections)
{
    result r = get("/close");
    cr_assert_str_eq(r.body, "closing");
    result_free(&r);
    r         = get("/echo");
    json_t *j = echo_json(&r);
    cr_assert_eq(echo_int(j, "conn"), 2);
    json_decref(j);
    result_free(&r);
}

MP_TEST(http_client, reused_connection_dying_is_retried_for_idempotent_requests_only)
{
    result r = get("/drop-next");
    cr_assert_str_eq(r.body, "armed");
    result_free(&r);
    r         = get("/echo");
    json_t *j = echo_json(&r);
    cr_assert_eq(echo_int(j, "conn"), 2, "retried once on a new connection");
    json_decref(j);
    result_free(&r);

    r = get("/drop-next");
    result_free(&r);
    http_request req = {0};
    req.method       = "POST";
    req.url          = url("/echo");
    req.body         = "once";
    req.body_len     = 4;
    r                = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(
        r.error, fmt("server closed the connection without responding (127.0.0.1:%d)", srv.port));
    result_free(&r);
}

MP_TEST(http_client, timeout_message)
{
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/slow?delay=3");
    req.timeout_s    = 0.2;
    result r         = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.error, "timeout after 0.2s");
    result_free(&r);
    /* The session is usable afterwards, on a fresh connection. */
    r = get("/echo");
    cr_assert_eq(r.status, 200);
    result_free(&r);
}

MP_TEST(http_client, connection_refused_message_and_callback_not_inside_send)
{
    int fd               = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family         = AF_INET;
    a.sin_addr.s_addr    = htonl(INADDR_LOOPBACK);
    socklen_t len        = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    int port = ntohs(a.sin_port);
    close(fd); /* nothing listens there now */
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/", port);
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    result r         = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.error, fmt("connection refused (127.0.0.1:%d)", port));
    cr_assert_str_eq(r.body, "");
    result_free(&r);
}

MP_TEST(http_client, unknown_host)
{
    http_request req = {0};
    req.method       = "GET";
    req.url          = "http://nosuch.invalid/";
    req.timeout_s    = 20;
    result r         = run_request(&loop, sess, &req, NULL);
    cr_assert_eq(r.status, 0);
    const char *prefix = "cannot resolve host 'nosuch.invalid': ";
    cr_assert_eq(strncmp(r.error, prefix, strlen(prefix)), 0, "got: %s", r.error);
    cr_assert_gt(strlen(r.error), strlen(prefix));
    result_free(&r);
}

MP_TEST(http_client, send_refuses_bad_requests)
{
    mp_err err;
    result r         = {0};
    http_request req = {0};
    req.method       = "GET";
    req.url          = "ftp://127.0.0.1/";
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'ftp://127.0.0.1/': expected an absolute http:// or "
                              "https:// URL");
    req.url = "http://127.0.0.1/\r\nX: y";
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'http://127.0.0.1/\\x0d\\x0aX: y': control character in "
                              "URL");
    http_header bad[] = {{"X-Injected", "a\r\nEvil: 1"}};
    req.url           = url("/echo");
    req.headers       = bad;
    req.nheaders      = 1;
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "header 'X-Injected' value contains a line break");
    http_header te[] = {{"Transfer-Encoding", "chunked"}};
    req.headers      = te;
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "header 'Transfer-Encoding' cannot be set: the body is sent with "
                              "Content-Length");
    req.method   = "GE T";
    req.nheaders = 0;
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "invalid HTTP method 'GE T'");

    req.method = "GET";
    req.url    = url("/slow?delay=0.3");
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), 0);
    cr_assert_eq(http_send(sess, &req, capture_cb, &r, &err), -1);
    cr_assert_str_eq(err.msg, "a request is already in flight on this session");
    while (!r.done)
        uv_run(&loop, UV_RUN_ONCE);
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, 200);
    result_free(&r);
}

static void count_cb(http_session *s, const http_response *resp, void *arg)
{
    result *r = arg;
    r->calls++;
    r->error = xstrdup(resp->error ? resp->error : "(none)");
}

MP_TEST(http_client, free_in_flight_cancels_before_returning)
{
    result r         = {0};
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/slow?delay=2");
    mp_err err;
    cr_assert_eq(http_send(sess, &req, count_cb, &r, &err), 0);
    for (int i = 0; i < 5; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    http_session_free(sess);
    sess = NULL;
    cr_assert_eq(r.calls, 1);
    cr_assert_str_eq(r.error, "cancelled");
    free(r.error);
}

static void free_inside_cb(http_session *s, const http_response *resp, void *arg)
{
    result *r = arg;
    r->calls++;
    r->status = resp->status;
    http_session_free(s); /* the last thing a finished virtual user does */
    r->done = 1;
}

MP_TEST(http_client, free_from_inside_the_callback)
{
    result r         = {0};
    http_request req = {0};
    req.method       = "GET";
    req.url          = url("/echo");
    mp_err err;
    cr_assert_eq(http_send(sess, &req, free_inside_cb, &r, &err), 0);
    sess = NULL;
    while (!r.done)
        uv_run(&loop, UV_RUN_ONCE);
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.status, 200);
}

struct chain {
    int left;
    int calls;
    uv_loop_t *loop;
    const char *url;
};

static void again_cb(http_session *s, const http_response *resp, void *arg)
{
    struct chain *c = arg;
    c->calls++;
    cr_assert_eq(resp->status, 200);
    const char *before = resp->body;
    if (--c->left > 0) {
        /* Sending the next request from the callback must not disturb this response. */
        http_request req = {0};
        req.method       = "GET";
        req.url          = c->url;
        mp_err err;
        cr_assert_eq(http_send(s, &req, again_cb, c, &err), 0, "%s", err.msg);
        cr_assert_eq(resp->body, before);
        cr_assert_str_eq(resp->body, "head body!!");
        cr_assert_str_eq(http_response_header(resp, "Content-Length"), "11");
    }
}

MP_TEST(http_client, send_from_inside_the_callback)
{
    struct chain c   = {5, 0, &loop, url("/head")};
    http_request req = {0};
    req.method       = "GET";
    req.url          = c.url;
    mp_err err;
    cr_assert_eq(http_send(sess, &req, again_cb, &c, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_assert_eq(c.calls, 5);
}

MP_TEST(http_client, large_body)
{
    result r = get("/large?n=3000000");
    cr_assert_eq(r.body_len, 3000000);
    cr_assert_eq(r.body_size, 3000000);
    const char *pattern = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < r.body_len; i += 4099)
        cr_assert_eq(r.body[i], pattern[i % 36], "byte %zu", i);
    result_free(&r);
}

TestSuite(http_client_small, .init = NULL, .fini = teardown);

MP_TEST(http_client_small, max_body_counts_but_does_not_keep)
{
    srv = server_start(NULL, NULL);
    setup_client(1000);
    result r = get("/large?n=500000");
    cr_assert_null(r.error);
    cr_assert_eq(r.body_len, 1000);
    cr_assert_eq(r.body_size, 500000);
    cr_assert_eq(strncmp(r.body, "0123456789abcdefghijklmnopqrstuvwxyz", 36), 0);
    result_free(&r);
    r = get("/gzip");
    cr_assert_eq(r.body_len, 1000);
    cr_assert_eq(r.body_size, 17 * 64);
    result_free(&r);
}

/* ---- TLS ---- */

static char tls_dir[64];

static void make_cert(const char *san)
{
    snprintf(tls_dir, sizeof tls_dir, "/tmp/mp-http-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(tls_dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s/key.pem -out %s/cert.pem -days 2 -subj /CN=mixperf-test "
             "-addext subjectAltName=%s >/dev/null 2>&1",
             tls_dir, tls_dir, san);
    cr_assert_eq(system(cmd), 0, "openssl req failed");
}

static void tls_start(void)
{
    char cert[128], key[128];
    snprintf(cert, sizeof cert, "%s/cert.pem", tls_dir);
    snprintf(key, sizeof key, "%s/key.pem", tls_dir);
    srv = server_start(cert, key);
    setup_client(0);
}

static void tls_teardown(void)
{
    teardown();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tls_dir);
    cr_assert_eq(system(cmd), 0);
}

static result tls_get(const char *host, int verify)
{
    char u[128];
    snprintf(u, sizeof u, "https://%s:%d/echo", host, srv.port);
    http_request req = {0};
    req.method       = "GET";
    req.url          = u;
    req.tls_verify   = verify;
    req.timeout_s    = 10;
    return run_request(&loop, sess, &req, NULL);
}

TestSuite(http_tls, .fini = tls_teardown);

MP_TEST(http_tls, unverified_succeeds_and_verified_rejects_a_self_signed_certificate)
{
    make_cert("IP:127.0.0.1");
    tls_start();
    result r  = tls_get("127.0.0.1", 0);
    json_t *j = echo_json(&r);
    cr_assert_eq(echo_int(j, "conn"), 1);
    json_decref(j);
    result_free(&r);
    r = tls_get("127.0.0.1", 0);
    j = echo_json(&r);
    cr_assert_eq(echo_int(j, "conn"), 1, "TLS keep-alive");
    json_decref(j);
    result_free(&r);

    r = tls_get("127.0.0.1", 1);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(
        r.error, fmt("TLS certificate verification failed: self-signed certificate (127.0.0.1:%d)",
                     srv.port));
    result_free(&r);
}

MP_TEST(http_tls, verified_with_a_trusted_certificate_checks_the_host_name)
{
    make_cert("DNS:localhost");
    char cert[128];
    snprintf(cert, sizeof cert, "%s/cert.pem", tls_dir);
    setenv("SSL_CERT_FILE", cert, 1); /* read when the client first needs TLS */
    tls_start();
    result r  = tls_get("localhost", 1);
    json_t *j = echo_json(&r);
    cr_assert_str_eq(echo_str(j, "method"), "GET");
    json_decref(j);
    result_free(&r);

    r = tls_get("127.0.0.1", 1);
    cr_assert_str_eq(
        r.error,
        fmt("TLS certificate verification failed: IP address mismatch (127.0.0.1:%d)", srv.port));
    result_free(&r);
}
