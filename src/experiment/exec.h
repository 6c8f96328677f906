/* Internals of the runner shared by its files (runner.c drives; exec_script.c and exec_server.c
 * measure one run). Not a contract for other areas: they use experiment/runner.h. */
#ifndef MP_EXPERIMENT_EXEC_H
#define MP_EXPERIMENT_EXEC_H

#include <jansson.h>
#include <stdint.h>

#include "experiment/experiment.h"
#include "experiment/placeholder.h"
#include "experiment/runline.h"
#include "util/sb.h"

/* Everything one run needs, prepared by the runner. */
typedef struct ex_exec {
    const experiment *ex;
    const ex_benchmark *b;
    const ex_runtime *rt;
    const ph_vars *vars;
    const char *cwd;
    const char *const *env; /* "NAME=value", NULL-terminated */
    uint64_t load_seed;     /* server runs: the load engine's seed */
    const void *scenario;   /* server runs: the loaded scenario (scenario *) */
    /* profiled server runs: where the collapsed stacks go, and that path as the line names it
     * (relative to the results file); NULL when the benchmark is not profiled */
    const char *profile_path, *profile_rel;
} ex_exec;

/* What happened. Every outcome but `interrupted` becomes a result line. */
typedef struct ex_outcome {
    enum ex_status status;
    int interrupted;   /* SIGINT/SIGTERM: the run was stopped and must not be recorded */
    const char *phase; /* where a failure happened: build, setup, start, ready, load, run, stop */
    sb message;        /* why it failed (empty when ok) */
    char *stderr_tail; /* the failing command's last output, or NULL */
    char *stdout_tail; /* its standard output's end, when that is what failed (printed) */
    char *command;     /* the measured command as run */
    double value;      /* the stop metric; NAN unless ok */
    json_t *metrics;   /* every metric of the run (owned) */
    json_t *extra;     /* more fields for the line, e.g. a server run's "failures" (owned) */
} ex_outcome;

void ex_outcome_free(ex_outcome *o);
/* Sets status and message (printf-style) and the phase. */
void ex_outcome_fail(ex_outcome *o, enum ex_status st, const char *phase, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A JSON number, or null for a non-finite value (JSON has no NaN). */
json_t *ex_json_num(double v);
/* A JSON string of program output: invalid UTF-8 bytes and NULs become '?' (jansson, like JSON,
 * takes only valid UTF-8). */
json_t *ex_json_text(const char *s, size_t len);

void ex_exec_script(const ex_exec *x, ex_outcome *o);
void ex_exec_server(const ex_exec *x, ex_outcome *o);

/* The last whitespace-separated token of text that is a finite number; 0 when there is one. */
int ex_last_number(const char *text, double *out);

/* A free TCP port on 127.0.0.1 (bound to port 0 and released), or -1. */
int ex_free_port(void);

#endif
