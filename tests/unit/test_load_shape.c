/* The load engine's pure decisions: which class a new user gets (against sequences produced by
 * Locust 2.x's own UsersDispatcher), how many users run at time t, when open-model iterations are
 * due, Locust's wait-time semantics and task choice. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "leakcheck.h"
#include "load/shape.h"
#include "load/wait.h"

static void sequence(ld_dispatch *d, size_t nclasses, size_t n, const char *const *names, char *out)
{
    long running[8] = {0};
    out[0]          = '\0';
    for (size_t i = 0; i < n; i++) {
        long c = ld_dispatch_next(d, running);
        cr_assert_geq(c, 0);
        cr_assert_lt((size_t)c, nclasses);
        running[c]++;
        strcat(out, names[c]);
    }
}

MP_TEST(dispatch, weighted_smooth_round_robin_like_locust)
{
    /* Locust: A weight 5, B weight 1 -> "AAABAAAAABAA" (documented in locust/dispatch.py). */
    const char *names[] = {"B", "A"};
    double w[]          = {1, 5};
    long fixed[]        = {-1, -1};
    ld_dispatch d;
    ld_dispatch_init(&d, 2, names, w, fixed);
    char out[64];
    sequence(&d, 2, 24, names, out);
    cr_assert_str_eq(out, "AAABAAAAABAAAAABAAAAABAA");
    ld_dispatch_free(&d);

    /* weights 2, 5, 6 -> "CBACBCBCBCABC" (also from Locust's documentation). */
    const char *n3[] = {"A", "B", "C"};
    double w3[]      = {2, 5, 6};
    long f3[]        = {-1, -1, -1};
    ld_dispatch_init(&d, 3, n3, w3, f3);
    sequence(&d, 3, 13, n3, out);
    cr_assert_str_eq(out, "CBACBCBCBCABC");
    ld_dispatch_free(&d);

    /* Fractional weights are normalised with Python's round (half to even): 1.5, 2, 2.4 ->
     * 2, 3, 3 (roundrobin.smooth gives "bcabcabc"). */
    const char *nf[] = {"c", "a", "b"};
    double wf[]      = {2.4, 1.5, 2};
    long ff[]        = {-1, -1, -1};
    ld_dispatch_init(&d, 3, nf, wf, ff);
    sequence(&d, 3, 8, nf, out);
    cr_assert_str_eq(out, "bcabcabc");
    ld_dispatch_free(&d);
}

MP_TEST(dispatch, fixed_count_first_then_weighted)
{
    /* Locust 2.x UsersDispatcher, one worker, users added one at a time: Editor (fixed 2), Admin
     * (fixed 1), Reader (weight 10), Writer (weight 3) gave Editor Admin Editor, then
     * Reader Reader Writer Reader Reader Reader Writer Reader Reader Reader Reader Writer. */
    const char *names[]  = {"Reader", "Editor", "Writer", "Admin"};
    const char *letter[] = {"R", "E", "W", "A"};
    double w[]           = {10, 0, 3, 0};
    long fixed[]         = {-1, 2, -1, 1};
    ld_dispatch d;
    ld_dispatch_init(&d, 4, names, w, fixed);
    char out[64];
    sequence(&d, 4, 15, letter, out);
    cr_assert_str_eq(out, "EAERRWRRRWRRRRW");
    ld_dispatch_free(&d);
}

MP_TEST(dispatch, refills_fixed_classes_after_a_ramp_down)
{
    const char *names[] = {"Editor", "Reader"};
    double w[]          = {0, 1};
    long fixed[]        = {1, -1};
    ld_dispatch d;
    ld_dispatch_init(&d, 2, names, w, fixed);
    long running[2] = {0, 0};
    cr_assert_eq(ld_dispatch_next(&d, running), 0);
    running[0] = 1;
    cr_assert_eq(ld_dispatch_next(&d, running), 1);
    running[1] = 1;
    running[0] = 0; /* the editor was stopped */
    cr_assert_eq(ld_dispatch_next(&d, running), 0);
    ld_dispatch_free(&d);
}

MP_TEST(dispatch, only_fixed_classes_stop_when_full)
{
    const char *names[] = {"A", "B"};
    double w[]          = {0, 0};
    long fixed[]        = {2, 1};
    ld_dispatch d;
    ld_dispatch_init(&d, 2, names, w, fixed);
    long running[2] = {2, 1};
    cr_assert_eq(ld_dispatch_next(&d, running), -1);
    running[1] = 0;
    cr_assert_eq(ld_dispatch_next(&d, running), 1);
    ld_dispatch_free(&d);
}

