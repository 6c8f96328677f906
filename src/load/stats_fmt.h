/* Internal to load/stats*.c: how Locust 2.x turns a stats entry into numbers and text, shared by
 * the CSV, JSON and console writers. Not a contract for other areas. */
#ifndef MP_LOAD_STATS_FMT_H
#define MP_LOAD_STATS_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "load/stats.h"
#include "util/sb.h"

/* Locust's PERCENTILES_TO_REPORT, and its labels as get_readable_percentiles prints them. */
#define LD_NPCT 11
extern const double ld_pct_values[LD_NPCT];
extern const char *const ld_pct_labels[LD_NPCT];

/* Python's repr(float): the shortest digits that read back as x, "1.0" not "1", exponent form
 * below 1e-4 and from 1e16 ("1e-05", "1e+16"). */
void ld_fmt_pyfloat(sb *out, double x);

/* Locust's _log_response_time rounding of a response time in ms: to an integer below 100 ms,
 * then to 2 significant digits below 10 s and to whole seconds above (half to even, exactly as
 * Python's round()). */
double ld_locust_round(double ms);

/* Locust's rank rules: percentile p is the (int(n*p) + 1)-th smallest value (at most n); the
 * median is the (floor((n-1)/2) + 1)-th. */
uint64_t ld_locust_pct_rank(uint64_t n, double p);
uint64_t ld_locust_median_rank(uint64_t n);

/* A percentile column as Locust writes it: int() of the rounded response time, in ms. */
long ld_locust_pct(const mp_hist *h, double p);

/* The Locust columns of an entry, each as Python would print the value Locust computes. */
void ld_fmt_median(sb *out, const ld_entry *e);
void ld_fmt_avg(sb *out, const ld_entry *e);
void ld_fmt_min(sb *out, const ld_entry *e);
void ld_fmt_max(sb *out, const ld_entry *e);
void ld_fmt_avg_content(sb *out, const ld_entry *e);

/* Indices of the entries Locust would list (those with requests), sorted as Locust sorts them:
 * by name, then method. The caller frees the array. */
size_t *ld_sorted_entries(const ld_stats *s, size_t *n);

/* The failures table in the same order (name, method, error): Locust orders it by a SHA-256 of
 * each key, which is no order at all, so files would not be reproducible. The caller frees the
 * array (not the rows). */
const ld_failure **ld_sorted_failures(const ld_stats *s);

/* One CSV field as Python's csv module writes it (QUOTE_MINIMAL, excel dialect): quoted when it
 * holds a comma, a double quote, CR or LF, with quotes doubled. */
void ld_csv_field(sb *out, const char *field);

/* ms from ns, the unit of every Locust column. */
static inline double ld_ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

#endif
