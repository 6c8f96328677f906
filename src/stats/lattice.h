/* The configuration lattice of a mixed-typing experiment and the seeded sampler over it
 * (METHODS.md B.7, after Greenman et al., JFP 2019, generalised to V variants per unit).
 *
 * A program has N units (1 <= N <= MP_LATTICE_MAX_UNITS), each available in V variants
 * (2 <= V <= MP_LATTICE_MAX_VARIANTS; variant 0 is the baseline, e.g. untyped, and higher digits
 * are more typed by the mixer's convention). A configuration is a string of N decimal digits:
 * character u (0-based) is the variant chosen for unit u+1, e.g. "0210" for N = 4, V = 3. Its index
 * in the lattice is that string read as a base-V number, so sorting ids as strings sorts them by
 * index and index 0 is the all-0 configuration.
 *
 * The lattice has V^N members (9^64 is about 1e61: it need not fit in 64 bits). The sampler draws r
 * independent samples, each of s DISTINCT configurations chosen uniformly at random from all V^N
 * (simple random sampling without replacement within a sample; a configuration may appear in more
 * than one sample). It is a pure function of (N, V, r, s, seed): the same arguments give the same
 * samples on every machine, so the mixer records the seed in its manifest and anyone can redraw
 * them. The anchors (all-0 and each all-v) are drawn separately by mp_lattice_anchors: overheads
 * and typed/untyped ratios need them whether or not the sample happened to include them. */
#ifndef MP_STATS_LATTICE_H
#define MP_STATS_LATTICE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Configuration ids become directory names (NAME_MAX is 255 on Linux): one digit per unit. The
 * sampler itself has no limit of its own (it draws digits and rejects duplicates). */
#define MP_LATTICE_MAX_UNITS 240
#define MP_LATTICE_MAX_VARIANTS 10

/* V^N as a double (exact while it is below 2^53; otherwise the nearest double), for proportions,
 * finite-population corrections and deciding whether to enumerate. */
double mp_lattice_size(unsigned units, unsigned variants);
/* V^N exactly; fails when it does not fit in 64 bits (then enumeration is out of the question). */
int mp_lattice_count(unsigned units, unsigned variants, uint64_t *count, mp_err *err);

/* The configuration with the given index (0 <= index < V^N) into out[units + 1] (NUL-terminated);
 * enumerate a small lattice by calling it for every index. */
int mp_lattice_config_at(unsigned units, unsigned variants, uint64_t index, char *out, mp_err *err);
/* Checks that cfg is a configuration of this lattice (N digits, each < V); the message names the
 * first offending character. */
int mp_lattice_config_check(const char *cfg, unsigned units, unsigned variants, mp_err *err);

/* The V anchor configurations: out + v * (units + 1) receives the all-v string for v = 0..V-1. */
int mp_lattice_anchors(unsigned units, unsigned variants, char *out, mp_err *err);

typedef struct mp_lattice_sample {
    unsigned units, variants;
    size_t r, s;   /* r samples of s configurations each */
    uint64_t seed; /* the seed they were drawn with */
    char *configs; /* owned: r * s strings of units digits, each followed by NUL (stride units+1),
                      sample j's i-th configuration at configs + (j * s + i) * (units + 1) */
} mp_lattice_sample;

/* Draws the r samples. Needs s <= V^N (a sample cannot hold more distinct configurations than
 * exist), r >= 1, s >= 1 and r * s <= 2^28 (memory). Within a sample the order is random. */
int mp_lattice_draw(unsigned units, unsigned variants, size_t r, size_t s, uint64_t seed,
                    mp_lattice_sample *out, mp_err *err);
/* Sample j's i-th configuration (j < r, i < s). */
const char *mp_lattice_sample_config(const mp_lattice_sample *ls, size_t j, size_t i);
void mp_lattice_sample_free(mp_lattice_sample *ls);

#endif
