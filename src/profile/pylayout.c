#include "profile/pylayout.h"

#include <stdio.h>
#include <string.h>

#include "profile/py312_layout.h"
#include "py311_layout.h" /* generated at build time from /usr/include/python3.11 */

static const struct py_layout layout311 = MP_PY311_LAYOUT;
static const struct py_layout layout312 = MP_PY312_LAYOUT;

void py_version_str(uint32_t hex, char buf[32])
{
    unsigned major = hex >> 24, minor = (hex >> 16) & 0xff, micro = (hex >> 8) & 0xff;
    unsigned level = (hex >> 4) & 0xf, serial = hex & 0xf;
    const char *tag = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";
    if ((hex & 0xffff) == 0)
        snprintf(buf, 32, "%u.%u", major, minor); /* only the minor version is known */
    else if (level == 0xf || !*tag)
        snprintf(buf, 32, "%u.%u.%u", major, minor, micro);
    else
        snprintf(buf, 32, "%u.%u.%u%s%u", major, minor, micro, tag, serial);
}

int py_layout_builtin(uint32_t version_hex, struct py_layout *out, mp_err *err)
{
    uint32_t minor = version_hex & 0xffff0000u;
    if (minor == layout311.version)
        *out = layout311;
    else if (minor == layout312.version)
        *out = layout312;
    else {
        char v[32];
        py_version_str(version_hex, v);
        return mp_fail(err, "Python %s has no built-in layout table (3.11 and 3.12 do)", v);
    }
    return 0;
}

/* The 3.13 _Py_DebugOffsets, as 8-byte words after the 8-byte cookie (Include/internal/
 * pycore_runtime.h of 3.13). Indices are word positions counted from the start of the block. */
enum {
    DO_VERSION = 1,
    DO_FREE_THREADED,
    DO_RT_SIZE,
    DO_RT_FINALIZING,
    DO_RT_INTERP_HEAD,
    DO_IS_SIZE,
    DO_IS_ID,
    DO_IS_NEXT,
    DO_IS_THREADS_HEAD,
    DO_IS_GC,
    DO_IS_MODULES,
    DO_IS_SYSDICT,
    DO_IS_BUILTINS,
    DO_IS_CEVAL_GIL,
    DO_IS_GIL_RUNTIME,
    DO_IS_GIL_ENABLED,
    DO_IS_GIL_LOCKED,
    DO_IS_GIL_HOLDER,
    DO_TS_SIZE,
    DO_TS_PREV,
    DO_TS_NEXT,
    DO_TS_INTERP,
    DO_TS_CURRENT_FRAME,
    DO_TS_THREAD_ID,
    DO_TS_NATIVE_TID,
    DO_TS_DATASTACK,
    DO_TS_STATUS,
    DO_FR_SIZE,
    DO_FR_PREVIOUS,
    DO_FR_EXECUTABLE,
    DO_FR_INSTR,
    DO_FR_LOCALSPLUS,
    DO_FR_OWNER,
    DO_CO_SIZE,
    DO_CO_FILENAME,
    DO_CO_NAME,
    DO_CO_QUALNAME,
    DO_CO_LINETABLE,
    DO_CO_FIRSTLINENO,
    DO_CO_ARGCOUNT,
    DO_CO_LOCALSPLUSNAMES,
    DO_CO_LOCALSPLUSKINDS,
    DO_CO_CODE_ADAPTIVE,
    DO_OB_SIZE,
    DO_OB_TYPE,
    DO_TP_SIZE,
    DO_TP_NAME,
    DO_TP_REPR,
    DO_TP_FLAGS,
    DO_TUPLE_SIZE,
    DO_TUPLE_ITEM,
    DO_TUPLE_OB_SIZE,
    DO_LIST_SIZE,
    DO_LIST_ITEM,
    DO_LIST_OB_SIZE,
    DO_DICT_SIZE,
    DO_DICT_KEYS,
    DO_DICT_VALUES,
    DO_FLOAT_SIZE,
    DO_FLOAT_FVAL,
    DO_LONG_SIZE,
    DO_LONG_TAG,
    DO_LONG_DIGIT,
    DO_BYTES_SIZE,
    DO_BYTES_OB_SIZE,
    DO_BYTES_SVAL,
    DO_U_SIZE,
    DO_U_STATE,
    DO_U_LENGTH,
    DO_U_ASCII_SIZE,
    DO_GC_SIZE,
    DO_GC_COLLECTING,
    DO_NWORDS
};

