/* Remote memory: every byte the profiler reads from a target goes through one small read function,
 * so the reader can be run against a live process (process_vm_readv), a page-cached view of a
 * paused thread, or a synthetic image in tests and the fuzzer. Reads never write to the target. */
#ifndef MP_PROFILE_RMEM_H
#define MP_PROFILE_RMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct mp_rmem {
    /* Copies exactly n bytes at remote address addr into buf. Returns 0, or -1 with errno set
     * (EFAULT: not mapped; ESRCH: the process is gone). */
    int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
    void *ctx;
} mp_rmem;

static inline int rmem_read(const mp_rmem *m, uint64_t addr, void *buf, size_t n)
{
    return m->read(m->ctx, addr, buf, n);
}
int rmem_u64(const mp_rmem *m, uint64_t addr, uint64_t *out);

/* A live process, read with process_vm_readv. */
struct rmem_proc {
    pid_t pid;
};
mp_rmem rmem_proc(struct rmem_proc *p);

/* A page cache in front of another backend: while a thread is paused, its frames (contiguous in
 * the frame arena) cost one read per 4 KiB page instead of one per frame. Valid only while the
 * memory it caches cannot change: call rmem_cache_reset before each pause. */
enum { RMEM_PAGE = 4096, RMEM_CACHE_PAGES = 32 };
struct rmem_cache {
    const mp_rmem *under;
    uint64_t page[RMEM_CACHE_PAGES];
    unsigned char *data; /* RMEM_CACHE_PAGES * RMEM_PAGE, owned */
    int n, next;
    uint64_t reads; /* reads issued to `under` since the last reset */
};
void rmem_cache_init(struct rmem_cache *c, const mp_rmem *under);
void rmem_cache_reset(struct rmem_cache *c);
void rmem_cache_free(struct rmem_cache *c);
mp_rmem rmem_cache(struct rmem_cache *c);

/* A synthetic address space: a set of regions, each a copy of caller bytes at a base address.
 * Used by unit tests and the fuzzer; anything outside a region reads as EFAULT. */
struct rmem_region {
    uint64_t base;
    const unsigned char *bytes;
    size_t len;
};
struct rmem_image {
    const struct rmem_region *regions;
    size_t n;
};
mp_rmem rmem_image(struct rmem_image *img);

#endif
