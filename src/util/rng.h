/* Fast, seedable pseudo-random streams (xoshiro256**, seeded through splitmix64). Every random
 * decision in mixperf comes from a stream derived from the run's recorded --seed and a stream id
 * (a user index, a round number), so a run can be replayed. Not for cryptography. Statistical
 * resampling may use GSL's generators instead; both are seeded from the same recorded seed. */
#ifndef MP_UTIL_RNG_H
#define MP_UTIL_RNG_H

#include <stdint.h>

typedef struct mp_rng {
    uint64_t s[4];
} mp_rng;

/* Independent stream `stream` of the run seeded with `seed`. */
void mp_rng_seed(mp_rng *r, uint64_t seed, uint64_t stream);
uint64_t mp_rng_next(mp_rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t mp_rng_below(mp_rng *r, uint64_t n);
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t mp_rng_range(mp_rng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double mp_rng_double(mp_rng *r);

/* A seed from the OS, for runs where the user gave none (the value is then recorded). */
uint64_t mp_seed_from_os(void);

#endif
