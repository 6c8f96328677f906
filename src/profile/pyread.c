#include "profile/pyread.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static uint64_t get64(const unsigned char *b, uint32_t off)
{
    uint64_t v;
    memcpy(&v, b + off, 8);
    return v;
}

static int32_t get32(const unsigned char *b, uint32_t off)
{
    int32_t v;
    memcpy(&v, b + off, 4);
    return v;
}

/* Heap and stack objects are at least pointer aligned; anything else is garbage. The top of the
 * address space is never user memory, which also keeps "addr + offset" from wrapping. */
static int plausible_ptr(uint64_t p)
{
    return p != 0 && (p & 7) == 0 && p < (UINT64_C(1) << 56);
}

int py_threads(const mp_rmem *m, const struct py_reader *r, uint64_t runtime, struct py_thread *out,
               int max)
{
    const struct py_layout *L = &r->L;
    uint64_t interp;
    if (rmem_u64(m, runtime + L->rt_interp_head, &interp) != 0 || !plausible_ptr(interp)) return -1;
    int n = 0;
    for (int ninterp = 0; interp && ninterp < 64; ninterp++) {
        if (!plausible_ptr(interp)) return -1;
        uint64_t ts;
        if (rmem_u64(m, interp + L->is_threads_head, &ts) != 0) return -1;
        for (int guard = 0; ts && guard < PY_MAX_THREADS; guard++) {
            if (!plausible_ptr(ts)) return -1;
            uint64_t owner, tid, next;
            if (rmem_u64(m, ts + L->ts_interp, &owner) != 0 ||
                rmem_u64(m, ts + L->ts_native_tid, &tid) != 0 ||
                rmem_u64(m, ts + L->ts_next, &next) != 0)
                return -1;
            /* A thread state that does not point back at its interpreter is not one. */
            if (owner != interp) return -1;
            if (n < max) out[n++] = (struct py_thread){ts, tid};
            ts = next;
        }
        if (rmem_u64(m, interp + L->is_next, &interp) != 0) return -1;
    }
    return n;
}

int py_top_frame(const mp_rmem *m, const struct py_reader *r, uint64_t tstate, uint64_t *frame)
{
    const struct py_layout *L = &r->L;
    uint64_t p;
    if (rmem_u64(m, tstate + L->ts_frame, &p) != 0) return PY_EREAD;
    if (L->via_cframe && p) {
        /* tstate->cframe points into the C stack: re-read it on every attempt, never cache it. */
        if (!plausible_ptr(p)) return PY_EINVALID;
        if (rmem_u64(m, p + L->cf_current_frame, &p) != 0) return PY_EREAD;
    }
    if (p && !plausible_ptr(p)) return PY_EINVALID;
    *frame = p;
    return PY_OK;
}

int py_stack(const mp_rmem *m, const struct py_reader *r, uint64_t tstate, struct py_rawstack *out)
{
    const struct py_layout *L = &r->L;
    out->n                    = 0;
    out->truncated            = 0;
    uint64_t frame;
    int rc = py_top_frame(m, r, tstate, &frame);
    if (rc != PY_OK) return rc;
    out->top      = frame;
    uint32_t need = L->fr_owner + 1;
    if (L->fr_code + 8 > need) need = L->fr_code + 8;
    if (L->fr_previous + 8 > need) need = L->fr_previous + 8;
    if (L->fr_instr + 8 > need) need = L->fr_instr + 8;
    unsigned char buf[256];
    if (need > sizeof buf) return PY_EINVALID;
    int visited = 0;
    while (frame) {
        if (!plausible_ptr(frame)) return PY_EINVALID;
        if (++visited > 4 * PY_MAX_DEPTH) return PY_EINVALID; /* a cycle */
        if (rmem_read(m, frame, buf, need) != 0) return PY_EREAD;
        uint8_t owner = buf[L->fr_owner];
        uint64_t code = get64(buf, L->fr_code);
        if (L->tagged_exec) code &= ~(uint64_t)1;
        uint64_t prev = get64(buf, L->fr_previous);
        if (owner > PY_OWNER_CSTACK) return PY_EINVALID;
        if (owner != PY_OWNER_CSTACK) {
            /* Shim frames (owned by the C stack) hold no Python code; everything else must. */
            if (!plausible_ptr(code)) return PY_EINVALID;
            if (out->n < PY_MAX_DEPTH)
                out->f[out->n++] = (struct py_rawframe){code, get64(buf, L->fr_instr), owner};
            else
                out->truncated = 1;
        }
        frame = prev;
    }
    return PY_OK;
}

