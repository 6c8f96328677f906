/* The response parser with exact expected results: every response is also fed split at every
 * byte boundary and one byte at a time, and must give the same result. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"
#include "util/sb.h"

typedef struct outcome {
    int rc;
    int state;
    int status;
    int keep_alive;
    int headers_calls;
    size_t used;
    sb headers; /* "name: value\n" lines */
    sb body;
    char err[1024];
} outcome;

static int on_headers(void *ctx, mp_err *err)
{
    outcome *o = ctx;
    o->headers_calls++;
    return 0;
}

static int on_body(void *ctx, const char *data, size_t len, mp_err *err)
{
    outcome *o = ctx;
    sb_add(&o->body, data, len);
    return 0;
}

static void finish(outcome *o, http_parser *p)
{
    o->state      = p->state;
    o->status     = p->status;
    o->keep_alive = p->keep_alive;
    const char *v;
    for (const char *h = http_parser_next_header(p, NULL, &v); h;
         h             = http_parser_next_header(p, h, &v))
        sb_addf(&o->headers, "%s: %s\n", h, v);
    sb_adds(&o->headers, "");
    sb_adds(&o->body, "");
}

/* Feeds text in pieces cut at the given offsets (sorted, may be empty); then EOF if eof. */
static outcome parse_cuts(const char *text, size_t len, const size_t *cuts, size_t ncuts, int head,
                          int eof)
{
    outcome o     = {0};
    http_parser p = {0};
    p.on_headers  = on_headers;
    p.on_body     = on_body;
    p.ctx         = &o;
    http_parser_reset(&p, head);
    mp_err err = {{0}};
    size_t at  = 0;
    for (size_t i = 0; i <= ncuts && o.rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        size_t used;
        o.rc = http_parser_feed(&p, text + at, end - at, &used, &err);
        o.used += used;
        if (used < end - at) break; /* complete before the end of the data */
        at = end;
    }
    if (o.rc == 0 && eof) o.rc = http_parser_eof(&p, &err);
    if (o.rc) snprintf(o.err, sizeof o.err, "%s", err.msg);
    finish(&o, &p);
    http_parser_free(&p);
    return o;
}

static void outcome_free(outcome *o)
{
    sb_free(&o->headers);
    sb_free(&o->body);
}

static void same(const outcome *a, const outcome *b, const char *how)
{
    cr_assert_eq(a->rc, b->rc, "%s", how);
    cr_assert_eq(a->state, b->state, "%s", how);
    cr_assert_eq(a->status, b->status, "%s", how);
    cr_assert_eq(a->keep_alive, b->keep_alive, "%s", how);
    cr_assert_eq(a->headers_calls, b->headers_calls, "%s", how);
    cr_assert_eq(a->used, b->used, "%s", how);
    cr_assert_str_eq(a->headers.buf, b->headers.buf, "%s", how);
    cr_assert_eq(a->body.len, b->body.len, "%s", how);
    cr_assert_eq(memcmp(a->body.buf, b->body.buf, a->body.len), 0, "%s", how);
    cr_assert_str_eq(a->err, b->err, "%s", how);
}

/* Parses whole, then split at every boundary, then byte by byte; all must agree. */
static outcome parse_all_ways(const char *text, int head, int eof)
{
    size_t len    = strlen(text);
    outcome whole = parse_cuts(text, len, NULL, 0, head, eof);
    for (size_t cut = 1; cut < len; cut++) {
        outcome o = parse_cuts(text, len, &cut, 1, head, eof);
        char how[64];
        snprintf(how, sizeof how, "split at byte %zu", cut);
        same(&whole, &o, how);
        outcome_free(&o);
    }
    size_t *cuts = malloc(len * sizeof *cuts);
    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    outcome o = parse_cuts(text, len, cuts, len ? len - 1 : 0, head, eof);
    same(&whole, &o, "byte by byte");
    outcome_free(&o);
    free(cuts);
    return whole;
}

