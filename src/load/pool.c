#include "load/pool.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void ld_pool_init(ld_pool *p)
{
    memset(p, 0, sizeof *p);
    uv_mutex_init(&p->mx);
}

void ld_pool_free(ld_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
    free(p->lens);
    uv_mutex_destroy(&p->mx);
    memset(p, 0, sizeof *p);
}

void ld_pool_push(ld_pool *p, const char *s, size_t len)
{
    char *copy = xmemdup(s, len + 1);
    copy[len]  = '\0';
    uv_mutex_lock(&p->mx);
    if (p->n == p->cap) {
        size_t cap = p->cap;
        XGROW(p->items, p->n + 1, cap);
        p->lens = xrealloc(p->lens, cap * sizeof *p->lens);
        p->cap  = cap;
    }
    p->items[p->n] = copy;
    p->lens[p->n]  = len;
    p->n++;
    uv_mutex_unlock(&p->mx);
}

int ld_pool_pick(ld_pool *p, mp_rng *rng, mp_value *dst)
{
    uv_mutex_lock(&p->mx);
    if (p->n == 0) {
        uv_mutex_unlock(&p->mx);
        return -1;
    }
    size_t k = (size_t)mp_rng_below(rng, p->n);
    mp_value_set(dst, p->items[k], p->lens[k]);
    uv_mutex_unlock(&p->mx);
    return 0;
}

size_t ld_pool_snapshot(ld_pool *p, char ***items, size_t **lens)
{
    uv_mutex_lock(&p->mx);
    size_t n = p->n;
    *items   = xcalloc(n ? n : 1, sizeof **items);
    *lens    = xcalloc(n ? n : 1, sizeof **lens);
    for (size_t i = 0; i < n; i++) {
        (*items)[i] = xmemdup(p->items[i], p->lens[i] + 1);
        (*lens)[i]  = p->lens[i];
    }
    uv_mutex_unlock(&p->mx);
    return n;
}

void ld_snapshot_free(char **items, size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    free(lens);
}

size_t ld_pool_size(ld_pool *p)
{
    uv_mutex_lock(&p->mx);
    size_t n = p->n;
    uv_mutex_unlock(&p->mx);
    return n;
}
