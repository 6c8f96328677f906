/* The load shape as pure functions of time and counts, so the coordinator's decisions can be tested
 * without a network: which user class the next spawned user gets (Locust 2.x's dispatcher), how
 * many users should be running t seconds into the run (-u/-r or `stages:`), and when each iteration
 * of the open model (--rate) is due. Nothing here reads a clock. */
#ifndef MP_LOAD_SHAPE_H
#define MP_LOAD_SHAPE_H

#include <stddef.h>
#include <stdint.h>

/* ---- which class the next user belongs to ----
 * Locust 2.x (locust/dispatch.py): classes sorted by name; classes with a fixed_count are filled
 * first, then the others follow a smooth weighted round-robin whose weights are normalised so the
 * smallest is 2 (round half to even, as Python's round). A class with a fixed count is refilled
 * first whenever it is below its count (after a ramp-down took some of its users). */
typedef struct ld_swrr {
    size_t n;
    size_t *cls;   /* class index of each participant */
    long *weight;  /* normalised weight */
    long *current; /* smooth round-robin state */
    long total;    /* sum of weights */
} ld_swrr;

typedef struct ld_dispatch {
    size_t nclasses;
    long *fixed; /* fixed_count per class, -1 for weighted classes */
    ld_swrr fixed_rr, weighted_rr;
} ld_dispatch;

/* weights[i] and fixed[i] describe class i (fixed[i] < 0: weighted with weights[i]; weights <= 0
 * never spawn); names give Locust's ordering. */
void ld_dispatch_init(ld_dispatch *d, size_t n, const char *const *names, const double *weights,
                      const long *fixed);
void ld_dispatch_free(ld_dispatch *d);
/* Class of the next user given how many users of each class run now; -1 when no class may get
 * another user (only fixed classes, all full). */
long ld_dispatch_next(ld_dispatch *d, const long *running);

/* ---- how many users should run at time t ----
 * A list of stages; each moves the count from where the previous one left it towards `users` at
 * `rate` users per second (rate <= 0: at once), the first change happening at the stage's start.
 * The closed model -u N -r R is one endless stage. */
typedef struct ld_ramp {
    double duration; /* seconds; INFINITY for the last stage of -u/-r */
    long users;
    double rate;
} ld_ramp;

typedef struct ld_shape {
    const ld_ramp *ramps;
    size_t n;
} ld_shape;

/* Users that should be running t seconds after the start (t >= 0). */
long ld_shape_target(const ld_shape *s, double t);
/* The first time after t at which the target changes, or the end of the current stage if it
 * changes there, or INFINITY. Always > t. */
double ld_shape_next_change(const ld_shape *s, double t);
/* Sum of the stage durations (INFINITY when open-ended). */
double ld_shape_duration(const ld_shape *s);

/* ---- the open model's fixed schedule ----
 * Iteration i (0, 1, 2, ...) is due at start + i/rate, whatever happened to earlier ones. */
uint64_t ld_open_due_ns(uint64_t start_ns, double rate, uint64_t i);
/* Number of iterations due strictly before `end_ns` (so a run of T seconds at rate R schedules
 * ceil(R*T) of them). */
uint64_t ld_open_count_before(uint64_t start_ns, double rate, uint64_t end_ns);

#endif
