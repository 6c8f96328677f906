/* Reading CPython's thread states, frames, code objects and strings out of another process's
 * memory. Every read goes through an mp_rmem, so the same code runs against a live process, a
 * paused thread's page cache, or a random image in the fuzzer; nothing here trusts what it reads:
 * pointers are checked for alignment, sizes and counts for bounds, and strings are decoded and
 * validated before anyone sees them. */
#ifndef MP_PROFILE_PYREAD_H
#define MP_PROFILE_PYREAD_H

#include <stddef.h>
#include <stdint.h>

#include "profile/pylayout.h"
#include "profile/rmem.h"
#include "util/sb.h"

/* Remote addresses of type objects, for identity checks; 0 skips the check. */
struct py_types {
    uint64_t code, unicode, bytes;
};

struct py_reader {
    struct py_layout L;
    struct py_types T;
};

enum { PY_MAX_THREADS = 1024, PY_MAX_DEPTH = 512, PY_STR_MAX = 4096 };

struct py_thread {
    uint64_t tstate;
    uint64_t native_tid; /* in the target's PID namespace */
};

/* The thread states of every interpreter, up to max. Returns the count, or -1 when the list could
 * not be read (the runtime is not initialised yet, or is being torn down). */
int py_threads(const mp_rmem *m, const struct py_reader *r, uint64_t runtime, struct py_thread *out,
               int max);

/* The volatile part of one frame: what must be copied while the thread is paused. */
struct py_rawframe {
    uint64_t code;  /* code object address (not yet validated) */
    uint64_t instr; /* prev_instr (3.11/3.12) or instr_ptr (3.13) */
    uint8_t owner;
};
struct py_rawstack {
    struct py_rawframe f[PY_MAX_DEPTH]; /* innermost first */
    int n;
    int truncated; /* deeper than PY_MAX_DEPTH */
    uint64_t top;  /* address of the innermost frame, for torn-read checks */
};
enum { PY_OK = 0, PY_EREAD = -1, PY_EINVALID = -2 };
/* Copies the frame chain of a thread. PY_EREAD: memory could not be read (thread or process gone);
 * PY_EINVALID: what was read is not a frame chain (a torn read). */
int py_stack(const mp_rmem *m, const struct py_reader *r, uint64_t tstate, struct py_rawstack *out);
/* Only the innermost frame's address (0 when the thread runs no Python code). */
int py_top_frame(const mp_rmem *m, const struct py_reader *r, uint64_t tstate, uint64_t *frame);

/* A str object as UTF-8, appended to out. Fails unless the object is a compact str of a valid kind
 * and length (0 < length <= PY_STR_MAX, or 0 allowed when allow_empty) whose characters are valid
 * code points and not control characters. */
int py_str(const mp_rmem *m, const struct py_reader *r, uint64_t addr, int allow_empty, sb *out);

/* What a code object says about itself, read once and cached by the sampler. */
struct py_code {
    uint64_t p_filename, p_qualname, p_linetable; /* remote pointers, for cache validation */
    char *filename, *qualname;                    /* owned, validated UTF-8 */
    unsigned char *linetable;                     /* owned */
    size_t linetable_len;
    int firstlineno;
    int firsttraceable; /* in code units */
    int64_t ncodeunits;
};
int py_code_read(const mp_rmem *m, const struct py_reader *r, uint64_t addr, struct py_code *out);
void py_code_free(struct py_code *c);
/* 1 when the object at addr still looks like the code object c was read from. */
int py_code_same(const mp_rmem *m, const struct py_reader *r, uint64_t addr,
                 const struct py_code *c);

/* Line for a byte offset into the code (3.11+ location table); -1 when the table has none. */
int py_addr2line(const unsigned char *table, size_t n, int firstlineno, int64_t addrq);

/* Resolves a raw frame against its code object: 1 and *line when it should be shown, 0 when it is
 * an incomplete frame (still in its prologue), -1 when its instruction pointer is not inside the
 * code (a torn read). */
int py_frame_line(const struct py_reader *r, const struct py_code *c, const struct py_rawframe *f,
                  int *line);

/* A qualname is dotted identifiers and <...> markers such as <locals>, <lambda>, <module>. */
int py_valid_qualname(const char *s);

/* sys.path of the main interpreter, read from its sys module dict. Returns the number of entries
 * (each an owned string in *out), or -1. */
int py_sys_path(const mp_rmem *m, const struct py_reader *r, uint64_t runtime, char ***out);

#endif
