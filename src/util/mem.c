#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "mixperf: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xmemdup(s, strlen(s) + 1);
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p    = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *xmemdup(const void *src, size_t n)
{
    void *p = xmalloc(n);
    if (n) memcpy(p, src, n);
    return p;
}

void xgrow(void **arr, size_t elem, size_t need, size_t *cap)
{
    if (need <= *cap) return;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    *arr = xrealloc(*arr, n * elem);
    *cap = n;
}
