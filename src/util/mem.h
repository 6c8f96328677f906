/* Allocation that never returns NULL: out of memory is not a condition mixperf can report usefully
 * halfway through a measurement, so it aborts with a message instead. */
#ifndef MP_UTIL_MEM_H
#define MP_UTIL_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

/* Grow *arr (element size elem) so that it holds at least need elements; *cap is updated. */
void xgrow(void **arr, size_t elem, size_t need, size_t *cap);
#define XGROW(arr, need, cap) xgrow((void **)&(arr), sizeof(*(arr)), (need), &(cap))

#endif
