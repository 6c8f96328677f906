#include <criterion/criterion.h>

#include "leakcheck.h"
#include <math.h>
#include <string.h>

#include "report/svgplot.h"

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

MP_TEST(svgplot, linear_ticks_are_nice)
{
    double t[32];
    size_t n = svgp_ticks(0, 1, 0, 5, t, 32);
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++)
        cr_assert_float_eq(t[i], 0.2 * (double)i, 1e-12);
    n = svgp_ticks(-3.7, 12.2, 0, 8, t, 32);
    cr_assert_eq(n, 8);
    cr_assert_float_eq(t[0], -2, 1e-12);
    cr_assert_float_eq(t[7], 12, 1e-12);
}

MP_TEST(svgplot, log_ticks_are_decades_or_1_2_5)
{
    double t[32];
    size_t n = svgp_ticks(0.5, 2000, 1, 5, t, 32);
    /* 3.6 decades: decades only */
    cr_assert_eq(n, 4);
    cr_assert_float_eq(t[0], 1, 1e-12);
    cr_assert_float_eq(t[3], 1000, 1e-9);
    n             = svgp_ticks(1, 20, 1, 5, t, 32);
    double want[] = {1, 2, 5, 10, 20};
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++)
        cr_assert_float_eq(t[i], want[i], 1e-9);
    cr_assert_eq(svgp_ticks(0, 10, 1, 5, t, 32), 0); /* no log axis through 0 */
}

MP_TEST(svgplot, renders_series_in_the_frame)
{
    svg_plot *p = svgp_new(400, 300, "Overhead <& \"q\">");
    svgp_x_axis(p, "overhead D", 1);
    svgp_y_axis(p, "share", 0);
    svgp_x_range(p, 1, 100);
    svgp_y_range(p, 0, 1);
    double x[] = {1, 10, 100}, y[] = {0, 0.5, 1}, lo[] = {0, 0.4, 0.9}, hi[] = {0.1, 0.6, 1};
    svgp_band(p, "cpython", x, lo, hi, 3, 0);
    svgp_line(p, "cpython", x, y, 3, 0);
    double xs[] = {0.5, 10, NAN}, ys[] = {0.5, 0.5, 0.5};
    svgp_points(p, "pts", xs, ys, 3, 1);
    svgp_hline(p, 0.5, "half");
    sb s = {0};
    svgp_render(p, &s);
    const char *o = sb_str(&s);
    cr_assert(strstr(o, "Overhead &lt;&amp; &quot;q&quot;&gt;"));
    /* plot area x: 70..380, y: 40..245; log x from 1 to 100 -> 10 is the middle (225) */
    cr_assert(strstr(o, "data-series=\"cpython\" points=\"70.0,245.0 225.0,142.5 380.0,40.0 \""),
              "%s", o);
    cr_assert_eq(count(o, "<polygon"), 1);
    /* the point at x = 0.5 is outside a log axis from 1 and NaN is a gap: one circle in the plot
     * plus one legend marker */
    cr_assert_eq(count(o, "<circle"), 2);
    cr_assert(strstr(
        o, "<circle cx=\"225.0\" cy=\"142.5\" r=\"3\" fill=\"#e69f00\" data-series=\"pts\"/>"));
    /* the frame says how to map pixels back to data */
    cr_assert(strstr(o, "data-xlo=\"1\" data-xhi=\"100\" data-ylo=\"0\" data-yhi=\"1\" "
                        "data-xlog=\"1\" data-ylog=\"0\""),
              "%s", o);
    cr_assert(strstr(o, ">cpython</text>"));
    cr_assert(strstr(o, ">half</text>"));
    cr_assert_eq(strncmp(o, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    cr_assert_eq(strcmp(o + s.len - 7, "</svg>\n"), 0);
    sb_free(&s);
    svgp_free(p);
}
