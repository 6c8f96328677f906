/* URL parsing and RFC 3986 reference resolution, with exact expected results. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <string.h>

#include "http/url.h"
#include "util/sb.h"

static char *fmt_url(const char *s)
{
    http_url u;
    mp_err err;
    cr_assert_eq(http_url_parse(&u, s, strlen(s), &err), 0, "%s: %s", s, err.msg);
    sb out = {0};
    http_url_format(&u, &out);
    http_url_free(&u);
    return sb_detach(&out);
}

static void parses_to(const char *in, const char *out)
{
    char *got = fmt_url(in);
    cr_assert_str_eq(got, out, "parsing %s", in);
    free(got);
}

MP_TEST(http_url, parts)
{
    http_url u;
    mp_err err;
    const char *s = "HTTPS://Example.COM:8443/a/b?x=1&y=2#frag";
    cr_assert_eq(http_url_parse(&u, s, strlen(s), &err), 0);
    cr_assert_eq(u.https, 1);
    cr_assert_eq(u.port, 8443);
    cr_assert_str_eq(u.host, "example.com");
    cr_assert_str_eq(u.target, "/a/b?x=1&y=2");
    cr_assert_eq(u.path_len, 4);
    cr_assert_eq(u.host_is_ip, 0);
    sb a = {0};
    http_url_authority(&u, &a);
    cr_assert_str_eq(a.buf, "example.com:8443");
    sb_free(&a);
    http_url_free(&u);

    s = "http://[::1]:8080";
    cr_assert_eq(http_url_parse(&u, s, strlen(s), &err), 0);
    cr_assert_str_eq(u.host, "::1");
    cr_assert_eq(u.ipv6, 1);
    cr_assert_eq(u.host_is_ip, 1);
    cr_assert_str_eq(u.target, "/");
    http_url_free(&u);

    s = "http://127.0.0.1/";
    cr_assert_eq(http_url_parse(&u, s, strlen(s), &err), 0);
    cr_assert_eq(u.host_is_ip, 1);
    cr_assert_eq(u.port, 80);
    http_url_free(&u);
}

MP_TEST(http_url, normalisation)
{
    parses_to("http://h", "http://h/");
    parses_to("http://h:80/x", "http://h/x");
    parses_to("https://h:443/x", "https://h/x");
    parses_to("https://h:80/x", "https://h:80/x");
    parses_to("http://h:/x", "http://h/x");
    parses_to("http://h?q=1", "http://h/?q=1");
    parses_to("http://h#f", "http://h/");
    parses_to("http://h/a/./b/../c/", "http://h/a/c/");
    parses_to("http://h/a/b/..", "http://h/a/");
    parses_to("http://h/../../x", "http://h/x");
    parses_to("http://h/a//b", "http://h/a//b");
    parses_to("http://h/a b?c d", "http://h/a%20b?c%20d");
    parses_to("http://h/caf\xc3\xa9", "http://h/caf%C3%A9");
    parses_to("http://h/\"<x>`", "http://h/%22%3Cx%3E%60");
    parses_to("http://h/p?q=/../x", "http://h/p?q=/../x");
    parses_to("http://[::1]/", "http://[::1]/");
    parses_to("http://[::1]:81/", "http://[::1]:81/");
}

static void fails_with(const char *in, const char *msg)
{
    http_url u;
    mp_err err;
    cr_assert_eq(http_url_parse(&u, in, strlen(in), &err), -1, "%s parsed", in);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_null(u.host);
}

MP_TEST(http_url, errors)
{
    fails_with("example.com/x", "invalid URL 'example.com/x': expected an absolute http:// or "
                                "https:// URL");
    fails_with("ftp://h/", "invalid URL 'ftp://h/': expected an absolute http:// or https:// URL");
    fails_with("http:/h", "invalid URL 'http:/h': expected an absolute http:// or https:// URL");
    fails_with("http://", "invalid URL 'http://': missing host");
    fails_with("http:///x", "invalid URL 'http:///x': missing host");
    fails_with("http://:80/", "invalid URL 'http://:80/': missing host");
    fails_with("http://user:pw@h/", "invalid URL 'http://user:pw@h/': user credentials in URLs "
                                    "are not supported");
    fails_with("http://h:0/", "invalid URL 'http://h:0/': port out of range 1-65535");
    fails_with("http://h:65536/", "invalid URL 'http://h:65536/': port out of range 1-65535");
    fails_with("http://h:8x/", "invalid URL 'http://h:8x/': port is not a number");
    fails_with("http://h h/", "invalid URL 'http://h h/': invalid character in host name");
    fails_with("http://[::1/", "invalid URL 'http://[::1/': missing ']' after IPv6 address");
    fails_with("http://[zz]/", "invalid URL 'http://[zz]/': invalid IPv6 address");
    fails_with("http://[::1]x/", "invalid URL 'http://[::1]x/': unexpected character after IPv6 "
                                 "address");
    fails_with("http://h/\r\n", "invalid URL 'http://h/\\x0d\\x0a': control character in URL");
    fails_with("http://h/\x7f", "invalid URL 'http://h/\\x7f': control character in URL");
}

static void resolves(const char *base, const char *ref, const char *expect)
{
    http_url b, out;
    mp_err err;
    cr_assert_eq(http_url_parse(&b, base, strlen(base), &err), 0);
    cr_assert_eq(http_url_resolve(&out, &b, ref, strlen(ref), &err), 0, "%s: %s", ref, err.msg);
    sb s = {0};
    http_url_format(&out, &s);
    cr_assert_str_eq(s.buf, expect, "resolving '%s'", ref);
    sb_free(&s);
    http_url_free(&b);
    http_url_free(&out);
}

/* RFC 3986 section 5.4, with http://a/b/c/d;p?q as the base. */
MP_TEST(http_url, rfc3986_examples)
{
    const char *base                    = "http://a/b/c/d;p?q";
    static const char *const cases[][2] = {
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g"},
        {"https://other:8443/z", "https://other:8443/z"},
        {"HTTP://A/x", "http://a/x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        resolves(base, cases[i][0], cases[i][1]);
}

MP_TEST(http_url, resolution_keeps_scheme_and_port)
{
    resolves("https://h:8443/a/b", "c", "https://h:8443/a/c");
    resolves("https://h:8443/a/b", "//x/y", "https://x/y");
    resolves("http://[::1]:81/a", "/z", "http://[::1]:81/z");
    resolves("http://h/a", "/caf\xc3\xa9 x", "http://h/caf%C3%A9%20x");
}

MP_TEST(http_url, resolution_errors)
{
    http_url b, out;
    mp_err err;
    cr_assert_eq(http_url_parse(&b, "http://h/", 9, &err), 0);
    cr_assert_eq(http_url_resolve(&out, &b, "mailto:x@y", 10, &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'mailto:x@y': expected an absolute http:// or https:// "
                              "URL");
    cr_assert_eq(http_url_resolve(&out, &b, "//", 2, &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'http://': missing host");
    http_url_free(&b);
}

MP_TEST(http_url, same_origin)
{
    http_url a, b;
    mp_err err;
    cr_assert_eq(http_url_parse(&a, "http://h/x", 10, &err), 0);
    cr_assert_eq(http_url_parse(&b, "http://H:80/y", 13, &err), 0);
    cr_assert(http_url_same_origin(&a, &b));
    http_url_free(&b);
    cr_assert_eq(http_url_parse(&b, "https://h/x", 11, &err), 0);
    cr_assert_not(http_url_same_origin(&a, &b));
    http_url_free(&a);
    http_url_free(&b);
}

/* Every field http_url_parse fills, as one string, so two parses can be compared exactly. */
static char *describe(const http_url *u)
{
    sb d = {0};
    sb_addf(&d,
            "https=%d ipv6=%d ip=%d port=%u host=%s(%zu) origin=%s(%zu) target=%s(%zu) path=%zu",
            u->https, u->ipv6, u->host_is_ip, (unsigned)u->port, u->host, u->host_len, u->origin,
            u->origin_len, u->target, u->target_len, u->path_len);
    sb_addf(&d, " input=%.*s origin_part=%zu", (int)u->input_len, u->input, u->input_origin_len);
    return sb_detach(&d);
}

/* update(parse(base), s) must give exactly parse(s), whichever way it takes. */
static void update_matches_parse(const char *base, const char *s)
{
    http_url u, v;
    mp_err err;
    cr_assert_eq(http_url_parse(&u, base, strlen(base), &err), 0, "%s: %s", base, err.msg);
    cr_assert_eq(http_url_update(&u, s, strlen(s), &err), 0, "%s -> %s: %s", base, s, err.msg);
    cr_assert_eq(http_url_parse(&v, s, strlen(s), &err), 0, "%s: %s", s, err.msg);
    char *a = describe(&u), *b = describe(&v);
    cr_assert_str_eq(a, b, "update from %s to %s", base, s);
    free(a);
    free(b);
    /* and once more with the same string: nothing to do, same result */
    cr_assert_eq(http_url_update(&u, s, strlen(s), &err), 0);
    a = describe(&u);
    b = describe(&v);
    cr_assert_str_eq(a, b, "repeating %s", s);
    free(a);
    free(b);
    http_url_free(&u);
    http_url_free(&v);
}

MP_TEST(http_url, update_gives_what_parse_gives)
{
    const char *pairs[][2] = {
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000/a"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b/c?x=1#f"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000?q"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000#only-fragment"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8000/x/../y/./z w\"<>`\xc3\xa9?a b#c"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:8001/a"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.10:8000/a"},
        {"http://127.0.0.1:8000/a", "http://127.0.0.1:800/a"},
        {"http://127.0.0.1:8000/a", "https://127.0.0.1:8000/a"},
        {"http://127.0.0.1:8000/a", "http://localhost:8000/a"},
        {"http://Example.COM:80/a", "http://Example.COM:80/b"},     /* same text */
        {"http://Example.COM:80/a", "http://example.com/b"},        /* its normalised origin */
        {"http://example.com/a", "http://EXAMPLE.com/b"},           /* another text: parsed */
        {"http://example.com/a", "HTTP://example.com/b"},           /* likewise */
        {"http://example.com/a", "http://example.com:80/b"},        /* likewise */
        {"http://example.com/a", "http://example.com.evil.test/b"}, /* longer host */
        {"http://example.com/a", "http://example.com:8080/b"},      /* a port after the prefix */
        {"https://[::1]:8443/a", "https://[::1]:8443/b?c"},
        {"https://[::1]:8443/a", "https://[::1]/b"},
        {"http://h/a", "http://h/a/b/../../../.."},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        update_matches_parse(pairs[i][0], pairs[i][1]);
}

MP_TEST(http_url, update_errors_are_those_of_parse_and_leave_the_url_empty)
{
    http_url u;
    mp_err err;
    const char *base = "http://h:1/a";
    cr_assert_eq(http_url_parse(&u, base, strlen(base), &err), 0);
    const char *bad = "http://h:1/a\tb";
    cr_assert_eq(http_url_update(&u, bad, strlen(bad), &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'http://h:1/a\\x09b': control character in URL");
    cr_assert_null(u.buf.buf);
    /* An empty URL is parsed in full the next time, and a fragment with a control character
     * after a cached origin fails like a full parse. */
    cr_assert_eq(http_url_update(&u, base, strlen(base), &err), 0);
    cr_assert_str_eq(u.target, "/a");
    const char *frag = "http://h:1/b#x\x01";
    cr_assert_eq(http_url_update(&u, frag, strlen(frag), &err), -1);
    cr_assert_str_eq(err.msg, "invalid URL 'http://h:1/b#x\\x01': control character in URL");
    cr_assert_null(u.buf.buf);
    const char *other = "http://h:1@x/";
    cr_assert_eq(http_url_update(&u, other, strlen(other), &err), -1);
    cr_assert_str_eq(err.msg,
                     "invalid URL 'http://h:1@x/': user credentials in URLs are not supported");
    http_url_free(&u);
}

MP_TEST(http_url, resolving_an_absolute_location_on_the_same_origin)
{
    http_url b, r, p;
    mp_err err;
    const char *base = "http://127.0.0.1:8000/login";
    cr_assert_eq(http_url_parse(&b, base, strlen(base), &err), 0);
    const char *locs[] = {"http://127.0.0.1:8000/home", "http://127.0.0.1:8000",
                          "http://127.0.0.1:8000/a/./b/../c?d#e", "http://127.0.0.1:80/x",
                          "HTTP://127.0.0.1:8000/home"};
    for (size_t i = 0; i < sizeof locs / sizeof locs[0]; i++) {
        const char *l = locs[i];
        cr_assert_eq(http_url_resolve(&r, &b, l, strlen(l), &err), 0, "%s: %s", l, err.msg);
        const char *hash = strchr(l, '#');
        size_t n         = hash ? (size_t)(hash - l) : strlen(l);
        cr_assert_eq(http_url_parse(&p, l, n, &err), 0);
        char *x = describe(&r), *y = describe(&p);
        cr_assert_str_eq(x, y, "resolving %s", l);
        free(x);
        free(y);
        http_url_free(&r);
        http_url_free(&p);
    }
    const char *bad = "http://127.0.0.1:8000/\x7f";
    cr_assert_eq(http_url_resolve(&r, &b, bad, strlen(bad), &err), -1);
    cr_assert_str_eq(err.msg,
                     "invalid URL 'http://127.0.0.1:8000/\\x7f': control character in URL");
    http_url_free(&b);
}
