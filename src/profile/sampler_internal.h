/* The profiler's state, shared by sampler.c (collecting) and output.c (writing). Internal to the
 * profile area. */
#ifndef MP_PROFILE_SAMPLER_INTERNAL_H
#define MP_PROFILE_SAMPLER_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "profile/agg.h"
#include "profile/locate.h"
#include "profile/profile.h"
#include "profile/pyread.h"
#include "profile/rmem.h"
#include "util/rng.h"

struct thread_rec {
    pid_t tid; /* host tid */
    uint64_t tstate;
    int stat_fd; /* /proc/PID/task/TID/schedstat, kept open */
    uint64_t last_cpu;
    int have_last, seen;
};

struct code_entry {
    uint64_t addr; /* 0: empty slot */
    struct py_code info;
    uint32_t func;
    uint32_t hits;
};

struct modname_entry {
    const char *filename; /* interned; NULL: empty slot */
    const char *module;
};

struct target {
    pid_t pid;
    unsigned long long starttime; /* /proc/PID/stat field 22, to detect pid reuse */
    int python;                   /* 0: a non-Python parent kept only to follow its children */
    int dead;
    struct py_location loc;
    struct rmem_proc rp;
    mp_rmem mem;
    struct thread_rec *threads;
    size_t nthreads, capthreads;
    struct code_entry *codes;
    size_t ncodes, capcodes; /* capcodes: power of two */
    struct modname_entry *mods;
    size_t nmods, capmods;
    char **sys_path;
    int nsys;
    uint64_t sys_path_ns;
    uint64_t reread_tick; /* the tick of the last sys.path re-read caused by an unknown file */
    int names_stale;      /* sys.path changed: module names and code entries must be rebuilt */
    char cwd[PATH_MAX];
    int other_ns;  /* native thread ids need translating through NSpid */
    pid_t *ns_map; /* pairs (ns tid, host tid) */
    size_t ns_n, ns_cap;
    uint64_t last_tick_ns;
    uint64_t samples;
};

/* A pid seen while following children that is not (yet) Python. */
struct passed_pid {
    pid_t pid;
    unsigned long long starttime;
    char exe[PATH_MAX];
    uint64_t first_ns;
    int final; /* unsupported version or no permission: never retried */
};

struct mp_profiler {
    struct mp_profile_opts o;
    struct agg agg;
    struct target **targets;
    size_t ntargets, captargets;
    pid_t *roots;
    size_t nroots, caproots;
    struct passed_pid *passed;
    size_t npassed, cappassed;
    struct py_elf_cache *elf;
    struct rmem_cache pc;
    struct py_rawstack *rs; /* one stack's worth of copied frames, reused every sample */
    mp_rng rng;
    struct mp_profile_counts c;
    uint64_t start_ns, end_ns, last_scan_ns;
    pid_t child;
    int child_status;
    char version[32]; /* the first located interpreter's version, for the header */
    char first_path[PATH_MAX];
    int mixed_versions;
    pthread_t thread;
    int thread_running;
    atomic_int stop;
    int fatal;
    mp_err fatal_err;
};

#endif
