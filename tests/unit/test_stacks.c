/* Profiles read back from collapsed stacks: weights summed over files, the hot-module rollup, a
 * bad line rejecting its whole file, and the flame graph drawn by the profiler's own writer. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <string.h>

#include "profile/stacks.h"

static const char two[] = "pid 7;tid 8;app:main;app:work;lib:parse 300\n"
                          "pid 7;tid 8;app:main;lib:parse 200\r\n"
                          "app:main 100\n";

MP_TEST(stacks, collapsed_text_sums_and_rolls_up_by_module)
{
    mp_stacks *s = mp_stacks_new();
    mp_err err;
    cr_assert_eq(mp_stacks_add_text(s, two, strlen(two), "a.txt", &err), 0, "%s", err.msg);
    cr_assert_eq(mp_stacks_total_us(s), 600);
    cr_assert_eq(mp_stacks_count(s), 3);
    /* the same stacks again: weights add up, no new distinct stacks */
    cr_assert_eq(mp_stacks_add_text(s, two, strlen(two), "b.txt", &err), 0, "%s", err.msg);
    cr_assert_eq(mp_stacks_total_us(s), 1200);
    cr_assert_eq(mp_stacks_count(s), 3);
    struct mp_profile_row *rows;
    size_t n;
    mp_stacks_hot_modules(s, &rows, &n);
    cr_assert_eq(n, 2);
    /* lib is innermost in 500 of 600 us; app in 100, but on every stack */
    cr_assert_str_eq(rows[0].name, "lib");
    cr_assert_eq(rows[0].self_ns, 1000 * 1000);
    cr_assert_float_eq(rows[0].self_frac, 500.0 / 600, 1e-12);
    cr_assert_float_eq(rows[0].total_frac, 500.0 / 600, 1e-12);
    cr_assert_str_eq(rows[1].name, "app");
    cr_assert_float_eq(rows[1].self_frac, 100.0 / 600, 1e-12);
    cr_assert_float_eq(rows[1].total_frac, 1, 1e-12);
    free(rows);
    sb svg = {0};
    mp_stacks_flame_svg(s, "cell <py>", &svg);
    const char *o = sb_str(&svg);
    cr_assert_eq(strncmp(o, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0, "%s", o);
    cr_assert(strstr(o, ">cell &lt;py&gt;</text>"), "%s", o);
    cr_assert(strstr(o, "work"), "%s", o);
    cr_assert(strstr(o, "parse"), "%s", o);
    cr_assert(strstr(o, "</svg>\n"));
    sb_free(&svg);
    mp_stacks_free(s);
}

MP_TEST(stacks, a_bad_line_names_file_and_line_and_keeps_nothing_of_the_file)
{
    mp_stacks *s = mp_stacks_new();
    mp_err err;
    const char bad[] = "app:main 100\napp:main;;lib:x 5\n";
    cr_assert_eq(mp_stacks_add_text(s, bad, strlen(bad), "bad.txt", &err), -1);
    cr_assert_str_eq(err.msg, "bad.txt:2: an empty frame at column 10 (expected frame;frame;...)");
    cr_assert_eq(mp_stacks_total_us(s), 0);
    cr_assert_eq(mp_stacks_count(s), 0);
    const char noweight[] = "app:main 1x\n";
    cr_assert_eq(mp_stacks_add_text(s, noweight, strlen(noweight), "w.txt", &err), -1);
    cr_assert_str_eq(err.msg, "w.txt:1: weight '1x' is not a whole number of microseconds");
    cr_assert_eq(mp_stacks_add_file(s, "/nonexistent/stacks.txt", &err), -1);
    cr_assert_str_eq(err.msg, "/nonexistent/stacks.txt: No such file or directory");
    mp_stacks_free(s);
}
