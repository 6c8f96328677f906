/* Request building from hand-made scenario steps (exact bytes of URL, query, form, JSON and
 * headers), expectation messages, captures on plain bodies, and pools under concurrent use. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "leakcheck.h"
#include "load/capture.h"
#include "load/pool.h"
#include "load/request.h"
#include "scenario/jsonpath.h"

/* A tiny world for templates: a symbol table, values, a random stream. */
static mp_symtab syms;
static mp_value vars[16];
static mp_rng rng;
static mp_counters counters;
static tpl_env env;
static tpl *compiled[64]; /* every template a test compiled, freed after it */
static size_t ncompiled;

static void setup(void)
{
    memset(&syms, 0, sizeof syms);
    memset(vars, 0, sizeof vars);
    mp_rng_seed(&rng, 1, 2);
    counters  = (mp_counters){0};
    env       = (tpl_env){vars, &rng, &counters, 7, 3, "Editor"};
    ncompiled = 0;
}

static void teardown(void)
{
    for (size_t i = 0; i < ncompiled; i++)
        tpl_free(compiled[i]);
    for (size_t i = 0; i < 16; i++)
        mp_value_clear(&vars[i]);
    mp_symtab_free(&syms);
}

static tpl *T(const char *src)
{
    mp_err err;
    tpl *t = tpl_compile(src, strlen(src), &syms, "t.yaml", 1, 1, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_lt(ncompiled, 64);
    compiled[ncompiled++] = t;
    return t;
}

static void set(const char *name, const char *value)
{
    int slot = mp_symtab_var(&syms, name);
    cr_assert_lt(slot, 16);
    mp_value_set(&vars[slot], value, strlen(value));
}

static const char *header(const ld_reqbuf *b, const char *name)
{
    for (size_t i = 0; i < b->req.nheaders; i++)
        if (strcmp(b->req.headers[i].name, name) == 0) return b->req.headers[i].value;
    return NULL;
}

static sc_request req(const char *method, tpl *url)
{
    sc_request r       = {0};
    r.method           = (char *)method;
    r.url              = url;
    r.follow_redirects = 1;
    r.timeout          = 30;
    r.tls_verify       = 1;
    return r;
}

TestSuite(request, .init = setup, .fini = teardown);

static void set_list(const char *name, char **items, size_t n)
{
    int slot = mp_symtab_var(&syms, name);
    cr_assert_lt(slot, 16);
    size_t lens[8];
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(items[i]);
    mp_value_set_list(&vars[slot], items, lens, n);
}

MP_TEST(request, a_list_variable_repeats_its_field)
{
    set_list("ids", (char *[]){"3", "1 2", "x&y"}, 3);
    set_list("none", NULL, 0);
    set("one", "solo");
    /* As the loader gives `tags: [a, b]`: the same name twice. */
    sc_kv form[] = {{"action", T("delete_selected")},
                    {"_selected_action", T("{{ ids }}")},
                    {"empty", T("{{ none }}")},
                    {"tags", T("a")},
                    {"tags", T("b")},
                    {"s", T("{{ one }}")},
                    {"post", T("yes")}};
    sc_request r = req("POST", T("/admin/"));
    r.body_kind  = BODY_FORM;
    r.form       = form;
    r.nform      = 7;
    ld_reqbuf b  = {0};
    mp_err err;
    cr_assert_eq(ld_request_build(&r, "http://h:1", &env, &b, &err), LD_BUILD_OK, "%s", err.msg);
    cr_assert_str_eq(b.req.body, "action=delete_selected&_selected_action=3&_selected_action=1+2"
                                 "&_selected_action=x%26y&tags=a&tags=b&s=solo&post=yes");

    /* Query: the separator is written only when a pair is; a list inside text is still an error. */
    sc_kv q1[]    = {{"e", T("{{ none }}")}, {"id", T("{{ ids }}")}};
    sc_request r1 = req("GET", T("/p"));
    r1.query      = q1;
    r1.nquery     = 2;
    cr_assert_eq(ld_request_build(&r1, "http://h:1", &env, &b, &err), LD_BUILD_OK, "%s", err.msg);
    cr_assert_str_eq(b.req.url, "http://h:1/p?id=3&id=1%202&id=x%26y");
    sc_kv q2[]    = {{"e", T("{{ none }}")}};
    sc_request r2 = req("GET", T("/p?a=1"));
    r2.query      = q2;
    r2.nquery     = 1;
    cr_assert_eq(ld_request_build(&r2, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/p?a=1", "no '&' or '?' for an empty list");
    sc_request r3 = req("GET", T("/p"));
    r3.query      = q2;
    r3.nquery     = 1;
    cr_assert_eq(ld_request_build(&r3, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/p");
    sc_kv q4[]    = {{"id", T("#{{ ids }}")}};
    sc_request r4 = req("GET", T("/p"));
    r4.query      = q4;
    r4.nquery     = 1;
    cr_assert_eq(ld_request_build(&r4, "http://h:1", &env, &b, &err), LD_BUILD_ERROR);
    cr_assert_str_eq(err.msg, "t.yaml:1:5: variable 'ids' holds a list (expected a string; use "
                              "random.choice(ids) or a loop over it)");
    ld_reqbuf_free(&b);
}

/* The plan the engine makes once per step: a fixed URL only when nothing in it can change, and
 * the same request either way. */
MP_TEST(request, plan_fixes_only_urls_that_never_change)
{
    struct {
        const char *url;
        const char *fixed; /* NULL: rendered per request */
    } cases[] = {
        {"/1k.bin", "http://h:1/1k.bin"},
        {"posts/", "http://h:1/posts/"},
        {"", "http://h:1/"},
        {"/a#frag", "http://h:1/a"},
        {"HTTPS://other/x", "HTTPS://other/x"},
        {"/p/{{ user.index }}", NULL},
        {"{{ link }}", NULL},
    };
    set("link", "/posts/9/?q=a%20b");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sc_request r = req("GET", T(cases[i].url));
        ld_reqplan plan;
        ld_reqplan_init(&plan, &r, "http://h:1");
        if (cases[i].fixed)
            cr_assert_str_eq(plan.url, cases[i].fixed, "%s", cases[i].url);
        else
            cr_assert_null(plan.url, "%s", cases[i].url);
        ld_reqbuf a = {0}, b = {0};
        mp_err err;
        cr_assert_eq(ld_request_build_plan(&r, &plan, "http://h:1", &env, &a, &err), LD_BUILD_OK);
        cr_assert_eq(ld_request_build(&r, "http://h:1", &env, &b, &err), LD_BUILD_OK);
        cr_assert_str_eq(a.req.url, b.req.url, "%s", cases[i].url);
        if (cases[i].fixed) cr_assert_str_eq(a.req.url, cases[i].fixed);
        ld_reqbuf_free(&a);
        ld_reqbuf_free(&b);
        ld_reqplan_free(&plan);
    }
    /* Query parameters are rendered per request even on a constant URL. */
    sc_kv q[]    = {{"n", T("{{ user.index }}")}};
    sc_request r = req("GET", T("/q"));
    r.query      = q;
    r.nquery     = 1;
    ld_reqplan plan;
    ld_reqplan_init(&plan, &r, "http://h:1");
    cr_assert_null(plan.url);
    ld_reqbuf b = {0};
    mp_err err;
    cr_assert_eq(ld_request_build_plan(&r, &plan, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/q?n=7");
    ld_reqbuf_free(&b);
    ld_reqplan_free(&plan);
}

MP_TEST(request, url_host_join_fragment_and_query)
{
    set("v", "a b&c=d/\xc3\xa9+%~");
    sc_kv q[]    = {{"q", T("{{ v }}")}, {"sp ace", T("1")}};
    sc_request r = req("GET", T("/echo/{{ v }}?x=1#frag"));
    r.query      = q;
    r.nquery     = 2;
    ld_reqbuf b  = {0};
    mp_err err;
    cr_assert_eq(ld_request_build(&r, "http://h:1", &env, &b, &err), LD_BUILD_OK, "%s", err.msg);
    cr_assert_str_eq(b.req.url, "http://h:1/echo/a%20b%26c%3Dd%2F%C3%A9%2B%25~?x=1"
                                "&q=a%20b%26c%3Dd%2F%C3%A9%2B%25~&sp%20ace=1");
    cr_assert_str_eq(b.req.method, "GET");
    cr_assert_null(b.req.body);
    cr_assert_eq(b.req.nheaders, 0);

    /* relative without '/', absolute, and an empty path */
    sc_request r2 = req("GET", T("posts/"));
    cr_assert_eq(ld_request_build(&r2, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/posts/");
    sc_request r3 = req("GET", T("HTTPS://other/x?{{ user.index }}"));
    cr_assert_eq(ld_request_build(&r3, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "HTTPS://other/x?7");
    /* a URL that is one expression is a whole link, used as is */
    set("link", "/posts/9/?q=a%20b");
    sc_request r5 = req("GET", T("{{ link }}"));
    cr_assert_eq(ld_request_build(&r5, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/posts/9/?q=a%20b");
    set("link", "https://x/y");
    cr_assert_eq(ld_request_build(&r5, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "https://x/y");
    sc_request r6 = req("GET", T("{{ link }}/{{ link }}"));
    cr_assert_eq(ld_request_build(&r6, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/https%3A%2F%2Fx%2Fy/https%3A%2F%2Fx%2Fy");
    sc_request r4 = req("GET", T(""));
    sc_kv q4[]    = {{"a", T("")}};
    r4.query      = q4;
    r4.nquery     = 1;
    cr_assert_eq(ld_request_build(&r4, "http://h:1", &env, &b, &err), LD_BUILD_OK);
    cr_assert_str_eq(b.req.url, "http://h:1/?a=");
    ld_reqbuf_free(&b);
}

MP_TEST(request, form_body_and_headers)
{
    set("v", "a b&=\xc3\xa9~");
    sc_kv form[] = {{"name", T("{{ v }}")}, {"k&", T("~x")}, {"empty", T("")}};
    sc_kv hdr[]  = {{"X-User", T("u{{ user.index }}/{{ user.class_index }} {{ user.class }}")},
                    {"Accept", T("text/plain")}};
    sc_request r = req("POST", T("/f"));
    r.body_kind  = BODY_FORM;
    r.form       = form;
    r.nform      = 3;
    r.headers    = hdr;
    r.nheaders   = 2;
    r.timeout    = 2.5;
    ld_reqbuf b  = {0};
    mp_err err;
    cr_assert_eq(ld_request_build(&r, "http://h", &env, &b, &err), LD_BUILD_OK, "%s", err.msg);
    cr_assert_eq(b.req.body_len, strlen(b.req.body));
    cr_assert_str_eq(b.req.body, "name=a+b%26%3D%C3%A9~&k%26=~x&empty=");
    cr_assert_eq(b.req.nheaders, 3);
    cr_assert_str_eq(header(&b, "X-User"), "u7/3 Editor");
    cr_assert_str_eq(header(&b, "Accept"), "text/plain");
    cr_assert_str_eq(header(&b, "Content-Type"), "application/x-www-form-urlencoded");
    cr_assert_float_eq(b.req.timeout_s, 2.5, 1e-12);
    cr_assert_eq(b.req.follow_redirects, 1);
    ld_reqbuf_free(&b);
}

MP_TEST(request, json_body_exact_bytes)
{
    set("v", "q\"\\\n\t\x01/\xc3\xa9");
    sc_json items[] = {{.kind = SCJ_NUMBER, .number = "1"}, {.kind = SCJ_STRING, .string = T("x")}};
    sc_json inner[] = {{.kind = SCJ_STRING, .string = T("{{ user.index }}")}};
    char *inner_keys[] = {"k"};
    sc_json vals[]     = {
            {.kind = SCJ_STRING, .string = T("{{ v }}")},
            {.kind = SCJ_NUMBER, .number = "3.50"},
            {.kind = SCJ_BOOL, .boolean = 1},
            {.kind = SCJ_BOOL, .boolean = 0},
            {.kind = SCJ_NULL},
            {.kind = SCJ_ARRAY, .items = items, .n = 2},
            {.kind = SCJ_OBJECT, .items = inner, .keys = inner_keys, .n = 1},
            {.kind = SCJ_ARRAY, .n = 0},
    };
    char *keys[] = {"s", "n", "t", "f", "z", "l", "o\"", "e"};
    sc_json root = {.kind = SCJ_OBJECT, .items = vals, .keys = keys, .n = 8};
    sc_kv hdr[]  = {{"content-type", T("application/vnd.x+json")}};
    sc_request r = req("PUT", T("/j"));
    r.body_kind  = BODY_JSON;
    r.json       = &root;
    ld_reqbuf b  = {0};
    mp_err err;
    cr_assert_eq(ld_request_build(&r, "http://h", &env, &b, &err), LD_BUILD_OK, "%s", err.msg);
    cr_assert_str_eq(b.req.body, "{\"s\":\"q\\\"\\\\\\n\\t\\u0001/\xc3\xa9\",\"n\":3.50,\"t\":true,"
                                 "\"f\":false,\"z\":null,\"l\":[1,\"x\"],\"o\\\"\":{\"k\":\"7\"},"
                                 "\"e\":[]}");
    cr_assert_str_eq(header(&b, "Content-Type"), "application/json");
    /* a Content-Type of the step's own, in any case, replaces the default */
    r.headers  = hdr;
    r.nheaders = 1;
    cr_assert_eq(ld_request_build(&r, "http://h", &env, &b, &err), LD_BUILD_OK);
    cr_assert_eq(b.req.nheaders, 1);
    cr_assert_str_eq(header(&b, "content-type"), "application/vnd.x+json");
    ld_reqbuf_free(&b);
}

MP_TEST(request, raw_body_and_failures)
{
    set("crlf", "x\r\nX-Injected: 1");
    sc_request r = req("POST", T("/r"));
    r.body_kind  = BODY_RAW;
    r.body       = T("raw {{ user.class }}");
    ld_reqbuf b  = {0};
    mp_err err;
    cr_assert_eq(ld_request_build(&r, "http://h", &env, &b, &err), LD_BUILD_OK);
    cr_assert_eq(b.req.body_len, 10);
    cr_assert_eq(memcmp(b.req.body, "raw Editor", 10), 0);
    cr_assert_eq(b.req.nheaders, 0);

    /* CR/LF in a header value: the request fails (nothing to send) */
    sc_kv bad[]   = {{"X-Bad", T("{{ crlf }}")}};
    sc_request r2 = req("GET", T("/r"));
    r2.headers    = bad;
    r2.nheaders   = 1;
    cr_assert_eq(ld_request_build(&r2, "http://h", &env, &b, &err), LD_BUILD_FAILED);
    cr_assert(strstr(err.msg, "CR"), "%s", err.msg);

    /* a variable with no value: a scenario error */
    mp_symtab_var(&syms, "unset");
    sc_request r3 = req("GET", T("/{{ unset }}"));
    cr_assert_eq(ld_request_build(&r3, "http://h", &env, &b, &err), LD_BUILD_ERROR);
    cr_assert(strstr(err.msg, "'unset' has no value"), "%s", err.msg);
    ld_reqbuf_free(&b);
}

MP_TEST(request, json_quote)
{
    sb out = {0};
    ld_json_quote(&out, "a\"b\\c\b\f\n\r\t\x1f\x7f", 12);
    cr_assert_str_eq(sb_str(&out), "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u001f\x7f\"");
    sb_reset(&out);
    ld_json_quote(&out, "", 0);
    cr_assert_str_eq(sb_str(&out), "\"\"");
    sb_free(&out);
}

static int expect_msg(const sc_expect *e, int status, const char *body, char *msg_out)
{
    sb tmp = {0}, msg = {0};
    mp_err err;
    int rc = ld_expect_check(e, status, body, strlen(body), &env, &tmp, &msg, &err);
    strcpy(msg_out, rc < 0 ? err.msg : sb_str(&msg));
    sb_free(&tmp);
    sb_free(&msg);
    return rc;
}

MP_TEST(request, expectation_messages)
{
    char m[1100];
    sc_expect none = {0};
    cr_assert_eq(expect_msg(&none, 302, "", m), 0);
    cr_assert_eq(expect_msg(&none, 404, "", m), 1);
    cr_assert_str_eq(m, "expected status < 400, got 404");

    int one[]    = {201};
    sc_expect e1 = {.status = one, .nstatus = 1};
    cr_assert_eq(expect_msg(&e1, 200, "", m), 1);
    cr_assert_str_eq(m, "expected status 201, got 200");
    int three[]  = {200, 201, 302};
    sc_expect e3 = {.status = three, .nstatus = 3};
    cr_assert_eq(expect_msg(&e3, 500, "", m), 1);
    cr_assert_str_eq(m, "expected status 200, 201 or 302, got 500");
    cr_assert_eq(expect_msg(&e3, 302, "", m), 0);

    set("name", "Ann");
    tpl *has[]   = {T("Welcome {{ name }}"), T("!")};
    tpl *hasnt[] = {T("error")};
    sc_expect c  = {.contains = has, .ncontains = 2, .not_contains = hasnt, .nnot_contains = 1};
    cr_assert_eq(expect_msg(&c, 200, "<h1>Welcome Ann!</h1>", m), 0);
    cr_assert_eq(expect_msg(&c, 200, "<h1>Welcome Bob!</h1>", m), 1);
    cr_assert_str_eq(m, "body does not contain \"Welcome Ann\"");
    cr_assert_eq(expect_msg(&c, 200, "Welcome Ann! error", m), 1);
    cr_assert_str_eq(m, "body contains \"error\"");
    /* long texts are cut in the message */
    tpl *lng[]   = {T("0123456789012345678901234567890123456789012345678901234567890123456789")};
    sc_expect cl = {.contains = lng, .ncontains = 1};
    cr_assert_eq(expect_msg(&cl, 200, "x", m), 1);
    cr_assert_str_eq(
        m,
        "body does not contain \"012345678901234567890123456789012345678901234567890123456...\"");
    /* status is checked before the body */
    cr_assert_eq(expect_msg(&c, 500, "Welcome Ann!", m), 1);
    cr_assert_str_eq(m, "expected status < 400, got 500");
}

/* ---- captures ---- */

static void *regex(const char *pattern)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
    cr_assert_not_null(re);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

static const char *fake_header(void *arg, const char *name)
{
    (void)arg;
    return strcasecmp(name, "location") == 0 ? "/posts/9" : NULL;
}

static const char *fake_cookie(void *arg, const char *name)
{
    (void)arg;
    return strcmp(name, "sessionid") == 0 ? "abc" : NULL;
}

static int cap(sc_capture *c, const char *body, ld_capture_scratch *s, char *msg_out)
{
    ld_response_view v = {body, strlen(body), fake_header, fake_cookie, NULL};
    sb msg             = {0};
    mp_err err;
    int rc = ld_capture_run(c, syms.vars[c->var], &v, vars, &env, &rng, s, &msg, &err);
    strcpy(msg_out, rc < 0 ? err.msg : sb_str(&msg));
    sb_free(&msg);
    ld_capture_end(s);
    return rc;
}

TestSuite(capture, .init = setup, .fini = teardown);

MP_TEST(capture, regex_first_random_all)
{
    char m[1100];
    int slot     = mp_symtab_var(&syms, "id");
    sc_capture c = {.src = CAP_REGEX, .var = slot, .group = 1, .pick = PICK_FIRST};
    c.compiled   = regex("id=(\\d+)(x)?");
    c.arg        = "id=(\\d+)(x)?";
    ld_capture_scratch s;
    ld_capture_scratch_init(&s, ld_capture_pairs(&c));
    cr_assert_eq(ld_capture_pairs(&c), 3);
    const char *body = "id=1 id=22x id=333";
    cr_assert_eq(cap(&c, body, &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "1");
    c.group = 2; /* a group that did not take part: empty */
    cr_assert_eq(cap(&c, body, &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "");
    c.group = 0;
    c.pick  = PICK_ALL;
    cr_assert_eq(cap(&c, body, &s, m), 0);
    cr_assert(vars[slot].is_list);
    cr_assert_eq(vars[slot].nitems, 3);
    cr_assert_str_eq(vars[slot].items[0], "id=1");
    cr_assert_str_eq(vars[slot].items[1], "id=22x");
    cr_assert_str_eq(vars[slot].items[2], "id=333");
    c.group     = 1;
    c.pick      = PICK_RANDOM;
    int seen[4] = {0};
    for (int i = 0; i < 300; i++) {
        cr_assert_eq(cap(&c, body, &s, m), 0);
        seen[strlen(vars[slot].str)]++;
    }
    cr_assert(seen[1] > 50 && seen[2] > 50 && seen[3] > 50, "%d %d %d", seen[1], seen[2], seen[3]);
    cr_assert_eq(cap(&c, "nothing here", &s, m), 1);
    cr_assert_str_eq(m, "capture 'id': regex found no match");
    pcre2_code_free(c.compiled);

    /* empty matches step forward, also over UTF-8 sequences */
    c.compiled = regex("x*");
    c.group    = 0;
    c.pick     = PICK_ALL;
    cr_assert_eq(cap(&c, "\xc3\xa9xx", &s, m), 0);
    cr_assert_eq(vars[slot].nitems, 3); /* "" before é, "xx", "" at the end */
    cr_assert_str_eq(vars[slot].items[1], "xx");
    pcre2_code_free(c.compiled);
    ld_capture_scratch_free(&s);
}

MP_TEST(capture, cookie_header_default_optional)
{
    char m[1100];
    int slot = mp_symtab_var(&syms, "v");
    ld_capture_scratch s;
    ld_capture_scratch_init(&s, 1);
    sc_capture c = {.src = CAP_COOKIE, .var = slot, .arg = "sessionid"};
    cr_assert_eq(cap(&c, "", &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "abc");
    c.arg = "csrftoken";
    cr_assert_eq(cap(&c, "", &s, m), 1);
    cr_assert_str_eq(m, "capture 'v': no cookie 'csrftoken'");
    sc_capture h = {.src = CAP_HEADER, .var = slot, .arg = "Location"};
    cr_assert_eq(cap(&h, "", &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "/posts/9");
    h.arg = "X-Nope";
    cr_assert_eq(cap(&h, "", &s, m), 1);
    cr_assert_str_eq(m, "capture 'v': no header 'X-Nope'");
    h.optional = 1; /* leaves the variable alone */
    cr_assert_eq(cap(&h, "", &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "/posts/9");
    h.dflt = T("none-{{ user.index }}");
    cr_assert_eq(cap(&h, "", &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "none-7");
    ld_capture_scratch_free(&s);
}

MP_TEST(capture, json_paths)
{
    char m[1100];
    int slot = mp_symtab_var(&syms, "j");
    ld_capture_scratch s;
    ld_capture_scratch_init(&s, 1);
    mp_err err;
    tpl_loc loc      = {"t.yaml", 1, 1, NULL, 0, 0};
    const char *path = "$.items[*].id";
    sc_capture c     = {.src = CAP_JSON, .var = slot, .arg = (char *)path, .pick = PICK_FIRST};
    c.compiled       = mp_jsonpath_compile(path, strlen(path), &loc, &err);
    cr_assert_not_null(c.compiled, "%s", err.msg);
    const char *body = "{\"items\":[{\"id\":5},{\"id\":\"six\"},{\"id\":{\"n\":7}}]}";
    cr_assert_eq(cap(&c, body, &s, m), 0);
    cr_assert_str_eq(vars[slot].str, "5");
    c.pick = PICK_ALL;
    cr_assert_eq(cap(&c, body, &s, m), 0);
    cr_assert_eq(vars[slot].nitems, 3);
    cr_assert_str_eq(vars[slot].items[1], "six");
    cr_assert_str_eq(vars[slot].items[2], "{\"n\":7}");
    cr_assert_eq(cap(&c, "{\"items\":[]}", &s, m), 1);
    cr_assert_str_eq(m, "capture 'j': JSON path '$.items[*].id' found nothing");
    cr_assert_eq(cap(&c, "<html>", &s, m), 1);
    cr_assert_str_eq(m, "capture 'j': body is not JSON");
    mp_jsonpath_free(c.compiled);
    ld_capture_scratch_free(&s);
}

/* ---- pools ---- */

struct pusher {
    ld_pool *pool;
    int id;
};

static void push_many(void *arg)
{
    struct pusher *p = arg;
    char buf[32];
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(buf, sizeof buf, "%d-%d", p->id, i);
        ld_pool_push(p->pool, buf, (size_t)n);
    }
}

MP_TEST(pool, concurrent_push_pick_snapshot)
{
    ld_pool p;
    ld_pool_init(&p);
    mp_rng r;
    mp_rng_seed(&r, 5, 5);
    mp_value v = {0};
    cr_assert_eq(ld_pool_pick(&p, &r, &v), -1);
    cr_assert_null(v.str);

    uv_thread_t t[4];
    struct pusher ps[4];
    for (int i = 0; i < 4; i++) {
        ps[i] = (struct pusher){&p, i};
        uv_thread_create(&t[i], push_many, &ps[i]);
    }
    for (int i = 0; i < 4; i++)
        uv_thread_join(&t[i]);
    cr_assert_eq(ld_pool_size(&p), 8000);

    char **items;
    size_t *lens;
    size_t n = ld_pool_snapshot(&p, &items, &lens);
    cr_assert_eq(n, 8000);
    /* every pushed value is there exactly once, each thread's in its own order */
    int next[4] = {0};
    for (size_t i = 0; i < n; i++) {
        int id, k;
        cr_assert_eq(sscanf(items[i], "%d-%d", &id, &k), 2);
        cr_assert_eq(lens[i], strlen(items[i]));
        cr_assert_eq(k, next[id]++);
    }
    ld_pool_push(&p, "late", 4);
    cr_assert_eq(n, 8000); /* the snapshot does not change */
    ld_snapshot_free(items, lens, n);

    cr_assert_eq(ld_pool_pick(&p, &r, &v), 0);
    cr_assert_not_null(v.str);
    mp_value_clear(&v);
    ld_pool_free(&p);
}
