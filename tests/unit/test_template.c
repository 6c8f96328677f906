#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "scenario/lorem.h"
#include "scenario/suggest.h"
#include "scenario/template.h"
#include "util/clock.h"
#include "util/rng.h"
#include "util/sb.h"

/* A user: values for every slot of syms, a seeded stream, counters. */
typedef struct fixture {
    mp_symtab syms;
    mp_value vals[32];
    mp_rng rng;
    mp_counters counters;
    tpl_env env;
    sb out;
    mp_err err;
} fixture;

static void fx_init(fixture *f, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    mp_rng_seed(&f->rng, seed, 7);
    f->env.vars        = f->vals;
    f->env.rng         = &f->rng;
    f->env.counters    = &f->counters;
    f->env.user_index  = 12;
    f->env.class_index = 3;
    f->env.class_name  = "Reader";
}

static void fx_free(fixture *f)
{
    for (size_t i = 0; i < 32; i++)
        mp_value_clear(&f->vals[i]);
    mp_counters_free(&f->counters);
    mp_symtab_free(&f->syms);
    sb_free(&f->out);
}

static tpl *compile(fixture *f, const char *src)
{
    tpl *t = tpl_compile(src, strlen(src), &f->syms, "t.yaml", 3, 5, &f->err);
    cr_assert_not_null(t, "compiling %s: %s", src, f->err.msg);
    return t;
}

static void set_var(fixture *f, const char *name, const char *value)
{
    int slot = mp_symtab_var(&f->syms, name);
    cr_assert_lt(slot, 32);
    mp_value_set(&f->vals[slot], value, strlen(value));
}

/* Renders src (after the caller set variables) and returns the output. */
static const char *render(fixture *f, const char *src, enum tpl_escape esc)
{
    tpl *t = compile(f, src);
    if (f->counters.n != f->syms.ncounters) {
        mp_counters_free(&f->counters);
        mp_counters_init(&f->counters, &f->syms);
    }
    sb_reset(&f->out);
    int rc = tpl_render(t, &f->env, esc, &f->out, &f->err);
    cr_assert_eq(rc, 0, "rendering %s: %s", src, f->err.msg);
    tpl_free(t);
    return sb_str(&f->out);
}

MP_TEST(template, literal_text_is_constant)
{
    fixture f;
    fx_init(&f, 1);
    tpl *t = compile(&f, "/posts/a b?x=1}}{");
    cr_assert(tpl_is_constant(t));
    cr_assert_str_eq(tpl_source(t), "/posts/a b?x=1}}{");
    cr_assert_eq(tpl_render(t, &f.env, TPL_URL, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "/posts/a b?x=1}}{", "literal text is never escaped");
    tpl_free(t);
    t = compile(&f, "");
    cr_assert(tpl_is_constant(t));
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
    cr_assert_eq(f.out.len, 0);
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, variables_and_user_fields)
{
    fixture f;
    fx_init(&f, 1);
    set_var(&f, "slug", "post-1");
    cr_assert_str_eq(render(&f, "/posts/{{ slug }}/", TPL_RAW), "/posts/post-1/");
    cr_assert_str_eq(render(&f, "{{slug}}{{  slug\t}}", TPL_RAW), "post-1post-1");
    cr_assert_str_eq(
        render(&f, "{{ user.index }}/{{ user.class_index }}/{{ user.class }}", TPL_RAW),
        "12/3/Reader");
    fx_free(&f);
}

MP_TEST(template, render_appends_to_the_buffer)
{
    fixture f;
    fx_init(&f, 1);
    set_var(&f, "a", "x");
    tpl *t = compile(&f, "[{{ a }}]");
    sb_adds(&f.out, "prefix:");
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "prefix:[x]");
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, url_escaping_applies_to_values_only)
{
    fixture f;
    fx_init(&f, 1);
    set_var(&f, "v", "a b/c?d&e=f%\xc3\xa9~._-");
    cr_assert_str_eq(render(&f, "/p/{{ v }}/?q=1", TPL_URL),
                     "/p/a%20b%2Fc%3Fd%26e%3Df%25%C3%A9~._-/?q=1");
    cr_assert_str_eq(render(&f, "/p/{{ v }}/", TPL_RAW), "/p/a b/c?d&e=f%\xc3\xa9~._-/");
    cr_assert_str_eq(render(&f, "{{ user.class }}", TPL_URL), "Reader");
    fx_free(&f);
}

