/* Which run comes next. A cell is one (runtime, benchmark, configuration). Cells run in rounds:
 * in each round every still-active cell runs once, in an order shuffled afresh from (seed, round),
 * so slow drift of the machine spreads over all cells instead of biasing the ones measured last.
 *
 * Everything here is a pure function of the recorded runs and the seed: after a crash, the same
 * results file gives the same round, the same order and the same remaining runs, so resuming
 * neither repeats nor skips a run. */
#ifndef MP_EXPERIMENT_PLAN_H
#define MP_EXPERIMENT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "stats/interval.h"

typedef struct plan_run {
    size_t cell;
    long index; /* 0-based within the cell, warm-ups included */
    long round;
    int warmup;
    int ok;       /* status "ok" and a finite value */
    double value; /* the cell's stop metric */
    double duration_s;
} plan_run;

typedef struct plan_rule {
    double confidence; /* e.g. 0.95 */
    double target;     /* relative half-width, e.g. 0.01 */
    mp_method method;  /* MP_M_T, MP_M_BOOT_BCA or MP_M_HODGES_LEHMANN */
    long min_runs;     /* successful measured runs before the CI is trusted */
    long max_runs;     /* measured runs (failed ones included) */
    double max_time_s; /* per cell, warm-ups included; <= 0: none */
    long warmup_runs;
} plan_rule;

enum plan_state {
    CELL_ACTIVE,
    CELL_CONVERGED, /* the CI reached the target */
    CELL_MAX_RUNS,
    CELL_MAX_TIME,
    CELL_FAILING, /* at least 3 failed measured runs and more failures than successes */
};
const char *plan_state_name(enum plan_state s);

/* Relative half-width of the CI of x[0..n) (half-width / |centre|), or +inf when undefined. */
typedef double (*plan_halfwidth_fn)(const double *x, size_t n, const plan_rule *rule, void *ctx);

/* State of one cell from its runs (any order; only this cell's runs). *rel_hw receives the current
 * relative half-width (inf when fewer than 2 successful measured runs). */
enum plan_state plan_cell_state(const plan_rule *rule, const plan_run *runs, size_t n,
                                plan_halfwidth_fn hw, void *ctx, double *rel_hw);

/* The runs still to do in the current round. cells[0..ncells) are the cell indices this process is
 * responsible for (a shard). Writes the cells to run next, in order, to out (capacity ncells) and
 * returns how many; *round receives the round they belong to. Returns 0 when every cell has
 * stopped. */
size_t plan_next(const plan_rule *rule, const size_t *cells, size_t ncells, const plan_run *runs,
                 size_t nruns, uint64_t seed, plan_halfwidth_fn hw, void *ctx, long *round,
                 size_t *out);

/* Cells of shard i of n (0 <= i < n) among ncells: those with index % n == i. */
size_t plan_shard(size_t ncells, long shard_i, long shard_n, size_t *out);

#endif