size_t py_debug_offsets_size(void)
{
    return DO_NWORDS * 8;
}

static uint64_t word(const unsigned char *b, int i)
{
    uint64_t v;
    memcpy(&v, b + (size_t)i * 8, 8);
    return v;
}

/* An offset is plausible when a field of `width` bytes at it lies inside a struct of `size`. */
static int fits(uint64_t off, uint64_t width, uint64_t size)
{
    return size >= width && size <= (1u << 20) && off <= size - width;
}

int py_layout_from_debug_offsets(const void *buf, size_t n, uint32_t version_hex,
                                 struct py_layout *out, mp_err *err)
{
    const unsigned char *b = buf;
    if (n < py_debug_offsets_size())
        return mp_fail(err, "_Py_DebugOffsets: %zu bytes, need %zu", n, py_debug_offsets_size());
    if (memcmp(b, "xdebugpy", 8) != 0)
        return mp_fail(err, "_PyRuntime does not start with the \"xdebugpy\" cookie");
    uint64_t v = word(b, DO_VERSION);
    char vs[32], ps[32];
    py_version_str((uint32_t)v, vs);
    py_version_str(version_hex, ps);
    if ((v >> 32) != 0 || (uint32_t)v != version_hex)
        return mp_fail(err, "_Py_DebugOffsets says version %s but Py_Version says %s", vs, ps);
    if ((version_hex & 0xffff0000u) != 0x030d0000u)
        return mp_fail(err,
                       "Python %s: this build reads the _Py_DebugOffsets layout of 3.13 only "
                       "(the block grows in every minor version)",
                       ps);
    if (word(b, DO_FREE_THREADED) != 0)
        return mp_fail(err, "Python %s is a free-threaded build, which is not supported", ps);

    struct {
        int off, width, size;
    } checks[] = {
        {DO_RT_INTERP_HEAD, 8, DO_RT_SIZE},   {DO_IS_NEXT, 8, DO_IS_SIZE},
        {DO_IS_THREADS_HEAD, 8, DO_IS_SIZE},  {DO_IS_SYSDICT, 8, DO_IS_SIZE},
        {DO_TS_NEXT, 8, DO_TS_SIZE},          {DO_TS_INTERP, 8, DO_TS_SIZE},
        {DO_TS_CURRENT_FRAME, 8, DO_TS_SIZE}, {DO_TS_NATIVE_TID, 8, DO_TS_SIZE},
        {DO_FR_PREVIOUS, 8, DO_FR_SIZE},      {DO_FR_EXECUTABLE, 8, DO_FR_SIZE},
        {DO_FR_INSTR, 8, DO_FR_SIZE},         {DO_FR_OWNER, 1, DO_FR_SIZE},
        {DO_CO_FILENAME, 8, DO_CO_SIZE},      {DO_CO_NAME, 8, DO_CO_SIZE},
        {DO_CO_QUALNAME, 8, DO_CO_SIZE},      {DO_CO_LINETABLE, 8, DO_CO_SIZE},
        {DO_CO_FIRSTLINENO, 4, DO_CO_SIZE},   {DO_CO_CODE_ADAPTIVE, 0, DO_CO_SIZE},
        {DO_OB_TYPE, 8, DO_OB_SIZE},          {DO_LIST_ITEM, 8, DO_LIST_SIZE},
        {DO_LIST_OB_SIZE, 8, DO_LIST_SIZE},   {DO_DICT_KEYS, 8, DO_DICT_SIZE},
        {DO_DICT_VALUES, 8, DO_DICT_SIZE},    {DO_BYTES_OB_SIZE, 8, DO_BYTES_SIZE},
        {DO_BYTES_SVAL, 0, DO_BYTES_SIZE},    {DO_U_STATE, 4, DO_U_SIZE},
        {DO_U_LENGTH, 8, DO_U_SIZE},          {DO_U_ASCII_SIZE, 0, DO_U_SIZE},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        uint64_t off = word(b, checks[i].off), size = word(b, checks[i].size);
        if (!fits(off, (uint64_t)checks[i].width, size))
            return mp_fail(err, "_Py_DebugOffsets: field %d offset %llu outside its struct (%llu)",
                           checks[i].off, (unsigned long long)off, (unsigned long long)size);
    }
    uint64_t ascii = word(b, DO_U_ASCII_SIZE);
    if (ascii < 24 || ascii > 256) return mp_fail(err, "_Py_DebugOffsets: bad PyASCIIObject size");

