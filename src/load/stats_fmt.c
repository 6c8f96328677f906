#include "load/stats_fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

const double ld_pct_values[LD_NPCT]      = {0.50, 0.66, 0.75,  0.80,   0.90, 0.95,
                                            0.98, 0.99, 0.999, 0.9999, 1.0};
const char *const ld_pct_labels[LD_NPCT] = {"50%", "66%", "75%",   "80%",    "90%", "95%",
                                            "98%", "99%", "99.9%", "99.99%", "100%"};

/* ---- Python's repr(float) ---- */

/* A decimal number d[0].d[1]...d[n-1] x 10^exp10, digits as ASCII. */
typedef struct dec {
    char d[40];
    int n;
    int exp10;
} dec;

/* Does v read back as x (> 0)? */
static int dec_reads_as(const dec *v, double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%c.%se%d", v->d[0], v->n > 1 ? v->d + 1 : "0", v->exp10);
    return strtod(buf, NULL) == x;
}

static dec strip_zeros(dec v)
{
    while (v.n > 1 && v.d[v.n - 1] == '0')
        v.d[--v.n] = '\0';
    return v;
}

/* v plus or minus one unit in its last digit, renormalised (9.9 + 0.1 = 1.0e1, 1.0 - 0.1 = 9e-1).
 */
static dec dec_step(dec v, int up)
{
    int i = v.n - 1;
    if (up) {
        while (i >= 0 && v.d[i] == '9')
            v.d[i--] = '0';
        if (i >= 0) {
            v.d[i]++;
        } else {
            memmove(v.d + 1, v.d, (size_t)v.n);
            v.d[0] = '1';
            v.n++;
            v.exp10++;
        }
    } else {
        while (i >= 0 && v.d[i] == '0')
            v.d[i--] = '9';
        if (i >= 0) v.d[i]--;
        if (v.d[0] == '0' && v.n > 1) {
            memmove(v.d, v.d + 1, (size_t)v.n - 1);
            v.n--;
            v.exp10--;
        }
    }
    v.d[v.n] = '\0';
    return v;
}

/* The shortest digits that read back as x (|x| finite, non-zero), as Python's dtoa mode 0 finds
 * them. printf's correctly rounded P digits are the nearest P-digit string, so they read back
 * whenever any P-digit string does -- except next to a power of two, where the rounding interval
 * is lopsided and the neighbour on x's other side may read back when the nearest does not. At
 * most one neighbour can (the other is farther out on the nearest string's side). */
static dec shortest_digits(double x)
{
    for (int prec = 1; prec <= 17; prec++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        dec v   = {{0}, 0, 0};
        char *p = buf;
        for (; *p && *p != 'e'; p++)
            if (*p != '.') v.d[v.n++] = *p;
        v.d[v.n]    = '\0';
        v.exp10     = atoi(p + 1);
        dec cand[3] = {v, dec_step(v, 1), dec_step(v, 0)};
        for (int c = 0; c < 3; c++) {
            if (dec_reads_as(&cand[c], x)) return strip_zeros(cand[c]);
        }
    }
    /* %.16e always reads back, so the loop has returned by now */
    dec v = {"0", 1, 0};
    return v;
}

/* printf and strtod follow LC_NUMERIC: this relies on the "C" locale mixperf runs in (it never
 * calls setlocale), where the decimal point is '.'. */
void ld_fmt_pyfloat(sb *out, double x)
{
    if (isnan(x)) {
        sb_adds(out, "nan");
        return;
    }
    int neg = signbit(x) != 0;
    if (neg) sb_addc(out, '-');
    if (isinf(x)) {
        sb_adds(out, "inf");
        return;
    }
    if (x == 0) {
        sb_adds(out, "0.0");
        return;
    }
    dec v     = shortest_digits(fabs(x));
    int decpt = v.exp10 + 1; /* digits before the decimal point */
    if (decpt <= -4 || decpt > 16) {
        sb_addc(out, v.d[0]);
        if (v.n > 1) {
            sb_addc(out, '.');
            sb_adds(out, v.d + 1);
        }
        sb_addf(out, "e%c%02d", v.exp10 < 0 ? '-' : '+', abs(v.exp10));
    } else if (decpt <= 0) {
        sb_adds(out, "0.");
        for (int i = 0; i < -decpt; i++)
            sb_addc(out, '0');
        sb_adds(out, v.d);
    } else if (decpt >= v.n) {
        sb_adds(out, v.d);
        for (int i = v.n; i < decpt; i++)
            sb_addc(out, '0');
        sb_adds(out, ".0");
    } else {
        sb_add(out, v.d, (size_t)decpt);
        sb_addc(out, '.');
        sb_adds(out, v.d + decpt);
    }
}

/* ---- Locust's numbers ---- */

/* The multiple of unit nearest to x (> 0), ties to the even multiple, decided exactly: k*unit and
 * the midpoints are exact doubles for any response time below 2^53 ms. */
static double round_to_multiple(double x, double unit)
{
    double k = floor(x / unit);
    while (k * unit > x)
        k--;
    while ((k + 1) * unit <= x)
        k++;
    double mid = k * unit + unit / 2;
    if (x > mid || (x == mid && fmod(k, 2) != 0)) k++;
    return k * unit;
}

