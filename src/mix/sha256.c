#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "mix/mix.h"

void mix_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    /* EVP_Digest with SHA-256 cannot fail short of memory exhaustion, which mixperf treats as
     * fatal everywhere (util/mem.h). */
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
        fputs("mixperf: SHA-256 failed (libcrypto)\n", stderr);
        abort();
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i]     = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}
