/* mp_interval: the one result type of every confidence interval mixperf computes (location, ratio,
 * shift, proportion). A report prints "estimate [lo, hi] (method, confidence)" for any of them, and
 * the runner's stopping rule reads the same fields whichever method the experiment chose.
 *
 * Fields a method does not use hold NAN (doubles) or 0 (counts); the comment on each field says who
 * sets it. Formulas and their sources: docs/methods.md and /work/shared/METHODS.md (section B). */
#ifndef MP_STATS_INTERVAL_H
#define MP_STATS_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum mp_method {
    MP_M_T = 1,                 /* Student t interval for the mean (B.1) */
    MP_M_BOOT_PERCENTILE,       /* bootstrap percentile interval for the mean (B.2) */
    MP_M_BOOT_BCA,              /* bootstrap BCa interval for the mean (B.3) */
    MP_M_HODGES_LEHMANN,        /* Wilcoxon signed-rank interval for the pseudo-median (B.4) */
    MP_M_HL_SHIFT,              /* two-sample Hodges-Lehmann shift y - x, Mann-Whitney (B.4) */
    MP_M_HL_LOG_RATIO,          /* exp of the HL shift of log values: a robust ratio (B.4) */
    MP_M_FIELLER,               /* Fieller interval for a ratio of means (B.5) */
    MP_M_DELTA,                 /* delta-method interval for a ratio of means (B.5) */
    MP_M_BOOT_RATIO_PERCENTILE, /* bootstrap ratio of means, percentile (B.5) */
    MP_M_BOOT_RATIO_BCA,        /* bootstrap ratio of means, BCa with influence values (B.5) */
    MP_M_LOG_WELCH,             /* ratio of geometric means, Welch t on logs (B.5) */
    MP_M_KJ_T,                  /* Kalibera-Jones top-level t interval (B.6) */
    MP_M_HIER_BOOT,             /* hierarchical bootstrap of the grand mean (B.6) */
    MP_M_HIER_BOOT_RATIO,       /* hierarchical bootstrap of a ratio of grand means (B.6) */
    MP_M_PROPORTION_T,          /* mean of r sample proportions, t with r-1 df (B.7) */
    MP_M_WILSON,                /* Wilson score interval on pooled draws (B.7) */
    MP_M_PAIRED_T,              /* t interval of paired differences (B.7 step 7) */
} mp_method;

enum {
    /* No finite interval exists at this confidence: Fieller with g >= 1, or a signed-rank /
     * rank-sum interval whose sample is too small for the requested level. lo = -inf, hi = +inf. */
    MP_IV_UNBOUNDED = 1u << 0,
    /* Comparisons only (ratios, shifts, paired differences): the interval contains the value of
     * "no effect" (1 for a ratio, 0 for a difference), so no significant difference was shown. */
    MP_IV_NOT_SIGNIFICANT = 1u << 1,
    /* The rank interval used the normal approximation (n above the exact cutoff), not the exact
     * null distribution; `achieved` is then approximate too. */
    MP_IV_NORMAL_APPROX = 1u << 2,
    /* Bootstrap: an order statistic fell outside 1..B (B too small for the level, or a BCa z0 /
     * adjusted level beyond what B replicates resolve) and was clamped to the extreme replicate;
     * that end is as far as the bootstrap can see, not a true bound. */
    MP_IV_CLAMPED = 1u << 3,
    /* Bootstrap ratio: some replicate had a zero denominator mean and was counted as +inf. */
    MP_IV_INF_REPLICATES = 1u << 4,
};

typedef struct mp_interval {
    mp_method method;
    double estimate;   /* the point estimate the interval is for (mean, pseudo-median, ratio...) */
    double lo, hi;     /* the interval; +-INFINITY with MP_IV_UNBOUNDED */
    double confidence; /* the requested level, e.g. 0.95 */
    double achieved;   /* the level actually achieved: exact for rank methods (>= confidence),
                          equal to `confidence` for the others (nominal) */
    double df;         /* degrees of freedom of the t quantile used; NAN when none was used */
    double g;          /* Fieller's g = t^2 v22 / b^2 (Fieller and delta); NAN otherwise */
    unsigned flags;    /* MP_IV_* */
    size_t n;          /* sample size (numerator sample for ratios, r for proportions) */
    size_t n2;         /* denominator / second sample size; 0 for one-sample methods */
    size_t k;          /* rank methods: the order statistic k of the interval [W(k), W(M-k+1)] */
    size_t B;          /* bootstrap replicates; 0 for analytic methods */
    uint64_t seed;     /* bootstrap seed (the caller records it with the result); 0 otherwise */
} mp_interval;

/* Stable lower-case names for results files and reports ("t", "bca", "fieller", ...). */
const char *mp_method_name(mp_method m);
/* Inverse of mp_method_name (also accepts "hl" for "hodges-lehmann"); on an unknown name fails
 * with a message listing the valid names. */
int mp_method_parse(const char *name, mp_method *out, mp_err *err);

/* The stopping statistic of B.1 generalised to any interval: half the full width divided by
 * |estimate| ((hi - lo) / 2 / |estimate|). Equals h / x-bar for the t interval. +inf when the
 * interval is unbounded or the estimate is 0. */
double mp_interval_rel_halfwidth(const mp_interval *iv);

/* lo <= v <= hi. */
int mp_interval_contains(const mp_interval *iv, double v);

#endif
