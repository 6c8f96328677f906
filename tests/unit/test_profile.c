#include <criterion/criterion.h>

#include "leakcheck.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../fuzz/profile_image.h"
#include "profile/agg.h"
#include "profile/modname.h"
#include "profile/profile.h"
#include "profile/pylayout.h"
#include "profile/pyread.h"
#include "profile/rmem.h"

/* _Py_DebugOffsets of pyenv's CPython 3.13.0, read from a live process's _PyRuntime (words after
 * the cookie). */
static const uint64_t debug313[] = {
    51183856, 0,    283320, 608, 632, 194968, 7272, 7264, 7344, 7400, 7656, 7640, 7648, 16, 7752,
    0,        7768, 7760,   304, 0,   8,      16,   72,   152,  160,  232,  32,   80,   8,  0,
    56,       72,   70,     208, 112, 120,    128,  136,  68,   52,   96,   104,  200,  16, 8,
    416,      24,   88,     168, 32,  24,     16,   40,   24,   16,   48,   32,   40,   24, 16,
    32,       16,   24,     40,  16,  32,     64,   32,   16,   40,   240,  200};

static void block313(unsigned char *b)
{
    memcpy(b, "xdebugpy", 8);
    memcpy(b + 8, debug313, sizeof debug313);
}

static void layout_for(int minor, struct py_layout *L)
{
    mp_err e;
    if (minor == 13) {
        unsigned char b[600];
        block313(b);
        cr_assert_eq(py_layout_from_debug_offsets(b, py_debug_offsets_size(), 0x030d00f0, L, &e), 0,
                     "%s", e.msg);
    } else
        cr_assert_eq(py_layout_builtin(0x03000000u | (unsigned)minor << 16 | 0x02f0, L, &e), 0);
}

MP_TEST(pylayout, generated_311_matches_the_measured_offsets)
{
    struct py_layout L;
    layout_for(11, &L);
    /* PROFILER.md's table, measured on Debian 3.11.2 and pyenv 3.11.7. */
    cr_assert_eq(L.rt_interp_head, 40);
    cr_assert_eq(L.is_threads_head, 16);
    cr_assert_eq(L.ts_frame, 56);
    cr_assert_eq(L.ts_native_tid, 160);
    cr_assert_eq(L.cf_current_frame, 8);
    cr_assert_eq(L.fr_code, 32);
    cr_assert_eq(L.fr_previous, 48);
    cr_assert_eq(L.fr_instr, 56);
    cr_assert_eq(L.fr_owner, 69);
    cr_assert_eq(L.co_firstlineno, 72);
    cr_assert_eq(L.co_filename, 112);
    cr_assert_eq(L.co_qualname, 128);
    cr_assert_eq(L.co_linetable, 136);
    cr_assert_eq(L.co_firsttraceable, 168);
    cr_assert_eq(L.co_code_adaptive, 184);
    cr_assert_eq(L.u_ascii_data, 48);
    cr_assert_eq(L.u_compact_data, 72);
    cr_assert_eq(L.u_kind_shift, 2);
    cr_assert_eq(L.u_compact_bit, 0x20);
    cr_assert_eq(L.u_ascii_bit, 0x40);
    cr_assert_eq(L.via_cframe, 1);
}

