#include "stats/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Layout: values below 2*SUB are counted exactly (one bucket per nanosecond); above that, each
 * power of two [2^k, 2^(k+1)) is split into SUB buckets of width 2^(k-SUB_BITS). The index is
 * (shift << SUB_BITS) + (v >> shift) with shift = msb(v) - SUB_BITS (0 for small values), which
 * makes the layout contiguous from 0 to the top of uint64_t: no range check, no clamping branch.
 * A bucket's midpoint is within width/2 of every value in it and width <= lo/SUB, so the midpoint
 * is within 1/(2*SUB) = 0.78% of any value the bucket holds. */
#define SUB_BITS 6
#define SUB (1u << SUB_BITS)
_Static_assert(SUB == MP_HIST_SUB, "hist.h promises MP_HIST_SUB buckets per power of two");
/* The top index, for UINT64_MAX, is ((63 - SUB_BITS) << SUB_BITS) + 2*SUB - 1 = 3775. */
#define NBUCKETS ((64 - SUB_BITS + 1) * SUB)

__extension__ typedef unsigned __int128 u128;

struct mp_hist {
    uint64_t count;
    uint64_t min; /* UINT64_MAX while empty, so recording needs no "first value" test */
    uint64_t max;
    u128 sum; /* exact: 2^64 values of 2^64 ns cannot overflow it */
    uint64_t counts[NBUCKETS];
};

static inline unsigned bucket_of(uint64_t v)
{
    /* OR-ing the low bits in makes every v < 2*SUB look like msb = SUB_BITS, i.e. shift 0. */
    unsigned msb   = 63u ^ (unsigned)__builtin_clzll(v | (2u * SUB - 1u));
    unsigned shift = msb - SUB_BITS;
    return (shift << SUB_BITS) + (unsigned)(v >> shift);
}

static inline uint64_t bucket_lo(unsigned i)
{
    if (i < 2 * SUB) return i;
    unsigned shift = (i >> SUB_BITS) - 1;
    return (uint64_t)((i & (SUB - 1)) + SUB) << shift;
}

static inline uint64_t bucket_width(unsigned i)
{
    return i < 2 * SUB ? 1 : (uint64_t)1 << ((i >> SUB_BITS) - 1);
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The value reported for bucket i: its midpoint, kept inside what was actually recorded. */
static uint64_t bucket_value(const mp_hist *h, unsigned i)
{
    uint64_t mid = bucket_lo(i) + bucket_width(i) / 2;
    return clamp(mid, h->min, h->max);
}

mp_hist *mp_hist_new(void)
{
    mp_hist *h = xmalloc(sizeof *h);
    mp_hist_reset(h);
    return h;
}

void mp_hist_free(mp_hist *h)
{
    free(h);
}

void mp_hist_reset(mp_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

size_t mp_hist_bytes(void)
{
    return sizeof(mp_hist);
}

void mp_hist_record(mp_hist *h, uint64_t value_ns)
{
    h->counts[bucket_of(value_ns)]++;
    h->count++;
    h->sum += value_ns;
    h->min = value_ns < h->min ? value_ns : h->min;
    h->max = value_ns > h->max ? value_ns : h->max;
}

void mp_hist_record_n(mp_hist *h, uint64_t value_ns, uint64_t n)
{
    if (n == 0) return; /* would otherwise move min/max without adding a value */
    h->counts[bucket_of(value_ns)] += n;
    h->count += n;
    h->sum += (u128)value_ns * n;
    h->min = value_ns < h->min ? value_ns : h->min;
    h->max = value_ns > h->max ? value_ns : h->max;
}

void mp_hist_merge(mp_hist *dst, const mp_hist *src)
{
    if (src->count == 0) return;
    for (unsigned i = 0; i < NBUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->count += src->count;
    dst->sum += src->sum;
    dst->min = src->min < dst->min ? src->min : dst->min;
    dst->max = src->max > dst->max ? src->max : dst->max;
}

void mp_hist_subtract(mp_hist *dst, const mp_hist *earlier)
{
    if (earlier->count == 0) return;
    unsigned first = NBUCKETS, last = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        /* A snapshot never holds more than the histogram it was taken from; saturate anyway so a
         * misuse gives a smaller window, not a wrapped count of 2^64. */
        uint64_t c = earlier->counts[i] < dst->counts[i] ? earlier->counts[i] : dst->counts[i];
        dst->counts[i] -= c;
        if (dst->counts[i]) {
            if (first == NBUCKETS) first = i;
            last = i;
        }
    }
    dst->count = dst->count > earlier->count ? dst->count - earlier->count : 0;
    dst->sum   = dst->sum > earlier->sum ? dst->sum - earlier->sum : 0;
    if (dst->count == 0 || first == NBUCKETS) {
        dst->count = 0;
        dst->sum   = 0;
        dst->min   = UINT64_MAX;
        dst->max   = 0;
        return;
    }
    /* The window's exact extremes are gone; its bucket bounds are the best that is known. */
    uint64_t lo = bucket_lo(first);
    uint64_t hi = bucket_lo(last) + (bucket_width(last) - 1);
    dst->min    = lo > dst->min ? lo : dst->min;
    dst->max    = hi < dst->max ? hi : dst->max;
}

uint64_t mp_hist_count(const mp_hist *h)
{
    return h->count;
}

uint64_t mp_hist_min(const mp_hist *h)
{
    return h->count ? h->min : 0;
}

uint64_t mp_hist_max(const mp_hist *h)
{
    return h->max;
}

double mp_hist_sum(const mp_hist *h)
{
    /* Split so that sums beyond 2^64 still convert with double precision. */
    return (double)(uint64_t)(h->sum >> 64) * 18446744073709551616.0 + (double)(uint64_t)h->sum;
}

double mp_hist_mean(const mp_hist *h)
{
    return h->count ? mp_hist_sum(h) / (double)h->count : 0;
}

uint64_t mp_hist_at_rank(const mp_hist *h, uint64_t rank)
{
    if (h->count == 0) return 0;
    /* The extremes are known exactly; a bucket value would only approximate them. */
    if (rank <= 1) return h->min;
    if (rank >= h->count) return h->max;
    uint64_t seen = 0;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) return bucket_value(h, i);
    }
    return h->max; /* unreachable while counts sum to count */
}

uint64_t mp_hist_quantile(const mp_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (!(q > 0)) return h->min; /* also NaN */
    if (q >= 1) return h->max;
    /* q*count carries a rounding error of about one ulp (0.07 * 100 = 7.000000000000001); a product
     * within 1e-12 (relative) of an integer is that integer, so the rank is not one too high. */
    double x = q * (double)h->count;
    double r = ceil(x - x * 1e-12);
    return mp_hist_at_rank(h, r < 1 ? 1 : (uint64_t)r);
}

void mp_hist_each(const mp_hist *h, mp_hist_visit fn, void *arg)
{
    if (h->count == 0) return;
    for (unsigned i = 0; i < NBUCKETS; i++)
        if (h->counts[i]) fn(bucket_value(h, i), h->counts[i], arg);
}
