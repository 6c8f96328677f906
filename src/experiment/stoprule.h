/* The stop rule's interval: the one a cell's runs are judged by, computed the same way by the
 * runner (to decide whether to go on) and by the reports (to say why a cell stopped). */
#ifndef MP_EXPERIMENT_STOPRULE_H
#define MP_EXPERIMENT_STOPRULE_H

#include <stddef.h>
#include <stdint.h>

#include "experiment/plan.h"
#include "stats/interval.h"
#include "util/err.h"

/* Bootstrap replicates of the BCa stop rule. */
#define EX_BCA_REPLICATES 9999

/* The interval of x[0..n) by the rule's method and confidence: t (B.1), BCa (B.3, seeded with
 * seed, so the same runs always give the same interval) or Hodges-Lehmann (B.4: an interval for
 * the pseudo-median, not the mean). */
int ex_rule_interval(const plan_rule *rule, const double *x, size_t n, uint64_t seed,
                     mp_interval *out, mp_err *err);

/* plan_halfwidth_fn over ex_rule_interval; ctx points to the uint64_t seed. +inf when the
 * interval cannot be formed (fewer than 2 values, an unbounded rank interval). */
double ex_rule_halfwidth(const double *x, size_t n, const plan_rule *rule, void *ctx);

#endif
