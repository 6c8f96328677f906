/* The statistics mixperf's runner, comparisons and reports stand on, in one include. Each header is
 * one idea; docs/methods.md says which method to use when, with the coverage study behind it.
 *
 *   stats/interval.h       mp_interval, the one result type; method names; stopping statistic
 *   stats/ci.h             mean of one sample: t (B.1), sample size, bootstrap percentile and BCa
 *   stats/rank.h           Hodges-Lehmann / Wilcoxon signed-rank, two-sample shift (B.4)
 *   stats/ratio.h          ratio of two means: Fieller, delta, bootstrap, log-Welch (B.5)
 *   stats/multilevel.h     Kalibera-Jones variance components, optimal reps, hierarchical CI (B.6)
 *   stats/lattice.h        the configuration lattice and its seeded sampler (B.7)
 *   stats/lattice_stats.h  D-deliverable proportions, Wilson, FPC, paired comparison (B.7) */
#ifndef MP_STATS_METHODS_H
#define MP_STATS_METHODS_H

#include "stats/interval.h"
#include "stats/ci.h"
#include "stats/rank.h"
#include "stats/ratio.h"
#include "stats/multilevel.h"
#include "stats/lattice.h"
#include "stats/lattice_stats.h"

#endif