MP_TEST(http_parse, content_length)
{
    const char *r = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                    "Content-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello";
    outcome o     = parse_all_ways(r, 0, 0);
    cr_assert_eq(o.rc, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.status, 200);
    cr_assert_eq(o.keep_alive, 1);
    cr_assert_eq(o.headers_calls, 1);
    cr_assert_eq(o.used, strlen(r));
    cr_assert_str_eq(o.headers.buf, "Server: nginx\nContent-Type: text/html\nContent-Length: 5\n"
                                    "Set-Cookie: a=1\nSet-Cookie: b=2\n");
    cr_assert_str_eq(o.body.buf, "hello");
    outcome_free(&o);
}

MP_TEST(http_parse, header_lookup_is_case_insensitive_and_takes_the_last)
{
    http_parser p = {0};
    http_parser_reset(&p, 0);
    const char *r = "HTTP/1.1 200 OK\r\nX-A: first\r\nx-a:   second  \r\nContent-Length: 0\r\n\r\n";
    size_t used;
    mp_err err;
    cr_assert_eq(http_parser_feed(&p, r, strlen(r), &used, &err), 0);
    cr_assert_str_eq(http_parser_header(&p, "X-a"), "second");
    cr_assert_null(http_parser_header(&p, "X-B"));
    http_parser_free(&p);
}

MP_TEST(http_parse, chunked_with_extensions_and_trailers)
{
    const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    "5;name=value\r\nhello\r\n"
                    "7 ; a=\"b;c\"\r\n world!\r\n"
                    "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                    "0;last\r\nX-Sum: 12\r\nX-Other: z\r\n\r\n";
    outcome o     = parse_all_ways(r, 0, 0);
    cr_assert_eq(o.rc, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.keep_alive, 1);
    cr_assert_str_eq(o.body.buf, "hello world!abcdefghijklmnopqrstuvwxyz");
    cr_assert_str_eq(o.headers.buf, "Transfer-Encoding: gzip, chunked\n", "trailers are dropped");
    cr_assert_eq(o.used, strlen(r));
    outcome_free(&o);
}

MP_TEST(http_parse, chunked_with_bare_lf)
{
    outcome o =
        parse_all_ways("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", 0, 0);
    cr_assert_eq(o.rc, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_str_eq(o.body.buf, "abc");
    outcome_free(&o);
}

MP_TEST(http_parse, interim_responses_are_skipped)
{
    const char *r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
    outcome o     = parse_all_ways(r, 0, 0);
    cr_assert_eq(o.status, 201);
    cr_assert_eq(o.headers_calls, 1);
    cr_assert_str_eq(o.headers.buf, "Content-Length: 2\n");
    cr_assert_str_eq(o.body.buf, "ok");
    outcome_free(&o);
}

MP_TEST(http_parse, no_body_for_head_204_304_whatever_the_headers_say)
{
    outcome o = parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 1, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.body.len, 0);
    cr_assert_eq(o.keep_alive, 1);
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0, 0);
    cr_assert_eq(o.state, HP_DONE);
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0);
    cr_assert_eq(o.state, HP_DONE);
    outcome_free(&o);
}

MP_TEST(http_parse, close_delimited_body)
{
    outcome o =
        parse_all_ways("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", 0, 1);
    cr_assert_eq(o.rc, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.keep_alive, 0);
    cr_assert_str_eq(o.body.buf, "until the end");
    outcome_free(&o);
    /* An unknown transfer coding also means "until the close". */
    o = parse_all_ways("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw", 0, 1);
    cr_assert_eq(o.keep_alive, 0);
    cr_assert_str_eq(o.body.buf, "raw");
    outcome_free(&o);
}

MP_TEST(http_parse, keep_alive_rules)
{
    outcome o = parse_all_ways("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0);
    cr_assert_eq(o.keep_alive, 0);
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", 0,
                       0);
    cr_assert_eq(o.keep_alive, 1);
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n",
                       0, 0);
    cr_assert_eq(o.keep_alive, 0);
    outcome_free(&o);
    /* Both framings: Transfer-Encoding wins, and the connection is not trusted afterwards. */
    o = parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "2\r\nab\r\n0\r\n\r\n",
                       0, 0);
    cr_assert_eq(o.keep_alive, 0);
    cr_assert_str_eq(o.body.buf, "ab");
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 0, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.keep_alive, 0);
    outcome_free(&o);
}

