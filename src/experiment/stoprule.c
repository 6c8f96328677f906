#include "experiment/stoprule.h"

#include <math.h>

#include "stats/ci.h"
#include "stats/rank.h"

int ex_rule_interval(const plan_rule *rule, const double *x, size_t n, uint64_t seed,
                     mp_interval *out, mp_err *err)
{
    switch (rule->method) {
    case MP_M_BOOT_BCA: {
        mp_boot_opts bo = {EX_BCA_REPLICATES, seed};
        return mp_ci_bootstrap(x, n, rule->confidence, &bo, NULL, out, err);
    }
    case MP_M_HODGES_LEHMANN:
        return mp_ci_hodges_lehmann(x, n, rule->confidence, out, err);
    case MP_M_T:
        return mp_ci_t(x, n, rule->confidence, out, err);
    default:
        return mp_fail(err, "interval method '%s' cannot be a stop rule (expected t, bca or hl)",
                       mp_method_name(rule->method));
    }
}

double ex_rule_halfwidth(const double *x, size_t n, const plan_rule *rule, void *ctx)
{
    if (n < 2) return INFINITY;
    mp_interval iv;
    if (ex_rule_interval(rule, x, n, *(const uint64_t *)ctx, &iv, NULL) != 0) return INFINITY;
    return mp_interval_rel_halfwidth(&iv);
}
