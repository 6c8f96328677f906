#include "load/wait.h"

static double pacing(double period, ld_pacing *p, double now_s)
{
    if (!p->started) {
        p->started   = 1;
        p->last_wait = period;
        p->last_run  = now_s;
        return period;
    }
    double run_time = now_s - p->last_run - p->last_wait;
    double wait     = period - run_time;
    p->last_wait    = wait > 0 ? wait : 0;
    p->last_run     = now_s;
    return p->last_wait;
}

double ld_wait_next(const sc_wait *w, ld_pacing *p, double now_s, mp_rng *rng)
{
    switch (w->kind) {
    case WAIT_BETWEEN:
        return w->a + mp_rng_double(rng) * (w->b - w->a);
    case WAIT_CONSTANT:
        return w->a;
    case WAIT_PACING:
        return pacing(w->a, p, now_s);
    case WAIT_THROUGHPUT:
        return w->a > 0 ? pacing(1.0 / w->a, p, now_s) : 0;
    case WAIT_NONE:
        break;
    }
    return 0;
}

size_t ld_pick_task(const sc_user *u, double r)
{
    double total = 0;
    for (size_t i = 0; i < u->ntasks; i++)
        total += u->tasks[i].weight;
    double x = r * total, acc = 0;
    for (size_t i = 0; i < u->ntasks; i++) {
        acc += u->tasks[i].weight;
        if (x < acc) return i;
    }
    /* r * total rounded up to total: the last task with a positive weight. */
    for (size_t i = u->ntasks; i > 0; i--)
        if (u->tasks[i - 1].weight > 0) return i - 1;
    return 0;
}
