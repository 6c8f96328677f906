#include "util/sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void sb_grow(sb *s, size_t extra)
{
    size_t need = s->len + extra + 1;
    if (need <= s->cap) return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < need)
        cap *= 2;
    s->buf = xrealloc(s->buf, cap);
    s->cap = cap;
}

void sb_add(sb *s, const void *data, size_t n)
{
    sb_grow(s, n);
    if (n) memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void sb_adds(sb *s, const char *str)
{
    sb_add(s, str, strlen(str));
}

void sb_addc(sb *s, char c)
{
    sb_grow(s, 1);
    s->buf[s->len++] = c;
    s->buf[s->len]   = '\0';
}

void sb_vaddf(sb *s, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0) {
        sb_grow(s, 0);
        s->buf[s->len] = '\0';
        return;
    }
    sb_grow(s, (size_t)n);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    s->len += (size_t)n;
}

void sb_addf(sb *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(s, fmt, ap);
    va_end(ap);
}

void sb_truncate(sb *s, size_t len)
{
    if (len >= s->len) return;
    s->len         = len;
    s->buf[s->len] = '\0';
}

void sb_reset(sb *s)
{
    s->len = 0;
    if (s->buf) s->buf[0] = '\0';
}

void sb_free(sb *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

char *sb_detach(sb *s)
{
    char *p = s->buf ? s->buf : xstrdup("");
    s->buf  = NULL;
    s->len = s->cap = 0;
    return p;
}

const char *sb_str(const sb *s)
{
    return s->buf ? s->buf : "";
}

void sb_add_xml(sb *s, const char *str)
{
    for (; *str; str++) {
        switch (*str) {
        case '&':
            sb_adds(s, "&amp;");
            break;
        case '<':
            sb_adds(s, "&lt;");
            break;
        case '>':
            sb_adds(s, "&gt;");
            break;
        case '"':
            sb_adds(s, "&quot;");
            break;
        case '\'':
            sb_adds(s, "&#39;");
            break;
        default:
            if ((unsigned char)*str >= 0x20 || *str == '\t' || *str == '\n') sb_addc(s, *str);
        }
    }
}
