/* Finding a CPython runtime inside a process: which mapped file holds it (the executable, or a
 * libpython*.so for PIE/shared builds), where it was loaded, and the addresses of _PyRuntime,
 * Py_Version and the type objects the reader checks against. ELF files are read through
 * /proc/PID/root, so a process in a container is found from the host. */
#ifndef MP_PROFILE_LOCATE_H
#define MP_PROFILE_LOCATE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/pyread.h"
#include "util/err.h"

enum py_locate_status {
    PY_LOCATED = 0,
    PY_NOT_PYTHON,  /* no CPython runtime in this process (yet: it may exec later) */
    PY_UNSUPPORTED, /* a CPython, but a version this build cannot read */
    PY_NO_PERM,     /* not allowed to read its memory */
    PY_GONE,        /* exited */
    PY_NOT_READY,   /* a CPython whose runtime is not initialised yet */
};

struct py_location {
    char path[PATH_MAX]; /* the file with the runtime, as the target sees it */
    uint64_t runtime;    /* remote address of _PyRuntime */
    uint32_t version;    /* Py_Version (PY_VERSION_HEX) */
    struct py_reader reader;
};

/* Symbols per ELF file, so forked workers and restarts do not re-parse libpython. */
struct py_elf_cache;
struct py_elf_cache *py_elf_cache_new(void);
void py_elf_cache_free(struct py_elf_cache *c);

/* Locates and validates the runtime of pid, and builds its reader (layout and type addresses).
 * On anything but PY_LOCATED, err says what was found and why it cannot be profiled. */
enum py_locate_status py_locate(pid_t pid, struct py_elf_cache *cache, struct py_location *out,
                                mp_err *err);

/* The sentence every permission failure ends with: what to change, given this machine. */
void py_permission_hint(char *buf, size_t n);

#endif
