/* mixperf mix: unit splitting (marker, toplevel, method, module), cross-variant checks with their
 * exact messages, the lattice, sampling, rendering and fractions. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"
#include "stats/lattice.h"
#include "util/sha256.h"

#define DATA MP_SOURCE_DIR "/tests/data/mix"

static void expect_unit(const struct mix_split *s, size_t i, const char *name, enum mix_kind kind,
                        size_t start, size_t end, unsigned first, unsigned last)
{
    cr_assert_lt(i, s->nunits, "unit %zu missing (%zu units)", i, s->nunits);
    const struct mix_unit_span *u = &s->units[i];
    cr_expect_str_eq(u->name, name, "unit %zu name", i);
    cr_expect_eq(u->kind, kind, "unit %zu kind", i);
    cr_expect_eq(u->start, start, "unit %zu start %zu != %zu", i, u->start, start);
    cr_expect_eq(u->end, end, "unit %zu end %zu != %zu", i, u->end, end);
    cr_expect_eq(u->line_first, first, "unit %zu first line %u != %u", i, u->line_first, first);
    cr_expect_eq(u->line_last, last, "unit %zu last line %u != %u", i, u->line_last, last);
}

static const char marker_text[] = "import a\n"
                                  "### SECTION SEPARATOR ###\n"
                                  "def f():\n"
                                  "    ### SECTION SEPARATOR ###\n"
                                  "    return 1\n"
                                  "  ### SECTION SEPARATOR ###  \r\n"
                                  "x = 2";

MP_TEST(split, marker_sections_exact_boundaries)
{
    struct mix_split s;
    mp_err err;
    cr_assert_eq(mix_split_text("m.py", marker_text, strlen(marker_text), MIX_GRAN_SECTION,
                                MIX_SHALLOW_IGNORE, &s, &err),
                 0);
    cr_assert_eq(s.nunits, 3);
    expect_unit(&s, 0, "section-1", MIX_KIND_SECTION, 9, 44, 2, 3);
    expect_unit(&s, 1, "section-2", MIX_KIND_SECTION, 44, 87, 4, 5);
    expect_unit(&s, 2, "section-3", MIX_KIND_SECTION, 87, 123, 6, 7);
    size_t a, b;
    mix_split_gap(&s, 0, &a, &b);
    cr_expect(a == 0 && b == 9);
    mix_split_gap(&s, 3, &a, &b);
    cr_expect(a == 123 && b == 123);
    mix_split_free(&s);
}

MP_TEST(split, marker_lookalikes_are_not_markers)
{
    const char *t = "a = 1\n"
                    "# ### SECTION SEPARATOR ###\n"
                    "### SECTION SEPARATOR ### x\n"
                    "### SECTION  SEPARATOR ###\n"
                    "s = '### SECTION SEPARATOR ###'\n";
    struct mix_split s;
    cr_assert_eq(
        mix_split_text("m.py", t, strlen(t), MIX_GRAN_SECTION, MIX_SHALLOW_IGNORE, &s, NULL), 0);
    cr_expect_eq(s.nunits, 0);
    mix_split_free(&s);
}

MP_TEST(split, shallow_markers_split_only_when_asked)
{
    const char *t = "h = 0\n"
                    "### SECTION SEPARATOR ###\n"
                    "def f():\n"
                    "    x = 1\n"
                    "    ### SHALLOW SEPARATOR ###\n"
                    "    return x\n";
    struct mix_split s;
    cr_assert_eq(
        mix_split_text("m.py", t, strlen(t), MIX_GRAN_SECTION, MIX_SHALLOW_IGNORE, &s, NULL), 0);
    cr_assert_eq(s.nunits, 1);
    expect_unit(&s, 0, "section-1", MIX_KIND_SECTION, 6, strlen(t), 2, 6);
    mix_split_free(&s);
    cr_assert_eq(
        mix_split_text("m.py", t, strlen(t), MIX_GRAN_SECTION, MIX_SHALLOW_SPLIT, &s, NULL), 0);
    cr_assert_eq(s.nunits, 2);
    size_t shallow_at = (size_t)(strstr(t, "    ### SHALLOW") - t);
    expect_unit(&s, 0, "section-1", MIX_KIND_SECTION, 6, shallow_at, 2, 4);
    expect_unit(&s, 1, "section-2", MIX_KIND_SECTION, shallow_at, strlen(t), 5, 6);
    mix_split_free(&s);
}

static const char defs_text[] = "import os\n"
                                "\n"
                                "# lead comment\n"
                                "@dec\n"
                                "def f(x):\n"
                                "    return x  # tail\n"
                                "\n"
                                "class A(B):\n"
                                "    y = 1\n"
                                "    def m(self):\n"
                                "        pass\n"
                                "    # end of A\n"
                                "async def g(): pass";

MP_TEST(split, toplevel_definitions_exact_boundaries)
{
    struct mix_split s;
    mp_err err;
    cr_assert_eq(mix_split_text("d.py", defs_text, strlen(defs_text), MIX_GRAN_TOPLEVEL,
                                MIX_SHALLOW_IGNORE, &s, &err),
                 0, "%s", err.msg);
    cr_assert_eq(s.nunits, 3);
    expect_unit(&s, 0, "f", MIX_KIND_FUNCTION, 26, 62, 4, 6);
    expect_unit(&s, 1, "A", MIX_KIND_CLASS, 63, 130, 8, 12);
    expect_unit(&s, 2, "g", MIX_KIND_FUNCTION, 130, 149, 13, 13);
    mix_split_free(&s);
}

MP_TEST(split, method_granularity_exact_boundaries)
{
    struct mix_split s;
    mp_err err;
    cr_assert_eq(mix_split_text("d.py", defs_text, strlen(defs_text), MIX_GRAN_METHOD,
                                MIX_SHALLOW_IGNORE, &s, &err),
                 0, "%s", err.msg);
    cr_assert_eq(s.nunits, 3);
    expect_unit(&s, 0, "f", MIX_KIND_FUNCTION, 26, 62, 4, 6);
    expect_unit(&s, 1, "A.m", MIX_KIND_METHOD, 85, 115, 10, 11);
    expect_unit(&s, 2, "g", MIX_KIND_FUNCTION, 130, 149, 13, 13);
    mix_split_free(&s);
}

MP_TEST(split, method_granularity_keeps_one_line_and_memberless_classes_whole)
{
    const char *t = "class A: x = 1\n"
                    "class B:\n"
                    "    class C:\n"
                    "        pass\n"
                    "    @property\n"
                    "    def p(self): return 1\n";
    struct mix_split s;
    mp_err err;
    cr_assert_eq(
        mix_split_text("c.py", t, strlen(t), MIX_GRAN_METHOD, MIX_SHALLOW_IGNORE, &s, &err), 0,
        "%s", err.msg);
    cr_assert_eq(s.nunits, 3);
    expect_unit(&s, 0, "A", MIX_KIND_CLASS, 0, 15, 1, 1);
    expect_unit(&s, 1, "B.C", MIX_KIND_CLASS, 24, 50, 3, 4);
    expect_unit(&s, 2, "B.p", MIX_KIND_METHOD, 50, strlen(t), 5, 6);
    mix_split_free(&s);
}

MP_TEST(split, module_granularity_is_the_whole_file)
{
    struct mix_split s;
    cr_assert_eq(mix_split_text("pkg/m.py", defs_text, strlen(defs_text), MIX_GRAN_MODULE,
                                MIX_SHALLOW_IGNORE, &s, NULL),
                 0);
    cr_assert_eq(s.nunits, 1);
    expect_unit(&s, 0, "pkg/m.py", MIX_KIND_MODULE, 0, strlen(defs_text), 1, 13);
    mix_split_free(&s);
}

MP_TEST(split, syntax_error_is_located)
{
    const char *t = "def f(x):\n    return x\n\ndef g(:\n    pass\n";
    struct mix_split s;
    mp_err err;
    cr_assert_eq(
        mix_split_text("bad.py", t, strlen(t), MIX_GRAN_TOPLEVEL, MIX_SHALLOW_IGNORE, &s, &err),
        -1);
    cr_expect_eq(strncmp(err.msg, "bad.py:4:", 9), 0, "%s", err.msg);
    cr_expect_neq(strstr(err.msg, "syntax error"), NULL, "%s", err.msg);
}

MP_TEST(split, gaps_and_units_concatenate_to_the_file)
{
    struct mix_split s;
    cr_assert_eq(mix_split_text("d.py", defs_text, strlen(defs_text), MIX_GRAN_METHOD,
                                MIX_SHALLOW_IGNORE, &s, NULL),
                 0);
    sb all = {0};
    for (size_t i = 0; i <= s.nunits; i++) {
        size_t a, b;
        mix_split_gap(&s, i, &a, &b);
        sb_add(&all, defs_text + a, b - a);
        if (i < s.nunits)
            sb_add(&all, defs_text + s.units[i].start, s.units[i].end - s.units[i].start);
    }
    cr_expect_eq(all.len, strlen(defs_text));
    cr_expect_eq(memcmp(all.buf, defs_text, all.len), 0);
    sb_free(&all);
    mix_split_free(&s);
}

/* ---- programs ----------------------------------------------------------------------------------
 */

