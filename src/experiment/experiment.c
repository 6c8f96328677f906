#include "experiment/experiment.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/sb.h"

static const ex_metric_info metrics[EX_M_COUNT] = {
    [EX_M_WALL]            = {"wall", EX_SCRIPT, "s", 0},
    [EX_M_CPU]             = {"cpu", EX_SCRIPT, "s", 0},
    [EX_M_PRINTED]         = {"printed", EX_SCRIPT, "", 0},
    [EX_M_THROUGHPUT]      = {"throughput", EX_SERVER, "req/s", 1},
    [EX_M_CPU_PER_REQUEST] = {"cpu_per_request", EX_SERVER, "s", 0},
    [EX_M_P50]             = {"p50", EX_SERVER, "s", 0},
    [EX_M_P90]             = {"p90", EX_SERVER, "s", 0},
    [EX_M_P99]             = {"p99", EX_SERVER, "s", 0},
    [EX_M_PEAK_RSS]        = {"peak_rss", EX_SERVER, "B", 0},
};

const ex_metric_info *ex_metric_get(ex_metric m)
{
    return m < EX_M_COUNT ? &metrics[m] : NULL;
}

int ex_metric_find(const char *name)
{
    for (int i = 0; i < EX_M_COUNT; i++)
        if (strcmp(metrics[i].name, name) == 0) return i;
    return -1;
}

plan_rule ex_default_rule(void)
{
    return (plan_rule){0.95, 0.01, MP_M_T, 5, 50, 0, 1};
}

size_t ex_ncells(const experiment *ex)
{
    return ex->nruntimes * ex->nbenchmarks * ex->nconfigs;
}

void ex_cell_parts(const experiment *ex, size_t cell, size_t *r, size_t *b, size_t *c)
{
    *c = cell % ex->nconfigs;
    *b = cell / ex->nconfigs % ex->nbenchmarks;
    *r = cell / ex->nconfigs / ex->nbenchmarks;
}

char *ex_cell_key(const experiment *ex, size_t cell)
{
    size_t r, b, c;
    ex_cell_parts(ex, cell, &r, &b, &c);
    sb k = {0};
    sb_addf(&k, "%s/%s/%s", ex->runtimes[r].name, ex->benchmarks[b].name, ex->configs[c].id);
    return sb_detach(&k);
}

long ex_cell_find(const experiment *ex, const char *runtime, const char *benchmark,
                  const char *config)
{
    size_t r = 0, b = 0, c = 0;
    while (r < ex->nruntimes && strcmp(ex->runtimes[r].name, runtime) != 0)
        r++;
    while (b < ex->nbenchmarks && strcmp(ex->benchmarks[b].name, benchmark) != 0)
        b++;
    while (c < ex->nconfigs && strcmp(ex->configs[c].id, config) != 0)
        c++;
    if (r == ex->nruntimes || b == ex->nbenchmarks || c == ex->nconfigs) return -1;
    return (long)((r * ex->nbenchmarks + b) * ex->nconfigs + c);
}

static void free_kvs(ex_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

void experiment_free(experiment *ex)
{
    for (size_t i = 0; i < ex->nruntimes; i++) {
        ex_runtime *rt = &ex->runtimes[i];
        free(rt->name);
        for (size_t k = 0; k < rt->argc; k++)
            free(rt->argv[k]);
        free(rt->argv);
        free_kvs(rt->env, rt->nenv);
        free(rt->build);
        free(rt->version);
    }
    free(ex->runtimes);
    for (size_t i = 0; i < ex->nbenchmarks; i++) {
        ex_benchmark *b = &ex->benchmarks[i];
        free(b->name);
        free(b->dir);
        free(b->command);
        for (size_t k = 0; k < b->nsetup; k++)
            free(b->setup[k]);
        free(b->setup);
        free_kvs(b->env, b->nenv);
        free(b->ready_url);
        free(b->host);
        free(b->scenario);
    }
    free(ex->benchmarks);
    for (size_t i = 0; i < ex->nconfigs; i++) {
        free(ex->configs[i].id);
        free(ex->configs[i].dir);
        for (size_t k = 0; k < ex->configs[i].nfiles; k++)
            free(ex->configs[i].files[k].path);
        free(ex->configs[i].files);
    }
    free(ex->configs);
    free(ex->manifest);
    free(ex->path);
    free(ex->base);
    free(ex->name);
    memset(ex, 0, sizeof *ex);
}
