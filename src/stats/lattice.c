#include "stats/lattice.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/methods_impl.h"
#include "util/mem.h"

#define MAX_DRAWN ((size_t)1 << 28)

static int check_shape(unsigned units, unsigned variants, mp_err *err)
{
    if (units < 1 || units > MP_LATTICE_MAX_UNITS)
        return mp_fail(err, "a lattice has 1 to %d units, not %u", MP_LATTICE_MAX_UNITS, units);
    if (variants < 2 || variants > MP_LATTICE_MAX_VARIANTS)
        return mp_fail(err, "a lattice has 2 to %d variants per unit, not %u",
                       MP_LATTICE_MAX_VARIANTS, variants);
    return 0;
}

double mp_lattice_size(unsigned units, unsigned variants)
{
    return pow((double)variants, (double)units);
}

/* V^N when it fits in 64 bits. */
static int count_of(unsigned units, unsigned variants, uint64_t *count)
{
    uint64_t c = 1;
    for (unsigned u = 0; u < units; u++) {
        if (c > UINT64_MAX / variants) return -1;
        c *= variants;
    }
    *count = c;
    return 0;
}

int mp_lattice_count(unsigned units, unsigned variants, uint64_t *count, mp_err *err)
{
    if (check_shape(units, variants, err) < 0) return -1;
    if (count_of(units, variants, count) < 0)
        return mp_fail(err,
                       "the lattice of %u units with %u variants has %.3g configurations, "
                       "more than 64 bits can count",
                       units, variants, mp_lattice_size(units, variants));
    return 0;
}

static void digits_of(unsigned units, unsigned variants, uint64_t index, char *out)
{
    for (unsigned u = units; u-- > 0;) {
        out[u] = (char)('0' + index % variants);
        index /= variants;
    }
    out[units] = '\0';
}

int mp_lattice_config_at(unsigned units, unsigned variants, uint64_t index, char *out, mp_err *err)
{
    uint64_t count;
    if (check_shape(units, variants, err) < 0) return -1;
    if (count_of(units, variants, &count) == 0 && index >= count)
        return mp_fail(err, "configuration index %llu is outside the lattice of %llu",
                       (unsigned long long)index, (unsigned long long)count);
    digits_of(units, variants, index, out);
    return 0;
}

int mp_lattice_config_check(const char *cfg, unsigned units, unsigned variants, mp_err *err)
{
    if (check_shape(units, variants, err) < 0) return -1;
    for (unsigned u = 0; u < units; u++) {
        if (cfg[u] == '\0')
            return mp_fail(err, "configuration '%s' has %u digits; the lattice has %u units", cfg,
                           u, units);
        if (cfg[u] < '0' || cfg[u] >= (char)('0' + variants))
            return mp_fail(err, "configuration '%s': character %u ('%c') is not a variant 0..%u",
                           cfg, u + 1, cfg[u], variants - 1);
    }
    if (cfg[units] != '\0')
        return mp_fail(err, "configuration '%s' has %zu digits; the lattice has %u units", cfg,
                       strlen(cfg), units);
    return 0;
}

int mp_lattice_anchors(unsigned units, unsigned variants, char *out, mp_err *err)
{
    if (check_shape(units, variants, err) < 0) return -1;
    for (unsigned v = 0; v < variants; v++) {
        char *c = out + (size_t)v * (units + 1);
        memset(c, '0' + (int)v, units);
        c[units] = '\0';
    }
    return 0;
}

/* Floyd's algorithm: s distinct indices uniform over [0, M), then shuffled so the order within the
 * sample is random too. Used when s is a large share of a small lattice (M < 4 s), where rejection
 * would redraw often; M < 2^30 here, within what gsl_rng_uniform_int can draw. */
