/* sb: the one owned, growable byte string used everywhere in mixperf. Always NUL-terminated once
 * anything has been added; may hold embedded NULs (len is authoritative). A zeroed sb is empty and
 * valid, so `sb s = {0};` needs no init call. */
#ifndef MP_UTIL_SB_H
#define MP_UTIL_SB_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sb {
    char *buf;
    size_t len;
    size_t cap;
} sb;

void sb_grow(sb *s, size_t extra);
void sb_add(sb *s, const void *data, size_t n);
void sb_adds(sb *s, const char *str);
void sb_addc(sb *s, char c);
void sb_addf(sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(sb *s, const char *fmt, va_list ap);
void sb_truncate(sb *s, size_t len);
void sb_reset(sb *s);
void sb_free(sb *s);
/* Hands the buffer to the caller (never NULL, "" when empty) and leaves s empty. */
char *sb_detach(sb *s);
/* The contents as a C string; "" when nothing was ever added. */
const char *sb_str(const sb *s);
/* Appends str escaped for XML/HTML element content and attribute values (& < > " '); control
 * characters XML 1.0 does not allow are dropped (tab and newline stay). */
void sb_add_xml(sb *s, const char *str);

#endif
