/* Named pools: run-wide lists of strings shared by every user on every thread (editors push the
 * slugs they create, readers pick one). A mutex per pool: pushes and picks are rare next to
 * requests, and a pick copies the element out under the lock so no reference outlives it. */
#ifndef MP_LOAD_POOL_H
#define MP_LOAD_POOL_H

#include <stddef.h>
#include <uv.h>

#include "scenario/template.h"
#include "util/rng.h"

typedef struct ld_pool {
    uv_mutex_t mx;
    char **items;
    size_t *lens;
    size_t n, cap;
} ld_pool;

void ld_pool_init(ld_pool *p);
void ld_pool_free(ld_pool *p);
void ld_pool_push(ld_pool *p, const char *s, size_t len);
/* Copies a uniformly random element into dst; returns -1 (dst untouched) when the pool is empty. */
int ld_pool_pick(ld_pool *p, mp_rng *rng, mp_value *dst);
/* A copy of the pool as it is now, for `loop: {over: pool.NAME}`: *items and *lens are owned by
 * the caller (ld_snapshot_free). Returns the element count. */
size_t ld_pool_snapshot(ld_pool *p, char ***items, size_t **lens);
void ld_snapshot_free(char **items, size_t *lens, size_t n);
size_t ld_pool_size(ld_pool *p);

#endif