static void load(struct mix_program *p, const char *dir, enum mix_granularity g,
                 const char *const *variants, size_t nv)
{
    struct mix_options o = {.dir = dir, .granularity = g, .variants = variants, .nvariants = nv};
    mp_err err;
    cr_assert_eq(mix_program_load(&o, p, &err), 0, "%s", err.msg);
}

MP_TEST(program, default_variant_order_and_detected_markers)
{
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, NULL, 0);
    cr_assert_eq(p.nvariants, 3);
    cr_expect_str_eq(p.variants[0], "untyped");
    cr_expect_str_eq(p.variants[1], "shallow");
    cr_expect_str_eq(p.variants[2], "advanced");
    cr_expect_eq(p.granularity, MIX_GRAN_SECTION);
    cr_expect(p.granularity_detected);
    cr_expect_eq(p.nunits, 4);
    cr_expect_eq(p.header, 0);
    /* section 3 starts at the marker inside longest() in every variant */
    cr_expect_eq(p.files[0].sp[0].units[2].line_first, 19);
    cr_expect_eq(p.files[0].sp[2].units[2].line_first, 21);
    mix_program_free(&p);
}

MP_TEST(program, explicit_variant_order)
{
    static const char *const order[] = {"advanced", "untyped"};
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, order, 2);
    cr_assert_eq(p.nvariants, 2);
    cr_expect_str_eq(p.variants[0], "advanced");
    cr_expect_str_eq(p.variants[1], "untyped");
    cr_expect(p.variants_explicit);
    mix_program_free(&p);
}

