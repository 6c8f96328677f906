/* The cookie jar (RFC 6265 essentials) with exact expected results and a controlled clock. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <stdio.h>
#include <string.h>

#include "http/cookie.h"
#include "util/sb.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */

static http_url parse(const char *s)
{
    http_url u;
    mp_err err;
    cr_assert_eq(http_url_parse(&u, s, strlen(s), &err), 0, "%s", err.msg);
    return u;
}

static void set(http_jar *j, const char *url, const char *header, int64_t now)
{
    http_url u = parse(url);
    http_jar_set(j, header, strlen(header), &u, now);
    http_url_free(&u);
}

/* The Cookie header for url, "" when none. */
static char *header_for(http_jar *j, const char *url, int64_t now)
{
    http_url u = parse(url);
    sb out     = {0};
    http_jar_header(j, &u, now, &out);
    http_url_free(&u);
    sb_adds(&out, "");
    return sb_detach(&out);
}

static void sends(http_jar *j, const char *url, int64_t now, const char *expect)
{
    char *h = header_for(j, url, now);
    cr_assert_str_eq(h, expect, "Cookie header for %s", url);
    free(h);
}

MP_TEST(http_cookie, dates)
{
    static const struct {
        const char *text;
        int64_t t;
    } ok[] = {
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
        {"Sun Nov  6 08:49:37 1994", 784111777},
        {"Thu, 01-Jan-2099 00:00:00 GMT", 4070908800},
        {"Wed, 29 Feb 2012 23:59:59 GMT", 1330559999},
        {"1 jan 2000 1:2:3", 946688523},
        {"Tue, 14 Nov 2023 22:13:20 GMT", NOW},
        {"Thu, 01 Jan 1601 00:00:00 GMT", -11644473600},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t t = -1;
        cr_assert_eq(http_cookie_date(ok[i].text, strlen(ok[i].text), &t), 0, "%s", ok[i].text);
        cr_assert_eq(t, ok[i].t, "%s: %lld", ok[i].text, (long long)t);
    }
    static const char *const bad[] = {
        "",
        "Thu, 30 Feb 2012 00:00:00 GMT", /* no such day */
        "Thu, 01 Jan 1600 00:00:00 GMT", /* before 1601 */
        "Thu, 01 Jan 2012 24:00:00 GMT",
        "Thu, 01 Jan 2012 00:60:00 GMT",
        "Thu, 01 Foo 2012 00:00:00 GMT",
        "Thu, 01 Jan 2012",
        "Thu, 001 Jan 2012 00:00:00 GMT",
        "never",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        cr_assert_eq(http_cookie_date(bad[i], strlen(bad[i]), &t), -1, "%s parsed", bad[i]);
    }
}

MP_TEST(http_cookie, django_login_and_logout)
{
    http_jar j = {0};
    set(&j, "http://blog.test/accounts/login/",
        "csrftoken=tok123; expires=Tue, 12 Nov 2024 22:13:20 GMT; Max-Age=31449600; Path=/; "
        "SameSite=Lax",
        NOW);
    set(&j, "http://blog.test/accounts/login/",
        "sessionid=sess456; expires=Tue, 28 Nov 2023 22:13:20 GMT; HttpOnly; Max-Age=1209600; "
        "Path=/; SameSite=Lax",
        NOW);
    cr_assert_eq(j.n, 2);
    cr_assert_str_eq(http_jar_get(&j, "csrftoken", NOW), "tok123");
    cr_assert_str_eq(http_jar_get(&j, "sessionid", NOW), "sess456");
    cr_assert_eq(j.v[1]->http_only, 1);
    cr_assert_eq(j.v[1]->expires, NOW + 1209600);
    sends(&j, "http://blog.test/admin/blog/post/add/", NOW, "csrftoken=tok123; sessionid=sess456");
    /* Two weeks later the session has expired, the token not. */
    sends(&j, "http://blog.test/", NOW + 1209600, "csrftoken=tok123");
    cr_assert_eq(j.n, 1, "an expired cookie is dropped when seen");

    set(&j, "http://blog.test/", "sessionid=new; Path=/", NOW);
    set(&j, "http://blog.test/accounts/logout/",
        "sessionid=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/", NOW);
    cr_assert_null(http_jar_get(&j, "sessionid", NOW));
    sends(&j, "http://blog.test/", NOW, "csrftoken=tok123");
    http_jar_free(&j);
}

MP_TEST(http_cookie, max_age_wins_over_expires_and_deletes)
{
    http_jar j = {0};
    set(&j, "http://h/", "a=1; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:00 GMT", NOW);
    cr_assert_eq(j.v[0]->expires, NOW + 100);
    set(&j, "http://h/", "b=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=-5", NOW);
    cr_assert_null(http_jar_get(&j, "b", NOW));
    set(&j, "http://h/", "c=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT", NOW);
    cr_assert_eq(j.v[1]->expires, 4070908800);
    set(&j, "http://h/", "d=1; Max-Age=abc", NOW);
    cr_assert_eq(j.v[2]->expires, INT64_MAX, "an invalid Max-Age is ignored: a session cookie");
    set(&j, "http://h/", "c=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT", NOW);
    cr_assert_null(http_jar_get(&j, "c", NOW), "an Expires in the past deletes");
    sends(&j, "http://h/", NOW + 99, "a=1; d=1");
    sends(&j, "http://h/", NOW + 100, "d=1");
    http_jar_free(&j);
}