MP_TEST(pylayout, checked_in_312_and_unsupported_versions)
{
    struct py_layout L;
    mp_err e;
    cr_assert_eq(py_layout_builtin(0x030c01f0, &L, &e), 0);
    cr_assert_eq(L.version, 0x030c0000);
    cr_assert_eq(L.fr_code, 0);
    cr_assert_eq(L.fr_owner, 70);
    cr_assert_eq(L.u_ascii_data, 40);
    cr_assert_eq(py_layout_builtin(0x030a0df0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "Python 3.10.13 has no built-in layout table (3.11 and 3.12 do)");
}

MP_TEST(pylayout, debug_offsets_313)
{
    unsigned char b[600];
    block313(b);
    struct py_layout L;
    mp_err e;
    cr_assert_eq(py_layout_from_debug_offsets(b, py_debug_offsets_size(), 0x030d00f0, &L, &e), 0);
    /* PROFILER.md, verified live on pyenv 3.13.0. */
    cr_assert_eq(py_debug_offsets_size(), 584);
    cr_assert_eq(L.rt_interp_head, 632);
    cr_assert_eq(L.is_threads_head, 7344);
    cr_assert_eq(L.ts_frame, 72);
    cr_assert_eq(L.via_cframe, 0);
    cr_assert_eq(L.instr_is_prev, 0);
    cr_assert_eq(L.fr_code, 0);
    cr_assert_eq(L.fr_previous, 8);
    cr_assert_eq(L.fr_instr, 56);
    cr_assert_eq(L.fr_owner, 70);
    cr_assert_eq(L.co_filename, 112);
    cr_assert_eq(L.co_qualname, 128);
    cr_assert_eq(L.co_linetable, 136);
    cr_assert_eq(L.co_firstlineno, 68);
    cr_assert_eq(L.co_code_adaptive, 200);
    cr_assert_eq(L.u_ascii_data, 40);
    cr_assert_eq(L.u_compact_data, 56);
    cr_assert_eq(L.ts_native_tid, 160);
    cr_assert_eq(L.is_sysdict, 7640);
}

MP_TEST(pylayout, debug_offsets_errors)
{
    unsigned char b[600];
    struct py_layout L;
    mp_err e;
    block313(b);
    cr_assert_eq(py_layout_from_debug_offsets(b, 100, 0x030d00f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "_Py_DebugOffsets: 100 bytes, need 584");
    b[0] = 'X';
    cr_assert_eq(py_layout_from_debug_offsets(b, 584, 0x030d00f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "_PyRuntime does not start with the \"xdebugpy\" cookie");
    block313(b);
    cr_assert_eq(py_layout_from_debug_offsets(b, 584, 0x030d01f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "_Py_DebugOffsets says version 3.13.0 but Py_Version says 3.13.1");
    uint64_t v314 = 0x030e00f0;
    memcpy(b + 8, &v314, 8);
    cr_assert_eq(py_layout_from_debug_offsets(b, 584, 0x030e00f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "Python 3.14.0: this build reads the _Py_DebugOffsets layout of 3.13 "
                            "only (the block grows in every minor version)");
    block313(b);
    uint64_t one = 1;
    memcpy(b + 16, &one, 8);
    cr_assert_eq(py_layout_from_debug_offsets(b, 584, 0x030d00f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "Python 3.13.0 is a free-threaded build, which is not supported");
    block313(b);
    uint64_t far = 1u << 30; /* interpreters_head beyond sizeof(_PyRuntimeState) */
    memcpy(b + 40, &far, 8);
    cr_assert_eq(py_layout_from_debug_offsets(b, 584, 0x030d00f0, &L, &e), -1);
    cr_assert_str_eq(e.msg, "_Py_DebugOffsets: field 5 offset 1073741824 outside its struct "
                            "(283320)");
}

MP_TEST(pyread, line_table_matches_cpython)
{
    /* co_linetable of
     *   def f(x):          # line 2
     *       y = x + 1
     *       if y:
     *           return y * 2
     *       return 0
     * from /usr/bin/python3.11, and dis.get_instructions' line for every byte offset. */
    static const int expect[][2] = {{0, 2},  {2, 3},  {4, 3},  {6, 3},  {8, 3},
                                    {10, 3}, {12, 4}, {14, 4}, {16, 5}, {18, 5},
                                    {20, 5}, {22, 5}, {24, 5}, {26, 6}, {28, 6}};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        cr_assert_eq(py_addr2line(img_linetable, sizeof img_linetable, 2, expect[i][0]),
                     expect[i][1], "offset %d", expect[i][0]);
    cr_assert_eq(py_addr2line(img_linetable, sizeof img_linetable, 2, 30), -1);
    cr_assert_eq(py_addr2line(img_linetable, sizeof img_linetable, 2, -2), 2);
    /* Every truncation is rejected or answered, never read past. */
    for (size_t n = 0; n < sizeof img_linetable; n++)
        py_addr2line(img_linetable, n, 2, 26);
    static const unsigned char longform[] = {0xf0 | 1, 0x05, 0x00, 0x01, 0x01, 0xf8};
    /* code 14 (long form), 2 units, line delta svarint 5 -> -2: line 8 for firstlineno 10. */
    cr_assert_eq(py_addr2line(longform, sizeof longform, 10, 2), 8);
    cr_assert_eq(py_addr2line(longform, sizeof longform, 10, 4), -1); /* code 15: no line */
}

static void read_process(int minor)
{
    struct py_layout L;
    layout_for(minor, &L);
    struct img *m = calloc(1, sizeof *m);
    struct img_process p;
    img_build(m, &L, &p);
    struct rmem_region reg = {IMG_BASE, m->buf, IMG_SIZE};
    struct rmem_image im   = {&reg, 1};
    mp_rmem mem            = rmem_image(&im);
    struct py_reader r;
    img_reader(&L, &r);

    struct py_thread th[4];
    cr_assert_eq(py_threads(&mem, &r, p.runtime, th, 4), 1);
    cr_assert_eq(th[0].tstate, p.tstate);
    cr_assert_eq(th[0].native_tid, IMG_TID);

    struct py_rawstack *rs = malloc(sizeof *rs);
    cr_assert_eq(py_stack(&mem, &r, p.tstate, rs), PY_OK);
    cr_assert_eq(rs->n, 2);
    cr_assert_eq(rs->top, p.frame_inner);
    cr_assert_eq(rs->f[0].code, p.code_inner);
    cr_assert_eq(rs->f[1].code, p.code_outer);

    struct py_code c;
    cr_assert_eq(py_code_read(&mem, &r, p.code_inner, &c), 0);
    cr_assert_str_eq(c.filename, "/srv/app/pkg/helpers.py");
    cr_assert_str_eq(c.qualname, "Worker.work");
    cr_assert_eq(c.firstlineno, 2);
    cr_assert_eq(c.ncodeunits, 15);
    cr_assert_eq(c.linetable_len, sizeof img_linetable);
    cr_assert_eq(py_code_same(&mem, &r, p.code_inner, &c), 1);
    cr_assert_eq(py_code_same(&mem, &r, p.code_outer, &c), 0);
    int line = 0;
    cr_assert_eq(py_frame_line(&r, &c, &rs->f[0], &line), 1);
    cr_assert_eq(line, 3);
    /* Still in the prologue (before _co_firsttraceable): skipped where the version has it. */
    struct py_rawframe early = rs->f[0];
    early.instr              = img_instr(&L, p.code_inner, 0);
    cr_assert_eq(py_frame_line(&r, &c, &early, &line), L.co_firsttraceable ? 0 : 1);
    /* An instruction pointer outside the code is a torn read. */
    early.instr = img_instr(&L, p.code_inner, 400);
    cr_assert_eq(py_frame_line(&r, &c, &early, &line), -1);
    py_code_free(&c);

    cr_assert_eq(py_code_read(&mem, &r, p.code_outer, &c), 0);
    cr_assert_str_eq(c.qualname, "main");
    cr_assert_eq(py_frame_line(&r, &c, &rs->f[1], &line), 1);
    cr_assert_eq(line, 5);
    py_code_free(&c);

    /* A string is not a code object: the type check refuses it. */
    cr_assert_eq(py_code_read(&mem, &r, p.runtime, &c), -1);

    char **path;
    cr_assert_eq(py_sys_path(&mem, &r, p.runtime, &path), 2);
    cr_assert_str_eq(path[0], "/srv/app");
    cr_assert_str_eq(path[1], "/usr/lib/python3.11");
    free(path[0]);
    free(path[1]);
    free(path);

    /* Break the chain: a frame whose code pointer is misaligned is a torn read. */
    img_u64(m, p.frame_outer + L.fr_code, p.code_outer + 3);
    cr_assert_eq(py_stack(&mem, &r, p.tstate, rs), PY_EINVALID);
    /* A chain into unmapped memory cannot be read. */
    img_u64(m, p.frame_outer + L.fr_code, p.code_outer);
    img_u64(m, p.frame_outer + L.fr_previous, UINT64_C(0x900000));
    cr_assert_eq(py_stack(&mem, &r, p.tstate, rs), PY_EREAD);
    /* A thread state that does not point back at its interpreter is refused. */
    img_u64(m, p.tstate + L.ts_interp, p.runtime);
    cr_assert_eq(py_threads(&mem, &r, p.runtime, th, 4), -1);
    free(rs);
    free(m);
}

MP_TEST(pyread, synthetic_process_311)
{
    read_process(11);
}
MP_TEST(pyread, synthetic_process_312)
{
    read_process(12);
}
MP_TEST(pyread, synthetic_process_313)
{
    read_process(13);
}

static int str_of(struct img *m, uint64_t addr, int allow_empty, sb *out)
{
    struct rmem_region reg = {IMG_BASE, m->buf, IMG_SIZE};
    struct rmem_image im   = {&reg, 1};
    mp_rmem mem            = rmem_image(&im);
    struct py_reader r;
    img_reader(m->L, &r);
    sb_reset(out);
    return py_str(&mem, &r, addr, allow_empty, out);
}

MP_TEST(pyread, strings_of_every_kind_and_invalid_ones)
{
    struct py_layout L;
    layout_for(11, &L);
    struct img *m = calloc(1, sizeof *m);
    m->L          = &L;
    sb s          = {0};
    cr_assert_eq(str_of(m, img_str(m, "views.py"), 0, &s), 0);
    cr_assert_str_eq(sb_str(&s), "views.py");
    static const unsigned char latin1[] = {'c', 'a', 'f', 0xe9};
    cr_assert_eq(str_of(m, img_str_raw(m, latin1, 4, 1, 0), 0, &s), 0);
    cr_assert_str_eq(sb_str(&s), "caf\xc3\xa9");
    static const uint16_t ucs2[] = {0x4e2d, 0x6587};
    cr_assert_eq(str_of(m, img_str_raw(m, ucs2, 2, 2, 0), 0, &s), 0);
    cr_assert_str_eq(sb_str(&s), "\xe4\xb8\xad\xe6\x96\x87");
    static const uint32_t ucs4[] = {'x', 0x1f600};
    cr_assert_eq(str_of(m, img_str_raw(m, ucs4, 2, 4, 0), 0, &s), 0);
    cr_assert_str_eq(sb_str(&s), "x\xf0\x9f\x98\x80");

    cr_assert_eq(str_of(m, img_str(m, "a\nb"), 0, &s), -1); /* control character */
    cr_assert_eq(str_of(m, img_str(m, ""), 0, &s), -1);
    cr_assert_eq(str_of(m, img_str(m, ""), 1, &s), 0);
    cr_assert_str_eq(sb_str(&s), "");
    static const uint16_t surrogate[] = {'a', 0xd800};
    cr_assert_eq(str_of(m, img_str_raw(m, surrogate, 2, 2, 0), 0, &s), -1);
    static const unsigned char hi[] = {'a', 0xe9};
    cr_assert_eq(str_of(m, img_str_raw(m, hi, 2, 1, 1), 0, &s), -1); /* "ascii" with 0xe9 */
    uint64_t k3 = img_str(m, "abc");
    img_u32(m, k3 + L.u_state, (3u << L.u_kind_shift) | L.u_compact_bit);
    cr_assert_eq(str_of(m, k3, 0, &s), -1); /* kind 3 does not exist */
    uint64_t nc = img_str(m, "abc");
    img_u32(m, nc + L.u_state, (1u << L.u_kind_shift) | L.u_ascii_bit);
    cr_assert_eq(str_of(m, nc, 0, &s), -1); /* not compact */
    uint64_t big = img_str(m, "abc");
    img_u64(m, big + L.u_length, PY_STR_MAX + 1);
    cr_assert_eq(str_of(m, big, 0, &s), -1);
    uint64_t neg = img_str(m, "abc");
    img_u64(m, neg + L.u_length, UINT64_MAX);
    cr_assert_eq(str_of(m, neg, 0, &s), -1);
    uint64_t wrongtype = img_str(m, "abc");
    img_u64(m, wrongtype + L.ob_type, IMG_BYTES_TYPE);
    cr_assert_eq(str_of(m, wrongtype, 0, &s), -1);
    cr_assert_eq(str_of(m, IMG_BASE + IMG_SIZE - 8, 0, &s), -1); /* runs off the image */
    cr_assert_eq(s.len, 0);
    sb_free(&s);
    free(m);

    cr_assert_eq(py_valid_qualname("Outer.<locals>.inner"), 1);
    cr_assert_eq(py_valid_qualname("<module>"), 1);
    cr_assert_eq(py_valid_qualname("f\xc3\xa9"), 1);
    cr_assert_eq(py_valid_qualname("Item number 121:<t3>"), 0);
    cr_assert_eq(py_valid_qualname(""), 0);
}

static const char *modname(const char *file, char *const *path, size_t n, const char *cwd, int *hit)
{
    static sb s;
    sb_reset(&s);
    *hit = py_module_name(file, path, n, cwd, &s);
    return sb_str(&s);
}

MP_TEST(modname, sys_path_then_heuristics)
{
    char *path[] = {"", "/usr/lib/python3.11", "/usr/lib/python3/dist-packages",
                    "/usr/lib/python3/dist-packages/extra"};
    int hit;
    cr_assert_str_eq(
        modname("/usr/lib/python3/dist-packages/django/template/base.py", path, 4, "/srv", &hit),
        "django.template.base");
    cr_assert_eq(hit, 1);
    cr_assert_str_eq(
        modname("/usr/lib/python3/dist-packages/django/utils/__init__.py", path, 4, "/srv", &hit),
        "django.utils");
    cr_assert_str_eq(modname("/usr/lib/python3/dist-packages/extra/mod.py", path, 4, "/", &hit),
                     "mod"); /* the longest entry wins */
    cr_assert_str_eq(modname("/usr/lib/python3.11/re/_parser.py", path, 4, "/", &hit),
                     "re._parser");
    cr_assert_str_eq(modname("/srv/blog/views.py", path, 4, "/srv", &hit), "blog.views");
    cr_assert_eq(hit, 1); /* "" is the working directory */
    cr_assert_str_eq(modname("blog/models.py", path, 4, "/srv", &hit), "blog.models");
    cr_assert_str_eq(modname("<frozen importlib._bootstrap>", path, 4, "/", &hit),
                     "importlib._bootstrap");
    cr_assert_str_eq(modname("<string>", path, 4, "/", &hit), "<string>");

    cr_assert_str_eq(
        modname("/opt/venv/lib/python3.11/site-packages/yaml/reader.py", NULL, 0, "/", &hit),
        "yaml.reader");
    cr_assert_eq(hit, 0);
    cr_assert_str_eq(
        modname("/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", NULL, 0, "/", &hit),
        "json.decoder");
    cr_assert_str_eq(modname("/home/u/proj/app/core.py", NULL, 0, "/home/u/proj", &hit),
                     "app.core");
    cr_assert_str_eq(modname("/elsewhere/tool.py", NULL, 0, "/home/u", &hit), "tool");
}

MP_TEST(agg, self_and_total_count_recursion_once)
{
    struct agg a;
    agg_init(&a);
    uint32_t fa = agg_func(&a, "m1", "a", "/m1.py", 1), fb = agg_func(&a, "m2", "b", "/m2.py", 1);
    cr_assert_eq(agg_func(&a, "m1", "a", "/m1.py", 1), fa);
    uint32_t a1 = agg_frame(&a, fa, 3), b1 = agg_frame(&a, fb, 7), a2 = agg_frame(&a, fa, 4);
    uint32_t s1[] = {a1, b1, a2}, s2[] = {a1, b1};
    agg_add(&a, 1, 1, s1, 3, 600);
    agg_add(&a, 1, 1, s2, 2, 300);
    agg_add(&a, 1, 1, s2, 2, 100);
    cr_assert_eq(a.nstacks, 2);
    cr_assert_eq(a.total_weight, 1000);
    size_t n;
    struct agg_row *r = agg_rollup(&a, AGG_MODULE, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(a.strs[r[0].key], "m1");
    cr_assert_eq(r[0].self, 600);
    cr_assert_eq(r[0].total, 1000); /* a appears twice in s1 but counts once */
    cr_assert_str_eq(a.strs[r[1].key], "m2");
    cr_assert_eq(r[1].self, 400);
    cr_assert_eq(r[1].total, 1000);
    free(r);
    r = agg_rollup(&a, AGG_LINE, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(r[0].key, a2);
    cr_assert_eq(r[0].self, 600);
    cr_assert_eq(r[1].key, b1);
    cr_assert_eq(r[1].self, 400);
    cr_assert_eq(r[2].key, a1);
    cr_assert_eq(r[2].self, 0);
    cr_assert_eq(r[2].total, 1000);
    free(r);
    agg_free(&a);
}

static int counting_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    int *calls = ctx;
    (*calls)++;
    for (size_t i = 0; i < n; i++)
        ((unsigned char *)buf)[i] = (unsigned char)((addr + i) * 7);
    return 0;
}

MP_TEST(rmem, page_cache_serves_pages_once)
{
    int calls     = 0;
    mp_rmem under = {counting_read, &calls};
    struct rmem_cache c;
    rmem_cache_init(&c, &under);
    mp_rmem m = rmem_cache(&c);
    unsigned char a[100], b[100];
    cr_assert_eq(rmem_read(&m, 0x10ff0, a, 40), 0); /* crosses a page boundary: two pages */
    cr_assert_eq(calls, 2);
    cr_assert_eq(rmem_read(&m, 0x11000, b, 100), 0);
    cr_assert_eq(calls, 2);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(a[i], (unsigned char)((0x10ff0 + i) * 7));
    rmem_cache_reset(&c);
    cr_assert_eq(rmem_read(&m, 0x11000, b, 8), 0);
    cr_assert_eq(calls, 3);
    rmem_cache_free(&c);
}

MP_TEST(agg, cpu_scaling_gives_each_thread_its_cpu_time)
{
    struct agg a;
    agg_init(&a);
    uint32_t f1 = agg_frame(&a, agg_func(&a, "m", "f", "/m.py", 1), 2);
    uint32_t f2 = agg_frame(&a, agg_func(&a, "m", "g", "/m.py", 5), 6);
    /* Thread 1 had 3 samples counted (2 in f, 1 in g) and used 900 ns; thread 2 had 1 sample
     * and used 500 ns (it lost more ticks, e.g. sharing a CPU with the sampler). */
    agg_add(&a, 7, 1, &f1, 1, 10);
    agg_add(&a, 7, 1, &f1, 1, 10);
    agg_add(&a, 7, 1, &f2, 1, 10);
    agg_add(&a, 7, 2, &f2, 1, 10);
    agg_thread_cpu(&a, 7, 1, 400);
    agg_thread_cpu(&a, 7, 1, 500);
    agg_thread_cpu(&a, 7, 2, 500);
    agg_scale_cpu(&a);
    agg_scale_cpu(&a); /* idempotent */
    cr_assert_eq(a.nstacks, 3);
    cr_assert_eq(a.stacks[0].weight, 600);
    cr_assert_eq(a.stacks[1].weight, 300);
    cr_assert_eq(a.stacks[2].weight, 500);
    cr_assert_eq(a.total_weight, 1400);
    agg_free(&a);
}

/* The library interface the experiment runner uses: start on a background thread, stop, read the
 * hot modules. Needs ptrace; skipped with the reason when this machine does not allow it. Wall
 * mode, so that a loaded machine (the target rarely on a CPU at the tick) still yields samples. */
Test(profile_api, start_stop_hot_modules, .timeout = 120)
{
    struct mp_profile_opts o = mp_profile_defaults();
    o.rate_hz                = 500;
    o.wall                   = 1;
    mp_profiler *p           = mp_profile_new(&o);
    char *argv[] = {"/usr/bin/python3", MP_SOURCE_DIR "/tests/e2e/profile/twomod.py", "30", NULL};
    mp_err err;
    if (mp_profile_spawn(p, argv, &err) != 0) {
        mp_profile_free(p);
        if (strstr(err.msg, "needs ptrace permission")) cr_skip_test("no ptrace here: %s", err.msg);
        cr_assert_fail("spawn: %s", err.msg);
        return;
    }
    cr_assert_eq(mp_profile_start(p, &err), 0, "%s", err.msg);
    cr_assert_eq(mp_profile_start(p, &err), -1);
    cr_assert_str_eq(err.msg, "the profiler is already running");
    struct timespec ts = {3, 0};
    nanosleep(&ts, NULL);
    cr_assert_eq(mp_profile_stop(p, &err), 0, "%s", err.msg);
    mp_profile_end_child(p);
    cr_assert_neq(mp_profile_child_status(p), -1);

    struct mp_profile_counts c;
    mp_profile_counts(p, &c);
    cr_assert_gt(c.samples, 0);
    cr_assert_eq(c.processes, 1);
    struct mp_profile_row *rows;
    size_t n;
    mp_profile_hot_modules(p, &rows, &n);
    cr_assert_geq(n, 2);
    cr_assert_str_eq(rows[0].name, "mod_a");
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += rows[i].self_frac;
    cr_assert_float_eq(total, 1.0, 1e-9);
    free(rows);
    mp_profile_free(p);
}