MP_TEST(program, auto_units_by_name_and_kind)
{
    struct mix_program p;
    load(&p, DATA "/shapes", MIX_GRAN_TOPLEVEL, NULL, 0);
    static const char *const names[] = {"area", "Point", "fib", "Grid", "main"};
    cr_assert_eq(p.nunits, 5);
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(p.units[i].name, names[i]);
    cr_expect_eq(p.units[1].kind, MIX_KIND_CLASS);
    mix_program_free(&p);

    load(&p, DATA "/shapes", MIX_GRAN_METHOD, NULL, 0);
    static const char *const mnames[] = {"area", "Point.__init__", "Point.dist", "Point.origin",
                                         "fib",  "Grid.__init__",  "Grid.fill",  "Grid.total",
                                         "main"};
    cr_assert_eq(p.nunits, 9);
    for (size_t i = 0; i < 9; i++)
        cr_expect_str_eq(p.units[i].name, mnames[i]);
    /* the decorated function starts at its decorator, not at the comment above it */
    const struct mix_unit_span *fib = &p.files[0].sp[0].units[4];
    cr_expect_eq(fib->line_first, 32);
    cr_expect_eq(fib->line_last, 34);
    mix_program_free(&p);
}

MP_TEST(program, module_units_in_path_order)
{
    struct mix_program p;
    load(&p, DATA "/multi", MIX_GRAN_MODULE, NULL, 0);
    cr_assert_eq(p.nfiles, 5);
    cr_expect_str_eq(p.files[0].path, "data.txt");
    cr_expect_eq(p.files[0].is_module, 0);
    static const char *const names[] = {"helpers.py", "main.py", "pkg/__init__.py", "pkg/geo.py"};
    cr_assert_eq(p.nunits, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_expect_str_eq(p.units[i].name, names[i]);
        cr_expect_eq(p.units[i].kind, MIX_KIND_MODULE);
    }
    mix_program_free(&p);
}

MP_TEST(program, auto_mismatch_names_first_differing_unit_in_every_variant)
{
    struct mix_options o = {.dir = DATA "/mismatch", .granularity = MIX_GRAN_TOPLEVEL};
    struct mix_program p;
    mp_err err;
    cr_assert_eq(mix_program_load(&o, &p, &err), -1);
    cr_expect_str_eq(err.msg, "m.py: variants differ at unit 2: " DATA
                              "/mismatch/untyped/m.py:8: function 'counter'; " DATA
                              "/mismatch/shallow/m.py:8: function 'counter'; " DATA
                              "/mismatch/advanced/m.py:11: class 'Counter'");
}