static void draw_floyd(gsl_rng *rng, unsigned units, unsigned variants, uint64_t M, size_t s,
                       char *out)
{
    unsigned char *taken = xcalloc((size_t)M, 1);
    uint64_t *pick       = xmalloc(s * sizeof *pick);
    size_t n             = 0;
    for (uint64_t j = M - s; j < M; j++) {
        uint64_t t = gsl_rng_uniform_int(rng, (unsigned long)(j + 1));
        if (taken[t]) t = j;
        taken[t]  = 1;
        pick[n++] = t;
    }
    gsl_ran_shuffle(rng, pick, s, sizeof *pick);
    for (size_t i = 0; i < s; i++)
        digits_of(units, variants, pick[i], out + i * (units + 1));
    free(pick);
    free(taken);
}

static uint64_t hash_config(const char *c, unsigned units)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (unsigned u = 0; u < units; u++) {
        h ^= (unsigned char)c[u];
        h *= 1099511628211u;
    }
    return h;
}

/* Rejection: draw N uniform digits (a uniform member of the V^N lattice) and redraw duplicates,
 * found with an open-addressing set over the sample so far. Expected draws < s (1 + 1/3). */
static void draw_reject(gsl_rng *rng, unsigned units, unsigned variants, size_t s, char *out)
{
    size_t cap = 16;
    while (cap < 2 * s)
        cap *= 2;
    size_t *slot  = xcalloc(cap, sizeof *slot); /* 1 + index into out; 0 = empty */
    size_t stride = (size_t)units + 1;
    for (size_t i = 0; i < s;) {
        char *c = out + i * stride;
        for (unsigned u = 0; u < units; u++)
            c[u] = (char)('0' + gsl_rng_uniform_int(rng, variants));
        c[units] = '\0';
        size_t h = (size_t)hash_config(c, units) & (cap - 1);
        int dup  = 0;
        while (slot[h]) {
            if (memcmp(out + (slot[h] - 1) * stride, c, units) == 0) {
                dup = 1;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        if (dup) continue;
        slot[h] = i + 1;
        i++;
    }
    free(slot);
}

int mp_lattice_draw(unsigned units, unsigned variants, size_t r, size_t s, uint64_t seed,
                    mp_lattice_sample *out, mp_err *err)
{
    *out = (mp_lattice_sample){0};
    if (check_shape(units, variants, err) < 0) return -1;
    if (r < 1 || s < 1)
        return mp_fail(err,
                       "lattice sampling needs r >= 1 samples of s >= 1 configurations "
                       "(r = %zu, s = %zu)",
                       r, s);
    if (r > MAX_DRAWN / s)
        return mp_fail(err, "r * s = %zu * %zu configurations is more than %zu", r, s, MAX_DRAWN);
    uint64_t M = 0;
    int fits   = count_of(units, variants, &M) == 0;
    if (fits && s > M)
        return mp_fail(err,
                       "a sample of %zu distinct configurations cannot be drawn from a "
                       "lattice of %llu; measure all of them instead",
                       s, (unsigned long long)M);
    size_t stride = (size_t)units + 1;
    *out          = (mp_lattice_sample){
                 .units    = units,
                 .variants = variants,
                 .r        = r,
                 .s        = s,
                 .seed     = seed,
                 .configs  = xmalloc(r * s * stride),
    };
    gsl_rng *rng = mpm_rng_new(seed);
    for (size_t j = 0; j < r; j++) {
        char *dst = out->configs + j * s * stride;
        if (fits && M / 4 < s)
            draw_floyd(rng, units, variants, M, s, dst);
        else
            draw_reject(rng, units, variants, s, dst);
    }
    gsl_rng_free(rng);
    return 0;
}

const char *mp_lattice_sample_config(const mp_lattice_sample *ls, size_t j, size_t i)
{
    return ls->configs + (j * ls->s + i) * ((size_t)ls->units + 1);
}

void mp_lattice_sample_free(mp_lattice_sample *ls)
{
    free(ls->configs);
    *ls = (mp_lattice_sample){0};
}
