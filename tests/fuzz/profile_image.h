/* Builds a synthetic CPython address space for the profile reader's unit tests and fuzzer: one
 * region holding a runtime, an interpreter with a sys module dict (sys.path), one thread state
 * with a two-frame stack, code objects, str and bytes objects, laid out with whatever struct
 * layout is given, so the same image describes 3.11, 3.12 or 3.13. */
#ifndef MP_TESTS_PROFILE_IMAGE_H
#define MP_TESTS_PROFILE_IMAGE_H

#include <stdint.h>
#include <string.h>

#include "profile/pylayout.h"
#include "profile/pyread.h"

enum { IMG_SIZE = 16384 };
#define IMG_BASE UINT64_C(0x10000)
/* Fake type objects live outside the image; only their addresses matter. */
#define IMG_CODE_TYPE UINT64_C(0x7000)
#define IMG_UNICODE_TYPE UINT64_C(0x7200)
#define IMG_BYTES_TYPE UINT64_C(0x7400)
#define IMG_LIST_TYPE UINT64_C(0x7600)
#define IMG_TID 4242

struct img {
    unsigned char buf[IMG_SIZE];
    size_t used;
    const struct py_layout *L;
};

struct img_process {
    uint64_t runtime, tstate, frame_inner, frame_outer, code_inner, code_outer;
};

static inline uint64_t img_alloc(struct img *m, size_t n)
{
    m->used       = (m->used + 15) & ~(size_t)15;
    uint64_t addr = IMG_BASE + m->used;
    m->used += n;
    return addr;
}

static inline void img_put(struct img *m, uint64_t addr, const void *v, size_t n)
{
    memcpy(m->buf + (addr - IMG_BASE), v, n);
}
static inline void img_u64(struct img *m, uint64_t addr, uint64_t v)
{
    img_put(m, addr, &v, 8);
}
static inline void img_u32(struct img *m, uint64_t addr, uint32_t v)
{
    img_put(m, addr, &v, 4);
}

/* A compact str of `len` code points of size `kind`, from raw code-unit data. */
static inline uint64_t img_str_raw(struct img *m, const void *data, int64_t len, unsigned kind,
                                   int ascii)
{
    const struct py_layout *L = m->L;
    size_t hdr                = ascii ? L->u_ascii_data : L->u_compact_data;
    uint64_t a                = img_alloc(m, hdr + (size_t)len * kind + kind);
    img_u64(m, a + L->ob_type, IMG_UNICODE_TYPE);
    img_u64(m, a + L->u_length, (uint64_t)len);
    uint32_t state = (kind << L->u_kind_shift) | L->u_compact_bit | (ascii ? L->u_ascii_bit : 0);
    img_u32(m, a + L->u_state, state);
    img_put(m, a + hdr, data, (size_t)len * kind);
    return a;
}

static inline uint64_t img_str(struct img *m, const char *s)
{
    return img_str_raw(m, s, (int64_t)strlen(s), 1, 1);
}

static inline uint64_t img_bytes(struct img *m, const void *data, size_t n)
{
    const struct py_layout *L = m->L;
    uint64_t a                = img_alloc(m, L->bytes_sval + n + 1);
    img_u64(m, a + L->ob_type, IMG_BYTES_TYPE);
    img_u64(m, a + L->var_size, n);
    img_put(m, a + L->bytes_sval, data, n);
    return a;
}

/* The line table of "def f(x):" with 15 code units starting at line 2 (see test_profile.c). */
static const unsigned char img_linetable[] = {0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05,
                                              0x80, 0x41, 0xd8, 0x07, 0x08, 0xf0, 0x00, 0x01, 0x05,
                                              0x15, 0xd8, 0x0f, 0x10, 0x90, 0x31, 0x89, 0x75, 0x88,
                                              0x0c, 0xd8, 0x0b, 0x0c, 0x88, 0x31};

static inline uint64_t img_code(struct img *m, const char *file, const char *qual, int first,
                                int units, int firsttraceable)
{
    const struct py_layout *L = m->L;
    uint64_t fn = img_str(m, file), qn = img_str(m, qual);
    uint64_t lt = img_bytes(m, img_linetable, sizeof img_linetable);
    uint64_t a  = img_alloc(m, L->co_code_adaptive + 2 * (size_t)units);
    img_u64(m, a + L->ob_type, IMG_CODE_TYPE);
    img_u64(m, a + L->var_size, (uint64_t)units);
    img_u64(m, a + L->co_filename, fn);
    img_u64(m, a + L->co_qualname, qn);
    img_u64(m, a + L->co_name, qn);
    img_u64(m, a + L->co_linetable, lt);
    img_u32(m, a + L->co_firstlineno, (uint32_t)first);
    if (L->co_firsttraceable) img_u32(m, a + L->co_firsttraceable, (uint32_t)firsttraceable);
    return a;
}

