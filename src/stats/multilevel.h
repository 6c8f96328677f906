/* Kalibera-Jones multi-level repetition design (METHODS.md B.6; Kalibera & Jones, ISMM'13, with the
 * erratum applied): variance components per level, the optimal number of repetitions per level
 * given their costs, the top-level t interval, and the hierarchical bootstrap.
 *
 * Levels are numbered from the bottom: level 1 = iterations inside a process, level 2 = process
 * executions, level 3 = builds, ... The design is balanced: reps[i-1] = r_i repetitions at level i
 * under every parent. The measurements y are stored with level 1 varying fastest:
 *     y[j_1 + r_1 * (j_2 + r_2 * (j_3 + ...))]
 * i.e. for two levels (executions x iterations) y[exec * r_1 + iter], a C array y[r_2][r_1].
 * (libkalibera and METHODS.md list reps from the top down; reverse them for reps[].) */
#ifndef MP_STATS_MULTILEVEL_H
#define MP_STATS_MULTILEVEL_H

#include <stddef.h>

#include "stats/ci.h"
#include "stats/interval.h"
#include "util/err.h"

#define MP_ML_MAX_LEVELS 8

typedef struct mp_ml_data {
    size_t levels;      /* n, 1..MP_ML_MAX_LEVELS */
    const size_t *reps; /* reps[i-1] = r_i >= 1 (and r_n >= 2 for anything that needs a variance) */
    const double *y;    /* prod r_i values in the layout above */
} mp_ml_data;

/* S_i^2 (the sample variance of level-i means around their parent mean, averaged over parents)
 * and T_i^2 = S_i^2 - S_{i-1}^2 / r_{i-1} (T_1^2 = S_1^2), both for i = 1..n into s2[i-1], t2[i-1].
 * T_i^2 is returned unclamped: a negative value means no detectable variance at level i (callers
 * treat it as 0, as mp_ml_optimal_reps does). Needs every r_i >= 2. t2 may be NULL. */
int mp_ml_variances(const mp_ml_data *d, double *s2, double *t2, mp_err *err);

/* Optimal repetitions r_i = sqrt((c_{i+1}/c_i) (T_i^2 / T_{i+1}^2)) for i = 1..n-1 (into
 * exact[i-1], unrounded, and rounded[i-1] = ceil, at least 1). cost[i-1] = c_i > 0, the cost of
 * one repetition at level i. Negative T^2 are clamped to 0 first. T_i^2 = 0 gives exact 0 and
 * rounded 1 (no variance at level i: nothing to average there). T_i^2 > 0 = T_{i+1}^2 gives exact
 * +inf and rounded SIZE_MAX (the level above adds no variance, so all effort belongs at level i;
 * the caller caps it with its budget). rounded may be NULL. */
int mp_ml_optimal_reps(const double *t2, const double *cost, size_t levels, double *exact,
                       size_t *rounded, mp_err *err);

/* Top-level means (the r_n means over all lower levels) into out[r_n]. */
void mp_ml_top_means(const mp_ml_data *d, double *out);

/* Ybar +- t_{1-alpha/2, r_n - 1} sqrt(S_n^2 / r_n): the r_n top-level means treated as i.i.d.
 * (the t interval of the top means). Needs r_n >= 2. */
int mp_ml_ci(const mp_ml_data *d, double confidence, mp_interval *out, mp_err *err);

typedef enum mp_ml_resample {
    /* Resample the top level only, keeping each chosen unit's lower-level data as measured. The
     * default: when lower levels are only averaged this estimates the variance of the grand mean
     * without the extra term that resampling every level adds (Davison & Hinkley 1997, 3.8). */
    MP_ML_RESAMPLE_TOP = 1,
    /* Resample with replacement at every level (libkalibera's behaviour); slightly overstates the
     * variance of the grand mean. */
    MP_ML_RESAMPLE_ALL,
} mp_ml_resample;

/* Hierarchical bootstrap percentile interval (order-statistic rule of B.2) of the grand mean. */
int mp_ml_bootstrap(const mp_ml_data *d, double confidence, mp_ml_resample mode,
                    const mp_boot_opts *opts, mp_interval *out, mp_err *err);

/* Hierarchical bootstrap of mean(num) / mean(den): each replicate resamples both designs
 * independently (same mode) and records the ratio of grand means; +inf for a zero denominator. */
int mp_ml_bootstrap_ratio(const mp_ml_data *num, const mp_ml_data *den, double confidence,
                          mp_ml_resample mode, const mp_boot_opts *opts, mp_interval *out,
                          mp_err *err);

#endif