/* Appends code point c as UTF-8; 0, or -1 for what a name must not contain. */
static int put_utf8(sb *out, uint32_t c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) return -1; /* control characters */
    if (c >= 0xd800 && c <= 0xdfff) return -1;                       /* lone surrogates */
    if (c > 0x10ffff) return -1;
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char)c;
        n    = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xc0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3f));
        n    = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xe0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (char)(0x80 | (c & 0x3f));
        n    = 3;
    } else {
        b[0] = (char)(0xf0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[3] = (char)(0x80 | (c & 0x3f));
        n    = 4;
    }
    sb_add(out, b, n);
    return 0;
}

int py_str(const mp_rmem *m, const struct py_reader *r, uint64_t addr, int allow_empty, sb *out)
{
    const struct py_layout *L = &r->L;
    if (!plausible_ptr(addr)) return -1;
    unsigned char hdr[128];
    uint32_t hlen = L->u_state + 4;
    if (L->u_length + 8 > hlen) hlen = L->u_length + 8;
    if (L->ob_type + 8 > hlen) hlen = L->ob_type + 8;
    if (hlen > sizeof hdr || rmem_read(m, addr, hdr, hlen) != 0) return -1;
    if (r->T.unicode && get64(hdr, L->ob_type) != r->T.unicode) return -1;
    uint32_t state;
    memcpy(&state, hdr + L->u_state, 4);
    int64_t len;
    memcpy(&len, hdr + L->u_length, 8);
    uint32_t kind = (state >> L->u_kind_shift) & L->u_kind_mask;
    int ascii     = (state & L->u_ascii_bit) != 0;
    if (!(state & L->u_compact_bit)) return -1; /* legacy strings are never names or paths */
    if (kind != 1 && kind != 2 && kind != 4) return -1;
    if (ascii && kind != 1) return -1;
    if (len < 0 || len > PY_STR_MAX || (len == 0 && !allow_empty)) return -1;
    size_t bytes = (size_t)len * kind;
    unsigned char data[PY_STR_MAX * 4];
    uint64_t at = addr + (ascii ? L->u_ascii_data : L->u_compact_data);
    if (bytes && rmem_read(m, at, data, bytes) != 0) return -1;
    size_t mark = out->len;
    for (size_t i = 0; i < (size_t)len; i++) {
        uint32_t c;
        if (kind == 1)
            c = data[i];
        else if (kind == 2) {
            uint16_t u;
            memcpy(&u, data + 2 * i, 2);
            c = u;
        } else
            memcpy(&c, data + 4 * i, 4);
        if ((ascii && c >= 0x80) || put_utf8(out, c) != 0) {
            sb_truncate(out, mark);
            return -1;
        }
    }
    if (out->len == mark) sb_add(out, "", 0);
    return 0;
}

int py_valid_qualname(const char *s)
{
    if (!*s) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80) continue; /* identifiers may be non-ASCII; put_utf8 checked the encoding */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '.' || c == '<' || c == '>')
            continue;
        return 0;
    }
    return 1;
}

static char *read_name(const mp_rmem *m, const struct py_reader *r, uint64_t addr)
{
    sb s = {0};
    if (py_str(m, r, addr, 0, &s) != 0) {
        sb_free(&s);
        return NULL;
    }
    return sb_detach(&s);
}

void py_code_free(struct py_code *c)
{
    free(c->filename);
    free(c->qualname);
    free(c->linetable);
    memset(c, 0, sizeof *c);
}