MP_TEST(http_cookie, default_path_and_path_matching)
{
    http_jar j = {0};
    set(&j, "http://h/docs/guide/intro.html?x=/y/z", "d=1", NOW);
    cr_assert_str_eq(j.v[0]->path, "/docs/guide");
    set(&j, "http://h/top", "t=1", NOW);
    cr_assert_str_eq(j.v[1]->path, "/");
    set(&j, "http://h/", "p=1; Path=/docs/", NOW);
    set(&j, "http://h/", "bad=1; Path=relative", NOW);
    cr_assert_str_eq(j.v[3]->path, "/", "a Path without leading '/' means the default");

    sends(&j, "http://h/docs/guide", NOW, "d=1; p=1; t=1; bad=1");
    sends(&j, "http://h/docs/guide/more", NOW, "d=1; p=1; t=1; bad=1");
    sends(&j, "http://h/docs/guidebook", NOW, "p=1; t=1; bad=1");
    sends(&j, "http://h/docs", NOW, "t=1; bad=1");
    sends(&j, "http://h/docs/", NOW, "p=1; t=1; bad=1");
    http_jar_free(&j);
}

MP_TEST(http_cookie, domains_and_host_only)
{
    http_jar j = {0};
    set(&j, "http://www.example.com/", "host=1", NOW);
    set(&j, "http://www.example.com/", "dom=1; Domain=.Example.COM", NOW);
    set(&j, "http://www.example.com/", "other=1; Domain=example.org", NOW);
    set(&j, "http://www.example.com/", "sub=1; Domain=a.www.example.com", NOW);
    set(&j, "http://www.example.com/", "bare=1; Domain=ample.com", NOW);
    cr_assert_eq(j.n, 2, "cookies for domains the host does not match are ignored");
    cr_assert_str_eq(j.v[1]->domain, "example.com");
    cr_assert_eq(j.v[0]->host_only, 1);
    cr_assert_eq(j.v[1]->host_only, 0);
    sends(&j, "http://www.example.com/", NOW, "host=1; dom=1");
    sends(&j, "http://a.www.example.com/", NOW, "dom=1");
    sends(&j, "http://example.com/", NOW, "dom=1");
    sends(&j, "http://badexample.com/", NOW, "");
    http_jar_free(&j);

    /* An IP address only matches itself. */
    set(&j, "http://127.0.0.1/", "ip=1; Domain=0.0.1", NOW);
    cr_assert_eq(j.n, 0);
    set(&j, "http://127.0.0.1/", "ip=1; Domain=127.0.0.1", NOW);
    sends(&j, "http://127.0.0.1:8000/", NOW, "ip=1");
    sends(&j, "http://localhost/", NOW, "");
    http_jar_free(&j);
}

MP_TEST(http_cookie, secure_cookies_only_over_https)
{
    http_jar j = {0};
    set(&j, "https://h/", "s=1; Secure", NOW);
    set(&j, "https://h/", "p=1", NOW);
    sends(&j, "https://h/", NOW, "s=1; p=1");
    sends(&j, "http://h/", NOW, "p=1");
    http_jar_free(&j);
}

MP_TEST(http_cookie, replacement_keeps_creation_order_and_get_takes_latest)
{
    http_jar j = {0};
    set(&j, "http://h/", "a=1", NOW);
    set(&j, "http://h/", "b=2", NOW);
    set(&j, "http://h/", "a=3", NOW);
    cr_assert_eq(j.n, 2);
    sends(&j, "http://h/", NOW, "a=3; b=2");
    set(&j, "http://h/x/y", "b=4; Path=/x", NOW);
    cr_assert_eq(j.n, 3, "another path is another cookie");
    cr_assert_str_eq(http_jar_get(&j, "b", NOW), "4");
    set(&j, "http://h/", "b=5", NOW);
    cr_assert_str_eq(http_jar_get(&j, "b", NOW), "5");
    sends(&j, "http://h/x/z", NOW, "b=4; a=3; b=5");
    http_jar_free(&j);
}

MP_TEST(http_cookie, what_is_ignored)
{
    http_jar j = {0};
    set(&j, "http://h/", "novalue", NOW);
    set(&j, "http://h/", "=nameless", NOW);
    set(&j, "http://h/", "  =x; Path=/", NOW);
    set(&j, "http://h/", "ctl=a\x01z", NOW);
    set(&j, "http://h/", "nl=a\nb", NOW);
    cr_assert_eq(j.n, 0);
    set(&j, "http://h/", "  spaced  =  value with spaces  ; Path = / ", NOW);
    set(&j, "http://h/", "empty=", NOW);
    set(&j, "http://h/", "q=\"quoted\"", NOW);
    set(&j, "http://h/", "eq=a=b=c", NOW);
    sends(&j, "http://h/", NOW, "spaced=value with spaces; empty=; q=\"quoted\"; eq=a=b=c");
    http_jar_free(&j);
}

MP_TEST(http_cookie, full_jar_evicts_the_least_recently_set)
{
    http_jar j = {0};
    char h[32];
    for (int i = 0; i < HTTP_JAR_MAX + 3; i++) {
        snprintf(h, sizeof h, "c%d=%d", i, i);
        set(&j, "http://h/", h, NOW);
    }
    cr_assert_eq(j.n, HTTP_JAR_MAX);
    cr_assert_null(http_jar_get(&j, "c0", NOW));
    cr_assert_null(http_jar_get(&j, "c2", NOW));
    cr_assert_str_eq(http_jar_get(&j, "c3", NOW), "3");
    cr_assert_str_eq(http_jar_get(&j, "c66", NOW), "66");
    http_jar_free(&j);
}