MP_TEST(http_parse, obsolete_line_folding_and_ows)
{
    outcome o = parse_all_ways("HTTP/1.1 200 \r\nX-Long: part one\r\n \t part two \r\nX-Empty:\r\n"
                               "Content-Length: 0\r\n\r\n",
                               0, 0);
    cr_assert_eq(o.rc, 0);
    cr_assert_str_eq(o.headers.buf, "X-Long: part one part two\nX-Empty: \nContent-Length: 0\n");
    outcome_free(&o);
}

MP_TEST(http_parse, stray_crlf_before_status_and_content_length_list)
{
    outcome o = parse_all_ways("\r\nHTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", 0, 0);
    cr_assert_eq(o.rc, 0);
    cr_assert_str_eq(o.body.buf, "abc");
    outcome_free(&o);
}

MP_TEST(http_parse, bytes_after_a_complete_response_are_not_consumed)
{
    const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    outcome o     = parse_cuts(r, strlen(r), NULL, 0, 0, 0);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.used, strlen(r) - strlen("HTTP/1.1 200 OK\r\n"));
    outcome_free(&o);
}

static void expect_error(const char *r, int eof, const char *msg)
{
    outcome o = parse_all_ways(r, 0, eof);
    cr_assert_eq(o.rc, -1, "no error for %s", r);
    cr_assert_str_eq(o.err, msg);
    cr_assert_eq(o.state, HP_ERROR);
    outcome_free(&o);
}

MP_TEST(http_parse, bad_input_gives_clear_errors)
{
    expect_error("HTTP/2 200 OK\r\n\r\n", 0, "malformed status line 'HTTP/2 200 OK'");
    expect_error("HTTP/1.1 20 OK\r\n\r\n", 0, "malformed status line 'HTTP/1.1 20 OK'");
    expect_error("HTTP/1.1 2000\r\n\r\n", 0, "malformed status line 'HTTP/1.1 2000'");
    expect_error("SSH-2.0-OpenSSH\r\n", 0, "malformed status line 'SSH-2.0-OpenSSH'");
    expect_error("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0, "malformed header line 'NoColon'");
    expect_error("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 0,
                 "malformed header line 'Bad Name: x'");
    expect_error("HTTP/1.1 200 OK\r\n folded\r\n\r\n", 0,
                 "continuation line before any header ' folded'");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", 0,
                 "invalid Content-Length 'abc'");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", 0,
                 "invalid Content-Length '5, 6'");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 0,
                 "invalid Content-Length '6'");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, "invalid Content-Length '-1'");
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0,
                 "invalid chunk size line 'zz'");
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", 0,
                 "invalid chunk size line '5x'");
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
                 "chunk size too large '1000000000000000'");
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 0,
                 "missing CRLF after chunk data 'd'");
    expect_error("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0, "bare CR in header line 'X: a\\x0db'");
    expect_error("", 1, "server closed the connection without responding");
    expect_error("HTTP/1.1 200", 1, "server closed the connection in the status line");
    expect_error("HTTP/1.1 200 OK\r\nServer: x\r\n", 1,
                 "server closed the connection in the response headers");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1,
                 "server closed the connection with 7 body bytes still expected");
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", 1,
                 "server closed the connection inside a chunked body");
}