double ld_locust_round(double ms)
{
    if (ms < 100) return nearbyint(ms); /* half to even, as round() */
    if (ms < 1000) return round_to_multiple(ms, 10);
    if (ms < 10000) return round_to_multiple(ms, 100);
    return round_to_multiple(ms, 1000);
}

uint64_t ld_locust_pct_rank(uint64_t n, double p)
{
    /* int(num_requests * percent): the same double product Python computes, then truncated. */
    uint64_t below = (uint64_t)((double)n * p);
    return below + 1 > n ? n : below + 1;
}

uint64_t ld_locust_median_rank(uint64_t n)
{
    return n ? (n - 1) / 2 + 1 : 0;
}

long ld_locust_pct(const mp_hist *h, double p)
{
    uint64_t n = mp_hist_count(h);
    if (n == 0) return 0;
    return (long)ld_locust_round(ld_ms(mp_hist_at_rank(h, ld_locust_pct_rank(n, p))));
}

/* Python prints an int as digits and a float with repr; several Locust columns are int 0 when
 * empty (or when the float is 0.0, through `x or 0`) and floats otherwise. */
static void fmt_float_or_int0(sb *out, double v)
{
    if (v == 0)
        sb_addc(out, '0');
    else
        ld_fmt_pyfloat(out, v);
}

void ld_fmt_median(sb *out, const ld_entry *e)
{
    uint64_t n = mp_hist_count(e->rt);
    if (n == 0) {
        sb_addc(out, '0');
        return;
    }
    double ms  = ld_ms(mp_hist_at_rank(e->rt, ld_locust_median_rank(n)));
    double key = ld_locust_round(ms);
    double min = ld_ms(mp_hist_min(e->rt)), max = ld_ms(mp_hist_max(e->rt));
    /* Locust clamps the rounded median into [min, max], which are floats; below 100 ms the rounded
     * key is a Python int, above it a float. */
    if (key > max)
        fmt_float_or_int0(out, max);
    else if (key < min)
        ld_fmt_pyfloat(out, min);
    else if (ms < 100)
        sb_addf(out, "%ld", (long)key);
    else
        ld_fmt_pyfloat(out, key);
}

void ld_fmt_avg(sb *out, const ld_entry *e)
{
    uint64_t n = mp_hist_count(e->rt);
    /* Locust sums float ms and divides by the count; summing exact ns and converting once is the
     * same number whenever Locust's float sum is exact, and closer to the truth when it is not. */
    ld_fmt_pyfloat(out, n ? (mp_hist_sum(e->rt) / 1e6) / (double)n : 0.0);
}

void ld_fmt_min(sb *out, const ld_entry *e)
{
    fmt_float_or_int0(out, ld_ms(mp_hist_min(e->rt)));
}

void ld_fmt_max(sb *out, const ld_entry *e)
{
    fmt_float_or_int0(out, ld_ms(mp_hist_max(e->rt)));
}

void ld_fmt_avg_content(sb *out, const ld_entry *e)
{
    if (e->num_requests == 0)
        sb_addc(out, '0');
    else
        ld_fmt_pyfloat(out, (double)e->total_content_length / (double)e->num_requests);
}

/* ---- ordering and CSV text ---- */

static int cmp_entry(const void *a, const void *b)
{
    const ld_entry *ea = *(const ld_entry *const *)a, *eb = *(const ld_entry *const *)b;
    int c = strcmp(ea->name, eb->name);
    return c ? c : strcmp(ea->method, eb->method);
}

size_t *ld_sorted_entries(const ld_stats *s, size_t *n)
{
    /* Sorting pointers with plain qsort: qsort_r's signature differs between glibc and the BSDs. */
    const ld_entry **sorted = xmalloc((s->nentries ? s->nentries : 1) * sizeof *sorted);
    size_t k                = 0;
    for (size_t i = 0; i < s->nentries; i++)
        if (s->entries[i].num_requests || s->entries[i].num_failures) sorted[k++] = &s->entries[i];
    qsort(sorted, k, sizeof *sorted, cmp_entry);
    size_t *idx = xmalloc((k ? k : 1) * sizeof *idx);
    for (size_t i = 0; i < k; i++)
        idx[i] = (size_t)(sorted[i] - s->entries);
    free(sorted);
    *n = k;
    return idx;
}

static int cmp_failure(const void *a, const void *b)
{
    const ld_failure *fa = *(const ld_failure *const *)a, *fb = *(const ld_failure *const *)b;
    int c = strcmp(fa->name, fb->name);
    if (!c) c = strcmp(fa->method, fb->method);
    return c ? c : strcmp(fa->error, fb->error);
}

const ld_failure **ld_sorted_failures(const ld_stats *s)
{
    const ld_failure **sorted = xmalloc((s->nfailures ? s->nfailures : 1) * sizeof *sorted);
    for (size_t i = 0; i < s->nfailures; i++)
        sorted[i] = &s->failures[i];
    qsort(sorted, s->nfailures, sizeof *sorted, cmp_failure);
    return sorted;
}

void ld_csv_field(sb *out, const char *field)
{
    if (!strpbrk(field, ",\"\r\n")) {
        sb_adds(out, field);
        return;
    }
    sb_addc(out, '"');
    for (const char *p = field; *p; p++) {
        if (*p == '"') sb_addc(out, '"');
        sb_addc(out, *p);
    }
    sb_addc(out, '"');
}