MP_TEST(template, header_rejects_cr_lf_nul)
{
    fixture f;
    fx_init(&f, 1);
    set_var(&f, "ok", "token abc");
    cr_assert_str_eq(render(&f, "Bearer {{ ok }}", TPL_HEADER), "Bearer token abc");
    static const struct {
        const char *value, *what;
    } bad[] = {{"x\r\nSet-Cookie: a=b", "CR"}, {"x\nY: z", "LF"}};
    for (size_t i = 0; i < 2; i++) {
        set_var(&f, "v", bad[i].value);
        tpl *t = compile(&f, "Bearer {{ v }}");
        sb_reset(&f.out);
        sb_adds(&f.out, "kept");
        cr_assert_eq(tpl_render(t, &f.env, TPL_HEADER, &f.out, &f.err), -1);
        char want[200];
        snprintf(want, sizeof want,
                 "t.yaml:3:5: header value contains %s (expected a single line of text)",
                 bad[i].what);
        cr_assert_str_eq(f.err.msg, want);
        cr_assert_str_eq(sb_str(&f.out), "kept", "a failed render leaves the buffer as it was");
        /* The same value is fine where it is escaped or raw. */
        sb_reset(&f.out);
        cr_assert_eq(tpl_render(t, &f.env, TPL_URL, &f.out, &f.err), 0);
        tpl_free(t);
    }
    int slot = mp_symtab_var(&f.syms, "v");
    mp_value_set(&f.vals[slot], "a\0b", 3);
    tpl *t = compile(&f, "{{ v }}");
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_HEADER, &f.out, &f.err), -1);
    cr_assert_str_eq(f.err.msg,
                     "t.yaml:3:5: header value contains NUL (expected a single line of text)");
    tpl_free(t);
    /* Literal text is checked too: the whole header must be one line. */
    t = compile(&f, "a\r\nb");
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_HEADER, &f.out, &f.err), -1);
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, unset_and_list_variables_fail_at_render)
{
    fixture f;
    fx_init(&f, 1);
    tpl *t = compile(&f, "x{{ nope }}");
    sb_adds(&f.out, "before");
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1);
    cr_assert_str_eq(f.err.msg, "t.yaml:3:9: variable 'nope' has no value (expected a step "
                                "setting it to run first)");
    cr_assert_str_eq(sb_str(&f.out), "before");
    tpl_free(t);

    int slot      = mp_symtab_var(&f.syms, "links");
    char *items[] = {"a", "b"};
    size_t lens[] = {1, 1};
    mp_value_set_list(&f.vals[slot], items, lens, 2);
    t = compile(&f, "{{ links }}");
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1);
    cr_assert_str_eq(f.err.msg, "t.yaml:3:8: variable 'links' holds a list (expected a string; "
                                "use random.choice(links) or a loop over it)");
    tpl_free(t);
    mp_value_set_list(&f.vals[slot], items, lens, 0);
    t = compile(&f, "{{ random.choice(links) }}");
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1);
    cr_assert_str_eq(f.err.msg, "t.yaml:3:22: random.choice(links): the list is empty (expected "
                                "at least one element)");
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, counters_count_from_one_per_name)
{
    fixture f;
    fx_init(&f, 1);
    tpl *t = compile(&f, "{{ counter.post }}-{{ counter.post }}-{{ counter.user }}");
    mp_counters_init(&f.counters, &f.syms);
    cr_assert_eq(f.counters.n, 2);
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "1-2-1");
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "3-4-2");
    tpl_free(t);
    /* A template compiled after the counters were allocated names a counter they lack. */
    t = compile(&f, "{{ counter.late }}");
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1);
    cr_assert_str_eq(f.err.msg, "t.yaml:3:8: counter not allocated (expected mp_counters_init "
                                "over the scenario's symbols)");
    tpl_free(t);
    fx_free(&f);
}

#define THREADS 8
#define PER_THREAD 20000

struct worker {
    const tpl *t;
    mp_counters *counters;
    uint64_t *seen; /* values this thread rendered */
    int ok;
};

static void *count_worker(void *arg)
{
    struct worker *w = arg;
    mp_rng rng;
    mp_rng_seed(&rng, 1, 2);
    tpl_env env = {.rng = &rng, .counters = w->counters};
    sb out      = {0};
    mp_err err;
    w->ok = 1;
    for (int i = 0; i < PER_THREAD; i++) {
        sb_reset(&out);
        if (tpl_render(w->t, &env, TPL_RAW, &out, &err) != 0) w->ok = 0;
        w->seen[i] = strtoull(sb_str(&out), NULL, 10);
    }
    sb_free(&out);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

MP_TEST(template, counters_are_unique_across_threads)
{
    mp_symtab syms = {0};
    mp_err err;
    tpl *t = tpl_compile("{{ counter.c }}", 15, &syms, "t.yaml", 1, 1, &err);
    cr_assert_not_null(t);
    mp_counters counters;
    mp_counters_init(&counters, &syms);
    uint64_t *seen = calloc(THREADS * PER_THREAD, sizeof *seen);
    struct worker w[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){t, &counters, seen + i * PER_THREAD, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, count_worker, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        cr_assert(w[i].ok);
        /* Each thread sees its own values in increasing order. */
        for (int k = 1; k < PER_THREAD; k++)
            cr_assert_gt(seen[i * PER_THREAD + k], seen[i * PER_THREAD + k - 1]);
    }
    cr_assert_eq(__atomic_load_n(&counters.values[0], __ATOMIC_SEQ_CST),
                 (uint64_t)THREADS * PER_THREAD);
    qsort(seen, THREADS * PER_THREAD, sizeof *seen, cmp_u64);
    for (uint64_t k = 0; k < THREADS * PER_THREAD; k++)
        cr_assert_eq(seen[k], k + 1, "every value 1..N exactly once");
    free(seen);
    mp_counters_free(&counters);
    tpl_free(t);
    mp_symtab_free(&syms);
}

MP_TEST(template, random_int_draws_from_the_user_stream)
{
    fixture f;
    fx_init(&f, 42);
    tpl *t = compile(&f, "{{ random.int(-5, 5) }},{{ random.int(7, 7) }}");
    mp_rng copy;
    mp_rng_seed(&copy, 42, 7);
    int hist[11] = {0};
    for (int i = 0; i < 2000; i++) {
        sb_reset(&f.out);
        cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
        int64_t want = mp_rng_range(&copy, -5, 5);
        (void)mp_rng_range(&copy, 7, 7);
        char buf[40];
        snprintf(buf, sizeof buf, "%lld,7", (long long)want);
        cr_assert_str_eq(sb_str(&f.out), buf);
        hist[want + 5]++;
    }
    for (int k = 0; k < 11; k++)
        cr_assert_gt(hist[k], 100, "every value of [-5, 5] appears");
    tpl_free(t);
    /* The full 64-bit range is one raw draw of the stream. */
    const char *full =
        render(&f, "{{ random.int(-9223372036854775808, 9223372036854775807) }}", TPL_RAW);
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)mp_rng_next(&copy));
    cr_assert_str_eq(full, want);
    fx_free(&f);
}

