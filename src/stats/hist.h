/* Log-linear latency histograms (HdrHistogram's idea, written here): each power of two is split
 * into MP_HIST_SUB linear buckets, so any recorded value is known to within 1/MP_HIST_SUB of itself
 * (< 1% relative error) over the whole range 1 us .. 1 h and beyond. Histograms of the same shape
 * merge by adding counts, which is how per-thread statistics become one table and how per-second
 * history is kept cheaply. Values are nanoseconds. */
#ifndef MP_STATS_HIST_H
#define MP_STATS_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Linear buckets per power of two; values below 2*MP_HIST_SUB ns are counted exactly. */
#define MP_HIST_SUB 64

typedef struct mp_hist mp_hist;

mp_hist *mp_hist_new(void);
void mp_hist_free(mp_hist *h);
void mp_hist_reset(mp_hist *h);

void mp_hist_record(mp_hist *h, uint64_t value_ns);
void mp_hist_record_n(mp_hist *h, uint64_t value_ns, uint64_t n);
/* dst += src */
void mp_hist_merge(mp_hist *dst, const mp_hist *src);

uint64_t mp_hist_count(const mp_hist *h);
uint64_t mp_hist_min(const mp_hist *h); /* exact; 0 when empty */
uint64_t mp_hist_max(const mp_hist *h); /* exact; 0 when empty */
double mp_hist_mean(const mp_hist *h);  /* exact (kept as a sum); 0 when empty */
/* The exact sum as a double (exact while below 2^53 ns, about 104 days of summed latency). */
double mp_hist_sum(const mp_hist *h);
/* The q-quantile (0 <= q <= 1) by the nearest-rank rule on the recorded values: the value v such
 * that ceil(q*count) values are <= v (q = 0 gives min, q = 1 gives max). Within 1% of the exact
 * sorted-array answer. 0 when empty. */
uint64_t mp_hist_quantile(const mp_hist *h, double q);
/* The rank-th smallest recorded value (1-based; clamped to 1..count), within 1%: rank 1 is the
 * exact min and rank count the exact max. For callers that need another rank rule than
 * nearest-rank (Locust's percentiles and median, in load/stats). 0 when empty. */
uint64_t mp_hist_at_rank(const mp_hist *h, uint64_t rank);

/* dst -= earlier, where earlier is a snapshot of dst taken before (copy one with reset + merge):
 * leaves the values recorded since the snapshot. count, buckets and mean stay exact; min and max
 * become the bounds of the lowest and highest non-empty bucket, kept within the old exact ones. */
void mp_hist_subtract(mp_hist *dst, const mp_hist *earlier);

/* Bytes of one histogram: fixed, whatever is recorded (no allocation after mp_hist_new). */
size_t mp_hist_bytes(void);

/* Iterates non-empty buckets in increasing order: representative value (bucket midpoint, clamped
 * to [min, max]) and count. For JSON export and for rebuilding a histogram. */
typedef void (*mp_hist_visit)(uint64_t value_ns, uint64_t count, void *arg);
void mp_hist_each(const mp_hist *h, mp_hist_visit fn, void *arg);

#endif
