#include "experiment/plan.h"

#include <math.h>
#include <stdlib.h>

#include "util/mem.h"
#include "util/rng.h"

const char *plan_state_name(enum plan_state s)
{
    switch (s) {
    case CELL_ACTIVE:
        return "active";
    case CELL_CONVERGED:
        return "converged";
    case CELL_MAX_RUNS:
        return "max_runs";
    case CELL_MAX_TIME:
        return "max_time";
    case CELL_FAILING:
        return "failing";
    }
    return "?";
}

enum plan_state plan_cell_state(const plan_rule *rule, const plan_run *runs, size_t n,
                                plan_halfwidth_fn hw, void *ctx, double *rel_hw)
{
    long measured = 0, fails = 0, warm = 0;
    double spent = 0;
    double *vals = xmalloc((n ? n : 1) * sizeof *vals);
    size_t nv    = 0;
    for (size_t i = 0; i < n; i++) {
        spent += runs[i].duration_s;
        if (runs[i].warmup) {
            warm++;
            continue;
        }
        measured++;
        if (runs[i].ok)
            vals[nv++] = runs[i].value;
        else
            fails++;
    }
    double w = nv >= 2 ? hw(vals, nv, rule, ctx) : INFINITY;
    free(vals);
    if (rel_hw) *rel_hw = w;
    if (warm < rule->warmup_runs)
        return rule->max_time_s > 0 && spent >= rule->max_time_s ? CELL_MAX_TIME : CELL_ACTIVE;
    if ((long)nv >= rule->min_runs && w <= rule->target) return CELL_CONVERGED;
    if (fails >= 3 && fails > (long)nv) return CELL_FAILING;
    if (measured >= rule->max_runs) return CELL_MAX_RUNS;
    if (rule->max_time_s > 0 && spent >= rule->max_time_s) return CELL_MAX_TIME;
    return CELL_ACTIVE;
}

/* Fisher-Yates with a stream derived from (seed, round): the same order on every resume. */
static void shuffle(size_t *a, size_t n, uint64_t seed, long round)
{
    mp_rng rng;
    mp_rng_seed(&rng, seed, 0x726f756e64000000ull ^ (uint64_t)round);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)mp_rng_below(&rng, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j]     = t;
    }
}

size_t plan_next(const plan_rule *rule, const size_t *cells, size_t ncells, const plan_run *runs,
                 size_t nruns, uint64_t seed, plan_halfwidth_fn hw, void *ctx, long *round,
                 size_t *out)
{
    /* Group this shard's runs by cell once (counting sort), so each call is linear in the
     * number of runs plus one CI per cell, even for lattices of thousands of cells. */
    size_t maxcell = 0;
    for (size_t c = 0; c < ncells; c++)
        if (cells[c] > maxcell) maxcell = cells[c];
    long *slot = xmalloc((maxcell + 1) * sizeof *slot);
    for (size_t i = 0; i <= maxcell; i++)
        slot[i] = -1;
    for (size_t c = 0; c < ncells; c++)
        slot[cells[c]] = (long)c;
    size_t *start = xcalloc(ncells + 1, sizeof *start);
    long r        = 0;
    for (size_t i = 0; i < nruns; i++) {
        if (runs[i].cell > maxcell || slot[runs[i].cell] < 0) continue;
        start[slot[runs[i].cell] + 1]++;
        if (runs[i].round > r) r = runs[i].round;
    }
    for (size_t c = 0; c < ncells; c++)
        start[c + 1] += start[c];
    plan_run *grouped = xmalloc((start[ncells] ? start[ncells] : 1) * sizeof *grouped);
    size_t *fill      = xmalloc((ncells ? ncells : 1) * sizeof *fill);
    for (size_t c = 0; c < ncells; c++)
        fill[c] = start[c];
    for (size_t i = 0; i < nruns; i++)
        if (runs[i].cell <= maxcell && slot[runs[i].cell] >= 0)
            grouped[fill[slot[runs[i].cell]]++] = runs[i];

    plan_run *scratch = xmalloc((start[ncells] ? start[ncells] : 1) * sizeof *scratch);
    size_t *order     = xmalloc((ncells ? ncells : 1) * sizeof *order);
    size_t nout       = 0;
    /* The newest round may be complete already; then the next one starts. */
    for (;; r++) {
        size_t nact = 0;
        for (size_t c = 0; c < ncells; c++) {
            size_t k = 0;
            for (size_t i = start[c]; i < start[c + 1]; i++)
                if (grouped[i].round < r) scratch[k++] = grouped[i];
            if (plan_cell_state(rule, scratch, k, hw, ctx, NULL) == CELL_ACTIVE) order[nact++] = c;
        }
        if (nact == 0) break;
        shuffle(order, nact, seed, r);
        for (size_t k = 0; k < nact; k++) {
            size_t c = order[k];
            int done = 0;
            for (size_t i = start[c]; i < start[c + 1] && !done; i++)
                done = grouped[i].round == r;
            if (!done) out[nout++] = cells[c];
        }
        if (nout > 0) break;
    }
    *round = r;
    free(slot);
    free(start);
    free(grouped);
    free(fill);
    free(scratch);
    free(order);
    return nout;
}

size_t plan_shard(size_t ncells, long shard_i, long shard_n, size_t *out)
{
    size_t n = 0;
    for (size_t c = 0; c < ncells; c++)
        if ((long)(c % (size_t)shard_n) == shard_i) out[n++] = c;
    return n;
}
