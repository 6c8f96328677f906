#include "util/rng.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z          = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z          = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void mp_rng_seed(mp_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ splitmix64(&stream);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t mp_rng_next(mp_rng *r)
{
    uint64_t *s     = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t      = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t mp_rng_below(mp_rng *r, uint64_t n)
{
    /* Rejection sampling on the top of the range keeps every value equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = mp_rng_next(r);
    while (v >= limit);
    return v % n;
}

int64_t mp_rng_range(mp_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) return (int64_t)mp_rng_next(r);
    return (int64_t)((uint64_t)lo + mp_rng_below(r, span + 1));
}

double mp_rng_double(mp_rng *r)
{
    return (double)(mp_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t mp_seed_from_os(void)
{
    uint64_t v;
    if (getrandom(&v, sizeof v, 0) == (ssize_t)sizeof v) return v;
    return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}
