/* The plan: which configurations of the lattice to write. Ids, enumeration, the Greenman et al.
 * samples and the anchors all come from the statistics area's lattice (src/stats/lattice.h), so
 * the sample a mix writes is the one the statistics redraw from the recorded seed. */
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"
#include "stats/lattice.h"
#include "util/mem.h"

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
    unsigned V = (unsigned)p->nvariants;
    size_t N   = p->nunits;
    plan->max  = max;
    plan->seed = seed;
    if (N > MP_LATTICE_MAX_UNITS)
        return mp_fail(err,
                       "%zu units (granularity %s): the lattice sampler handles at most %d; "
                       "choose a coarser --granularity",
                       N, mix_granularity_name(p->granularity), MP_LATTICE_MAX_UNITS);
    plan->size_exact = mp_lattice_count((unsigned)N, V, &plan->size, NULL) == 0;
    if (plan->size_exact && plan->size <= max) {
        plan->enumerated = 1;
        plan->configs    = xcalloc(plan->size, sizeof *plan->configs);
        for (uint64_t k = 0; k < plan->size; k++) {
            char *id = xmalloc(N + 1);
            if (mp_lattice_config_at((unsigned)N, V, k, id, err) < 0) {
                free(id);
                mix_plan_free(plan);
                return -1;
            }
            plan->configs[plan->nconfigs++] = (struct mix_config){id, anchor_of(id, N)};
        }
        return 0;
    }
    plan->r = r;
    plan->s = s ? s : 10 * N;
    mp_lattice_sample ls;
    if (mp_lattice_draw((unsigned)N, V, plan->r, plan->s, seed, &ls, err) < 0) return -1;
    size_t drawn  = plan->r * plan->s;
    plan->samples = xcalloc(drawn, sizeof *plan->samples);
    plan->configs = xcalloc(drawn + V, sizeof *plan->configs);
    for (size_t j = 0; j < plan->r; j++)
        for (size_t i = 0; i < plan->s; i++) {
            const char *id                  = mp_lattice_sample_config(&ls, j, i);
            plan->samples[j * plan->s + i]  = xstrdup(id);
            plan->configs[plan->nconfigs++] = (struct mix_config){xstrdup(id), -1};
        }
    mp_lattice_sample_free(&ls);
    char *anchors = xmalloc((size_t)V * (N + 1));
    mp_lattice_anchors((unsigned)N, V, anchors, NULL);
    for (unsigned v = 0; v < V; v++)
        plan->configs[plan->nconfigs++] =
            (struct mix_config){xstrdup(anchors + (size_t)v * (N + 1)), -1};
    free(anchors);
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
