/* The load engine: runs a scenario against a host with N worker threads (docs/load.md). One call
 * does the whole run: setup, users according to the load shape, stop (time, stages or signal),
 * teardown, and every output. */
#ifndef MP_LOAD_ENGINE_H
#define MP_LOAD_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "util/err.h"

typedef struct ld_options {
    long users;          /* -u; < 0: not given (1, or the stages) */
    double spawn_rate;   /* -r, users/s; <= 0: all at once */
    double run_time;     /* -t, seconds; <= 0: until stopped (or the end of the stages) */
    const char *host;    /* --host; NULL: the scenario's */
    double rate;         /* --rate, iterations/s; <= 0: closed model */
    long threads;        /* worker threads, >= 1 */
    double stop_timeout; /* seconds a stopping user may finish its task */
    uint64_t seed;       /* every random stream derives from it */
    const char *csv_prefix;
    double csv_interval; /* seconds between history rows */
    const char *json_path;
    int quiet;       /* no progress lines, no final table */
    int no_setup;    /* skip the scenario's setup (k6's --no-setup) */
    int no_teardown; /* skip the scenario's teardown (k6's --no-teardown) */
    int exit_code_on_error;
    double fail_ratio; /* < 0: not given */
    FILE *out;         /* progress lines and tables */
    FILE *log;         /* notices and errors */

    /* A measurement window, for `mixperf run` (all zero for `mixperf load`): load is applied for
     * `warmup` seconds whose statistics are discarded, then for run_time seconds, the window,
     * without stopping users in between. on_window(window_ctx, 0) is called when the window
     * starts and on_window(window_ctx, 1) when it ends, on the coordinator thread, so the caller
     * can read the server's counters at its edges. When result is non-NULL it receives the
     * window's statistics at its end (the caller frees them with ld_stats_free); it stays NULL
     * when the run stopped before the window ended. */
    double warmup;
    void (*on_window)(void *window_ctx, int phase);
    void *window_ctx;
    struct ld_stats **result;
    /* Polled every 100 ms while the run lasts: nonzero stops it as SIGINT does, for callers that
     * keep SIGINT and SIGTERM blocked and poll for them (experiment/proc.h). */
    int (*should_stop)(void *stop_ctx);
    void *stop_ctx;
} ld_options;

/* Checks option combinations against the scenario (exit status 2 territory): returns -1 with one
 * message, before anything is opened or sent. */
int ld_check_options(const scenario *sc, const ld_options *o, mp_err *err);

/* Runs everything and returns the process exit status: MP_EXIT_OK, MP_EXIT_FAILED (failures
 * crossed --exit-code-on-error / --fail-ratio), MP_EXIT_RUNTIME (setup failed, an output could not
 * be written; err says why), MP_EXIT_INTERRUPTED (SIGINT/SIGTERM; outputs written). */
int ld_run(const scenario *sc, const ld_options *o, mp_err *err);

#endif