MP_TEST(shape, closed_model_spawns_one_user_every_1_over_rate)
{
    ld_ramp r[] = {{INFINITY, 10, 4}};
    ld_shape s  = {r, 1};
    cr_assert_eq(ld_shape_target(&s, 0), 1); /* the first user at once */
    cr_assert_eq(ld_shape_target(&s, 0.2499), 1);
    cr_assert_eq(ld_shape_target(&s, 0.25), 2);
    cr_assert_eq(ld_shape_target(&s, 1.0), 5);
    cr_assert_eq(ld_shape_target(&s, 2.25), 10);
    cr_assert_eq(ld_shape_target(&s, 100), 10);
    cr_assert_float_eq(ld_shape_next_change(&s, 0), 0.25, 1e-12);
    cr_assert_float_eq(ld_shape_next_change(&s, 0.25), 0.5, 1e-12);
    cr_assert_float_eq(ld_shape_next_change(&s, 0.3), 0.5, 1e-12);
    cr_assert(isinf(ld_shape_next_change(&s, 2.25)));
    cr_assert(isinf(ld_shape_duration(&s)));

    ld_ramp all[] = {{INFINITY, 7, 0}};
    ld_shape a    = {all, 1};
    cr_assert_eq(ld_shape_target(&a, 0), 7);
    cr_assert(isinf(ld_shape_next_change(&a, 0)));
}

MP_TEST(shape, stages_ramp_up_hold_and_down)
{
    ld_ramp r[] = {
        {10, 5, 1},    /* 0..10 s: 1 user/s up to 5 */
        {5, 5, 1},     /* 10..15 s: hold */
        {4, 1, 2},     /* 15..19 s: down to 1 at 2/s */
        {2, 100, 1.5}, /* 19..21 s: up, not reaching 100 */
    };
    ld_shape s = {r, 4};
    cr_assert_float_eq(ld_shape_duration(&s), 21, 1e-12);
    cr_assert_eq(ld_shape_target(&s, 0), 1);
    cr_assert_eq(ld_shape_target(&s, 3.5), 4);
    cr_assert_eq(ld_shape_target(&s, 4), 5);
    cr_assert_eq(ld_shape_target(&s, 9.99), 5);
    cr_assert_eq(ld_shape_target(&s, 12), 5);
    cr_assert_eq(ld_shape_target(&s, 15), 4); /* the stage's first change is at its start */
    cr_assert_eq(ld_shape_target(&s, 15.5), 3);
    cr_assert_eq(ld_shape_target(&s, 16.4), 2);
    cr_assert_eq(ld_shape_target(&s, 16.5), 1);
    cr_assert_eq(ld_shape_target(&s, 18), 1);
    /* 19 s: from 1, +1 at 19, 19.667, 20.333 (the one due at 21 is past the end). */
    cr_assert_eq(ld_shape_target(&s, 19), 2);
    cr_assert_eq(ld_shape_target(&s, 20.5), 4);
    cr_assert_eq(ld_shape_target(&s, 21), 4);
    cr_assert_eq(ld_shape_target(&s, 500), 4);
    cr_assert_float_eq(ld_shape_next_change(&s, 4), 10, 1e-12);  /* reached: the stage end */
    cr_assert_float_eq(ld_shape_next_change(&s, 10), 15, 1e-12); /* ...of the holding stage */
    cr_assert_float_eq(ld_shape_next_change(&s, 15), 15.5, 1e-12);
    cr_assert_float_eq(ld_shape_next_change(&s, 19), 19 + 1 / 1.5, 1e-9);
    cr_assert(isinf(ld_shape_next_change(&s, 21)));
}

MP_TEST(shape, carried_count_when_a_stage_ends_early)
{
    /* 10 users at 1/s in 3.5 s: 4 started (at 0, 1, 2, 3); the next stage starts from 4. */
    ld_ramp r[] = {{3.5, 10, 1}, {10, 4, 0}};
    ld_shape s  = {r, 2};
    cr_assert_eq(ld_shape_target(&s, 3.49), 4);
    cr_assert_eq(ld_shape_target(&s, 3.5), 4);
    /* A stage of exactly 3 s at 1/s starts 3 users (at 0, 1, 2); the one due at 3 s belongs to the
     * next stage. */
    ld_ramp q[] = {{3, 10, 1}, {10, 0, 0}};
    ld_shape t  = {q, 2};
    cr_assert_eq(ld_shape_target(&t, 2.99), 3);
    cr_assert_eq(ld_shape_target(&t, 3), 0);
}

