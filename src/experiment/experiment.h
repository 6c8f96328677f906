/* An experiment: what to measure (runtimes x benchmarks x configurations = cells) and how
 * precisely (the stop rule). Loaded from a YAML file (docs/experiments.md) by experiment_load, or
 * built in code by tests. Every string that may hold placeholders ({python}, {port}, ...) is kept
 * as written and expanded per run (experiment/placeholder.h); the loader has already checked that
 * each placeholder is known and allowed where it is used. */
#ifndef MP_EXPERIMENT_EXPERIMENT_H
#define MP_EXPERIMENT_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "experiment/plan.h"
#include "util/err.h"

/* Where something was written in the experiment file (1-based; 0 when built in code). */
typedef struct ex_pos {
    int line, col;
} ex_pos;

typedef struct ex_kv {
    char *name;
    char *value; /* may hold placeholders */
} ex_kv;

typedef struct ex_runtime {
    char *name;
    char **argv; /* the interpreter command, word by word (argv[0] is the executable) */
    size_t argc;
    ex_kv *env; /* added to every command of this runtime (build, setup, server, script) */
    size_t nenv;
    char *build; /* NULL: no build step; else a shell command run once per configuration */
    double build_timeout;
    char *version; /* NULL: ask the interpreter (sys.version); else a shell command */
    ex_pos pos;
} ex_runtime;

enum ex_kind { EX_SCRIPT, EX_SERVER };

/* The metrics a run records. Every run records all metrics of its kind; the benchmark's
 * `metric` is the one the stop rule and comparisons use. */
typedef enum ex_metric {
    EX_M_WALL,            /* script: elapsed seconds */
    EX_M_CPU,             /* script: user+sys seconds of the whole process tree */
    EX_M_PRINTED,         /* script: the last number printed on stdout */
    EX_M_THROUGHPUT,      /* server: successful requests per second in the window */
    EX_M_CPU_PER_REQUEST, /* server: server CPU seconds in the window per successful request */
    EX_M_P50,             /* server: latency percentiles in the window, seconds */
    EX_M_P90,
    EX_M_P99,
    EX_M_PEAK_RSS, /* server: largest sampled RSS of the server's process group, bytes */
    EX_M_COUNT
} ex_metric;

typedef struct ex_metric_info {
    const char *name;
    enum ex_kind kind;
    const char *unit;     /* "s", "req/s", "B" or "" (printed) */
    int higher_is_better; /* throughput */
} ex_metric_info;

const ex_metric_info *ex_metric_get(ex_metric m);
/* -1 when unknown. */
int ex_metric_find(const char *name);

typedef struct ex_benchmark {
    char *name;
    enum ex_kind kind;
    char *dir;     /* working directory (template); NULL: the configuration's directory */
    char *command; /* shell command: the script, or the server */
    char **setup;  /* shell commands run before the server starts, in order */
    size_t nsetup;
    ex_kv *env;
    size_t nenv;
    double timeout; /* script: the whole command; server: each setup command and the stop */
    ex_metric metric;
    /* server only */
    char *ready_url; /* polled until it answers with a status below 400 */
    double ready_timeout;
    char *host;     /* base URL for the scenario (template); default http://127.0.0.1:{port} */
    char *scenario; /* scenario file, absolute */
    long users;
    double spawn_rate;
    double rate; /* open model iterations/s; <= 0: closed */
    long threads;
    double warmup;          /* seconds of load before the window, discarded */
    double measure;         /* the measurement window, seconds */
    double max_error_ratio; /* failed/all requests in the window above this: the run failed */
    double stop_grace;      /* SIGTERM to SIGKILL for the server's process group */
    int profile;            /* sample the server's process tree during the window (profile.h) */
    double profile_rate;    /* samples per second per process */
    ex_pos pos;
} ex_benchmark;

typedef struct ex_file {
    char *path; /* relative to the configuration's directory */
    char sha256[65];
} ex_file;

typedef struct ex_config {
    char *id;
    char *dir; /* absolute; NULL for "default" (the benchmark's dir is used) */
    ex_file *files;
    size_t nfiles;
} ex_config;

typedef struct experiment {
    char *path; /* the experiment file as given */
    char *base; /* its directory, absolute: relative paths in the file resolve against it */
    char *name;
    uint64_t seed;
    int has_seed;
    ex_runtime *runtimes;
    size_t nruntimes;
    ex_benchmark *benchmarks;
    size_t nbenchmarks;
    ex_config *configs; /* from the manifest, or one "default" */
    size_t nconfigs;
    char *manifest; /* absolute path, NULL without one */
    plan_rule rule;
    char sha256[65]; /* of the experiment file's bytes ("" when built in code) */
} experiment;

/* Loads and checks an experiment file: one error, the first in the file, as file:line:col. */
int experiment_load(const char *path, experiment *ex, mp_err *err);
/* The same on text already read; path names it in messages and anchors relative paths. */
int experiment_parse(const char *text, size_t len, const char *path, experiment *ex, mp_err *err);
void experiment_free(experiment *ex);

/* The default stop rule (95%, +-1%, t, 5..50 runs, 1 warm-up, no time limit). */
plan_rule ex_default_rule(void);

/* Cells are numbered runtime-major: cell = (r * nbenchmarks + b) * nconfigs + c. */
size_t ex_ncells(const experiment *ex);
void ex_cell_parts(const experiment *ex, size_t cell, size_t *r, size_t *b, size_t *c);
/* "runtime/benchmark/config" (caller frees). */
char *ex_cell_key(const experiment *ex, size_t cell);
/* p as an absolute path when it is relative to base (the experiment file's directory, a
 * configuration's); p itself when absolute. Caller frees. */
char *ex_path_under(const char *base, const char *p);
/* The cell index of (runtime, benchmark, config) names; -1 when the experiment has no such cell.
 */
long ex_cell_find(const experiment *ex, const char *runtime, const char *benchmark,
                  const char *config);

#endif
