/* mixperf profile: a sampling profiler for running CPython processes (3.11, 3.12, 3.13), by
 * module, function and line.
 *
 * By default it is accurate: every tick, each thread that used CPU since the last tick is paused
 * for a few microseconds (ptrace seize + interrupt), the volatile part of its frame chain is
 * copied, and it is released at once; code objects and strings are resolved afterwards from
 * caches. Non-blocking mode reads without pausing and reports how often the reads were torn.
 * It never writes to the target, and every thread is released when profiling stops.
 *
 * Library use (the CLI in src/cmd/profile.c and the experiment runner both do this):
 *
 *     struct mp_profile_opts o = mp_profile_defaults();
 *     o.subprocesses = 1;                            // follow gunicorn workers
 *     mp_profiler *p = mp_profile_new(&o);
 *     if (mp_profile_add_pid(p, server_pid, &err) != 0) ...
 *     if (mp_profile_start(p, &err) != 0) ...          // samples on its own thread
 *     ... drive the load for the measurement window ...
 *     mp_profile_stop(p);                              // releases and detaches every thread
 *     mp_profile_write(p, &outputs, &err);             // files, and/or:
 *     mp_profile_hot_modules(p, &rows, &n);            // what a report table shows
 *     mp_profile_free(p);
 *
 * The CLI instead calls mp_profile_run(), which samples on the calling thread until the duration
 * ends, every target exits, or one of the signals in opts.stop_signals arrives (the caller blocks
 * them first, so no signal handler or global state is needed). */
#ifndef MP_PROFILE_PROFILE_H
#define MP_PROFILE_PROFILE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/err.h"

struct mp_profile_opts {
    double rate_hz;       /* samples per second per process; default 100 */
    double duration_s;    /* 0: until stopped or every target has exited */
    int wall;             /* sample idle threads too, weighted by wall time */
    int nonblocking;      /* do not pause threads; count torn reads */
    int subprocesses;     /* follow descendants of the added processes as they appear */
    int reference_stop;   /* diagnostic: SIGSTOP/SIGCONT the whole process for each sample */
    double attach_wait_s; /* how long a new process may take to initialise Python; default 2 */
    uint64_t seed;        /* tick jitter; 0 draws one from the OS */
    const sigset_t *stop_signals; /* mp_profile_run returns when one is pending (may be NULL) */
};
struct mp_profile_opts mp_profile_defaults(void);

typedef struct mp_profiler mp_profiler;

mp_profiler *mp_profile_new(const struct mp_profile_opts *opts);
void mp_profile_free(mp_profiler *p);

/* Adds a process to profile. Fails (with the reason) when it is not a supported CPython or cannot
 * be read, unless subprocesses is set, in which case a non-Python root (a shell, a launcher) is
 * kept only as a parent whose descendants are followed. Waits up to attach_wait_s for a process
 * that is still starting up. */
int mp_profile_add_pid(mp_profiler *p, pid_t pid, mp_err *err);

/* Starts COMMAND (argv[0] looked up in PATH) as a child and adds it once it runs Python. The
 * child's exit status is kept (mp_profile_child_status). */
int mp_profile_spawn(mp_profiler *p, char *const argv[], mp_err *err);
/* The spawned command's wait status, or -1 while it runs or when there is none. */
int mp_profile_child_status(const mp_profiler *p);
/* Ends the spawned command if it still runs when profiling stops: SIGTERM, up to 5 s to exit,
 * then SIGKILL; the command is reaped either way. */
void mp_profile_end_child(mp_profiler *p);

/* Samples on the calling thread; see above. Returns 0, or -1 on a fatal error (permission). */
int mp_profile_run(mp_profiler *p, mp_err *err);
/* Samples on a new thread until mp_profile_stop. */
int mp_profile_start(mp_profiler *p, mp_err *err);
/* Stops the sampling thread (all threads of the targets are released), and returns the first
 * fatal error it hit (0 if none). */
int mp_profile_stop(mp_profiler *p, mp_err *err);

struct mp_profile_outputs {
    FILE *top;             /* text header and top-N tables (e.g. stdout), or NULL */
    int top_n;             /* rows per table; default 20; -1 writes the header only */
    const char *collapsed; /* file paths, or NULL */
    const char *speedscope;
    const char *svg;
};
int mp_profile_write(mp_profiler *p, const struct mp_profile_outputs *out, mp_err *err);

/* Hot modules, sorted by self time, descending. Fractions are of all sampled weight. */
struct mp_profile_row {
    const char *name; /* owned by the profiler */
    double self_frac, total_frac;
    uint64_t self_ns, total_ns;
};
/* *rows is an owned array the caller frees (names stay owned by p). */
void mp_profile_hot_modules(mp_profiler *p, struct mp_profile_row **rows, size_t *n);

struct mp_profile_counts {
    uint64_t ticks, samples, idle, errors, torn, attempts, lost_threads;
    uint64_t off_cpu;     /* CPU mode: ran since the last tick but was not on a CPU at this one */
    uint64_t cpu_ns;      /* CPU time the sampled threads used, from schedstat, for comparison */
    uint64_t list_errors; /* ticks at which a process's thread list could not be read */
    uint64_t processes, non_python, pause_ns_total, pauses;
    uint64_t pause_running_ns, pauses_running; /* pauses of threads caught on a CPU */
    uint64_t weight_ns;
};
void mp_profile_counts(const mp_profiler *p, struct mp_profile_counts *out);

#endif