    memset(out, 0, sizeof *out);
    out->version          = version_hex & 0xffff0000u;
    out->via_cframe       = 0;
    out->instr_is_prev    = 0;
    out->tagged_exec      = 0;
    out->rt_size          = (uint32_t)word(b, DO_RT_SIZE);
    out->rt_interp_head   = (uint32_t)word(b, DO_RT_INTERP_HEAD);
    out->is_next          = (uint32_t)word(b, DO_IS_NEXT);
    out->is_threads_head  = (uint32_t)word(b, DO_IS_THREADS_HEAD);
    out->is_sysdict       = (uint32_t)word(b, DO_IS_SYSDICT);
    out->ts_next          = (uint32_t)word(b, DO_TS_NEXT);
    out->ts_interp        = (uint32_t)word(b, DO_TS_INTERP);
    out->ts_frame         = (uint32_t)word(b, DO_TS_CURRENT_FRAME);
    out->ts_native_tid    = (uint32_t)word(b, DO_TS_NATIVE_TID);
    out->fr_size          = (uint32_t)word(b, DO_FR_SIZE);
    out->fr_code          = (uint32_t)word(b, DO_FR_EXECUTABLE);
    out->fr_previous      = (uint32_t)word(b, DO_FR_PREVIOUS);
    out->fr_instr         = (uint32_t)word(b, DO_FR_INSTR);
    out->fr_owner         = (uint32_t)word(b, DO_FR_OWNER);
    out->co_size          = (uint32_t)word(b, DO_CO_SIZE);
    out->co_filename      = (uint32_t)word(b, DO_CO_FILENAME);
    out->co_name          = (uint32_t)word(b, DO_CO_NAME);
    out->co_qualname      = (uint32_t)word(b, DO_CO_QUALNAME);
    out->co_linetable     = (uint32_t)word(b, DO_CO_LINETABLE);
    out->co_firstlineno   = (uint32_t)word(b, DO_CO_FIRSTLINENO);
    out->co_code_adaptive = (uint32_t)word(b, DO_CO_CODE_ADAPTIVE);
    out->ob_type          = (uint32_t)word(b, DO_OB_TYPE);
    out->var_size         = (uint32_t)word(b, DO_LIST_OB_SIZE);
    out->list_item        = (uint32_t)word(b, DO_LIST_ITEM);
    out->bytes_sval       = (uint32_t)word(b, DO_BYTES_SVAL);
    out->u_state          = (uint32_t)word(b, DO_U_STATE);
    out->u_length         = (uint32_t)word(b, DO_U_LENGTH);
    out->u_ascii_data     = (uint32_t)ascii;
    /* PyCompactUnicodeObject adds utf8_length and utf8 to PyASCIIObject; the block does not carry
     * its size, and it has been header + 16 bytes since PEP 393. */
    out->u_compact_data = (uint32_t)ascii + 16;
    /* The state bitfield (interned:2, kind:3, compact:1, ascii:1) is unchanged since 3.12, and
     * the block has no entry for it. */
    out->u_kind_shift  = 2;
    out->u_kind_mask   = 7;
    out->u_compact_bit = 1u << 5;
    out->u_ascii_bit   = 1u << 6;
    out->dict_keys     = (uint32_t)word(b, DO_DICT_KEYS);
    out->dict_values   = (uint32_t)word(b, DO_DICT_VALUES);
    /* PyDictKeysObject is not described by the block; its layout is the same in 3.11, 3.12 and
     * 3.13 (checked against all three headers by tools/pyoffsets and tests/unit/test_profile.c). */
    out->dk_log2_size        = 8;
    out->dk_log2_index_bytes = 9;
    out->dk_kind             = 10;
    out->dk_nentries         = 24;
    out->dk_indices          = 32;
    out->dke_size            = 24;
    out->dke_key             = 8;
    out->dke_value           = 16;
    out->dku_size            = 16;
    out->dku_key             = 0;
    out->dku_value           = 8;
    return 0;
}
