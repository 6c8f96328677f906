/* Feeds random memory images to the profiler's reader (threads, frames, code objects, strings,
 * line tables, sys.path) through the swappable remote-memory backend. It must never crash, and
 * every name it returns must be valid UTF-8 without control characters, and every qualname a
 * plausible one: garbage must be rejected, never shown.
 *
 * Input: byte 0 picks the layout (3.11, 3.12, 3.13), bytes 1-2 the runtime's offset in the image,
 * the rest is the image at IMG_BASE. Seeds (corpus/fuzz_profile_reader) are the well-formed
 * images of profile_image.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile_image.h"

static void check_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, need, cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) abort();
            p++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            need = 1, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            need = 2, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            need = 3, cp = c & 0x07;
        else
            abort();
        for (unsigned i = 1; i <= need; i++) {
            if ((p[i] & 0xc0) != 0x80) abort();
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0)) abort();
        p += need + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    static struct py_layout layouts[3];
    static int ready;
    if (!ready) {
        mp_err e;
        py_layout_builtin(0x030b02f0, &layouts[0], &e);
        py_layout_builtin(0x030c01f0, &layouts[1], &e);
        unsigned char b[600];
        /* The 3.13 layout comes from a block like the one a real 3.13.0 carries. */
        static const uint64_t words[] = {
            51183856, 0,   283320, 608, 632,  194968, 7272, 7264, 7344, 7400, 7656, 7640,
            7648,     16,  7752,   0,   7768, 7760,   304,  0,    8,    16,   72,   152,
            160,      232, 32,     80,  8,    0,      56,   72,   70,   208,  112,  120,
            128,      136, 68,     52,  96,   104,    200,  16,   8,    416,  24,   88,
            168,      32,  24,     16,  40,   24,     16,   48,   32,   40,   24,   16,
            32,       16,  24,     40,  16,   32,     64,   32,   16,   40,   240,  200};
        memcpy(b, "xdebugpy", 8);
        memcpy(b + 8, words, sizeof words);
        py_layout_from_debug_offsets(b, py_debug_offsets_size(), 0x030d00f0, &layouts[2], &e);
        ready = 1;
    }
    const struct py_layout *L = &layouts[data[0] % 3];
    uint64_t runtime          = IMG_BASE + (uint64_t)(data[1] | data[2] << 8);
    struct rmem_region reg    = {IMG_BASE, data + 3, size - 3};
    struct rmem_image im      = {&reg, 1};
    mp_rmem mem               = rmem_image(&im);
    struct py_reader r;
    img_reader(L, &r);
    /* Half the time, skip type identity checks: the reader must stay safe without them. */
    if (data[0] & 0x80) r.T = (struct py_types){0, 0, 0};

    struct py_thread th[8];
    int n = py_threads(&mem, &r, runtime, th, 8);
    if (n > 8) abort();
    struct py_rawstack *rs = malloc(sizeof *rs);
    for (int i = 0; i < n; i++) {
        if (py_stack(&mem, &r, th[i].tstate, rs) != PY_OK) continue;
        if (rs->n < 0 || rs->n > PY_MAX_DEPTH) abort();
        for (int k = 0; k < rs->n; k++) {
            struct py_code c;
            if (py_code_read(&mem, &r, rs->f[k].code, &c) != 0) continue;
            check_utf8(c.filename);
            check_utf8(c.qualname);
            if (!py_valid_qualname(c.qualname) || !c.filename[0]) abort();
            int line = 0;
            if (py_frame_line(&r, &c, &rs->f[k], &line) == 1 && line < 0) abort();
            py_code_free(&c);
        }
    }
    free(rs);
    char **path;
    int np = py_sys_path(&mem, &r, runtime, &path);
    for (int i = 0; i < np; i++) {
        check_utf8(path[i]);
        free(path[i]);
    }
    if (np >= 0) free(path);
    /* Any address may be handed to the string reader. */
    for (size_t off = 0; off + 8 <= size - 3 && off < 256; off += 8) {
        sb s = {0};
        uint64_t a;
        memcpy(&a, data + 3 + off, 8);
        if (py_str(&mem, &r, a, 1, &s) == 0) check_utf8(sb_str(&s));
        sb_free(&s);
    }
    return 0;
}