MP_TEST(program, marker_mismatch_counts_sections)
{
    struct mix_options o = {.dir = DATA "/mismatch_marker"};
    struct mix_program p;
    mp_err err;
    cr_assert_eq(mix_program_load(&o, &p, &err), -1);
    cr_expect_str_eq(err.msg, "m.py: variants differ at unit 2: " DATA
                              "/mismatch_marker/untyped/m.py:5: section 'section-2'; " DATA
                              "/mismatch_marker/shallow/m.py: no unit 2 (the file has 1)");
}

MP_TEST(program, unknown_variant_and_header)
{
    static const char *const bad[] = {"untyped", "typed"};
    struct mix_options o           = {.dir = DATA "/words", .variants = bad, .nvariants = 2};
    struct mix_program p;
    mp_err err;
    cr_assert_eq(mix_program_load(&o, &p, &err), -1);
    cr_expect_str_eq(err.msg,
                     DATA "/words: no variant 'typed' (found: advanced, shallow, untyped)");
    struct mix_options o2 = {.dir = DATA "/words", .header_from = "typed"};
    cr_assert_eq(mix_program_load(&o2, &p, &err), -1);
    cr_expect_str_eq(err.msg, "--header-from 'typed' is not one of the variants");
}

/* ---- the lattice -------------------------------------------------------------------------------
 */

MP_TEST(lattice, enumerates_exactly_3_pow_4_ids_in_order)
{
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, NULL, 0);
    struct mix_plan plan;
    mp_err err;
    cr_assert_eq(mix_plan_make(&p, 4096, 7, 10, 0, &plan, &err), 0);
    cr_assert(plan.enumerated);
    cr_assert_eq(plan.nconfigs, 81);
    size_t k = 0;
    char want[5];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++, k++) {
                    snprintf(want, sizeof want, "%d%d%d%d", a, b, c, d);
                    cr_expect_str_eq(plan.configs[k].id, want);
                    int anchor = a == b && b == c && c == d ? a : -1;
                    cr_expect_eq(plan.configs[k].anchor, anchor, "%s", want);
                }
    cr_expect_str_eq(plan.configs[0].id, "0000");
    cr_expect_str_eq(plan.configs[80].id, "2222");
    mix_plan_free(&plan);
    mix_program_free(&p);
}

static int count_distinct(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(ids[i], ids[j]) == 0) return 0;
    return 1;
}

static void plan_for(struct mix_program *p, uint64_t max, uint64_t seed, size_t r, size_t s,
                     struct mix_plan *plan)
{
    mp_err err;
    cr_assert_eq(mix_plan_make(p, max, seed, r, s, plan, &err), 0, "%s", err.msg);
}

MP_TEST(lattice, sampling_is_deterministic_and_duplicate_free)
{
    struct mix_program p;
    load(&p, DATA "/shapes", MIX_GRAN_METHOD, NULL, 0); /* 3^9 = 19683 */
    struct mix_plan a, b, c;
    plan_for(&p, 4096, 42, 4, 60, &a);
    plan_for(&p, 4096, 42, 4, 60, &b);
    plan_for(&p, 4096, 43, 4, 60, &c);
    int same_seed = 1, other_seed = 1;
    for (size_t k = 0; k < 240; k++) {
        cr_assert_eq(strlen(a.samples[k]), 9);
        for (size_t i = 0; i < 9; i++)
            cr_assert(a.samples[k][i] >= '0' && a.samples[k][i] <= '2');
        if (strcmp(a.samples[k], b.samples[k]) != 0) same_seed = 0;
        if (strcmp(a.samples[k], c.samples[k]) != 0) other_seed = 0;
    }
    cr_expect(same_seed);
    cr_expect(!other_seed);
    for (size_t j = 0; j < 4; j++)
        cr_expect(count_distinct(a.samples + j * 60, 60), "sample %zu has a duplicate", j);
    int differ = 0;
    for (size_t k = 0; k < 60; k++)
        if (strcmp(a.samples[k], a.samples[60 + k]) != 0) differ = 1;
    cr_expect(differ);
    /* the plan's samples are exactly the statistics area's draw for that seed */
    mp_lattice_sample ls;
    mp_err err;
    cr_assert_eq(mp_lattice_draw(9, 3, 4, 60, 42, &ls, &err), 0);
    for (size_t j = 0; j < 4; j++)
        for (size_t i = 0; i < 60; i++)
            cr_assert_str_eq(a.samples[j * 60 + i], mp_lattice_sample_config(&ls, j, i));
    mp_lattice_sample_free(&ls);
    mix_plan_free(&a);
    mix_plan_free(&b);
    mix_plan_free(&c);
    mix_program_free(&p);
}