int py_code_read(const mp_rmem *m, const struct py_reader *r, uint64_t addr, struct py_code *out)
{
    const struct py_layout *L = &r->L;
    memset(out, 0, sizeof *out);
    if (!plausible_ptr(addr) || L->co_size > 1024) return -1;
    unsigned char hdr[1024];
    if (rmem_read(m, addr, hdr, L->co_size) != 0) return -1;
    if (r->T.code && get64(hdr, L->ob_type) != r->T.code) return -1;
    int64_t nunits;
    memcpy(&nunits, hdr + L->var_size, 8);
    int32_t first = get32(hdr, L->co_firstlineno);
    int32_t trace = L->co_firsttraceable ? get32(hdr, L->co_firsttraceable) : 0;
    if (nunits <= 0 || nunits > (1 << 24) || first < 0 || first > (1 << 24) || trace < 0 ||
        trace > nunits)
        return -1;
    out->p_filename     = get64(hdr, L->co_filename);
    out->p_qualname     = get64(hdr, L->co_qualname);
    out->p_linetable    = get64(hdr, L->co_linetable);
    out->firstlineno    = first;
    out->firsttraceable = trace;
    out->ncodeunits     = nunits;

    out->filename = read_name(m, r, out->p_filename);
    out->qualname = read_name(m, r, out->p_qualname);
    if (!out->filename || !out->qualname || !py_valid_qualname(out->qualname)) goto bad;

    /* The line table is a bytes object; a missing or odd one only costs line numbers. */
    unsigned char bh[64];
    uint32_t bl = L->bytes_sval;
    if (plausible_ptr(out->p_linetable) && bl <= sizeof bh &&
        rmem_read(m, out->p_linetable, bh, bl) == 0 &&
        (!r->T.bytes || get64(bh, L->ob_type) == r->T.bytes)) {
        int64_t n;
        memcpy(&n, bh + L->var_size, 8);
        if (n > 0 && n <= (1 << 20)) {
            out->linetable = xmalloc((size_t)n);
            if (rmem_read(m, out->p_linetable + bl, out->linetable, (size_t)n) == 0)
                out->linetable_len = (size_t)n;
            else {
                free(out->linetable);
                out->linetable = NULL;
            }
        }
    }
    return 0;
bad:
    py_code_free(out);
    return -1;
}

int py_code_same(const mp_rmem *m, const struct py_reader *r, uint64_t addr,
                 const struct py_code *c)
{
    const struct py_layout *L = &r->L;
    unsigned char hdr[1024];
    if (L->co_size > sizeof hdr || rmem_read(m, addr, hdr, L->co_size) != 0) return 0;
    if (r->T.code && get64(hdr, L->ob_type) != r->T.code) return 0;
    int64_t nunits;
    memcpy(&nunits, hdr + L->var_size, 8);
    return get64(hdr, L->co_filename) == c->p_filename &&
           get64(hdr, L->co_qualname) == c->p_qualname &&
           get64(hdr, L->co_linetable) == c->p_linetable && nunits == c->ncodeunits &&
           get32(hdr, L->co_firstlineno) == c->firstlineno;
}

static int varint(const unsigned char *t, size_t n, size_t *i, uint32_t *out)
{
    uint32_t v = 0;
    for (int shift = 0;; shift += 6) {
        if (*i >= n || shift > 30) return -1;
        unsigned char b = t[(*i)++];
        v |= (uint32_t)(b & 63) << shift;
        if (!(b & 64)) break;
    }
    *out = v;
    return 0;
}

static int svarint(const unsigned char *t, size_t n, size_t *i, int32_t *out)
{
    uint32_t v;
    if (varint(t, n, i, &v) != 0) return -1;
    *out = (v & 1) ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
    return 0;
}

int py_addr2line(const unsigned char *t, size_t n, int firstlineno, int64_t addrq)
{
    if (addrq < 0) return firstlineno;
    int64_t addr = 0;
    int64_t line = firstlineno;
    size_t i     = 0;
    while (i < n) {
        unsigned char b = t[i++];
        if (!(b & 0x80)) return -1;
        int code    = (b >> 3) & 15;
        int64_t len = (b & 7) + 1;
        int known   = 1;
        int32_t d;
        uint32_t skip;
        switch (code) {
        case 15: /* no location */
            known = 0;
            break;
        case 14: /* long form: line delta, end line, column, end column */
            if (svarint(t, n, &i, &d) != 0 || varint(t, n, &i, &skip) != 0 ||
                varint(t, n, &i, &skip) != 0 || varint(t, n, &i, &skip) != 0)
                return -1;
            line += d;
            break;
        case 13: /* no column */
            if (svarint(t, n, &i, &d) != 0) return -1;
            line += d;
            break;
        case 10:
        case 11:
        case 12: /* one-line form: delta 0..2, then column and end column */
            line += code - 10;
            if (n - i < 2) return -1;
            i += 2;
            break;
        default: /* short form: same line, one column byte */
            if (n - i < 1) return -1;
            i += 1;
            break;
        }
        if (line < 0 || line > INT32_MAX) return -1;
        int64_t end = addr + len * 2;
        if (addrq >= addr && addrq < end) return known ? (int)line : -1;
        addr = end;
    }
    return -1;
}

