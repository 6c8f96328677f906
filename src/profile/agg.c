#include "profile/agg.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}
#define FNV UINT64_C(0xcbf29ce484222325)

typedef int (*eq_fn)(const struct agg *a, uint32_t idx, const void *key);

/* Returns the slot for key: occupied by an equal entry, or empty. */
static size_t tab_slot(const struct agg *a, const struct idx_table *t, uint64_t h, eq_fn eq,
                       const void *key)
{
    size_t mask = t->cap - 1, i = (size_t)h & mask;
    while (t->slots[i] && !eq(a, t->slots[i] - 1, key))
        i = (i + 1) & mask;
    return i;
}

typedef uint64_t (*rehash_fn)(const struct agg *a, uint32_t idx);

static void tab_grow(const struct agg *a, struct idx_table *t, rehash_fn rh)
{
    if (t->cap && (t->used + 1) * 4 < t->cap * 3) return;
    size_t ncap   = t->cap ? t->cap * 2 : 64;
    uint32_t *nsl = xcalloc(ncap, sizeof *nsl);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i]) continue;
        size_t j = (size_t)rh(a, t->slots[i] - 1) & (ncap - 1);
        while (nsl[j])
            j = (j + 1) & (ncap - 1);
        nsl[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = nsl;
    t->cap   = ncap;
}

void agg_init(struct agg *a)
{
    memset(a, 0, sizeof *a);
}

void agg_free(struct agg *a)
{
    for (size_t i = 0; i < a->nstrs; i++)
        free(a->strs[i]);
    for (size_t i = 0; i < a->nstacks; i++)
        free(a->stacks[i].frames);
    free(a->strs);
    free(a->funcs);
    free(a->frames);
    free(a->stacks);
    free(a->threads);
    free(a->strtab.slots);
    free(a->functab.slots);
    free(a->frametab.slots);
    free(a->stacktab.slots);
    memset(a, 0, sizeof *a);
}

static uint64_t str_hash(const struct agg *a, uint32_t i)
{
    return hash_bytes(a->strs[i], strlen(a->strs[i]), FNV);
}
static int str_eq(const struct agg *a, uint32_t i, const void *key)
{
    return strcmp(a->strs[i], key) == 0;
}

const char *agg_intern(struct agg *a, const char *s)
{
    tab_grow(a, &a->strtab, str_hash);
    size_t slot = tab_slot(a, &a->strtab, hash_bytes(s, strlen(s), FNV), str_eq, s);
    if (a->strtab.slots[slot]) return a->strs[a->strtab.slots[slot] - 1];
    XGROW(a->strs, a->nstrs + 1, a->capstrs);
    a->strs[a->nstrs]     = xstrdup(s);
    a->strtab.slots[slot] = (uint32_t)++a->nstrs;
    a->strtab.used++;
    return a->strs[a->nstrs - 1];
}

static uint64_t func_hash_of(const struct agg_func *f)
{
    uintptr_t k[3] = {(uintptr_t)f->module, (uintptr_t)f->qualname, (uintptr_t)f->filename};
    return hash_bytes(&f->firstlineno, sizeof f->firstlineno, hash_bytes(k, sizeof k, FNV));
}
static uint64_t func_hash(const struct agg *a, uint32_t i)
{
    return func_hash_of(&a->funcs[i]);
}
static int func_eq(const struct agg *a, uint32_t i, const void *key)
{
    const struct agg_func *f = &a->funcs[i], *k = key;
    return f->module == k->module && f->qualname == k->qualname && f->filename == k->filename &&
           f->firstlineno == k->firstlineno;
}

uint32_t agg_func(struct agg *a, const char *module, const char *qualname, const char *filename,
                  int firstlineno)
{
    struct agg_func k = {agg_intern(a, module), agg_intern(a, qualname), agg_intern(a, filename),
                         firstlineno};
    tab_grow(a, &a->functab, func_hash);
    size_t slot = tab_slot(a, &a->functab, func_hash_of(&k), func_eq, &k);
    if (a->functab.slots[slot]) return a->functab.slots[slot] - 1;
    XGROW(a->funcs, a->nfuncs + 1, a->capfuncs);
    a->funcs[a->nfuncs]    = k;
    a->functab.slots[slot] = (uint32_t)++a->nfuncs;
    a->functab.used++;
    return (uint32_t)a->nfuncs - 1;
}

static uint64_t frame_hash_of(const struct agg_frame *f)
{
    return hash_bytes(&f->line, sizeof f->line, hash_bytes(&f->func, sizeof f->func, FNV));
}
static uint64_t frame_hash(const struct agg *a, uint32_t i)
{
    return frame_hash_of(&a->frames[i]);
}
static int frame_eq(const struct agg *a, uint32_t i, const void *key)
{
    const struct agg_frame *k = key;
    return a->frames[i].func == k->func && a->frames[i].line == k->line;
}

uint32_t agg_frame(struct agg *a, uint32_t func, int line)
{
    struct agg_frame k = {func, line};
    tab_grow(a, &a->frametab, frame_hash);
    size_t slot = tab_slot(a, &a->frametab, frame_hash_of(&k), frame_eq, &k);
    if (a->frametab.slots[slot]) return a->frametab.slots[slot] - 1;
    XGROW(a->frames, a->nframes + 1, a->capframes);
    a->frames[a->nframes]   = k;
    a->frametab.slots[slot] = (uint32_t)++a->nframes;
    a->frametab.used++;
    return (uint32_t)a->nframes - 1;
}