MP_TEST(http_parse, nul_and_control_bytes_in_headers)
{
    const char r[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
    outcome o      = parse_cuts(r, sizeof r - 1, NULL, 0, 0, 0);
    cr_assert_eq(o.rc, -1);
    cr_assert_str_eq(o.err, "NUL byte in header line 'X: a\\x00b'");
    outcome_free(&o);
}

MP_TEST(http_parse, header_block_size_limit)
{
    sb r = {0};
    sb_adds(&r, "HTTP/1.1 200 OK\r\n");
    while (r.len < HTTP_MAX_HEADER_BYTES)
        sb_adds(&r, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    sb_adds(&r, "\r\n");
    outcome o = parse_cuts(r.buf, r.len, NULL, 0, 0, 0);
    cr_assert_eq(o.rc, -1);
    cr_assert_str_eq(o.err, "response headers longer than 65536 bytes");
    outcome_free(&o);
    sb_free(&r);
}

MP_TEST(http_parse, reset_reuses_the_parser_for_the_next_response)
{
    http_parser p = {0};
    mp_err err;
    size_t used;
    http_parser_reset(&p, 0);
    const char *a = "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx";
    cr_assert_eq(http_parser_feed(&p, a, strlen(a), &used, &err), 0);
    cr_assert_eq(p.state, HP_DONE);
    http_parser_reset(&p, 0);
    cr_assert_null(http_parser_header(&p, "Content-Length"));
    const char *b = "HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 0\r\n\r\n";
    cr_assert_eq(http_parser_feed(&p, b, strlen(b), &used, &err), 0);
    cr_assert_eq(p.status, 200);
    cr_assert_str_eq(http_parser_header(&p, "x"), "y");
    http_parser_free(&p);
}

/* The headers the client acts on are recognised by length and bytes, in any case; names of the
 * same length that differ, longer names, and lists still go the slow way with the same result. */
MP_TEST(http_parse, recognised_headers_in_any_case_and_their_look_alikes)
{
    const char *r = "HTTP/1.1 302 Found\r\n"
                    "CONTENT-length: 3\r\n"
                    "Content-Lengthy: 99\r\n"
                    "Contentxlength: 98\r\n"
                    "cOnNeCtIoN: Keep-Alive\r\n"
                    "Set-Cookie: a=1\r\n"
                    "set-cookie: b=2\r\n"
                    "Set-Cookiz: c=3\r\n"
                    "LOCATION: /next\r\n"
                    "Locatio: /not\r\n"
                    "Content-Encoding: identity\r\n"
                    "X-A-Rather-Long-Header-Name-Indeed: long\r\n"
                    "\r\nabc";
    outcome o     = parse_all_ways(r, 0, 0);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert_eq(o.state, HP_DONE);
    cr_assert_eq(o.keep_alive, 1);
    cr_assert_str_eq(o.body.buf, "abc");
    outcome_free(&o);

    http_parser p = {0};
    http_parser_reset(&p, 0);
    size_t used;
    mp_err err;
    cr_assert_eq(http_parser_feed(&p, r, strlen(r), &used, &err), 0);
    cr_assert_str_eq(http_parser_known(&p, HH_CONTENT_LENGTH), "3");
    cr_assert_str_eq(http_parser_known(&p, HH_CONNECTION), "Keep-Alive");
    cr_assert_str_eq(http_parser_known(&p, HH_SET_COOKIE), "b=2");
    cr_assert_str_eq(http_parser_known(&p, HH_LOCATION), "/next");
    cr_assert_str_eq(http_parser_known(&p, HH_CONTENT_ENCODING), "identity");
    cr_assert_null(http_parser_known(&p, HH_TRANSFER_ENCODING));
    cr_assert_str_eq(http_parser_header(&p, "content-length"), "3");
    cr_assert_str_eq(http_parser_header(&p, "content-lengthy"), "99");
    cr_assert_str_eq(http_parser_header(&p, "SET-COOKIZ"), "c=3");
    cr_assert_str_eq(http_parser_header(&p, "locatio"), "/not");
    cr_assert_str_eq(http_parser_header(&p, "x-a-rather-long-header-name-indeed"), "long");
    cr_assert_null(http_parser_header(&p, "Content Length"), "not a token: no header");
    cr_assert_null(http_parser_header(&p, "Set-Cookie2"));
    int cookies = 0;
    for (uint32_t i = 0; i < p.nhdr; i++)
        cookies += p.hdr[i].id == HH_SET_COOKIE;
    cr_assert_eq(cookies, 2);
    cr_assert_eq(http_hdr_classify("TRANSFER-ENCODING", 17), HH_TRANSFER_ENCODING);
    cr_assert_eq(http_hdr_classify("transfer-encodinG", 17), HH_TRANSFER_ENCODING);
    cr_assert_eq(http_hdr_classify("transfer_encoding", 17), HH_OTHER);
    cr_assert_eq(http_hdr_classify("connection\r", 10), HH_CONNECTION, "only len bytes count");
    cr_assert_eq(http_hdr_classify("connectio\r", 10), HH_OTHER);
    http_parser_free(&p);

    /* Connection lists and odd spellings go through each_token: same answers. */
    o = parse_all_ways(
        "HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\nContent-Length: 0\r\n\r\n", 0, 0);
    cr_assert_eq(o.keep_alive, 0);
    outcome_free(&o);
    o = parse_all_ways(
        "HTTP/1.1 200 OK\r\nConnection: kEEp-alive\r\nContent-Length: 2, 2\r\n\r\nok", 0, 0);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert_eq(o.keep_alive, 1);
    cr_assert_str_eq(o.body.buf, "ok");
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.1 200 OK\r\nConnection: keep-alivf\r\nContent-Length: 0\r\n\r\n", 0,
                       0);
    cr_assert_eq(o.keep_alive, 1, "HTTP/1.1 without close keeps the connection");
    outcome_free(&o);
    o = parse_all_ways("HTTP/1.0 200 OK\r\nConnection: keep-alivf\r\nContent-Length: 0\r\n\r\n", 0,
                       0);
    cr_assert_eq(o.keep_alive, 0, "HTTP/1.0 needs a real keep-alive");
    outcome_free(&o);
    o = parse_all_ways(
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive \r\n\tx\r\nContent-Length: 0\r\n\r\n", 0, 0);
    cr_assert_eq(o.keep_alive, 0, "folded into 'Keep-Alive x'");
    outcome_free(&o);
}

MP_TEST(http_parse, many_headers_and_bad_bytes_found_on_the_fast_path)
{
    sb r = {0};
    sb_adds(&r, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 300; i++)
        sb_addf(&r, "X-Header-%d: value %d\r\n", i, i);
    sb_adds(&r, "Content-Length: 2\r\n\r\nhi");
    outcome o = parse_cuts(r.buf, r.len, NULL, 0, 0, 0);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert_str_eq(o.body.buf, "hi");
    cr_assert(strstr(o.headers.buf, "X-Header-299: value 299\nContent-Length: 2\n") != NULL);
    outcome_free(&o);
    sb_free(&r);

    /* A CR not followed by LF, a NUL, and CRCRLF: each only in the middle of a long read. */
    const char a[] = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nX-Long-Enough-To-Scan: ab\rcd"
                     "efghijklmnopqrstuvwxyz\r\n\r\n";
    o              = parse_cuts(a, sizeof a - 1, NULL, 0, 0, 0);
    cr_assert_str_eq(o.err, "bare CR in header line 'X-Long-Enough-To-Scan: ab\\x0dcdefghijklmnop"
                            "qrstuvwxyz'");
    outcome_free(&o);
    const char b[] = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nX-Long-Enough-To-Scan: ab\0cd"
                     "efghijklmnopqrstuvwxyz\r\n\r\n";
    o              = parse_cuts(b, sizeof b - 1, NULL, 0, 0, 0);
    cr_assert_str_eq(o.err, "NUL byte in header line 'X-Long-Enough-To-Scan: ab\\x00cdefghijklmnop"
                            "qrstuvwxyz'");
    outcome_free(&o);
    const char c[] =
        "HTTP/1.1 200 OK\r\nX-Long-Enough-To-Scan: abcdefghijklmnopqrstuvwxyz\r\r\n\r\n";
    o = parse_cuts(c, sizeof c - 1, NULL, 0, 0, 0);
    cr_assert_str_eq(
        o.err, "bare CR in header line 'X-Long-Enough-To-Scan: abcdefghijklmnopqrstuvwxyz\\x0d'");
    outcome_free(&o);
    /* A line ending in LF alone, and a name with a byte above 0x7f. */
    o = parse_all_ways("HTTP/1.1 200 OK\nContent-Length: 1\nX: y\n\nz", 0, 0);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert_str_eq(o.headers.buf, "Content-Length: 1\nX: y\n");
    outcome_free(&o);
    const char d[] = "HTTP/1.1 200 OK\r\nX-\xc3\xa9: y\r\n\r\n";
    o              = parse_cuts(d, sizeof d - 1, NULL, 0, 0, 0);
    cr_assert_str_eq(o.err, "malformed header line 'X-\\xc3\\xa9: y'");
    outcome_free(&o);
}
