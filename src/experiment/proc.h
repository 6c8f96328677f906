/* Running measured commands: each in its own process group, with a timeout that kills the whole
 * group, stdout/stderr captured, and the CPU time of the whole process tree -- including
 * grandchildren that were orphaned, because the runner makes itself a child subreaper
 * (proc_become_subreaper) so orphans are re-parented to it and reaped with their rusage. */
#ifndef MP_EXPERIMENT_PROC_H
#define MP_EXPERIMENT_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"
#include "util/sb.h"

/* Call once at start of a runner process. */
int proc_become_subreaper(mp_err *err);

/* A runner blocks SIGINT and SIGTERM and polls for them (proc_stop_requested) between and during
 * runs, so an interruption always lands at a point where the current run can be stopped cleanly
 * and nothing half-measured is recorded. Children get an empty signal mask. */
void proc_block_stop_signals(void);
/* Whether SIGINT or SIGTERM is pending (delivered while blocked). */
int proc_stop_requested(void);

/* The last non-empty line of s, at most 200 bytes (caller frees; "" when none). */
char *proc_last_line(const sb *s);
/* The last max_bytes of s, starting at a line start when one is within them (caller frees). */
char *proc_tail(const sb *s, size_t max_bytes);

typedef struct proc_spec {
    const char *command; /* run as /bin/sh -c command */
    const char *cwd;     /* NULL: inherit */
    const char *const
        *env; /* "NAME=value" entries added to (overriding) the environment; NULL-terminated */
    double timeout_s;  /* <= 0: none */
    size_t max_output; /* cap per stream (0: 1 MiB); the rest is drained and dropped */
    /* When set, a pending SIGINT or SIGTERM (which the caller keeps blocked, see
     * proc_block_stop_signals) kills the group and ends the run with `cancelled` set. The signal
     * stays pending for the caller to see. */
    int cancel_on_signal;
} proc_spec;

typedef struct proc_result {
    int exit_code; /* valid when !signaled && !timed_out */
    int signaled;  /* killed by signal term_signal (not by our timeout) */
    int term_signal;
    int timed_out; /* we killed the group after timeout_s */
    int cancelled; /* we killed the group because SIGINT/SIGTERM was pending */
    double wall_s;
    double user_s, sys_s; /* whole process tree */
    long max_rss_kb;      /* largest single process in the tree */
    sb out, err;
} proc_result;

void proc_result_free(proc_result *r);

/* Runs to completion (or timeout). Returns -1 only when the command could not be started. */
int proc_run(const proc_spec *spec, proc_result *res, mp_err *err);

/* A long-running child (a server): started in its own process group, not waited for. */
typedef struct proc_bg {
    pid_t pid;  /* also the process group id */
    int out_fd; /* combined stdout+stderr, non-blocking, for diagnostics */
} proc_bg;

int proc_start(const proc_spec *spec, proc_bg *bg, mp_err *err);
/* SIGTERM to the group, then SIGKILL after grace_s; reaps the leader. Returns the tree's CPU time
 * consumed by processes reaped during the stop (rarely needed) through user_s/sys_s if non-NULL. */
void proc_stop(proc_bg *bg, double grace_s);
/* Whether the leader is still running (reaps it if it exited; *exit_status gets its wait status).
 */
int proc_alive(proc_bg *bg, int *exit_status);

/* CPU time (user+sys, seconds) and resident memory (bytes) of every live process whose process
 * group is pgid, from /proc. Processes that exited in between are not counted: callers measure
 * windows during which the server's processes stay alive, and say so. */
typedef struct proc_tree_usage {
    double user_s, sys_s;
    uint64_t rss_bytes;
    int nprocs;
} proc_tree_usage;
int proc_group_usage(pid_t pgid, proc_tree_usage *u);

#endif
