#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "leakcheck.h"
#include "scenario/jsonpath.h"

/* A response like a blog API's: nested objects, arrays, odd keys, every JSON type. */
static const char *doc_text =
    "{\"data\": {\"posts\": ["
    "  {\"id\": 17, \"slug\": \"hello-world\", \"tags\": [\"a\", \"b\"], \"score\": 4.5},"
    "  {\"id\": 18, \"slug\": \"second\", \"tags\": [], \"score\": 0.1},"
    "  {\"id\": 19, \"slug\": \"third\", \"tags\": [\"c\"], \"draft\": true, \"score\": 1}"
    "], \"total\": 3, \"next\": null},"
    " \"odd key\": {\"with \\\"quote\\\"\": \"yes\", \"a.b\": \"dotted\"},"
    " \"csrf\": \"tok\\u00e9n\", \"meta\": {\"z\": 1, \"a\": [1, {\"b\": 2}]}}";

static json_t *load_doc(void)
{
    json_error_t e;
    json_t *j = json_loads(doc_text, 0, &e);
    cr_assert_not_null(j, "test document: %s", e.text);
    return j;
}

struct acc {
    sb text;
    int stop_after; /* 0 = never */
    int calls;
};

static int collect(json_t *v, void *arg)
{
    struct acc *a = arg;
    if (a->text.len) sb_addc(&a->text, '|');
    mp_json_capture_text(v, &a->text);
    a->calls++;
    return a->stop_after && a->calls >= a->stop_after;
}

static char *eval(json_t *doc, const char *path, int stop_after, size_t *calls)
{
    mp_err err;
    tpl_loc loc    = {.file = "t.yaml", .line = 1, .col = 1};
    mp_jsonpath *p = mp_jsonpath_compile(path, strlen(path), &loc, &err);
    cr_assert_not_null(p, "%s: %s", path, err.msg);
    cr_assert_str_eq(mp_jsonpath_source(p), path);
    struct acc a = {.stop_after = stop_after};
    *calls       = mp_jsonpath_eval(p, doc, collect, &a);
    cr_assert_eq(*calls, (size_t)a.calls);
    mp_jsonpath_free(p);
    return sb_detach(&a.text);
}