MP_TEST(open_model, fixed_schedule)
{
    uint64_t start = 1000000000ull;
    cr_assert_eq(ld_open_due_ns(start, 4, 0), start);
    cr_assert_eq(ld_open_due_ns(start, 4, 1), start + 250000000ull);
    cr_assert_eq(ld_open_due_ns(start, 4, 9), start + 2250000000ull);
    cr_assert_eq(ld_open_due_ns(start, 3, 1), start + 333333333ull);
    cr_assert_eq(ld_open_due_ns(start, 3, 2), start + 666666667ull);
    /* 2 s at 4/s: 8 iterations due before the end; 2.1 s: 9; 0 s: none. */
    cr_assert_eq(ld_open_count_before(start, 4, start + 2000000000ull), 8);
    cr_assert_eq(ld_open_count_before(start, 4, start + 2100000000ull), 9);
    cr_assert_eq(ld_open_count_before(start, 4, start), 0);
    cr_assert_eq(ld_open_count_before(start, 3, start + 1000000000ull), 3);
    cr_assert_eq(ld_open_count_before(start, 1000, start + 1), 1);
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t due = ld_open_due_ns(start, 777.7, i);
        cr_assert_eq(ld_open_count_before(start, 777.7, due), i);
        cr_assert_eq(ld_open_count_before(start, 777.7, due + 1), i + 1);
    }
}

/* Criterion's assertion macros evaluate their arguments more than once. */
static double next_wait(const sc_wait *w, ld_pacing *p, double now, mp_rng *rng)
{
    return ld_wait_next(w, p, now, rng);
}

#define ASSERT_WAIT(w, p, now, rng, expect)                                                        \
    do {                                                                                           \
        double got_ = next_wait(w, p, now, rng);                                                   \
        cr_assert_float_eq(got_, expect, 1e-12, "wait at %g: %g", (double)(now), got_);            \
    } while (0)

MP_TEST(wait, between_constant_none)
{
    mp_rng rng, ref;
    mp_rng_seed(&rng, 42, 7);
    mp_rng_seed(&ref, 42, 7);
    ld_pacing p = {0};
    sc_wait b   = {WAIT_BETWEEN, 1, 3};
    for (int i = 0; i < 100; i++) {
        double w      = ld_wait_next(&b, &p, i, &rng);
        double expect = 1 + mp_rng_double(&ref) * 2;
        cr_assert_float_eq(w, expect, 1e-12);
        cr_assert(w >= 1 && w < 3);
    }
    sc_wait c = {WAIT_CONSTANT, 0.5, 0};
    ASSERT_WAIT(&c, &p, 0, &rng, 0.5);
    sc_wait n = {WAIT_NONE, 0, 0};
    ASSERT_WAIT(&n, &p, 0, &rng, 0);
}

MP_TEST(wait, pacing_follows_locust_constant_pacing)
{
    /* locust.user.wait_time.constant_pacing(10): first call returns 10; later calls return
     * max(0, 10 - (now - last_run - last_wait)). */
    sc_wait w   = {WAIT_PACING, 10, 0};
    ld_pacing p = {0};
    mp_rng rng;
    mp_rng_seed(&rng, 1, 1);
    ASSERT_WAIT(&w, &p, 100, &rng, 10); /* wait 100..110 */
    ASSERT_WAIT(&w, &p, 113, &rng, 7);  /* task took 3 s */
    ASSERT_WAIT(&w, &p, 132, &rng, 0);  /* task took 12 s */
    ASSERT_WAIT(&w, &p, 133, &rng, 9);  /* task took 1 s */

    /* throughput N is pacing 1/N */
    sc_wait t    = {WAIT_THROUGHPUT, 4, 0};
    ld_pacing p2 = {0};
    ASSERT_WAIT(&t, &p2, 0, &rng, 0.25);
    ASSERT_WAIT(&t, &p2, 0.35, &rng, 0.15);
}

MP_TEST(wait, task_pick_by_weight)
{
    sc_task tasks[3] = {{NULL, 1, {0}}, {NULL, 0, {0}}, {NULL, 3, {0}}};
    sc_user u        = {0};
    u.tasks          = tasks;
    u.ntasks         = 3;
    u.total_weight   = 4;
    cr_assert_eq(ld_pick_task(&u, 0.0), 0);
    cr_assert_eq(ld_pick_task(&u, 0.2499), 0);
    cr_assert_eq(ld_pick_task(&u, 0.25), 2);
    cr_assert_eq(ld_pick_task(&u, 0.9999), 2);
    /* the zero-weight task is never picked, in proportion over many draws */
    mp_rng rng;
    mp_rng_seed(&rng, 3, 0);
    int count[3] = {0};
    for (int i = 0; i < 40000; i++)
        count[ld_pick_task(&u, mp_rng_double(&rng))]++;
    cr_assert_eq(count[1], 0);
    cr_assert(count[0] > 9000 && count[0] < 11000, "task 0 picked %d times", count[0]);
}
