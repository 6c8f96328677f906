/* What a user does between tasks, with exactly Locust's semantics (locust/user/wait_time.py), and
 * which task it runs next. Pure functions: the caller passes the time and the user's random
 * stream. */
#ifndef MP_LOAD_WAIT_H
#define MP_LOAD_WAIT_H

#include <stddef.h>

#include "scenario/scenario.h"
#include "util/rng.h"

/* constant_pacing's memory: when the last wait started and how long it was. */
typedef struct ld_pacing {
    int started;
    double last_run, last_wait; /* seconds */
} ld_pacing;

/* Seconds to wait after a task that ended at now_s (any monotonic clock in seconds).
 * between a b: a + U[0,1)*(b-a). constant s: s. pacing s: the first call waits s; later calls wait
 * max(0, s - (now - last_run - last_wait)), i.e. s minus the time spent since the previous wait
 * ended. throughput n: pacing 1/n. none: 0. */
double ld_wait_next(const sc_wait *w, ld_pacing *p, double now_s, mp_rng *rng);

/* Index of the task to run: r in [0, 1) scaled by the total weight, tasks taken in order. */
size_t ld_pick_task(const sc_user *u, double r);

#endif