MP_TEST(template, random_string_uuid_and_lorem_are_reproducible)
{
    fixture f;
    fx_init(&f, 42);
    const char *s = render(&f, "{{ random.string(30) }}", TPL_RAW);
    cr_assert_eq(strlen(s), 30);
    cr_assert_eq(strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789"), 30);
    cr_assert_str_eq(s, "fqnyghthvjeuhx1q3cx4xv67jgq101");
    cr_assert_str_eq(render(&f, "{{ random.string(0) }}", TPL_RAW), "");

    const char *u = render(&f, "{{ uuid }}", TPL_URL);
    cr_assert_eq(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            cr_assert_eq(u[i], '-');
        else
            cr_assert(strchr("0123456789abcdef", u[i]), "hex digit at %d in %s", i, u);
    }
    cr_assert_eq(u[14], '4', "version 4");
    cr_assert(strchr("89ab", u[19]), "RFC 4122 variant");
    cr_assert_str_eq(u, "95bf3662-90b6-48a7-a922-bb6e91905068");

    /* Same seed, same stream: the same text again. */
    fixture g;
    fx_init(&g, 42);
    const char *s2 = render(&g, "{{ random.string(30) }}", TPL_RAW);
    cr_assert_str_eq(s2, "fqnyghthvjeuhx1q3cx4xv67jgq101");
    fx_free(&g);

    const char *w = render(&f, "{{ lorem.word }}", TPL_RAW);
    int found     = 0;
    for (size_t i = 0; i < mp_lorem_nwords; i++)
        if (strcmp(mp_lorem_words[i], w) == 0) found = 1;
    cr_assert(found, "'%s' comes from the word list", w);

    for (int rep = 0; rep < 200; rep++) {
        const char *sen = render(&f, "{{ lorem.sentence }}", TPL_RAW);
        size_t n        = strlen(sen);
        cr_assert(sen[0] >= 'A' && sen[0] <= 'Z', "capitalised: %s", sen);
        cr_assert_eq(sen[n - 1], '.');
        size_t words = 1;
        for (size_t i = 0; i < n; i++)
            words += sen[i] == ' ';
        cr_assert(words >= MP_LOREM_SENTENCE_WORDS_MIN && words <= MP_LOREM_SENTENCE_WORDS_MAX,
                  "%zu words", words);
        cr_assert_lt(n, (size_t)MP_LOREM_SENTENCE_MAX);
        const char *par = render(&f, "{{ lorem.paragraph }}", TPL_RAW);
        size_t stops    = 0;
        for (const char *p = par; *p; p++)
            stops += *p == '.';
        cr_assert(stops >= MP_LOREM_PARAGRAPH_SENTENCES_MIN &&
                      stops <= MP_LOREM_PARAGRAPH_SENTENCES_MAX,
                  "%zu sentences", stops);
        cr_assert_lt(strlen(par), (size_t)MP_LOREM_PARAGRAPH_MAX);
    }
    fixture h;
    fx_init(&h, 5);
    cr_assert_str_eq(render(&h, "{{ lorem.sentence }}", TPL_RAW),
                     "Pes caelum, videt equus acer autumnus verbum ver.");
    cr_assert_str_eq(render(&h, "{{ lorem.sentence }}", TPL_URL),
                     "Oleum%20luna%20folium%20aurum%2C%20aedificat%20aestas%20sub%20rosa%20pes.");
    fx_free(&h);
    fx_free(&f);
}

MP_TEST(template, lorem_words_fit_the_buffers)
{
    cr_assert_gt(mp_lorem_nwords, 100);
    for (size_t i = 0; i < mp_lorem_nwords; i++) {
        size_t n = strlen(mp_lorem_words[i]);
        cr_assert(n >= 2 && n <= MP_LOREM_WORD_MAX, "%s", mp_lorem_words[i]);
        cr_assert_eq(strspn(mp_lorem_words[i], "abcdefghijklmnopqrstuvwxyz"), n);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(mp_lorem_words[i], mp_lorem_words[j], "no duplicates");
    }
}

MP_TEST(template, random_choice)
{
    fixture f;
    fx_init(&f, 9);
    int slot      = mp_symtab_var(&f.syms, "tags");
    char *items[] = {"red", "green", "blue"};
    size_t lens[] = {3, 5, 4};
    mp_value_set_list(&f.vals[slot], items, lens, 3);
    tpl *t = compile(&f, "{{ random.choice(tags) }}");
    mp_rng copy;
    mp_rng_seed(&copy, 9, 7);
    int seen[3] = {0};
    for (int i = 0; i < 300; i++) {
        sb_reset(&f.out);
        cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
        uint64_t k = mp_rng_below(&copy, 3);
        cr_assert_str_eq(sb_str(&f.out), items[k]);
        seen[k]++;
    }
    cr_assert(seen[0] && seen[1] && seen[2]);
    tpl_free(t);
    set_var(&f, "one", "only");
    cr_assert_str_eq(render(&f, "{{ random.choice(one) }}", TPL_RAW), "only",
                     "a string is a list of one");
    fx_free(&f);
}

MP_TEST(template, env_is_read_at_compile_time)
{
    fixture f;
    fx_init(&f, 1);
    setenv("MP_TEST_TOKEN", "s3cret value/1", 1);
    tpl *t = compile(&f, "pw-{{ env.MP_TEST_TOKEN }}");
    setenv("MP_TEST_TOKEN", "changed", 1);
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "pw-s3cret value/1");
    sb_reset(&f.out);
    cr_assert_eq(tpl_render(t, &f.env, TPL_URL, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "pw-s3cret%20value%2F1", "environment values are values");
    cr_assert(!tpl_is_constant(t));
    tpl_free(t);
    unsetenv("MP_TEST_UNSET_VAR");
    t = tpl_compile("{{ env.MP_TEST_UNSET_VAR }}", 27, &f.syms, "t.yaml", 3, 5, &f.err);
    cr_assert_null(t);
    cr_assert_str_eq(f.err.msg, "t.yaml:3:8: environment variable 'MP_TEST_UNSET_VAR' is not set "
                                "(expected it set when the scenario loads, or a default: {{ "
                                "env.MP_TEST_UNSET_VAR | default(VALUE) }})");
    fx_free(&f);
}

MP_TEST(template, env_default_applies_only_when_unset)
{
    fixture f;
    fx_init(&f, 1);
    unsetenv("MP_TEST_EDITORS");
    cr_assert_str_eq(render(&f, "{{ env.MP_TEST_EDITORS | default(20) }}", TPL_RAW), "20");
    cr_assert_str_eq(render(&f, "{{env.MP_TEST_EDITORS|default(-3)}}", TPL_RAW), "-3");
    cr_assert_str_eq(render(&f, "<{{ env.MP_TEST_EDITORS | default( 'a b/c' ) }}>", TPL_URL),
                     "<a%20b%2Fc>", "a default is a value, escaped like the variable's own");
    cr_assert_str_eq(render(&f, "{{ env.MP_TEST_EDITORS | default(\"\") }}.", TPL_RAW), ".");
    setenv("MP_TEST_EDITORS", "5", 1);
    cr_assert_str_eq(render(&f, "{{ env.MP_TEST_EDITORS | default(20) }}", TPL_RAW), "5");
    setenv("MP_TEST_EDITORS", "", 1);
    cr_assert_str_eq(render(&f, "[{{ env.MP_TEST_EDITORS | default(20) }}]", TPL_RAW), "[]",
                     "a variable set to the empty string is the empty string");
    unsetenv("MP_TEST_EDITORS");
    fx_free(&f);
}

MP_TEST(template, random_int_takes_variables)
{
    fixture f;
    fx_init(&f, 4);
    set_var(&f, "pages", "3");
    tpl *t      = compile(&f, "{{ random.int(1, pages) }}");
    int seen[4] = {0};
    for (int i = 0; i < 300; i++) {
        sb_reset(&f.out);
        cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), 0, "%s", f.err.msg);
        long v = strtol(sb_str(&f.out), NULL, 10);
        cr_assert(v >= 1 && v <= 3, "%ld", v);
        seen[v]++;
    }
    cr_assert(seen[1] && seen[2] && seen[3]);
    tpl_free(t);
    set_var(&f, "lo", "-9223372036854775808");
    set_var(&f, "hi", "-9223372036854775808");
    cr_assert_str_eq(render(&f, "{{ random.int(lo, hi) }}", TPL_RAW), "-9223372036854775808");
    set_var(&f, "hi", "7");
    set_var(&f, "lo", "7");
    cr_assert_str_eq(render(&f, "{{ random.int(lo, 7) }}/{{ random.int(7, hi) }}", TPL_RAW), "7/7");

    /* Each argument is read when the template renders: its value must be a whole integer. */
    static const struct {
        const char *lo, *src, *msg;
    } bad[] = {
        {"x", "{{ random.int(1, nope) }}",
         "t.yaml:3:22: variable 'nope' has no value (expected a step setting it to run first)"},
        {"abc", "{{ random.int(lo, 9) }}",
         "t.yaml:3:19: variable 'lo' is \"abc\" (expected a 64-bit integer for random.int)"},
        {"1 ", "{{ random.int(lo, 9) }}",
         "t.yaml:3:19: variable 'lo' is \"1 \" (expected a 64-bit integer for random.int)"},
        {"", "{{ random.int(lo, 9) }}",
         "t.yaml:3:19: variable 'lo' is \"\" (expected a 64-bit integer for random.int)"},
        {"9223372036854775808", "{{ random.int(lo, 9) }}",
         "t.yaml:3:19: variable 'lo' is \"9223372036854775808\" (expected a 64-bit integer for "
         "random.int)"},
        {"10", "{{ random.int(lo, 9) }}",
         "t.yaml:3:8: random.int(10, 9): A is greater than B (expected A <= B)"},
        {"10", "x{{ random.int(1, lo) }}{{ random.int(lo, 2) }}",
         "t.yaml:3:32: random.int(10, 2): A is greater than B (expected A <= B)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_var(&f, "lo", bad[i].lo);
        t = compile(&f, bad[i].src);
        sb_reset(&f.out);
        sb_adds(&f.out, "kept");
        cr_expect_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1, "%s", bad[i].src);
        cr_expect_str_eq(f.err.msg, bad[i].msg, "for %s", bad[i].src);
        cr_expect_str_eq(sb_str(&f.out), "kept", "the output is left as it was");
        tpl_free(t);
    }
    char *items[] = {"1", "2"};
    size_t lens[] = {1, 1};
    mp_value_set_list(&f.vals[mp_symtab_var(&f.syms, "lo")], items, lens, 2);
    t = compile(&f, "{{ random.int(lo, 9) }}");
    cr_assert_eq(tpl_render(t, &f.env, TPL_RAW, &f.out, &f.err), -1);
    cr_assert_str_eq(
        f.err.msg, "t.yaml:3:19: variable 'lo' holds a list (expected an integer for random.int)");
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, static_rendering_takes_only_what_the_file_fixes)
{
    mp_symtab syms = {0};
    mp_err err;
    mp_value known[4] = {{0}};
    setenv("MP_TEST_STATIC", "7", 1);
    unsetenv("MP_TEST_STATIC_UNSET");
    int editors = mp_symtab_var(&syms, "editors");
    mp_value_set(&known[editors], "20", 2);
    sb out          = {0};
    tpl_dynamic why = {0};
    const char *ok  = "{{ env.MP_TEST_STATIC }}{{ 'x' }}-{{ editors }}-"
                      "{{ env.MP_TEST_STATIC_UNSET | default(3) }}";
    tpl *t          = tpl_compile(ok, strlen(ok), &syms, "t.yaml", 2, 1, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(tpl_render_static(t, known, 4, &out, &why), 0);
    cr_assert_str_eq(sb_str(&out), "7x-20-3");
    tpl_free(t);
    static const struct {
        const char *src, *what;
        int col;
    } bad[] = {
        {"a{{ user.index }}", "user.index", 5},
        {"{{ random.int(1, 2) }}", "random.int", 4},
        {"{{ later }}", "later", 4},
        {"{{ editors }}{{ counter.post }}", "counter.post", 17},
        {"{{ uuid }}", "uuid", 4},
        {"{{ random.choice(editors) }}", "random.choice", 18},
        {"{{ lorem.word }}", "lorem.word", 4},
        {"{{ time.unix }}", "time.unix", 4},
        {"{{ user.class }}", "user.class", 4},
        {"{{ random.string(3) }}", "random.string", 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = tpl_compile(bad[i].src, strlen(bad[i].src), &syms, "t.yaml", 2, 1, &err);
        cr_assert_not_null(t, "%s", err.msg);
        sb_reset(&out);
        sb_adds(&out, "kept");
        cr_expect_eq(tpl_render_static(t, known, 4, &out, &why), -1, "%s", bad[i].src);
        cr_expect_str_eq(why.what, bad[i].what, "for %s", bad[i].src);
        cr_expect_eq(why.line, 2);
        cr_expect_eq(why.col, bad[i].col, "for %s", bad[i].src);
        cr_expect_str_eq(sb_str(&out), "kept");
        tpl_free(t);
    }
    /* A slot the caller knows nothing about (beyond nknown) is not fixed either. */
    int far = mp_symtab_var(&syms, "far");
    t       = tpl_compile("{{ far }}", 9, &syms, "t.yaml", 2, 1, &err);
    cr_assert_eq(tpl_render_static(t, known, (size_t)far, &out, &why), -1);
    tpl_free(t);
    mp_value_clear(&known[editors]);
    sb_free(&out);
    mp_symtab_free(&syms);
}

MP_TEST(template, lone_variable)
{
    mp_symtab syms = {0};
    mp_err err;
    setenv("MP_TEST_SET", "1", 1);
    static const struct {
        const char *src;
        int lone;
    } cases[] = {{"{{ ids }}", 1},
                 {"{{ids}}", 1},
                 {" {{ ids }}", 0},
                 {"{{ ids }}x", 0},
                 {"{{ ids }}{{ ids }}", 0},
                 {"{{ env.MP_TEST_SET }}", 0},
                 {"{{ random.choice(ids) }}", 0},
                 {"ids", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tpl *t = tpl_compile(cases[i].src, strlen(cases[i].src), &syms, "t.yaml", 1, 1, &err);
        cr_assert_not_null(t);
        cr_expect_eq(tpl_lone_var(t), cases[i].lone ? mp_symtab_find_var(&syms, "ids") : -1,
                     "for %s", cases[i].src);
        tpl_free(t);
    }
    mp_symtab_free(&syms);
}

MP_TEST(template, time_is_wall_clock)
{
    fixture f;
    fx_init(&f, 1);
    uint64_t before = mp_wall_ns();
    const char *s   = render(&f, "{{ time.unix }} {{ time.unix_ms }}", TPL_RAW);
    uint64_t after  = mp_wall_ns();
    unsigned long long sec, ms;
    cr_assert_eq(sscanf(s, "%llu %llu", &sec, &ms), 2);
    cr_assert(sec >= before / 1000000000u && sec <= after / 1000000000u);
    cr_assert(ms >= before / 1000000u && ms <= after / 1000000u);
    fx_free(&f);
}

MP_TEST(template, quoted_strings_are_literal_text)
{
    fixture f;
    fx_init(&f, 1);
    tpl *t = compile(&f, "a{{ \"{{\" }}b{{ '}}' }}c{{ \"x'y\" }}");
    cr_assert(!tpl_is_constant(t), "a template with an expression is not constant");
    cr_assert_eq(tpl_render(t, &f.env, TPL_URL, &f.out, &f.err), 0);
    cr_assert_str_eq(sb_str(&f.out), "a{{b}}cx'y");
    tpl_free(t);
    fx_free(&f);
}

MP_TEST(template, compile_errors_name_the_character)
{
    setenv("MP_TEST_SET", "1", 1);
    static const struct {
        const char *src, *msg;
    } cases[] = {
        {"ab{{ random.flot(1) }}",
         "t.yaml:3:10: unknown function 'random.flot' (expected random.int, random.string or "
         "random.choice)"},
        {"{{ x", "t.yaml:3:5: unterminated '{{' (expected '}}')"},
        {"{{", "t.yaml:3:5: unterminated '{{' (expected an expression and '}}')"},
        {"x {{ }}", "t.yaml:3:10: empty expression (expected a variable, a function or a quoted "
                    "string)"},
        {"{{ a b }}", "t.yaml:3:10: unexpected 'b' (expected '}}')"},
        {"{{ 1 }}", "t.yaml:3:8: unexpected '1' (expected a variable, a function or a quoted "
                    "string)"},
        {"{{ \"abc }}", "t.yaml:3:8: unterminated string (expected a closing \")"},
        {"{{ user }}", "t.yaml:3:8: 'user' needs a name after it (expected user.index, "
                       "user.class_index or user.class)"},
        {"{{ user.name }}", "t.yaml:3:8: unknown name 'user.name' (expected user.index, "
                            "user.class_index or user.class)"},
        {"{{ usr.index }}", "t.yaml:3:8: unknown name 'usr.index' (did you mean 'user.index'?)"},
        {"{{ a.b }}", "t.yaml:3:8: unknown name 'a.b' (expected a variable, or user.*, "
                      "counter.*, random.*, lorem.*, env.* or time.*)"},
        {"{{ user.index.x }}", "t.yaml:3:18: unexpected '.' after 'user.index' (expected '}}')"},
        {"{{ user. }}", "t.yaml:3:13: expected a name after '.' (expected e.g. user.index)"},
        {"{{ random.int }}", "t.yaml:3:8: random.int needs arguments (expected random.int(A, B))"},
        {"{{ random.int(1) }}", "t.yaml:3:20: unexpected ')' (expected ',': random.int(A, B))"},
        {"{{ random.int(1, x.y) }}",
         "t.yaml:3:22: random.int takes integers or variables (expected random.int(A, B))"},
        {"{{ random.int(user, 2) }}",
         "t.yaml:3:19: random.int takes integers or variables (expected random.int(A, B))"},
        {"{{ random.int(1, -x) }}", "t.yaml:3:22: expected an integer (random.int(A, B))"},
        {"{{ slug | default(1) }}",
         "t.yaml:3:13: a default applies only to env.NAME (expected '}}')"},
        {"{{ env.MP_TEST_SET | dflt(1) }}",
         "t.yaml:3:26: unknown filter 'dflt' (expected env.NAME | default(VALUE), VALUE a quoted "
         "string or an integer)"},
        {"{{ env.MP_TEST_SET | default }}",
         "t.yaml:3:34: unexpected '}' (expected '(': env.NAME | default(VALUE), VALUE a quoted "
         "string or an integer)"},
        {"{{ env.MP_TEST_SET | default(x) }}",
         "t.yaml:3:34: expected an integer (env.NAME | default(VALUE), VALUE a quoted string or an "
         "integer)"},
        {"{{ env.MP_TEST_SET | default('x) }}",
         "t.yaml:3:34: unterminated string (expected a closing ')"},
        {"{{ env.MP_TEST_SET | default(1 }}",
         "t.yaml:3:36: unexpected '}' (expected ')': env.NAME | default(VALUE), VALUE a quoted "
         "string or an integer)"},
        {"{{ env.MP_TEST_SET | }}", "t.yaml:3:26: unexpected '}' after '|' (expected env.NAME | "
                                    "default(VALUE), VALUE a quoted "
                                    "string or an integer)"},
        {"{{ env.MP_TEST_SET | default(1) | default(2) }}",
         "t.yaml:3:37: a default applies only to env.NAME (expected '}}')"},
        {"{{ random.int(5, 1) }}",
         "t.yaml:3:19: random.int(5, 1): A is greater than B (expected A <= B)"},
        {"{{ random.int(1, 99999999999999999999) }}",
         "t.yaml:3:22: integer out of range (expected a 64-bit integer)"},
        {"{{ random.int(1, 2 }}", "t.yaml:3:24: unexpected '}' (expected ')': random.int(A, B))"},
        {"{{ random.string(-1) }}",
         "t.yaml:3:22: random.string(-1): N out of range (expected 0..1048576)"},
        {"{{ random.string(2000000) }}",
         "t.yaml:3:22: random.string(2000000): N out of range (expected 0..1048576)"},
        {"{{ random.choice(user) }}",
         "t.yaml:3:22: random.choice takes a variable (expected random.choice(v) with v a list "
         "variable)"},
        {"{{ random.choice(1) }}",
         "t.yaml:3:22: expected a variable name (random.choice(v) with v a list variable)"},
        {"{{ lorem.word() }}", "t.yaml:3:18: 'lorem.word' takes no arguments (expected lorem.word "
                               "without parentheses)"},
        {"{{ slug(1) }}", "t.yaml:3:12: 'slug' is not a function (expected random.int(A, B), "
                          "random.string(N) or random.choice(v))"},
        {"{{ time.now }}", "t.yaml:3:8: unknown name 'time.now' (expected time.unix or "
                           "time.unix_ms)"},
        {"{{ lorem.words }}", "t.yaml:3:8: unknown name 'lorem.words' (expected lorem.word, "
                              "lorem.sentence or lorem.paragraph)"},
        {"{{ counter }}", "t.yaml:3:8: 'counter' needs a name after it (expected counter.NAME)"},
        {"{{ env.MP_TEST_SET }} {{ \x01 }}",
         "t.yaml:3:30: unexpected byte 0x01 (expected a variable, a function or a quoted "
         "string)"},
        {"line one\n  {{ oops( }}", "t.yaml:4:10: 'oops' is not a function (expected "
                                    "random.int(A, B), random.string(N) or random.choice(v))"},
        {"\xc3\xa9\xc3\xa9{{ ? }}", "t.yaml:3:10: unexpected '?' (expected a variable, a "
                                    "function or a quoted string)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_symtab syms = {0};
        mp_err err;
        tpl *t = tpl_compile(cases[i].src, strlen(cases[i].src), &syms, "t.yaml", 3, 5, &err);
        cr_expect_null(t, "%s compiled", cases[i].src);
        if (!t) cr_expect_str_eq(err.msg, cases[i].msg, "for %s", cases[i].src);
        tpl_free(t);
        mp_symtab_free(&syms);
    }
}

MP_TEST(template, compile_with_a_column_map)
{
    /* As for the YAML scalar "a\"{{ x y }}" at column 10: the escape shifts columns by one. */
    const char *src = "a\"{{ x y }}";
    int cols[12];
    cols[0] = 11;
    cols[1] = 12; /* \" takes two columns in the file */
    for (int i = 2; i <= 11; i++)
        cols[i] = i + 12;
    mp_symtab syms = {0};
    mp_err err;
    tpl_loc loc = {.file = "f.yaml", .line = 4, .col = 10, .cols = cols};
    cr_assert_null(tpl_compile_loc(src, strlen(src), &syms, &loc, &err));
    cr_assert_str_eq(err.msg, "f.yaml:4:19: unexpected 'y' (expected '}}')");
    cr_assert_eq(loc.err_line, 4);
    cr_assert_eq(loc.err_col, 19);
    mp_symtab_free(&syms);
}

static void collect(int slot, int line, int col, void *arg)
{
    sb *s = arg;
    sb_addf(s, "%d@%d:%d ", slot, line, col);
}

MP_TEST(template, each_var_reports_slots_and_positions)
{
    mp_symtab syms = {0};
    mp_err err;
    mp_symtab_var(&syms, "first");
    const char *src =
        "{{ b }}-{{ a }}-{{ random.choice(b) }}-{{ user.index }}{{ random.int(a, first) }}";
    tpl *t = tpl_compile(src, strlen(src), &syms, "t.yaml", 2, 1, &err);
    cr_assert_not_null(t);
    sb s = {0};
    tpl_each_var(t, collect, &s);
    cr_assert_str_eq(sb_str(&s), "1@2:4 2@2:12 1@2:34 2@2:70 0@2:73 ");
    cr_assert_eq(mp_symtab_find_var(&syms, "a"), 2);
    cr_assert_eq(mp_symtab_find_var(&syms, "zzz"), -1);
    tpl *d = tpl_dup(t);
    tpl_free(t);
    sb_reset(&s);
    tpl_each_var(d, collect, &s);
    cr_assert_str_eq(sb_str(&s), "1@2:4 2@2:12 1@2:34 2@2:70 0@2:73 ");
    cr_assert_str_eq(tpl_source(d), src);
    tpl_free(d);
    sb_free(&s);
    mp_symtab_free(&syms);
}

MP_TEST(template, url_encode_all_bytes)
{
    for (int form = 0; form <= 1; form++) {
        sb out = {0};
        char in[256];
        for (int i = 0; i < 256; i++)
            in[i] = (char)i;
        mp_url_encode(&out, in, 256, form);
        const char *p = sb_str(&out);
        for (int i = 0; i < 256; i++) {
            int unres = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') ||
                        (i >= '0' && i <= '9') || i == '-' || i == '.' || i == '_' || i == '~';
            if (unres) {
                cr_assert_eq(*p, (char)i);
                p++;
            } else if (form && i == ' ') {
                cr_assert_eq(*p, '+');
                p++;
            } else {
                char want[4];
                snprintf(want, sizeof want, "%%%02X", i);
                cr_assert_eq(strncmp(p, want, 3), 0, "byte %d", i);
                p += 3;
            }
        }
        cr_assert_eq(*p, '\0');
        sb_free(&out);
    }
}

MP_TEST(values, set_list_copy_clear)
{
    mp_value a = {0}, b = {0};
    mp_value_set(&a, "hello", 5);
    cr_assert_str_eq(a.str, "hello");
    cr_assert_eq(a.len, 5);
    mp_value_set(&a, a.str + 1, 3); /* from its own buffer */
    cr_assert_str_eq(a.str, "ell");
    char *items[] = {"x", "yz"};
    size_t lens[] = {1, 2};
    mp_value_set_list(&b, items, lens, 2);
    cr_assert(b.is_list);
    cr_assert_null(b.str);
    cr_assert_eq(b.nitems, 2);
    cr_assert_str_eq(b.items[1], "yz");
    mp_value_copy(&a, &b);
    cr_assert(a.is_list);
    cr_assert_str_eq(a.items[0], "x");
    cr_assert_neq(a.items[0], b.items[0], "a deep copy");
    mp_value_set(&b, "s", 1);
    cr_assert(!b.is_list);
    cr_assert_eq(b.nitems, 0);
    mp_value_copy(&a, &b);
    cr_assert_str_eq(a.str, "s");
    mp_value empty = {0};
    mp_value_copy(&a, &empty);
    cr_assert_null(a.str);
    mp_value_clear(&a);
    mp_value_clear(&b);
}

MP_TEST(values, symtab_interns)
{
    mp_symtab t = {0};
    cr_assert_eq(mp_symtab_var(&t, "a"), 0);
    cr_assert_eq(mp_symtab_var(&t, "b"), 1);
    cr_assert_eq(mp_symtab_var(&t, "a"), 0);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        cr_assert_eq(mp_symtab_var(&t, name), i + 2);
    }
    cr_assert_eq(mp_symtab_counter(&t, "a"), 0, "counters have their own names");
    cr_assert_eq(mp_symtab_find_pool(&t, "p"), -1);
    cr_assert_eq(mp_symtab_pool(&t, "p"), 0);
    cr_assert_eq(mp_symtab_pool(&t, "q"), 1);
    cr_assert_eq(mp_symtab_find_pool(&t, "q"), 1);
    mp_symtab_free(&t);
    cr_assert_eq(t.nvars, 0);
}

MP_TEST(suggest, edit_distance)
{
    cr_assert_eq(mp_edit_distance("weight", "weight"), 0);
    cr_assert_eq(mp_edit_distance("wieght", "weight"), 1, "a swap is one edit");
    cr_assert_eq(mp_edit_distance("wait", "weight"), 3);
    cr_assert_eq(mp_edit_distance("", "abc"), 3);
    cr_assert_eq(mp_edit_distance("kitten", "sitting"), 3);
    const char *keys[] = {"name", "weight", "fixed_count", "wait", "tasks"};
    cr_assert_str_eq(mp_suggest("wieght", keys, 5), "weight");
    cr_assert_str_eq(mp_suggest("task", keys, 5), "tasks");
    cr_assert_str_eq(mp_suggest("fixedcount", keys, 5), "fixed_count");
    cr_assert_null(mp_suggest("zzz", keys, 5));
    cr_assert_null(mp_suggest("as", (const char *[]){"at"}, 1), "too short to guess");
}

MP_TEST(template, rendering_into_room_does_not_reallocate)
{
    fixture f;
    fx_init(&f, 3);
    set_var(&f, "v", "value with spaces");
    int slot      = mp_symtab_var(&f.syms, "l");
    char *items[] = {"x"};
    size_t lens[] = {1};
    mp_value_set_list(&f.vals[slot], items, lens, 1);
    setenv("MP_TEST_ROOM", "e", 1);
    tpl *t = compile(&f, "a{{ v }}{{ user.index }}{{ user.class_index }}{{ user.class }}"
                         "{{ counter.c }}{{ random.int(1, 9) }}{{ random.string(40) }}"
                         "{{ random.choice(l) }}{{ lorem.word }}{{ lorem.sentence }}"
                         "{{ lorem.paragraph }}{{ uuid }}{{ env.MP_TEST_ROOM }}{{ time.unix }}"
                         "{{ time.unix_ms }}{{ '{{' }}");
    mp_counters_init(&f.counters, &f.syms);
    sb_grow(&f.out, 1 << 16);
    const char *buf = f.out.buf;
    size_t cap      = f.out.cap;
    for (int esc = TPL_RAW; esc <= TPL_HEADER; esc++) {
        for (int i = 0; i < 50; i++) {
            sb_reset(&f.out);
            cr_assert_eq(tpl_render(t, &f.env, (enum tpl_escape)esc, &f.out, &f.err), 0, "%s",
                         f.err.msg);
        }
    }
    cr_assert_eq(f.out.buf, buf);
    cr_assert_eq(f.out.cap, cap);
    tpl_free(t);
    fx_free(&f);
}