int py_frame_line(const struct py_reader *r, const struct py_code *c, const struct py_rawframe *f,
                  int *line)
{
    const struct py_layout *L = &r->L;
    uint64_t start            = f->code + L->co_code_adaptive;
    /* prev_instr of a frame that has not run yet points one unit before the first instruction. */
    if (f->instr + 2 < start || f->instr > start + 2 * (uint64_t)c->ncodeunits) return -1;
    int64_t addrq = (int64_t)f->instr - (int64_t)start;
    if (L->co_firsttraceable && f->owner != PY_OWNER_GENERATOR &&
        addrq < 2 * (int64_t)c->firsttraceable)
        return 0;
    int l = c->linetable ? py_addr2line(c->linetable, c->linetable_len, c->firstlineno, addrq) : -1;
    *line = l > 0 ? l : c->firstlineno;
    return 1;
}

int py_sys_path(const mp_rmem *m, const struct py_reader *r, uint64_t runtime, char ***out)
{
    const struct py_layout *L = &r->L;
    *out                      = NULL;
    uint64_t interp, sysdict, keys, values;
    if (rmem_u64(m, runtime + L->rt_interp_head, &interp) != 0 || !plausible_ptr(interp) ||
        rmem_u64(m, interp + L->is_sysdict, &sysdict) != 0 || !plausible_ptr(sysdict) ||
        rmem_u64(m, sysdict + L->dict_keys, &keys) != 0 || !plausible_ptr(keys) ||
        rmem_u64(m, sysdict + L->dict_values, &values) != 0 || values != 0)
        return -1;
    unsigned char kh[64];
    if (L->dk_indices > sizeof kh || rmem_read(m, keys, kh, L->dk_indices) != 0) return -1;
    unsigned log2_index = kh[L->dk_log2_index_bytes], kind = kh[L->dk_kind];
    int64_t nentries;
    memcpy(&nentries, kh + L->dk_nentries, 8);
    if (log2_index > 24 || nentries < 0 || nentries > 65536 || kind > 1) return -1;
    uint32_t esize   = kind == 0 ? L->dke_size : L->dku_size;
    uint32_t ekey    = kind == 0 ? L->dke_key : L->dku_key;
    uint32_t evalue  = kind == 0 ? L->dke_value : L->dku_value;
    uint64_t entries = keys + L->dk_indices + (UINT64_C(1) << log2_index);
    uint64_t list    = 0;
    sb name          = {0};
    for (int64_t i = 0; i < nentries && !list; i++) {
        uint64_t k, v;
        uint64_t e = entries + (uint64_t)i * esize;
        if (rmem_u64(m, e + ekey, &k) != 0 || rmem_u64(m, e + evalue, &v) != 0) break;
        if (!k) continue; /* a deleted entry */
        sb_reset(&name);
        if (py_str(m, r, k, 0, &name) == 0 && strcmp(sb_str(&name), "path") == 0) list = v;
    }
    int64_t n = -1;
    uint64_t items;
    if (!plausible_ptr(list) || rmem_read(m, list + L->var_size, &n, 8) != 0 || n < 0 || n > 4096 ||
        rmem_u64(m, list + L->list_item, &items) != 0 || (n > 0 && !plausible_ptr(items))) {
        sb_free(&name);
        return -1;
    }
    char **v = xcalloc((size_t)n + 1, sizeof *v);
    int got  = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t s;
        sb_reset(&name);
        if (rmem_u64(m, items + 8 * (uint64_t)i, &s) != 0) break;
        /* Non-str entries (pathlib objects) are skipped, as the import system would not match
         * them either for source files. */
        if (py_str(m, r, s, 1, &name) == 0) v[got++] = xstrdup(sb_str(&name));
    }
    sb_free(&name);
    *out = v;
    return got;
}
