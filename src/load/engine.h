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
    int quiet; /* no progress lines, no final table */
    int exit_code_on_error;
    double fail_ratio; /* < 0: not given */
    FILE *out;         /* progress lines and tables */
    FILE *log;         /* notices and errors */
} ld_options;

/* Checks option combinations against the scenario (exit status 2 territory): returns -1 with one
 * message, before anything is opened or sent. */
int ld_check_options(const scenario *sc, const ld_options *o, mp_err *err);

/* Runs everything and returns the process exit status: MP_EXIT_OK, MP_EXIT_FAILED (failures
 * crossed --exit-code-on-error / --fail-ratio), MP_EXIT_RUNTIME (setup failed, an output could not
 * be written; err says why), MP_EXIT_INTERRUPTED (SIGINT/SIGTERM; outputs written). */
int ld_run(const scenario *sc, const ld_options *o, mp_err *err);

#endif
