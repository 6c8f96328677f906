/* SHA-256 (OpenSSL's libcrypto) as lowercase hex: what mix manifests and run provenance record
 * for every file, so `sha256sum` output can be compared with them directly. */
#ifndef MP_UTIL_SHA256_H
#define MP_UTIL_SHA256_H

#include <stddef.h>

#include "util/err.h"

/* hex receives 64 digits and a NUL. Aborts only if libcrypto itself fails (out of memory). */
void mp_sha256_hex(const void *data, size_t len, char hex[65]);
/* Of a file's bytes, read in blocks. */
int mp_sha256_file(const char *path, char hex[65], mp_err *err);

#endif
