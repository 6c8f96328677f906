#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mp_fail(mp_err *e, const char *fmt, ...)
{
    if (!e) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int mp_fail_at(mp_err *e, const char *file, int line, int col, const char *fmt, ...)
{
    if (!e) return -1;
    int n;
    if (line > 0 && col > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%d:%d: ", file, line, col);
    else if (line > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%d: ", file, line);
    else
        n = snprintf(e->msg, sizeof e->msg, "%s: ", file);
    if (n < 0 || (size_t)n >= sizeof e->msg) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

int mp_fail_wrap(mp_err *e, const char *fmt, ...)
{
    if (!e) return -1;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Truncation is acceptable here: the message is for humans and keeps its start. */
    char old[sizeof e->msg];
    memcpy(old, e->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n + 2 >= sizeof e->msg) n = sizeof e->msg - 3;
    memcpy(e->msg, prefix, n);
    memcpy(e->msg + n, ": ", 2);
    size_t rest = sizeof e->msg - n - 3;
    size_t ol   = strnlen(old, rest);
    memcpy(e->msg + n + 2, old, ol);
    e->msg[n + 2 + ol] = '\0';
    return -1;
}
