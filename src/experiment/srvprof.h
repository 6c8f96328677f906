/* A server run's profile (`profile: true`, docs/experiments.md): the server's process tree is
 * sampled by the profiler library (profile/profile.h) from the measurement window's start to its
 * end, and the run's line gets a "profile" object with the top modules and the counts, plus the
 * collapsed stacks in a file. A profiler failure is part of that object ("error"), never a
 * failure of the run. Internal to the runner (exec_server.c). */
#ifndef MP_EXPERIMENT_SRVPROF_H
#define MP_EXPERIMENT_SRVPROF_H

#include <jansson.h>
#include <sys/types.h>

#include "util/err.h"

/* Modules kept per run in the line, by self share; the rest is counted in modules_omitted. */
#define EX_PROFILE_MAX_MODULES 200

typedef struct ex_srvprof ex_srvprof;

/* Prepares to profile pid and its descendants (a non-Python root such as /bin/sh is only
 * followed) at rate_hz per process. Never NULL: an attach failure is kept for the line. Call
 * before the load starts: finding the interpreter takes a few milliseconds. */
ex_srvprof *ex_srvprof_new(pid_t pid, double rate_hz);
/* The window opened: sampling starts on the profiler's own thread. */
void ex_srvprof_start(ex_srvprof *sp);
/* The window closed (or the load ended without closing it): sampling stops and every thread of
 * the server is released. Idempotent; call before the server is stopped or waited for. */
void ex_srvprof_stop(ex_srvprof *sp);
/* Whether the window opened (no window, no profile; an attach failure is reported once it
 * opens). */
int ex_srvprof_started(const ex_srvprof *sp);
/* The line's "profile" object. Writes the collapsed stacks to stacks_path (NULL: none) and
 * records stacks_rel, the path as the line names it. */
json_t *ex_srvprof_json(ex_srvprof *sp, const char *stacks_path, const char *stacks_rel);
void ex_srvprof_free(ex_srvprof *sp);

/* Where a run's collapsed stacks go: WORK/profiles/RUNTIME/BENCHMARK/CONFIG/INDEX.collapsed
 * (directories created), and that path relative to the results file's directory (*rel), which
 * is what the line records. work is absolute; both strings are the caller's. */
int ex_profile_paths(const char *work, const char *results, const char *runtime,
                     const char *benchmark, const char *config, long index, char **path, char **rel,
                     mp_err *err);

#endif
