/* Where things are inside a running CPython: one table of byte offsets per supported version, plus
 * the few semantic switches that a table cannot express. 3.11 comes from the interpreter's own
 * headers at build time (tools/pyoffsets), 3.12 from a table generated the same way and checked in,
 * 3.13 from the _Py_DebugOffsets block the interpreter carries at the start of _PyRuntime. */
#ifndef MP_PROFILE_PYLAYOUT_H
#define MP_PROFILE_PYLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct py_layout {
    uint32_t version;   /* PY_VERSION_HEX with micro and release level cleared */
    uint8_t via_cframe; /* 3.11/3.12: tstate->cframe->current_frame; 3.13: tstate->current_frame */
    uint8_t instr_is_prev; /* frame holds prev_instr (3.11/3.12) rather than instr_ptr (3.13) */
    uint8_t tagged_exec;   /* the code pointer is a tagged _PyStackRef (3.14; unused so far) */
    uint32_t rt_size;      /* sizeof(_PyRuntimeState), to sanity-check a located runtime */
    uint32_t rt_interp_head;
    uint32_t is_next, is_threads_head, is_sysdict;
    uint32_t ts_next, ts_interp, ts_frame, ts_native_tid;
    uint32_t cf_current_frame;
    uint32_t fr_size, fr_code, fr_previous, fr_instr, fr_owner;
    uint32_t co_size, co_filename, co_name, co_qualname, co_linetable, co_firstlineno;
    uint32_t co_firsttraceable; /* 0 when the version has no such field we know of */
    uint32_t co_code_adaptive;
    uint32_t ob_type, var_size, bytes_sval, list_item;
    uint32_t u_state, u_length, u_ascii_data, u_compact_data;
    uint32_t u_kind_shift, u_kind_mask, u_compact_bit, u_ascii_bit;
    uint32_t dict_keys, dict_values;
    uint32_t dk_log2_size, dk_log2_index_bytes, dk_kind, dk_nentries, dk_indices;
    uint32_t dke_size, dke_key, dku_size, dku_key, dku_value, dke_value;
};

/* Frame owners from pycore_frame.h; values at or above PY_OWNER_CSTACK are never Python code. */
enum {
    PY_OWNER_THREAD       = 0,
    PY_OWNER_GENERATOR    = 1,
    PY_OWNER_FRAME_OBJECT = 2,
    PY_OWNER_CSTACK       = 3
};

/* "3.11", "3.12.1", "3.13.0rc2" from a full PY_VERSION_HEX. */
void py_version_str(uint32_t hex, char buf[32]);

/* The built-in table for a 3.11 or 3.12 interpreter (any micro version). Fails with a message that
 * names the version for anything else. */
int py_layout_builtin(uint32_t version_hex, struct py_layout *out, mp_err *err);

/* Size of the _Py_DebugOffsets block this build understands (3.13), i.e. how many bytes to read
 * from the start of _PyRuntime before calling py_layout_from_debug_offsets. */
size_t py_debug_offsets_size(void);

/* Builds the layout of a 3.13 interpreter from the raw bytes of its _Py_DebugOffsets (n bytes from
 * the start of _PyRuntime). version_hex is Py_Version read from the same process; it must agree
 * with the block. Every offset is checked against the struct sizes the block also declares, so a
 * corrupt or foreign block is an error, never an out-of-range read later. */
int py_layout_from_debug_offsets(const void *buf, size_t n, uint32_t version_hex,
                                 struct py_layout *out, mp_err *err);

#endif