MP_TEST(lattice, a_sample_can_be_the_whole_lattice_but_no_more)
{
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, NULL, 0); /* 3^4 = 81 */
    struct mix_plan plan;
    plan_for(&p, 1, 5, 1, 81, &plan);
    cr_expect(!plan.enumerated);
    cr_expect(count_distinct(plan.samples, 81));
    cr_expect_eq(plan.nconfigs, 81);
    mix_plan_free(&plan);
    mp_err err;
    cr_assert_eq(mix_plan_make(&p, 1, 5, 1, 82, &plan, &err), -1);
    cr_expect_str_eq(err.msg, "a sample of 82 distinct configurations cannot be drawn from a "
                              "lattice of 81; measure all of them instead");
    mix_program_free(&p);
}

MP_TEST(lattice, sampled_plan_has_samples_and_anchors)
{
    struct mix_program p;
    load(&p, DATA "/shapes", MIX_GRAN_METHOD, NULL, 0); /* 3^9 = 19683 > 4096 */
    struct mix_plan plan;
    plan_for(&p, 4096, 99, 10, 0, &plan);
    cr_assert(!plan.enumerated);
    cr_expect_eq(plan.size, 19683);
    cr_expect_eq(plan.r, 10);
    cr_expect_eq(plan.s, 90);
    for (size_t j = 0; j < 10; j++)
        cr_expect(count_distinct(plan.samples + j * 90, 90));
    /* configs: sorted, distinct, and hold every sampled id plus the three anchors */
    for (size_t k = 1; k < plan.nconfigs; k++)
        cr_assert_lt(strcmp(plan.configs[k - 1].id, plan.configs[k].id), 0);
    int anchors = 0;
    for (size_t k = 0; k < plan.nconfigs; k++)
        if (plan.configs[k].anchor >= 0) anchors++;
    cr_expect_eq(anchors, 3);
    cr_expect_str_eq(plan.configs[0].id, "000000000");
    cr_expect_str_eq(plan.configs[plan.nconfigs - 1].id, "222222222");
    for (size_t k = 0; k < 900; k++) {
        int found = 0;
        for (size_t q = 0; q < plan.nconfigs && !found; q++)
            found = strcmp(plan.configs[q].id, plan.samples[k]) == 0;
        cr_assert(found, "%s missing", plan.samples[k]);
    }
    cr_expect_leq(plan.nconfigs, 903);
    mix_plan_free(&plan);
    mix_program_free(&p);
}

/* ---- rendering ----------------------------------------------------------------------------------
 */

/* Every configuration re-splits into exactly the chosen units, with the header variant's gaps. */
static void check_resplit(const struct mix_program *p, const char *id)
{
    for (size_t f = 0; f < p->nfiles; f++) {
        const struct mix_file *mf = &p->files[f];
        if (!mf->is_module) continue;
        sb text = {0};
        mix_render_file(p, f, id, &text);
        struct mix_split s;
        mp_err err;
        cr_assert_eq(
            mix_split_text(mf->path, text.buf, text.len, p->granularity, p->shallow, &s, &err), 0,
            "%s: %s", id, err.msg);
        cr_assert_eq(s.nunits, mf->sp[0].nunits);
        const struct mix_split *hs = &mf->sp[p->header];
        for (size_t i = 0; i <= s.nunits; i++) {
            size_t a, b, ha, hb;
            mix_split_gap(&s, i, &a, &b);
            mix_split_gap(hs, i, &ha, &hb);
            cr_assert_eq(b - a, hb - ha, "%s gap %zu", id, i);
            cr_assert_eq(memcmp(text.buf + a, mf->text[p->header] + ha, b - a), 0);
            if (i == s.nunits) break;
            size_t v                      = (size_t)(id[mf->first_unit + i] - '0');
            const struct mix_unit_span *u = &mf->sp[v].units[i];
            cr_assert_eq(s.units[i].end - s.units[i].start, u->end - u->start, "%s unit %zu", id,
                         i);
            cr_assert_eq(
                memcmp(text.buf + s.units[i].start, mf->text[v] + u->start, u->end - u->start), 0,
                "%s unit %zu", id, i);
        }
        mix_split_free(&s);
        sb_free(&text);
    }
}

