#include "stats/interval.h"

#include <math.h>
#include <string.h>

#include "util/sb.h"

static const struct {
    mp_method m;
    const char *name;
} method_names[] = {
    {MP_M_T, "t"},
    {MP_M_BOOT_PERCENTILE, "percentile"},
    {MP_M_BOOT_BCA, "bca"},
    {MP_M_HODGES_LEHMANN, "hodges-lehmann"},
    {MP_M_HL_SHIFT, "hl-shift"},
    {MP_M_HL_LOG_RATIO, "hl-log-ratio"},
    {MP_M_FIELLER, "fieller"},
    {MP_M_DELTA, "delta"},
    {MP_M_BOOT_RATIO_PERCENTILE, "bootstrap-ratio-percentile"},
    {MP_M_BOOT_RATIO_BCA, "bootstrap-ratio-bca"},
    {MP_M_LOG_WELCH, "log-welch"},
    {MP_M_KJ_T, "kalibera-jones-t"},
    {MP_M_HIER_BOOT, "hierarchical-bootstrap"},
    {MP_M_HIER_BOOT_RATIO, "hierarchical-bootstrap-ratio"},
    {MP_M_PROPORTION_T, "proportion-t"},
    {MP_M_WILSON, "wilson"},
    {MP_M_PAIRED_T, "paired-t"},
};

#define N_METHODS (sizeof method_names / sizeof method_names[0])

const char *mp_method_name(mp_method m)
{
    for (size_t i = 0; i < N_METHODS; i++)
        if (method_names[i].m == m) return method_names[i].name;
    return "unknown";
}

int mp_method_parse(const char *name, mp_method *out, mp_err *err)
{
    /* The short name experiment files use (docs/experiments.md: method: t | bca | hl). */
    if (strcmp(name, "hl") == 0) {
        *out = MP_M_HODGES_LEHMANN;
        return 0;
    }
    for (size_t i = 0; i < N_METHODS; i++) {
        if (strcmp(method_names[i].name, name) == 0) {
            *out = method_names[i].m;
            return 0;
        }
    }
    sb list = {0};
    for (size_t i = 0; i < N_METHODS; i++)
        sb_addf(&list, "%s%s", i ? ", " : "", method_names[i].name);
    mp_fail(err, "unknown interval method '%s' (expected one of: %s)", name, sb_str(&list));
    sb_free(&list);
    return -1;
}

double mp_interval_rel_halfwidth(const mp_interval *iv)
{
    if (!isfinite(iv->lo) || !isfinite(iv->hi) || iv->estimate == 0) return INFINITY;
    return (iv->hi - iv->lo) / 2 / fabs(iv->estimate);
}

int mp_interval_contains(const mp_interval *iv, double v)
{
    return iv->lo <= v && v <= iv->hi;
}
