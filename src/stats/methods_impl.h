/* Internals shared by the statistics in src/stats (ci.c, rank.c, ratio.c, multilevel.c,
 * lattice*.c): argument checks, the seeded GSL generator and the bootstrap order-statistic
 * machinery. Not a public header: other areas include stats/methods.h. */
#ifndef MP_STATS_METHODS_IMPL_H
#define MP_STATS_METHODS_IMPL_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/ci.h"
#include "stats/interval.h"
#include "util/err.h"

/* A GSL mt19937 generator for the recorded 64-bit seed. mt19937 takes a 32-bit seed, so the seed
 * is folded (high half xor low half); the mapping is fixed so results replay everywhere. */
gsl_rng *mpm_rng_new(uint64_t seed);

/* Blank result: NAN/0 in every field a method may leave unset. */
void mpm_interval_init(mp_interval *iv, mp_method m, double confidence);

int mpm_check_confidence(double confidence, mp_err *err);
/* n >= min_n and every value finite; `what` names the sample in the message. */
int mpm_check_sample(const double *x, size_t n, size_t min_n, const char *what, mp_err *err);

size_t mpm_boot_B(const mp_boot_opts *opts);

/* B replicates of the mean of n values resampled with replacement (B.2 step 2). */
void mpm_boot_means(gsl_rng *rng, const double *x, size_t n, size_t B, double *out);

/* The k-th smallest (1-based) of v[0..n-1], by GSL's selection (O(n), reorders v): an interval
 * needs two or three order statistics, and a full sort of every bootstrap or Walsh array would
 * dominate a coverage study. */
double mpm_order_stat(double *v, size_t n, size_t k);
/* The median of v (reorders v). */
double mpm_median(double *v, size_t n);

/* From B replicates in any order (may hold +inf; reordered): the percentile (B.2) or BCa (B.3)
 * interval ends into iv->lo / iv->hi, with MP_IV_CLAMPED when an order statistic was clamped. */
void mpm_boot_percentile(double *rep, size_t B, double confidence, mp_interval *iv);
void mpm_boot_bca(double *rep, size_t B, double theta_hat, double accel, double confidence,
                  mp_interval *iv);

/* MP_IV_NOT_SIGNIFICANT when lo <= null_value <= hi. */
void mpm_mark_significance(mp_interval *iv, double null_value);

#endif