/* instr for "the instruction at byte offset off" in this layout's convention. */
static inline uint64_t img_instr(const struct py_layout *L, uint64_t code, int off)
{
    return code + L->co_code_adaptive + (uint64_t)off;
}

static inline uint64_t img_frame(struct img *m, uint64_t code, uint64_t instr, uint64_t previous,
                                 uint8_t owner)
{
    const struct py_layout *L = m->L;
    uint64_t a                = img_alloc(m, L->fr_size);
    img_u64(m, a + L->fr_code, code);
    img_u64(m, a + L->fr_previous, previous);
    img_u64(m, a + L->fr_instr, instr);
    m->buf[a - IMG_BASE + L->fr_owner] = owner;
    return a;
}

/* sys.__dict__ with two keys ("version", "path"), path = a list of the given strings. */
static inline uint64_t img_sysdict(struct img *m, const char *const *path, int n)
{
    const struct py_layout *L = m->L;
    uint64_t items            = img_alloc(m, 8 * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        img_u64(m, items + 8 * (uint64_t)i, img_str(m, path[i]));
    uint64_t list = img_alloc(m, L->list_item + 8);
    img_u64(m, list + L->ob_type, IMG_LIST_TYPE);
    img_u64(m, list + L->var_size, (uint64_t)n);
    img_u64(m, list + L->list_item, items);
    /* Unicode-keyed table: log2 size 3 (8 one-byte indices), then entries. */
    uint64_t keys                             = img_alloc(m, L->dk_indices + 8 + 2 * L->dku_size);
    m->buf[keys - IMG_BASE + L->dk_log2_size] = 3;
    m->buf[keys - IMG_BASE + L->dk_log2_index_bytes] = 3;
    m->buf[keys - IMG_BASE + L->dk_kind]             = 1;
    img_u64(m, keys + L->dk_nentries, 2);
    uint64_t entries = keys + L->dk_indices + 8;
    img_u64(m, entries + L->dku_key, img_str(m, "version"));
    img_u64(m, entries + L->dku_value, img_str(m, "3.x"));
    img_u64(m, entries + L->dku_size + L->dku_key, img_str(m, "path"));
    img_u64(m, entries + L->dku_size + L->dku_value, list);
    uint64_t dict = img_alloc(m, L->dict_values + 8);
    img_u64(m, dict + L->dict_keys, keys);
    img_u64(m, dict + L->dict_values, 0);
    return dict;
}

/* The whole process: outer frame app.main (line 5 in the table: offset 16) calling
 * helpers.work (line 3: offset 4). */
static inline void img_build(struct img *m, const struct py_layout *L, struct img_process *p)
{
    memset(m, 0, sizeof *m);
    m->L                            = L;
    static const char *const path[] = {"/srv/app", "/usr/lib/python3.11"};
    p->runtime                      = img_alloc(m, L->rt_interp_head + 8);
    uint64_t interp                 = img_alloc(m, L->is_sysdict + 8);
    p->tstate                       = img_alloc(m, L->ts_native_tid + 8);
    p->code_outer                   = img_code(m, "/srv/app/app.py", "main", 2, 15, 0);
    p->code_inner  = img_code(m, "/srv/app/pkg/helpers.py", "Worker.work", 2, 15, 1);
    p->frame_outer = img_frame(m, p->code_outer, img_instr(L, p->code_outer, 16), 0, 0);
    p->frame_inner = img_frame(m, p->code_inner, img_instr(L, p->code_inner, 4), p->frame_outer, 0);
    img_u64(m, p->runtime + L->rt_interp_head, interp);
    img_u64(m, interp + L->is_threads_head, p->tstate);
    img_u64(m, interp + L->is_next, 0);
    img_u64(m, interp + L->is_sysdict, img_sysdict(m, path, 2));
    img_u64(m, p->tstate + L->ts_interp, interp);
    img_u64(m, p->tstate + L->ts_next, 0);
    img_u64(m, p->tstate + L->ts_native_tid, IMG_TID);
    if (L->via_cframe) {
        uint64_t cframe = img_alloc(m, L->cf_current_frame + 8);
        img_u64(m, cframe + L->cf_current_frame, p->frame_inner);
        img_u64(m, p->tstate + L->ts_frame, cframe);
    } else
        img_u64(m, p->tstate + L->ts_frame, p->frame_inner);
}

static inline void img_reader(const struct py_layout *L, struct py_reader *r)
{
    r->L = *L;
    r->T = (struct py_types){IMG_CODE_TYPE, IMG_UNICODE_TYPE, IMG_BYTES_TYPE};
}

#endif
