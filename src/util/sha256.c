#include "util/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void to_hex(const unsigned char *md, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i]     = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void mp_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    /* SHA-256 through EVP fails only when memory is exhausted, which mixperf treats as fatal. */
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
        fputs("mixperf: SHA-256 failed (libcrypto)\n", stderr);
        abort();
    }
    to_hex(md, hex);
}

int mp_sha256_file(const char *path, char hex[65], mp_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return mp_fail(err, "%s: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        fputs("mixperf: SHA-256 failed (libcrypto)\n", stderr);
        abort();
    }
    unsigned char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = mp_fail(err, "%s: read: %s", path, strerror(errno));
            break;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    close(fd);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    EVP_MD_CTX_free(ctx);
    if (rc == 0) to_hex(md, hex);
    return rc;
}
