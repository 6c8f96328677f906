/* Every statistical routine on arbitrary samples: no crash, no undefined behaviour, no leak, and
 * the invariants every interval must keep (lo <= estimate <= hi for the symmetric analytic
 * intervals, lo <= hi for all bounded ones). Input: byte 0 picks the level, byte 1 the split
 * between two samples, then 16-bit values mapped to measurements in (0, 65.536] (ties and outliers
 * included), then the rest as a configuration string for the lattice checker. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/methods.h"

#define MAX_N 64

static void check(const mp_interval *iv)
{
    if (iv->flags & MP_IV_UNBOUNDED) return;
    if (!(iv->lo <= iv->hi)) abort();
}

static void check_centred(const mp_interval *iv)
{
    check(iv);
    if (!(iv->lo <= iv->estimate && iv->estimate <= iv->hi)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    double conf  = 0.5 + 0.49 * data[0] / 255.0;
    size_t split = data[1];
    data += 2;
    size -= 2;
    double x[MAX_N];
    size_t n = 0;
    while (n < MAX_N && size >= 2) {
        x[n++] = ((uint16_t)(data[0] << 8 | data[1]) + 1) / 1000.0;
        data += 2;
        size -= 2;
    }
    mp_interval iv, iv2;
    mp_err err;
    mp_boot_opts o = {.B = 99, .seed = n};
    if (mp_ci_t(x, n, conf, &iv, &err) == 0) check_centred(&iv);
    if (mp_ci_bootstrap(x, n, conf, &o, &iv, &iv2, &err) == 0) {
        check(&iv);
        check(&iv2);
    }
    if (mp_ci_hodges_lehmann(x, n, conf, &iv, &err) == 0) check(&iv);
    size_t m        = n ? split % n : 0;
    const double *y = x + m;
    if (mp_ratio_fieller(x, m, y, n - m, conf, MP_DF_WELCH, &iv, &err) == 0) check(&iv);
    if (mp_ratio_delta(y, n - m, x, m, conf, MP_DF_POOLED, &iv, &err) == 0) check_centred(&iv);
    if (mp_ratio_log_welch(x, m, y, n - m, conf, &iv, &err) == 0) check_centred(&iv);
    if (mp_ratio_bootstrap(x, m, y, n - m, conf, &o, &iv, &iv2, &err) == 0) {
        check(&iv);
        check(&iv2);
    }
    if (mp_ci_hl_shift(x, m, y, n - m, conf, &iv, &err) == 0) check(&iv);
    if (mp_ci_hl_ratio(x, m, y, n - m, conf, &iv, &err) == 0) check(&iv);
    size_t t;
    mp_t_sample_size(x[0] / 10, x[n ? n - 1 : 0] / 1000, conf, &t, &err);
    (void)mp_z_sample_size(x[0], x[n ? n - 1 : 0] / 1e6, conf);

    /* A two-level design from the samples: reps (split % 4 + 2) x (the rest). */
    size_t reps[2] = {split % 4 + 2, 0};
    reps[1]        = n / reps[0];
    mp_ml_data d   = {.levels = 2, .reps = reps, .y = x};
    double s2[2], t2[2], r[1], cost[2] = {1, 1 + split};
    size_t rr[1];
    if (reps[1] >= 2 && mp_ml_variances(&d, s2, t2, &err) == 0) {
        if (!(s2[0] >= 0 && s2[1] >= 0)) abort();
        mp_ml_optimal_reps(t2, cost, 2, r, rr, &err);
    }
    if (mp_ml_ci(&d, conf, &iv, &err) == 0) check_centred(&iv);
    if (mp_ml_bootstrap(&d, conf, split & 1 ? MP_ML_RESAMPLE_ALL : MP_ML_RESAMPLE_TOP, &o, &iv,
                        &err) == 0)
        check(&iv);

    double p[MAX_N];
    for (size_t i = 0; i < n; i++)
        p[i] = fmod(x[i], 1.0);
    if (mp_prop_ci_t(p, n, conf, &iv, &err) == 0 && !(iv.lo >= 0 && iv.hi <= 1)) abort();
    if (mp_prop_ci_wilson(split, n + 1, conf, mp_fpc(1e6, (double)n), &iv, &err) == 0 &&
        !(iv.lo >= 0 && iv.lo <= iv.estimate && iv.estimate <= iv.hi && iv.hi <= 1))
        abort();

    char cfg[80];
    size_t len = size < sizeof cfg - 1 ? size : sizeof cfg - 1;
    memcpy(cfg, data, len);
    cfg[len] = '\0';
    mp_lattice_config_check(cfg, (unsigned)(split % 70), (unsigned)(data[-1] % 12), &err);
    return 0;
}