MP_TEST(jsonpath, selects_from_a_real_document)
{
    json_t *doc = load_doc();
    static const struct {
        const char *path, *want;
        size_t calls;
    } cases[] = {
        {"$.data.posts[0].slug", "hello-world", 1},
        {"$.data.posts[1].id", "18", 1},
        {"$.data.posts[-1].slug", "third", 1},
        {"$.data.posts[-3].slug", "hello-world", 1},
        {"$.data.posts[3].slug", "", 0},
        {"$.data.posts[-4].slug", "", 0},
        {"$.data.posts[*].slug", "hello-world|second|third", 3},
        {"$.data.posts.*.id", "17|18|19", 3},
        {"$.data.posts[*].tags[*]", "a|b|c", 3},
        {"$.data.posts[*].draft", "true", 1},
        {"$.data.posts[*].score", "4.5|0.1|1", 3},
        {"$.data.total", "3", 1},
        {"$.data.next", "null", 1},
        {"$['odd key'][\"with \\\"quote\\\"\"]", "yes", 1},
        {"$[\"odd key\"]['a.b']", "dotted", 1},
        {"$.csrf", "tok\xc3\xa9n", 1},
        {"$.meta", "{\"z\":1,\"a\":[1,{\"b\":2}]}", 1},
        {"$.meta.*", "1|[1,{\"b\":2}]", 2},
        {"$.meta.a[1].b", "2", 1},
        {"$.data.posts[0].tags", "[\"a\",\"b\"]", 1},
        {"$.data.posts.slug", "", 0},
        {"$.csrf[0]", "", 0},
        {"$.nothing.here", "", 0},
        {"$[0]", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t calls;
        char *got = eval(doc, cases[i].path, 0, &calls);
        cr_expect_str_eq(got, cases[i].want, "%s", cases[i].path);
        cr_expect_eq(calls, cases[i].calls, "%s", cases[i].path);
        free(got);
    }
    size_t calls;
    char *whole = eval(doc, "$", 0, &calls);
    json_error_t e;
    json_t *again = json_loads(whole, 0, &e);
    cr_assert(json_equal(again, doc), "$ is the whole document");
    json_decref(again);
    free(whole);
    json_decref(doc);
}

MP_TEST(jsonpath, stops_when_asked)
{
    json_t *doc = load_doc();
    size_t calls;
    char *got = eval(doc, "$.data.posts[*].tags[*]", 2, &calls);
    cr_assert_str_eq(got, "a|b");
    cr_assert_eq(calls, 2);
    free(got);
    got = eval(doc, "$.data.posts[*].slug", 1, &calls);
    cr_assert_str_eq(got, "hello-world", "pick first stops at the first match");
    free(got);
    json_decref(doc);
}

MP_TEST(jsonpath, top_level_scalars_and_reals)
{
    struct {
        const char *json, *want;
    } cases[] = {
        {"\"plain\"", "plain"}, {"12", "12"},
        {"-0.5", "-0.5"},       {"1e300", "1e+300"},
        {"2.0", "2.0"},         {"false", "false"},
        {"[]", "[]"},           {"{}", "{}"},
        {"0.1", "0.1"},         {"\"a\\u0000b\"", "a\0b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t e;
        json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        cr_assert_not_null(j, "%s", cases[i].json);
        sb out = {0};
        mp_json_capture_text(j, &out);
        size_t want_len = i == 9 ? 3 : strlen(cases[i].want);
        cr_expect_eq(out.len, want_len, "%s", cases[i].json);
        cr_expect_eq(memcmp(sb_str(&out), cases[i].want, want_len), 0, "%s -> %s", cases[i].json,
                     sb_str(&out));
        sb_free(&out);
        json_decref(j);
    }
}

MP_TEST(jsonpath, compile_errors_point_at_the_character)
{
    static const struct {
        const char *path, *msg;
    } cases[] = {
        {"data.id", "t.yaml:2:10: a JSON path starts with '$' (expected e.g. $.data[0].id)"},
        {"", "t.yaml:2:10: a JSON path starts with '$' (expected e.g. $.data[0].id)"},
        {"$.", "t.yaml:2:12: expected a key name after '.' (expected e.g. $.id)"},
        {"$.a..b", "t.yaml:2:14: unexpected '.' after '.' (expected a key name, or [\"key\"])"},
        {"$.a[", "t.yaml:2:13: unterminated '[' (expected ']')"},
        {"$.a[1", "t.yaml:2:13: unterminated '[' (expected ']')"},
        {"$.a[1x]", "t.yaml:2:15: unexpected 'x' (expected ']')"},
        {"$.a[x]", "t.yaml:2:14: unexpected 'x' after '[' (expected an index, * or a quoted key)"},
        {"$.a[-]", "t.yaml:2:14: expected digits after '-' (expected e.g. [-1])"},
        {"$.a[*", "t.yaml:2:13: unterminated '[' (expected ']')"},
        {"$.a['b]", "t.yaml:2:14: unterminated string (expected a closing ')"},
        {"$.a['b'", "t.yaml:2:13: unterminated '[' (expected ']')"},
        {"$.a[\"\\n\"]", "t.yaml:2:15: unknown escape '\\n' (expected \\\\, \\\" or \\')"},
        {"$.a[99999999999999999]", "t.yaml:2:14: index out of range (expected at most 15 digits)"},
        {"$a", "t.yaml:2:11: unexpected 'a' (expected '.' or '[')"},
        {"$.a b", "t.yaml:2:13: unexpected ' ' (expected '.' or '[')"},
        {"$.\xc3\xa9t\xc3\xa9 x", "t.yaml:2:15: unexpected ' ' (expected '.' or '[')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_err err;
        tpl_loc loc    = {.file = "t.yaml", .line = 2, .col = 10};
        mp_jsonpath *p = mp_jsonpath_compile(cases[i].path, strlen(cases[i].path), &loc, &err);
        cr_expect_null(p, "%s compiled", cases[i].path);
        if (!p) {
            cr_expect_str_eq(err.msg, cases[i].msg, "for %s", cases[i].path);
            cr_expect_eq(loc.err_line, 2);
        }
        mp_jsonpath_free(p);
    }
    mp_err err;
    tpl_loc loc    = {.file = "t.yaml", .line = 2, .col = 10};
    mp_jsonpath *p = mp_jsonpath_compile("$['a\0b']", 8, &loc, &err);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg, "t.yaml:2:14: NUL in a key (expected text)");
}