MP_TEST(render, every_words_configuration_resplits_into_its_units)
{
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, NULL, 0);
    char id[5];
    for (uint64_t k = 0; k < 81; k++) {
        cr_assert_eq(mp_lattice_config_at(4, 3, k, id, NULL), 0);
        check_resplit(&p, id);
    }
    mix_program_free(&p);
}

MP_TEST(render, every_shapes_method_configuration_resplits_into_its_units)
{
    static const char *const hdr = "advanced";
    struct mix_options o         = {
                .dir = DATA "/shapes", .granularity = MIX_GRAN_METHOD, .header_from = hdr};
    struct mix_program p;
    mp_err err;
    cr_assert_eq(mix_program_load(&o, &p, &err), 0, "%s", err.msg);
    cr_expect_eq(p.header, 2);
    char id[10];
    for (uint64_t k = 0; k < 19683; k += 7) {
        cr_assert_eq(mp_lattice_config_at(9, 3, k, id, NULL), 0);
        check_resplit(&p, id);
    }
    mix_program_free(&p);
}

MP_TEST(render, all_untyped_is_the_untyped_file)
{
    struct mix_program p;
    load(&p, DATA "/shapes", MIX_GRAN_TOPLEVEL, NULL, 0);
    sb t = {0};
    mix_render_file(&p, 0, "00000", &t);
    cr_assert_eq(t.len, p.files[0].len[0]);
    cr_expect_eq(memcmp(t.buf, p.files[0].text[0], t.len), 0);
    sb_free(&t);
    mix_program_free(&p);
}

MP_TEST(render, fractions_of_units_lines_and_untyped_characters)
{
    struct mix_program p;
    load(&p, DATA "/words", MIX_GRAN_DETECT, NULL, 0);
    double u[3], l[3], c[3];
    mix_fractions(&p, "0012", u, l, c);
    cr_expect_float_eq(u[0], 0.5, 1e-12);
    cr_expect_float_eq(u[1], 0.25, 1e-12);
    cr_expect_float_eq(u[2], 0.25, 1e-12);
    /* lines of the chosen texts: untyped sections 1-2 (9 + 4), shallow section 3 (8), advanced
     * section 4 (28, with its SHALLOW SEPARATOR line) */
    cr_expect_float_eq(l[0], 13.0 / 49, 1e-12);
    cr_expect_float_eq(l[1], 8.0 / 49, 1e-12);
    cr_expect_float_eq(l[2], 28.0 / 49, 1e-12);
    /* untyped characters of the units: 176, 74, 151, 600 */
    cr_expect_eq(p.units[0].untyped_chars, 176);
    cr_expect_eq(p.units[1].untyped_chars, 74);
    cr_expect_eq(p.units[2].untyped_chars, 151);
    cr_expect_eq(p.units[3].untyped_chars, 600);
    cr_expect_float_eq(c[0], 250.0 / 1001, 1e-12);
    cr_expect_float_eq(c[1], 151.0 / 1001, 1e-12);
    cr_expect_float_eq(c[2], 600.0 / 1001, 1e-12);
    mix_program_free(&p);
}

MP_TEST(overlay, loader_lists_dotted_module_names)
{
    struct mix_program p = {0};
    struct mix_file files[2];
    memset(files, 0, sizeof files);
    files[0].path      = "django/utils/functional.py";
    files[0].is_module = 1;
    files[1].path      = "pkg/__init__.py";
    files[1].is_module = 1;
    p.files            = files;
    p.nfiles           = 2;
    sb s               = {0};
    mix_overlay_loader(&p, "0101", &s);
    cr_expect_neq(strstr(s.buf, "configuration 0101."), NULL);
    cr_expect_neq(
        strstr(s.buf, "    \"django.utils.functional\": \"django/utils/functional.py\",\n"), NULL);
    cr_expect_neq(strstr(s.buf, "    \"pkg\": \"pkg/__init__.py\",\n"), NULL);
    cr_expect_neq(strstr(s.buf, "_sys.meta_path.insert(0, MixperfOverlayFinder)"), NULL);
    sb_free(&s);
}

MP_TEST(sha256, known_vectors)
{
    char hex[65];
    mp_sha256_hex("", 0, hex);
    cr_expect_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    mp_sha256_hex("abc", 3, hex);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
