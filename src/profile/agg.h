/* Where samples go: interned names, functions, frames (function + line) and whole stacks, each
 * stored once with its accumulated weight. Everything a report needs is derived from the stacks,
 * so nothing here depends on the live process any more. */
#ifndef MP_PROFILE_AGG_H
#define MP_PROFILE_AGG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct agg_func {
    const char *module, *qualname, *filename; /* interned */
    int firstlineno;
};
struct agg_frame {
    uint32_t func;
    int line;
};
struct agg_stack {
    int32_t pid, tid;
    uint32_t n;
    uint32_t *frames; /* frame ids, outermost first */
    uint64_t weight;  /* ns of CPU (or wall) time */
    uint64_t count;
};

struct idx_table {
    uint32_t *slots; /* index + 1, 0 empty */
    size_t cap, used;
};

struct agg_thread {
    int32_t pid, tid;
    uint64_t cpu; /* ns used while being profiled */
};

struct agg {
    char **strs;
    size_t nstrs, capstrs;
    struct idx_table strtab;
    struct agg_func *funcs;
    size_t nfuncs, capfuncs;
    struct idx_table functab;
    struct agg_frame *frames;
    size_t nframes, capframes;
    struct idx_table frametab;
    struct agg_stack *stacks;
    size_t nstacks, capstacks;
    struct idx_table stacktab;
    struct agg_thread *threads;
    size_t nthreads, capthreads;
    int scaled;
    uint64_t total_weight, total_count;
};

void agg_init(struct agg *a);
void agg_free(struct agg *a);
/* A stable copy of s, the same pointer for equal strings, valid until agg_free. */
const char *agg_intern(struct agg *a, const char *s);
uint32_t agg_func(struct agg *a, const char *module, const char *qualname, const char *filename,
                  int firstlineno);
uint32_t agg_frame(struct agg *a, uint32_t func, int line);
/* frames: n frame ids, outermost first. */
void agg_add(struct agg *a, pid_t pid, pid_t tid, const uint32_t *frames, uint32_t n,
             uint64_t weight);

/* CPU time a thread used while profiled, accumulated. */
void agg_thread_cpu(struct agg *a, pid_t pid, pid_t tid, uint64_t ns);
/* Scales each thread's stack weights so that they add up to the CPU time it used: every sample of
 * a thread then weighs the same, its CPU time over its sample count. Idempotent. */
void agg_scale_cpu(struct agg *a);

/* Self and total (inclusive, counted once per stack however deep the recursion) weight per key.
 * kind: by module name, by function, or by frame (function + line). */
enum agg_by { AGG_MODULE, AGG_FUNC, AGG_LINE };
struct agg_row {
    uint32_t key; /* interned-string index (module), function id or frame id */
    uint64_t self, total;
};
/* Returns an owned array sorted by self then total, descending. */
struct agg_row *agg_rollup(const struct agg *a, enum agg_by by, size_t *n);

#endif
