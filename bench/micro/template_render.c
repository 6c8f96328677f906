/* Template rendering cost on the load engine's hot path: CPU nanoseconds per render of the
 * templates a stateful scenario renders per request, against a plain memcpy of the same output
 * measured in the same run (the floor any renderer has to pay). Not built by CMake; run:
 *
 *   make build && cc -O2 -D_GNU_SOURCE -Isrc bench/micro/template_render.c \
 *       build/release/libmixperf.a $(pkg-config --libs yaml-0.1 jansson libpcre2-8) -lm \
 *       -o /tmp/template_render && /tmp/template_render
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scenario/template.h"

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(void)
{
    static const struct {
        const char *src;
        enum tpl_escape esc;
    } cases[] = {
        {"/posts/{{ slug }}/", TPL_URL},
        {"post-{{ counter.post }}-{{ random.string(6) }}", TPL_RAW},
        {"Bearer {{ token }}", TPL_HEADER},
        {"editor{{ user.class_index }}", TPL_RAW},
        {"{{ uuid }}", TPL_RAW},
        {"{{ lorem.paragraph }}", TPL_RAW},
    };
    const int n = 2000000;
    printf("%-48s %10s %10s %8s\n", "template", "ns/render", "ns/memcpy", "ratio");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mp_symtab syms = {0};
        mp_err err;
        tpl *t = tpl_compile(cases[c].src, strlen(cases[c].src), &syms, "bench", 1, 1, &err);
        if (!t) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        mp_value vals[4] = {{0}};
        for (size_t i = 0; i < syms.nvars; i++)
            mp_value_set(&vals[i], "hello-world-2024 x", 18);
        mp_counters counters;
        mp_counters_init(&counters, &syms);
        mp_rng rng;
        mp_rng_seed(&rng, 1, 1);
        tpl_env env = {.vars = vals, .rng = &rng, .counters = &counters, .class_index = 7};
        sb out      = {0};
        double t0   = cpu_ns();
        for (int i = 0; i < n; i++) {
            sb_reset(&out);
            tpl_render(t, &env, cases[c].esc, &out, &err);
        }
        double render = (cpu_ns() - t0) / n;
        sb copy       = {0};
        t0            = cpu_ns();
        for (int i = 0; i < n; i++) {
            sb_reset(&copy);
            sb_add(&copy, out.buf, out.len);
            __asm__ volatile("" ::"r"(copy.buf) : "memory");
        }
        double floor = (cpu_ns() - t0) / n;
        printf("%-48s %10.1f %10.1f %8.1f\n", cases[c].src, render, floor, render / floor);
        sb_free(&out);
        sb_free(&copy);
        for (size_t i = 0; i < 4; i++)
            mp_value_clear(&vals[i]);
        mp_counters_free(&counters);
        tpl_free(t);
        mp_symtab_free(&syms);
    }
    return 0;
}
