/* The configuration lattice: ids, enumeration, and Greenman et al.'s simple random sampling.
 * The sampler lives here until the statistics area's sampler (src/stats/lattice.h) lands; it is
 * one function, mix_sample_lattice, so swapping it is local. */
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"
#include "util/mem.h"
#include "util/rng.h"

int mix_lattice_size(unsigned v, size_t n, uint64_t *size)
{
    uint64_t s = 1;
    for (size_t i = 0; i < n; i++) {
        if (v != 0 && s > UINT64_MAX / v) return -1;
        s *= v;
    }
    *size = s;
    return 0;
}

void mix_id_from_index(uint64_t index, unsigned v, size_t n, char *id)
{
    id[n] = '\0';
    for (size_t i = n; i-- > 0;) {
        id[i] = (char)('0' + index % v);
        index /= v;
    }
}

/* An open-addressing set of equal-length ids, to keep a sample free of duplicates. */
struct idset {
    const char **slot;
    size_t cap, n, len;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* Adds id unless present; returns 1 if added. */
static int idset_add(struct idset *set, const char *id)
{
    size_t i = (size_t)(fnv1a(id, set->len) & (set->cap - 1));
    while (set->slot[i]) {
        if (memcmp(set->slot[i], id, set->len) == 0) return 0;
        i = (i + 1) & (set->cap - 1);
    }
    set->slot[i] = id;
    set->n++;
    return 1;
}

int mix_sample_lattice(uint64_t seed, unsigned v, size_t n, size_t r, size_t s, char ***out,
                       mp_err *err)
{
    uint64_t size;
    if (v < 1 || n < 1) return mp_fail(err, "sampling needs at least one unit and one variant");
    if (mix_lattice_size(v, n, &size) == 0 && s > size)
        return mp_fail(err,
                       "a sample of %zu distinct configurations cannot be drawn from a lattice of "
                       "%llu",
                       s, (unsigned long long)size);
    char **ids       = xcalloc(r * s > 0 ? r * s : 1, sizeof *ids);
    struct idset set = {0};
    set.len          = n;
    set.cap          = 16;
    while (set.cap < 2 * s)
        set.cap *= 2;
    set.slot = xcalloc(set.cap, sizeof *set.slot);
    for (size_t j = 0; j < r; j++) {
        mp_rng rng;
        mp_rng_seed(&rng, seed, j + 1);
        memset(set.slot, 0, set.cap * sizeof *set.slot);
        set.n = 0;
        /* Each digit uniform and independent makes every configuration equally likely; redrawing
         * a configuration already in this sample makes the sample a simple random sample without
         * replacement. */
        for (size_t k = 0; k < s;) {
            char *id = xmalloc(n + 1);
            for (size_t i = 0; i < n; i++)
                id[i] = (char)('0' + mp_rng_below(&rng, v));
            id[n] = '\0';
            if (idset_add(&set, id))
                ids[j * s + k++] = id;
            else
                free(id);
        }
    }
    free(set.slot);
    *out = ids;
    return 0;
}

static int cmp_config(const void *a, const void *b)
{
    return strcmp(((const struct mix_config *)a)->id, ((const struct mix_config *)b)->id);
}

static int anchor_of(const char *id, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (id[i] != id[0]) return -1;
    return id[0] - '0';
}

int mix_plan_make(const struct mix_program *p, uint64_t max, uint64_t seed, size_t r, size_t s,
                  struct mix_plan *plan, mp_err *err)
{
    memset(plan, 0, sizeof *plan);
    unsigned V       = (unsigned)p->nvariants;
    size_t N         = p->nunits;
    plan->max        = max;
    plan->seed       = seed;
    plan->size_exact = mix_lattice_size(V, N, &plan->size) == 0;
    if (plan->size_exact && plan->size <= max) {
        plan->enumerated = 1;
        plan->configs    = xcalloc(plan->size ? plan->size : 1, sizeof *plan->configs);
        for (uint64_t k = 0; k < plan->size; k++) {
            char *id = xmalloc(N + 1);
            mix_id_from_index(k, V, N, id);
            plan->configs[plan->nconfigs++] = (struct mix_config){id, anchor_of(id, N)};
        }
        return 0;
    }
    plan->r = r;
    plan->s = s ? s : 10 * N;
    if (plan->r == 0 || plan->s == 0) return mp_fail(err, "sampling needs r >= 1 and s >= 1");
    if (plan->s > 100000000 / plan->r)
        return mp_fail(err, "r * s = %zu * %zu configurations is more than 10^8", plan->r, plan->s);
    if (mix_sample_lattice(seed, V, N, plan->r, plan->s, &plan->samples, err) < 0) return -1;
    size_t total  = plan->r * plan->s + V;
    plan->configs = xcalloc(total, sizeof *plan->configs);
    for (size_t k = 0; k < plan->r * plan->s; k++)
        plan->configs[plan->nconfigs++] = (struct mix_config){xstrdup(plan->samples[k]), -1};
    for (unsigned v = 0; v < V; v++) {
        char *id = xmalloc(N + 1);
        memset(id, '0' + (int)v, N);
        id[N]                           = '\0';
        plan->configs[plan->nconfigs++] = (struct mix_config){id, -1};
    }
    /* Distinct configurations in id order; a configuration drawn twice is written once. */
    qsort(plan->configs, plan->nconfigs, sizeof *plan->configs, cmp_config);
    size_t w = 0;
    for (size_t k = 0; k < plan->nconfigs; k++) {
        if (w > 0 && strcmp(plan->configs[w - 1].id, plan->configs[k].id) == 0) {
            free(plan->configs[k].id);
            continue;
        }
        plan->configs[w]        = plan->configs[k];
        plan->configs[w].anchor = anchor_of(plan->configs[w].id, N);
        w++;
    }
    plan->nconfigs = w;
    return 0;
}

void mix_plan_free(struct mix_plan *plan)
{
    for (size_t k = 0; k < plan->nconfigs; k++)
        free(plan->configs[k].id);
    free(plan->configs);
    if (plan->samples)
        for (size_t k = 0; k < plan->r * plan->s; k++)
            free(plan->samples[k]);
    free(plan->samples);
    memset(plan, 0, sizeof *plan);
}