static uint64_t stack_hash_of(const struct agg_stack *s)
{
    int32_t ids[2] = {s->pid, s->tid};
    return hash_bytes(s->frames, s->n * sizeof *s->frames, hash_bytes(ids, sizeof ids, FNV));
}
static uint64_t stack_hash(const struct agg *a, uint32_t i)
{
    return stack_hash_of(&a->stacks[i]);
}
static int stack_eq(const struct agg *a, uint32_t i, const void *key)
{
    const struct agg_stack *s = &a->stacks[i], *k = key;
    return s->pid == k->pid && s->tid == k->tid && s->n == k->n &&
           (k->n == 0 || memcmp(s->frames, k->frames, k->n * sizeof *k->frames) == 0);
}

void agg_add(struct agg *a, pid_t pid, pid_t tid, const uint32_t *frames, uint32_t n,
             uint64_t weight)
{
    struct agg_stack k = {pid, tid, n, (uint32_t *)frames, 0, 0};
    tab_grow(a, &a->stacktab, stack_hash);
    size_t slot = tab_slot(a, &a->stacktab, stack_hash_of(&k), stack_eq, &k);
    if (!a->stacktab.slots[slot]) {
        XGROW(a->stacks, a->nstacks + 1, a->capstacks);
        k.frames                = n ? xmemdup(frames, n * sizeof *frames) : NULL;
        a->stacks[a->nstacks]   = k;
        a->stacktab.slots[slot] = (uint32_t)++a->nstacks;
        a->stacktab.used++;
    }
    struct agg_stack *s = &a->stacks[a->stacktab.slots[slot] - 1];
    s->weight += weight;
    s->count++;
    a->total_weight += weight;
    a->total_count++;
}

static struct agg_thread *thread_of(struct agg *a, pid_t pid, pid_t tid)
{
    /* Few threads per profile (tens, hundreds with worker restarts): a linear scan is enough. */
    for (size_t i = a->nthreads; i-- > 0;)
        if (a->threads[i].pid == pid && a->threads[i].tid == tid) return &a->threads[i];
    XGROW(a->threads, a->nthreads + 1, a->capthreads);
    a->threads[a->nthreads] = (struct agg_thread){pid, tid, 0};
    return &a->threads[a->nthreads++];
}

void agg_thread_cpu(struct agg *a, pid_t pid, pid_t tid, uint64_t ns)
{
    thread_of(a, pid, tid)->cpu += ns;
}

void agg_scale_cpu(struct agg *a)
{
    if (a->scaled) return;
    a->scaled   = 1;
    size_t *idx = xmalloc((a->nstacks + 1) * sizeof *idx);
    for (size_t i = 0; i < a->nstacks; i++)
        idx[i] = (size_t)(thread_of(a, a->stacks[i].pid, a->stacks[i].tid) - a->threads);
    /* threads[] is complete now (thread_of adds threads that have samples but no CPU record). */
    uint64_t *sample = xcalloc(a->nthreads + 1, sizeof *sample);
    for (size_t i = 0; i < a->nstacks; i++)
        sample[idx[i]] += a->stacks[i].weight;
    a->total_weight = 0;
    for (size_t i = 0; i < a->nstacks; i++) {
        const struct agg_thread *t = &a->threads[idx[i]];
        uint64_t sum               = sample[idx[i]];
        if (sum && t->cpu)
            a->stacks[i].weight =
                (uint64_t)((long double)a->stacks[i].weight * t->cpu / (long double)sum + 0.5L);
        a->total_weight += a->stacks[i].weight;
    }
    free(sample);
    free(idx);
}

static uint32_t key_of(const struct agg *a, enum agg_by by, uint32_t frame)
{
    if (by == AGG_LINE) return frame;
    uint32_t f = a->frames[frame].func;
    if (by == AGG_FUNC) return f;
    /* Module names are interned, so the string's index identifies the module. */
    const char *m = a->funcs[f].module;
    size_t slot   = (size_t)hash_bytes(m, strlen(m), FNV) & (a->strtab.cap - 1);
    while (a->strs[a->strtab.slots[slot] - 1] != m)
        slot = (slot + 1) & (a->strtab.cap - 1);
    return a->strtab.slots[slot] - 1;
}

static int row_cmp(const void *x, const void *y)
{
    const struct agg_row *a = x, *b = y;
    if (a->self != b->self) return a->self < b->self ? 1 : -1;
    if (a->total != b->total) return a->total < b->total ? 1 : -1;
    return a->key < b->key ? -1 : a->key > b->key;
}

struct agg_row *agg_rollup(const struct agg *a, enum agg_by by, size_t *n)
{
    size_t space   = by == AGG_LINE ? a->nframes : by == AGG_FUNC ? a->nfuncs : a->nstrs;
    uint64_t *self = xcalloc(space + 1, sizeof *self), *total = xcalloc(space + 1, sizeof *total);
    /* seen[k] == stack index + 1 marks "already counted in this stack" without clearing. */
    size_t *seen = xcalloc(space + 1, sizeof *seen);
    for (size_t i = 0; i < a->nstacks; i++) {
        const struct agg_stack *s = &a->stacks[i];
        if (!s->n) continue;
        self[key_of(a, by, s->frames[s->n - 1])] += s->weight;
        for (uint32_t j = 0; j < s->n; j++) {
            uint32_t k = key_of(a, by, s->frames[j]);
            if (seen[k] == i + 1) continue;
            seen[k] = i + 1;
            total[k] += s->weight;
        }
    }
    struct agg_row *rows = xmalloc((space + 1) * sizeof *rows);
    size_t m             = 0;
    for (size_t k = 0; k < space; k++)
        if (total[k]) rows[m++] = (struct agg_row){(uint32_t)k, self[k], total[k]};
    qsort(rows, m, sizeof *rows, row_cmp);
    free(self);
    free(total);
    free(seen);
    *n = m;
    return rows;
}
