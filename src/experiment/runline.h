/* One line of a results file (schema "mixperf.run/1", documented in docs/experiments.md): the
 * fields the planner, the reports and merge read, parsed and checked once. The JSON object stays
 * the source of truth; the strings point into it. */
#ifndef MP_EXPERIMENT_RUNLINE_H
#define MP_EXPERIMENT_RUNLINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "experiment/plan.h"
#include "util/err.h"

#define EX_SCHEMA "mixperf.run/1"

enum ex_status { EX_OK, EX_FAILED, EX_TIMEOUT };
const char *ex_status_name(enum ex_status s);

typedef struct ex_line {
    const json_t *obj;
    const char *experiment;
    const char *runtime, *benchmark, *config;
    long index, round;
    int warmup;
    enum ex_status status;
    const char *metric; /* the stop metric's name */
    double value;       /* the stop metric; NAN when the run has none (failed, timed out) */
    double duration_s;
    uint64_t seed;
    int has_rule;
    plan_rule rule; /* the stop rule in force when the run was made */
} ex_line;

/* Checks the schema and the fields every line has; the message names what is wrong (the caller
 * adds file:line). */
int ex_line_parse(const json_t *obj, ex_line *out, mp_err *err);

/* A named metric of the run (metrics.NAME), NAN when absent or null. */
double ex_line_metric(const ex_line *l, const char *name);

/* The plan's view of a line (cell given by the caller). A run is "ok" for the stop rule when its
 * status is ok and its value finite. */
plan_run ex_line_plan_run(const ex_line *l, size_t cell);

/* The stop rule as JSON for a line, and back. */
json_t *ex_rule_json(const plan_rule *r);
int ex_rule_parse(const json_t *j, plan_rule *out, mp_err *err);

#endif
