#include "profile/rmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "util/mem.h"

int rmem_u64(const mp_rmem *m, uint64_t addr, uint64_t *out)
{
    return rmem_read(m, addr, out, sizeof *out);
}

static int proc_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    struct rmem_proc *p = ctx;
    if (n == 0) return 0;
    if (addr + n < addr) {
        errno = EFAULT;
        return -1;
    }
    struct iovec local = {buf, n}, remote = {(void *)(uintptr_t)addr, n};
    ssize_t got = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);
    if (got == (ssize_t)n) return 0;
    if (got >= 0) errno = EFAULT; /* a partial read crossed into an unmapped page */
    return -1;
}

mp_rmem rmem_proc(struct rmem_proc *p)
{
    return (mp_rmem){proc_read, p};
}

void rmem_cache_init(struct rmem_cache *c, const mp_rmem *under)
{
    memset(c, 0, sizeof *c);
    c->under = under;
    c->data  = xmalloc((size_t)RMEM_CACHE_PAGES * RMEM_PAGE);
}

void rmem_cache_reset(struct rmem_cache *c)
{
    c->n = c->next = 0;
    c->reads       = 0;
}

void rmem_cache_free(struct rmem_cache *c)
{
    free(c->data);
    c->data = NULL;
}

static const unsigned char *cache_page(struct rmem_cache *c, uint64_t page)
{
    for (int i = 0; i < c->n; i++)
        if (c->page[i] == page) return c->data + (size_t)i * RMEM_PAGE;
    int slot = c->n < RMEM_CACHE_PAGES ? c->n++ : (c->next++ % RMEM_CACHE_PAGES);
    c->reads++;
    unsigned char *dst = c->data + (size_t)slot * RMEM_PAGE;
    if (rmem_read(c->under, page, dst, RMEM_PAGE) != 0) {
        /* An unaligned tag never equals a page address, so a failed page is never served. */
        c->page[slot] = 1;
        return NULL;
    }
    c->page[slot] = page;
    return dst;
}

static int cache_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    struct rmem_cache *c = ctx;
    if (addr + n < addr) {
        errno = EFAULT;
        return -1;
    }
    /* Large reads (line tables, long strings) bypass the cache: they are not volatile. */
    if (n > 2 * RMEM_PAGE) return rmem_read(c->under, addr, buf, n);
    unsigned char *out = buf;
    while (n > 0) {
        uint64_t page          = addr & ~(uint64_t)(RMEM_PAGE - 1);
        size_t off             = (size_t)(addr - page);
        size_t take            = RMEM_PAGE - off < n ? RMEM_PAGE - off : n;
        const unsigned char *p = cache_page(c, page);
        if (!p) return -1;
        memcpy(out, p + off, take);
        out += take;
        addr += take;
        n -= take;
    }
    return 0;
}

mp_rmem rmem_cache(struct rmem_cache *c)
{
    return (mp_rmem){cache_read, c};
}

static int image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    struct rmem_image *img = ctx;
    for (size_t i = 0; i < img->n; i++) {
        const struct rmem_region *r = &img->regions[i];
        if (addr >= r->base && addr - r->base <= r->len && n <= r->len - (addr - r->base)) {
            memcpy(buf, r->bytes + (addr - r->base), n);
            return 0;
        }
    }
    errno = EFAULT;
    return -1;
}

mp_rmem rmem_image(struct rmem_image *img)
{
    return (mp_rmem){image_read, img};
}
