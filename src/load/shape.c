#include "load/shape.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* ---- smooth weighted round-robin (nginx's algorithm, which Locust uses through `roundrobin`) ----
 */

static void swrr_init(ld_swrr *rr, const size_t *cls, const double *values, size_t n)
{
    memset(rr, 0, sizeof *rr);
    if (n == 0) return;
    double min = values[0];
    for (size_t i = 1; i < n; i++)
        if (values[i] < min) min = values[i];
    rr->n       = n;
    rr->cls     = xcalloc(n, sizeof *rr->cls);
    rr->weight  = xcalloc(n, sizeof *rr->weight);
    rr->current = xcalloc(n, sizeof *rr->current);
    for (size_t i = 0; i < n; i++) {
        rr->cls[i] = cls[i];
        /* Python's round() on a float rounds half to even; nearbyint does the same in the default
         * rounding mode. */
        rr->weight[i] = (long)nearbyint(2.0 * values[i] / min);
        rr->total += rr->weight[i];
    }
}

static void swrr_free(ld_swrr *rr)
{
    free(rr->cls);
    free(rr->weight);
    free(rr->current);
    memset(rr, 0, sizeof *rr);
}

/* The participant chosen next: every weight is added to its current value, the largest current
 * value wins (the first on ties) and pays the total. Periodic with period `total`. */
static size_t swrr_next(ld_swrr *rr)
{
    if (rr->n == 1) return rr->cls[0];
    size_t best = 0;
    for (size_t i = 0; i < rr->n; i++) {
        rr->current[i] += rr->weight[i];
        if (i > 0 && rr->current[best] < rr->current[i]) best = i;
    }
    rr->current[best] -= rr->total;
    return rr->cls[best];
}

struct named {
    const char *name;
    size_t index;
};

static int by_name(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

void ld_dispatch_init(ld_dispatch *d, size_t n, const char *const *names, const double *weights,
                      const long *fixed)
{
    memset(d, 0, sizeof *d);
    d->nclasses       = n;
    d->fixed          = xcalloc(n ? n : 1, sizeof *d->fixed);
    struct named *ord = xcalloc(n ? n : 1, sizeof *ord);
    for (size_t i = 0; i < n; i++) {
        ord[i].name  = names[i];
        ord[i].index = i;
        d->fixed[i]  = fixed[i];
    }
    qsort(ord, n, sizeof *ord, by_name);

    size_t *fc = xcalloc(n ? n : 1, sizeof *fc), *wc = xcalloc(n ? n : 1, sizeof *wc);
    double *fv = xcalloc(n ? n : 1, sizeof *fv), *wv = xcalloc(n ? n : 1, sizeof *wv);
    size_t nf = 0, nw = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = ord[k].index;
        if (fixed[i] > 0) {
            fc[nf]   = i;
            fv[nf++] = (double)fixed[i];
        } else if (fixed[i] < 0 && weights[i] > 0) {
            wc[nw]   = i;
            wv[nw++] = weights[i];
        }
    }
    swrr_init(&d->fixed_rr, fc, fv, nf);
    swrr_init(&d->weighted_rr, wc, wv, nw);
    free(fc);
    free(wc);
    free(fv);
    free(wv);
    free(ord);
}

void ld_dispatch_free(ld_dispatch *d)
{
    free(d->fixed);
    swrr_free(&d->fixed_rr);
    swrr_free(&d->weighted_rr);
    memset(d, 0, sizeof *d);
}

long ld_dispatch_next(ld_dispatch *d, const long *running)
{
    int fixed_missing = 0;
    for (size_t i = 0; i < d->nclasses; i++)
        if (d->fixed[i] > 0 && running[i] < d->fixed[i]) fixed_missing = 1;
    if (fixed_missing) {
        /* One period visits every fixed class, so a class below its count is found within it. */
        for (long k = 0; k < d->fixed_rr.total; k++) {
            size_t c = swrr_next(&d->fixed_rr);
            if (running[c] < d->fixed[c]) return (long)c;
        }
    }
    if (d->weighted_rr.n == 0) return -1;
    return (long)swrr_next(&d->weighted_rr);
}

/* ---- stages ---- */

/* Changes done by dt seconds into a ramp at `rate`: the first at dt = 0, then one every 1/rate.
 * The epsilon keeps k/rate*rate from landing just below k. */
static long changes_by(double dt, double rate)
{
    if (rate <= 0) return LONG_MAX;
    double k = floor(dt * rate + 1e-9) + 1;
    return k > (double)LONG_MAX ? LONG_MAX : (long)k;
}

/* Changes a ramp of `duration` makes before it ends (the one due at its end belongs to the next
 * stage, whose first change happens at its start). */
static long changes_before(double duration, double rate)
{
    if (rate <= 0) return LONG_MAX;
    if (isinf(duration)) return LONG_MAX;
    double k = ceil(duration * rate - 1e-9);
    return k > (double)LONG_MAX ? LONG_MAX : (long)k;
}

static long apply(long from, long users, long k)
{
    long delta = users - from, span = labs(delta);
    if (k > span) k = span;
    return delta >= 0 ? from + k : from - k;
}

/* Finds the stage t falls in: its index, start time and the count it starts from. Returns 0 when t
 * is past the end of the last stage (then *from is the final count). */
static int locate(const ld_shape *s, double t, size_t *idx, double *start, long *from)
{
    long count = 0;
    double st  = 0;
    for (size_t i = 0; i < s->n; i++) {
        const ld_ramp *r = &s->ramps[i];
        double end       = st + r->duration;
        if (t < end) {
            *idx   = i;
            *start = st;
            *from  = count;
            return 1;
        }
        count = apply(count, r->users, changes_before(r->duration, r->rate));
        st    = end;
    }
    *from = count;
    return 0;
}

long ld_shape_target(const ld_shape *s, double t)
{
    size_t i;
    double start;
    long from;
    if (!locate(s, t, &i, &start, &from)) return from;
    const ld_ramp *r = &s->ramps[i];
    return apply(from, r->users, changes_by(t - start, r->rate));
}

double ld_shape_next_change(const ld_shape *s, double t)
{
    size_t i;
    double start;
    long from;
    if (!locate(s, t, &i, &start, &from)) return INFINITY;
    const ld_ramp *r = &s->ramps[i];
    double end       = start + r->duration;
    long now         = apply(from, r->users, changes_by(t - start, r->rate));
    double next      = end;
    if (now != r->users && r->rate > 0) {
        next = start + (double)changes_by(t - start, r->rate) / r->rate;
        if (next > end) next = end;
    }
    if (next <= t) next = nextafter(t, INFINITY);
    return next;
}

double ld_shape_duration(const ld_shape *s)
{
    double d = 0;
    for (size_t i = 0; i < s->n; i++)
        d += s->ramps[i].duration;
    return d;
}

/* ---- open model ---- */

uint64_t ld_open_due_ns(uint64_t start_ns, double rate, uint64_t i)
{
    return start_ns + (uint64_t)llround((double)i * 1e9 / rate);
}

uint64_t ld_open_count_before(uint64_t start_ns, double rate, uint64_t end_ns)
{
    if (end_ns <= start_ns) return 0;
    /* A first guess from the formula, corrected against ld_open_due_ns's own rounding. */
    uint64_t n = (uint64_t)ceil((double)(end_ns - start_ns) * rate / 1e9);
    while (n > 0 && ld_open_due_ns(start_ns, rate, n - 1) >= end_ns)
        n--;
    while (ld_open_due_ns(start_ns, rate, n) < end_ns)
        n++;
    return n;
}
