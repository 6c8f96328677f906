/* Hot modules per cell, from the profiles a server benchmark with `profile: true` stores in its
 * runs' lines ("profile": {"modules": [{"module", "self", "total", ...}], ...}, written by
 * experiment/srvprof.c; docs/experiments.md, "Profiling a server"). A cell's table averages its
 * measured successful runs' profiles: each module's self and total share, mean and standard
 * deviation over those runs, a module missing from a run's table counting as 0 there. */
#ifndef MP_REPORT_HOTMODS_H
#define MP_REPORT_HOTMODS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/summary.h"

/* The exact first line of hot_modules.csv. */
#define RP_HOT_CSV_HEADER                                                                          \
    "experiment,runtime,benchmark,config,rank,module,runs,self_share,self_share_sd,total_share,"   \
    "total_share_sd\n"

typedef struct rp_hotmod {
    char *module;
    double self_mean, self_sd; /* fractions of sampled time; sd is NAN with fewer than 2 runs */
    double total_mean, total_sd;
    size_t present; /* runs whose table lists the module */
} rp_hotmod;

typedef struct rp_hotcell {
    size_t runs;       /* profiles averaged: no error, at least one sample */
    size_t failed;     /* profiles with an error (PyPy, no ptrace permission, ...) */
    size_t empty;      /* profiles without a single sample */
    uint64_t samples;  /* over the averaged profiles */
    uint64_t attempts; /* thread reads tried, and how many failed */
    uint64_t errors;
    double sampled_s;  /* CPU seconds the averaged profiles cover */
    const char *error; /* the first profile error's message (points into the JSON), or NULL */
    rp_hotmod *mods;   /* by self share, then total share, descending; then by name */
    size_t nmods;
} rp_hotcell;

/* Averages the given "profile" objects. Objects of another shape are counted as failed. */
void rp_hot_aggregate(const json_t *const *profiles, size_t n, rp_hotcell *out);
/* The same over a cell's measured (not warm-up) runs with status ok; returns how many of the
 * cell's lines (of any status) carry a profile. */
size_t rp_hot_cell(const rp_cell *c, rp_hotcell *out);
void rp_hotcell_free(rp_hotcell *c);

/* Whether any line of the results holds a profile. */
int rp_hot_any(const rp_summary *s);

/* A "Hot modules" section: per profiled cell, its top rows (top modules), the profile counts and
 * errors. Nothing when no line has a profile. */
int rp_hot_write_markdown(const rp_summary *s, size_t top, FILE *out);
/* RP_HOT_CSV_HEADER, then one row per module of each profiled cell, in rank order. */
int rp_hot_write_csv(const rp_summary *s, FILE *out);

#endif
