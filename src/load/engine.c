/* The coordinator: runs on the main thread's libuv loop. It runs setup, starts the worker
 * threads, spawns and stops users as the load shape says, merges the workers' statistics every
 * interval for the console and the history CSV, reacts to SIGINT/SIGTERM, runs teardown and writes
 * every output. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load/run.h"
#include "util/clock.h"
#include "util/mem.h"

#define NS 1000000000ull
#define CONSOLE_INTERVAL_NS (2 * NS) /* Locust's CONSOLE_STATS_INTERVAL_SEC */

enum coord_state { C_SETUP, C_RUN, C_STOPPING, C_TEARDOWN, C_DONE };

typedef struct active_user {
    uint32_t worker, slot, cls;
} active_user;

typedef struct coord {
    ld_ctx run;
    const scenario *sc;
    const ld_options *o;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    uv_timer_t tick;
    uv_timer_t poll_stop; /* o->should_stop */
    uv_async_t wake;
    enum coord_state state;
    int signals, interrupted, aborted, setup_failed, threads_started;

    ld_worker *workers;
    size_t nworkers;
    ld_stats **outboxes;
    ld_worker aux; /* setup and teardown */
    int aux_ready;
    ld_stats *global, *aux_stats;
    uint64_t aux_ns, aux_started;

    /* load shape */
    ld_ramp *ramps;
    ld_shape shape;
    ld_dispatch disp;
    long *running;
    uint64_t *class_seq;
    active_user *active;
    size_t nactive, cap_active;
    uint64_t spawned;
    uint32_t *next_slot;

    /* time */
    uint64_t t0, t0_wall, run_end, stopped_at;
    uint64_t window_start; /* t0 + warmup: when the statistics restart (o->warmup) */
    uint64_t flush_sent;   /* flush commands posted, over the run (see flush_workers_wait) */
    int window_open, window_done;
    uint64_t next_console, next_history;

    /* outputs */
    FILE *history;
    ld_history *hist; /* snapshots for the history's "current" percentiles */
    sb first_failure;
    sb teardown_failure;
} coord;

/* ---- preparing the run ---- */

static void visit_flow(coord *c, const sc_flow *f, ld_stats *stats, uint16_t depth,
                       uint16_t *max_depth, size_t *cap)
{
    if (depth > *max_depth) *max_depth = depth;
    for (size_t i = 0; i < f->n; i++) {
        const sc_step *st = &f->steps[i];
        if (st->kind == STEP_REQUEST) {
            const sc_request *r = &st->u.req;
            const char *name    = r->name ? r->name : tpl_source(r->url);
            size_t e            = ld_stats_intern(stats, r->method, name);
            XGROW(c->run.entries, c->run.nentries + 1, *cap);
            ld_step_entry *se = &c->run.entries[c->run.nentries++];
            se->step          = st;
            se->entry         = (uint32_t)e;
            ld_reqplan_init(&se->plan, r, c->run.host);
            for (size_t k = 0; k < r->ncaptures; k++) {
                unsigned p = ld_capture_pairs(&r->captures[k]);
                if (p > c->run.max_pairs) c->run.max_pairs = p;
            }
        } else if (st->kind == STEP_LOOP) {
            visit_flow(c, &st->u.loop.body, stats, depth + 1, max_depth, cap);
        }
    }
}

static int by_step(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const ld_step_entry *)a)->step;
    uintptr_t y = (uintptr_t)((const ld_step_entry *)b)->step;
    return x < y ? -1 : x > y;
}

static void intern_flow(const sc_flow *f, ld_stats *s)
{
    for (size_t i = 0; i < f->n; i++) {
        const sc_step *st = &f->steps[i];
        if (st->kind == STEP_REQUEST)
            ld_stats_intern(s, st->u.req.method,
                            st->u.req.name ? st->u.req.name : tpl_source(st->u.req.url));
        else if (st->kind == STEP_LOOP)
            intern_flow(&st->u.loop.body, s);
    }
}

/* Interns every request of the users in scenario order (the order visit_flow follows), so every
 * table built this way has the same entry indices. */
static void intern_users(const scenario *sc, ld_stats *s)
{
    for (size_t u = 0; u < sc->nusers; u++) {
        const sc_user *cls = &sc->users[u];
        intern_flow(&cls->on_start, s);
        for (size_t t = 0; t < cls->ntasks; t++)
            intern_flow(&cls->tasks[t].flow, s);
        intern_flow(&cls->on_stop, s);
    }
}

static ld_stats *new_user_stats(const scenario *sc)
{
    ld_stats *s = ld_stats_new();
    intern_users(sc, s);
    return s;
}

static int render_globals(coord *c, mp_err *err)
{
    const scenario *sc = c->sc;
    c->run.globals     = xcalloc(sc->syms.nvars ? sc->syms.nvars : 1, sizeof *c->run.globals);
    mp_rng rng;
    /* Streams 0, 1, 2, ... are users; the run-level values take the last stream. */
    mp_rng_seed(&rng, c->o->seed, UINT64_MAX);
    tpl_env env = {c->run.globals, &rng, &c->run.counters, 0, 0, "run"};
    sb tmp      = {0};
    for (size_t i = 0; i < sc->nvariables; i++) {
        sb_reset(&tmp);
        if (tpl_render(sc->variables[i].value, &env, TPL_RAW, &tmp, err) != 0) {
            sb_free(&tmp);
            return -1;
        }
        mp_value_set(&c->run.globals[sc->variables[i].var], sb_str(&tmp), tmp.len);
    }
    sb_free(&tmp);
    return 0;
}

static int prepare(coord *c, mp_err *err)
{
    const scenario *sc  = c->sc;
    const ld_options *o = c->o;
    ld_ctx *run         = &c->run;
    run->sc             = sc;
    run->o              = o;
    const char *host    = o->host ? o->host : sc->host;
    size_t hl           = strlen(host);
    while (hl > 0 && host[hl - 1] == '/')
        hl--;
    run->host = xstrndup(host, hl);

    run->pools = xcalloc(sc->syms.npools ? sc->syms.npools : 1, sizeof *run->pools);
    for (size_t i = 0; i < sc->syms.npools; i++)
        ld_pool_init(&run->pools[i]);
    run->counters.n      = sc->syms.ncounters;
    run->counters.values = xcalloc(run->counters.n ? run->counters.n : 1, sizeof(uint64_t));
    uv_mutex_init(&run->flush_mx);
    uv_cond_init(&run->flush_cv);
    atomic_init(&run->next_slot, 0);
    run->rate      = o->rate;
    run->max_pairs = 1;

    c->global      = new_user_stats(sc);
    c->aux_stats   = ld_stats_new();
    size_t cap     = 0;
    uint16_t depth = 1;
    for (size_t u = 0; u < sc->nusers; u++) {
        const sc_user *cls = &sc->users[u];
        visit_flow(c, &cls->on_start, c->global, 1, &depth, &cap);
        for (size_t t = 0; t < cls->ntasks; t++)
            visit_flow(c, &cls->tasks[t].flow, c->global, 1, &depth, &cap);
        visit_flow(c, &cls->on_stop, c->global, 1, &depth, &cap);
    }
    visit_flow(c, &sc->setup, c->aux_stats, 1, &depth, &cap);
    visit_flow(c, &sc->teardown, c->aux_stats, 1, &depth, &cap);
    run->max_depth = depth;
    qsort(run->entries, run->nentries, sizeof *run->entries, by_step);

    if (render_globals(c, err) != 0) return -1;

    /* The load shape: the scenario's stages, or -u/-r as one endless stage. */
    if (sc->nstages) {
        c->ramps = xcalloc(sc->nstages, sizeof *c->ramps);
        for (size_t i = 0; i < sc->nstages; i++)
            c->ramps[i] =
                (ld_ramp){sc->stages[i].duration, sc->stages[i].users, sc->stages[i].spawn_rate};
        c->shape = (ld_shape){c->ramps, sc->nstages};
    } else {
        c->ramps    = xcalloc(1, sizeof *c->ramps);
        c->ramps[0] = (ld_ramp){INFINITY, o->users < 0 ? 1 : o->users, o->spawn_rate};
        c->shape    = (ld_shape){c->ramps, 1};
    }
    const char **names = xcalloc(sc->nusers, sizeof *names);
    double *weights    = xcalloc(sc->nusers, sizeof *weights);
    long *fixed        = xcalloc(sc->nusers, sizeof *fixed);
    for (size_t i = 0; i < sc->nusers; i++) {
        names[i]   = sc->users[i].name;
        weights[i] = sc->users[i].weight;
        fixed[i]   = sc->users[i].fixed_count;
    }
    ld_dispatch_init(&c->disp, sc->nusers, names, weights, fixed);
    free(names);
    free(weights);
    free(fixed);
    c->running   = xcalloc(sc->nusers, sizeof *c->running);
    c->class_seq = xcalloc(sc->nusers, sizeof *c->class_seq);
    return 0;
}

/* ---- statistics while running ---- */

/* Asks every worker for its statistics and merges what arrived. Acks are counted cumulatively
 * (flush_sent against run->flush_acks, commands being handled in order), so a late ack of an
 * earlier flush is never taken for an ack of this one. With wait_all, waits until every worker
 * has answered: the measurement window's edges must hold every request (workers answer within a
 * loop turn, but a loaded machine can take longer than the console's 200 ms). */
static void flush_workers_wait(coord *c, int wait_all)
{
    if (!c->threads_started) return;
    ld_ctx *run = &c->run;
    ld_cmd cmd  = {.kind = LD_CMD_FLUSH};
    for (size_t i = 0; i < c->nworkers; i++)
        ld_worker_post(&c->workers[i], &cmd);
    c->flush_sent += c->nworkers;
    /* Otherwise a worker that does not answer in 200 ms is merged next time (its outbox keeps
     * accumulating, so nothing is lost). */
    uint64_t deadline = mp_mono_ns() + 200000000ull;
    uv_mutex_lock(&run->flush_mx);
    while (run->flush_acks < c->flush_sent) {
        uint64_t now = mp_mono_ns();
        if (wait_all) {
            uv_cond_wait(&run->flush_cv, &run->flush_mx);
            continue;
        }
        if (now >= deadline || uv_cond_timedwait(&run->flush_cv, &run->flush_mx, deadline - now))
            break;
    }
    uv_mutex_unlock(&run->flush_mx);
    for (size_t i = 0; i < c->nworkers; i++)
        ld_worker_collect(&c->workers[i], c->global);
}

static void flush_workers(coord *c)
{
    flush_workers_wait(c, 0);
}

static long user_count(const coord *c)
{
    return (long)c->nactive;
}

static double elapsed_s(const coord *c, uint64_t now)
{
    return c->t0 && now > c->t0 ? (double)(now - c->t0) / 1e9 : 0;
}

static void periodic_outputs(coord *c, uint64_t now)
{
    int console = !c->o->quiet && now >= c->next_console;
    int history = c->history && now >= c->next_history;
    if (!console && !history) return;
    flush_workers(c);
    uint64_t wall = mp_wall_ns();
    if (console) {
        ld_print_progress(c->global, elapsed_s(c, now), user_count(c), wall, c->o->out);
        fflush(c->o->out);
        c->next_console = now + CONSOLE_INTERVAL_NS;
    }
    if (history) {
        ld_history_write_rows(c->hist, c->global, wall, user_count(c), c->history);
        fflush(c->history);
        c->next_history = now + (uint64_t)(c->o->csv_interval * 1e9);
    }
}

/* ---- spawning and stopping users ---- */

static void spawn_one(coord *c, long cls)
{
    uint32_t w = (uint32_t)(c->spawned % c->nworkers); /* round-robin over threads */
    ld_cmd cmd = {.kind        = LD_CMD_SPAWN,
                  .slot        = c->next_slot[w]++,
                  .cls         = (uint32_t)cls,
                  .index       = c->spawned,
                  .class_index = c->class_seq[cls]++};
    ld_worker_post(&c->workers[w], &cmd);
    XGROW(c->active, c->nactive + 1, c->cap_active);
    c->active[c->nactive++] = (active_user){w, cmd.slot, (uint32_t)cls};
    c->running[cls]++;
    c->spawned++;
}

static void stop_last(coord *c, uint64_t now)
{
    /* Like Locust: the most recently started user stops first. */
    active_user a = c->active[--c->nactive];
    c->running[a.cls]--;
    ld_cmd cmd = {.kind        = LD_CMD_STOP_USER,
                  .slot        = a.slot,
                  .deadline_ns = now + (uint64_t)(c->o->stop_timeout * 1e9)};
    ld_worker_post(&c->workers[a.worker], &cmd);
}

static void adjust_users(coord *c, uint64_t now)
{
    long target = ld_shape_target(&c->shape, elapsed_s(c, now));
    while ((long)c->nactive < target) {
        long cls = ld_dispatch_next(&c->disp, c->running);
        if (cls < 0) break; /* only fixed-count classes, all full */
        spawn_one(c, cls);
    }
    while ((long)c->nactive > target)
        stop_last(c, now);
}

static void arm_tick(coord *c, uint64_t now);
static void begin_teardown(coord *c);

/* ---- the measurement window (o->warmup, o->on_window, o->result) ---- */

/* The warm-up's statistics are dropped: from here the tables count only the window. A request
 * counts in the window when it completes after this point. */
static void open_window(coord *c, uint64_t now)
{
    flush_workers_wait(c, 1);
    ld_stats_reset(c->global);
    c->global->start_wall_ns = mp_wall_ns();
    c->window_open           = 1;
    c->window_start          = now;
    if (c->o->on_window) c->o->on_window(c->o->window_ctx, 0);
}

static void close_window(coord *c)
{
    if (!c->window_open || c->window_done) return;
    flush_workers_wait(c, 1);
    c->window_done = 1;
    if (c->o->on_window) c->o->on_window(c->o->window_ctx, 1);
    if (c->o->result) {
        ld_stats *copy = ld_stats_new();
        ld_stats_merge(copy, c->global);
        copy->start_wall_ns = c->global->start_wall_ns;
        *c->o->result       = copy;
    }
}

static void begin_stopping(coord *c)
{
    uint64_t now = mp_mono_ns();
    c->state     = C_STOPPING;
    c->nactive   = 0;
    memset(c->running, 0, c->sc->nusers * sizeof *c->running);
    ld_cmd cmd = {.kind        = LD_CMD_STOP_ALL,
                  .deadline_ns = now + (uint64_t)(c->o->stop_timeout * 1e9)};
    for (size_t i = 0; i < c->nworkers; i++)
        ld_worker_post(&c->workers[i], &cmd);
    arm_tick(c, now);
}

static void abort_workers(coord *c)
{
    c->aborted = 1;
    ld_cmd cmd = {.kind = LD_CMD_ABORT};
    for (size_t i = 0; i < c->nworkers; i++)
        ld_worker_post(&c->workers[i], &cmd);
}

static void on_tick(uv_timer_t *t)
{
    coord *c     = t->data;
    uint64_t now = mp_mono_ns();
    if (c->state == C_RUN) {
        if (!c->window_open && now >= c->window_start) open_window(c, now);
        if (now >= c->run_end) {
            close_window(c);
            begin_stopping(c);
        } else {
            adjust_users(c, now);
        }
    }
    periodic_outputs(c, now);
    arm_tick(c, now);
}

static void arm_tick(coord *c, uint64_t now)
{
    if (c->state != C_RUN && c->state != C_STOPPING) return;
    uint64_t next = UINT64_MAX;
    if (c->state == C_RUN) {
        double t = ld_shape_next_change(&c->shape, elapsed_s(c, now));
        if (isfinite(t)) next = c->t0 + (uint64_t)ceil(t * 1e9);
        if (c->run_end < next) next = c->run_end;
        if (!c->window_open && c->window_start < next) next = c->window_start;
    }
    if (!c->o->quiet && c->next_console < next) next = c->next_console;
    if (c->history && c->next_history < next) next = c->next_history;
    if (next == UINT64_MAX) return;
    uint64_t ms = next > now ? (next - now + 999999) / 1000000 : 0;
    uv_update_time(&c->loop);
    uv_timer_start(&c->tick, on_tick, ms, 0);
}

static int start_users(coord *c, mp_err *err)
{
    const ld_options *o = c->o;
    c->nworkers         = (size_t)o->threads;
    c->workers          = xcalloc(c->nworkers, sizeof *c->workers);
    c->outboxes         = xcalloc(c->nworkers, sizeof *c->outboxes);
    c->next_slot        = xcalloc(c->nworkers, sizeof *c->next_slot);
    for (size_t i = 0; i < c->nworkers; i++) {
        ld_stats *s = new_user_stats(c->sc);
        if (ld_worker_init(&c->workers[i], &c->run, (int)i, NULL, s, err) != 0) {
            ld_stats_free(s);
            c->nworkers = i;
            return -1;
        }
        c->workers[i].outbox = c->outboxes[i] = new_user_stats(c->sc);
    }
    c->t0                    = mp_mono_ns();
    c->t0_wall               = mp_wall_ns();
    c->global->start_wall_ns = c->t0_wall;
    c->run.t0_ns             = c->t0;
    double limit             = o->run_time > 0 ? o->run_time : INFINITY;
    double shape_end         = ld_shape_duration(&c->shape);
    if (shape_end < limit) limit = shape_end;
    if (o->users == 0 && !c->sc->nstages) limit = 0; /* -u 0: setup and teardown only */
    /* With a warm-up, run_time is the window after it. */
    double warmup   = o->warmup > 0 ? o->warmup : 0;
    limit           = isfinite(limit) ? limit + warmup : limit;
    c->window_start = c->t0 + (uint64_t)(warmup * 1e9);
    c->run_end      = isfinite(limit) ? c->t0 + (uint64_t)(limit * 1e9) : UINT64_MAX;
    c->run.end_ns   = c->run_end;
    c->next_console = c->t0 + CONSOLE_INTERVAL_NS;
    c->next_history = c->t0 + (uint64_t)(o->csv_interval * 1e9);
    for (size_t i = 0; i < c->nworkers; i++) {
        if (ld_worker_start(&c->workers[i], err) != 0) {
            /* Threads already running are told to quit and joined by the caller. */
            c->nworkers = i;
            return -1;
        }
        c->threads_started = 1;
    }
    c->state = C_RUN;
    if (warmup == 0) open_window(c, c->t0);
    adjust_users(c, c->t0);
    arm_tick(c, c->t0);
    return 0;
}

/* Every worker is done stopping: join the threads, keep their last statistics. */
static void finish_workers(coord *c)
{
    ld_cmd quit = {.kind = LD_CMD_QUIT};
    for (size_t i = 0; i < c->nworkers; i++)
        ld_worker_post(&c->workers[i], &quit);
    for (size_t i = 0; i < c->nworkers; i++)
        uv_thread_join(&c->workers[i].thread);
    for (size_t i = 0; i < c->nworkers; i++) {
        ld_stats_merge(c->global, c->workers[i].outbox);
        ld_stats_merge(c->global, c->workers[i].stats);
    }
    c->threads_started = 0;
}

static void on_wake(uv_async_t *a)
{
    coord *c = a->data;
    if (c->state != C_STOPPING) return;
    for (size_t i = 0; i < c->nworkers; i++)
        if (!atomic_load(&c->workers[i].done)) return;
    c->stopped_at = mp_mono_ns();
    uv_timer_stop(&c->tick);
    finish_workers(c);
    if (c->aborted)
        c->state = C_DONE;
    else
        begin_teardown(c);
    if (c->state == C_DONE) uv_stop(&c->loop);
}

/* ---- setup and teardown ---- */

static void aux_gone(ld_worker *w);

static void run_aux(coord *c, const sc_flow *flow, const char *name, enum coord_state state)
{
    /* Teardown's failures are its own, not setup's. */
    c->aux.failed_users = 0;
    sb_reset(&c->aux.first_failure);
    c->state       = state;
    c->aux_started = mp_mono_ns();
    if (!c->aux_stats->start_wall_ns) c->aux_stats->start_wall_ns = mp_wall_ns();
    ld_user *u = ld_worker_spawn_inline(&c->aux, name, state == C_SETUP ? 0 : 1);
    ld_user_start(u, flow);
}

static void begin_teardown(coord *c)
{
    if (c->sc->teardown.n == 0 || c->o->no_teardown) {
        c->state = C_DONE;
        return;
    }
    run_aux(c, &c->sc->teardown, "teardown", C_TEARDOWN);
}

static void aux_gone(ld_worker *w)
{
    coord *c = w->owner;
    c->aux_ns += mp_mono_ns() - c->aux_started;
    mp_err err;
    if (c->state == C_SETUP) {
        if (w->failed_users) {
            /* No user starts; teardown still runs, as after Ctrl-C in setup: a setup that stopped
             * halfway may have left things (accounts, rows) that teardown is there to remove. */
            c->setup_failed = 1;
            sb_adds(&c->first_failure, sb_str(&w->first_failure));
            begin_teardown(c);
        } else if (c->interrupted) {
            begin_teardown(c);
        } else if (start_users(c, &err) != 0) {
            c->setup_failed = 1;
            sb_adds(&c->first_failure, err.msg);
            if (c->threads_started) {
                c->state = C_STOPPING;
                abort_workers(c);
                return;
            }
            c->state = C_DONE;
        }
    } else if (c->state == C_TEARDOWN) {
        if (w->failed_users) sb_adds(&c->teardown_failure, sb_str(&w->first_failure));
        c->state = C_DONE;
    }
    if (c->state == C_DONE) uv_stop(&c->loop);
}

/* ---- signals ---- */

static void interrupt(coord *c)
{
    c->signals++;
    c->interrupted = 1;
    switch (c->state) {
    case C_SETUP:
        if (c->aux.users && c->aux.users[0]) ld_user_stop(c->aux.users[0], 1);
        break;
    case C_RUN:
        uv_timer_stop(&c->tick);
        begin_stopping(c);
        break;
    case C_STOPPING:
        /* A signal while stopping (after a first one, or after the run time ended): at once. */
        if (!c->aborted) abort_workers(c);
        break;
    case C_TEARDOWN:
        c->aborted = 1;
        if (c->aux.users && c->aux.users[1]) ld_user_cancel(c->aux.users[1]);
        break;
    case C_DONE:
        break;
    }
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)signum;
    interrupt(h->data);
}

static void on_poll_stop(uv_timer_t *t)
{
    coord *c = t->data;
    if (c->state != C_DONE && !c->interrupted && c->o->should_stop(c->o->stop_ctx)) interrupt(c);
}

/* ---- outputs ---- */

static FILE *open_out(const char *path, mp_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f) mp_fail(err, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static char *csv_path(const char *prefix, const char *suffix)
{
    sb p = {0};
    sb_addf(&p, "%s_%s.csv", prefix, suffix);
    return sb_detach(&p);
}

/* The aux table as a JSON value (ld_write_json's document), or null. */
static json_t *stats_json(const ld_stats *s, double elapsed)
{
    char *buf  = NULL;
    size_t len = 0;
    FILE *f    = open_memstream(&buf, &len);
    if (!f) return json_null();
    ld_write_json(s, elapsed, NULL, f);
    fclose(f);
    json_t *j = json_loadb(buf, len, 0, NULL);
    free(buf);
    return j ? j : json_null();
}

static uint64_t failed_start(const coord *c)
{
    uint64_t n = 0;
    for (size_t i = 0; i < c->nworkers; i++)
        n += c->workers[i].start_failed;
    return n;
}

static char *meta_json(const coord *c, double elapsed, int status)
{
    const ld_options *o = c->o;
    json_t *m           = json_object();
    char iso[32];
    mp_iso8601(c->t0_wall ? c->t0_wall : mp_wall_ns(), iso);
    json_object_set_new(m, "tool", json_string("mixperf load " MP_VERSION));
    json_object_set_new(m, "scenario", json_string(c->sc->file));
    json_object_set_new(m, "host", json_string(c->run.host));
    json_object_set_new(m, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(m, "seed_text", json_sprintf("%" PRIu64, o->seed));
    json_object_set_new(m, "start_time", json_string(iso));
    json_object_set_new(m, "run_time_s", json_real(elapsed));
    json_object_set_new(m, "threads", json_integer(o->threads));
    json_object_set_new(m, "model", json_string(o->rate > 0 ? "open" : "closed"));
    json_object_set_new(m, "users_spawned", json_integer((json_int_t)c->spawned));
    json_t *classes = json_object();
    for (size_t i = 0; i < c->sc->nusers; i++)
        json_object_set_new(classes, c->sc->users[i].name,
                            json_integer((json_int_t)c->class_seq[i]));
    json_object_set_new(m, "users_by_class", classes);
    if (o->rate > 0) {
        uint64_t started = 0, late = 0, max_late = 0;
        mp_hist *unc = mp_hist_new();
        for (size_t i = 0; i < c->nworkers; i++) {
            started += c->workers[i].iterations;
            late += c->workers[i].late;
            if (c->workers[i].max_late_ns > max_late) max_late = c->workers[i].max_late_ns;
            if (c->workers[i].uncorrected) mp_hist_merge(unc, c->workers[i].uncorrected);
        }
        json_t *open = json_object();
        json_object_set_new(open, "rate", json_real(o->rate));
        json_object_set_new(open, "iterations_started", json_integer((json_int_t)started));
        json_object_set_new(open, "iterations_late", json_integer((json_int_t)late));
        json_object_set_new(open, "max_lateness_ms", json_real((double)max_late / 1e6));
        json_t *pct                   = json_object();
        static const double qs[]      = {0.5, 0.9, 0.99, 0.999, 1.0};
        static const char *const qn[] = {"50", "90", "99", "99.9", "100"};
        for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++)
            json_object_set_new(pct, qn[k], json_integer((json_int_t)mp_hist_quantile(unc, qs[k])));
        json_t *uj = json_object();
        json_object_set_new(uj, "count", json_integer((json_int_t)mp_hist_count(unc)));
        json_object_set_new(uj, "percentiles", pct);
        json_object_set_new(open, "uncorrected_response_time_ns", uj);
        mp_hist_free(unc);
        json_object_set_new(m, "open_model", open);
    }
    json_object_set_new(m, "interrupted", json_boolean(c->interrupted));
    json_object_set_new(m, "aborted", json_boolean(c->aborted));
    json_object_set_new(m, "setup_failed", json_boolean(c->setup_failed));
    if (c->first_failure.len)
        json_object_set_new(m, "setup_error", json_string(sb_str(&c->first_failure)));
    if (c->teardown_failure.len)
        json_object_set_new(m, "teardown_error", json_string(sb_str(&c->teardown_failure)));
    json_object_set_new(m, "users_failed_start", json_integer((json_int_t)failed_start(c)));
    json_object_set_new(m, "exit_status", json_integer(status));
    json_object_set_new(m, "setup_teardown", stats_json(c->aux_stats, (double)c->aux_ns / 1e9));
    char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    return text;
}

static int write_csvs(const coord *c, double elapsed, mp_err *err)
{
    const char *prefix = c->o->csv_prefix;
    struct {
        const char *suffix;
        int (*fn)(const ld_stats *, FILE *);
    } files[] = {{"failures", ld_write_failures_csv}, {"exceptions", ld_write_exceptions_csv}};
    char *p   = csv_path(prefix, "stats");
    FILE *f   = open_out(p, err);
    free(p);
    if (!f) return -1;
    int rc = ld_write_stats_csv(c->global, elapsed, f);
    if (fclose(f) != 0 || rc != 0) return mp_fail(err, "cannot write %s_stats.csv", prefix);
    for (size_t i = 0; i < 2; i++) {
        p = csv_path(prefix, files[i].suffix);
        f = open_out(p, err);
        free(p);
        if (!f) return -1;
        rc = files[i].fn(c->global, f);
        if (fclose(f) != 0 || rc != 0)
            return mp_fail(err, "cannot write %s_%s.csv", prefix, files[i].suffix);
    }
    return 0;
}

static int exit_status(const coord *c)
{
    if (c->interrupted) return MP_EXIT_INTERRUPTED;
    if (c->setup_failed) return MP_EXIT_RUNTIME;
    const ld_entry *t = &c->global->total;
    if (c->o->exit_code_on_error && (t->num_failures > 0 || c->global->nexceptions > 0))
        return MP_EXIT_FAILED;
    if (c->o->fail_ratio >= 0 && t->num_requests > 0 &&
        (double)t->num_failures / (double)t->num_requests > c->o->fail_ratio)
        return MP_EXIT_FAILED;
    return MP_EXIT_OK;
}

static int write_outputs(coord *c, int status, mp_err *err)
{
    const ld_options *o = c->o;
    uint64_t end        = c->stopped_at ? c->stopped_at : mp_mono_ns();
    double elapsed      = elapsed_s(c, end);
    if (c->window_open && c->window_start > c->t0)
        elapsed = end > c->window_start ? (double)(end - c->window_start) / 1e9 : 0;
    if (c->history) {
        ld_history_write_rows(c->hist, c->global, mp_wall_ns(), 0, c->history);
        if (fclose(c->history) != 0) {
            c->history = NULL;
            return mp_fail(err, "cannot write %s_stats_history.csv", o->csv_prefix);
        }
        c->history = NULL;
    }
    if (!o->quiet) {
        ld_print_table(c->global, elapsed, o->out);
        if (c->aux_stats->total.num_requests || c->aux_stats->nexceptions) {
            fprintf(o->out, "\nSetup and teardown (not part of the statistics above):\n");
            ld_print_table(c->aux_stats, (double)c->aux_ns / 1e9, o->out);
        }
        fflush(o->out);
    }
    if (o->csv_prefix && write_csvs(c, elapsed, err) != 0) return -1;
    if (o->json_path) {
        FILE *f = open_out(o->json_path, err);
        if (!f) return -1;
        char *meta = meta_json(c, elapsed, status);
        int rc     = ld_write_json(c->global, elapsed, meta, f);
        free(meta);
        if (fclose(f) != 0 || rc != 0) return mp_fail(err, "cannot write %s", o->json_path);
    }
    return 0;
}

/* ---- the run ---- */

int ld_check_options(const scenario *sc, const ld_options *o, mp_err *err)
{
    const char *host = o->host ? o->host : sc->host;
    if (!host) return mp_fail(err, "no host: give --host or `host:` in %s", sc->file);
    if (strncmp(host, "http://", 7) != 0 && strncmp(host, "https://", 8) != 0)
        return mp_fail(err, "host '%s' must start with http:// or https://", host);
    if (o->threads < 1) return mp_fail(err, "--threads must be at least 1");
    if (o->users < -1) return mp_fail(err, "-u/--users must not be negative");
    if (o->users == 0 && o->rate > 0)
        return mp_fail(err, "--rate needs at least one user (-u/--users)");
    if (o->spawn_rate < 0) return mp_fail(err, "-r/--spawn-rate must not be negative");
    if (o->rate < 0) return mp_fail(err, "--rate must not be negative");
    if (o->stop_timeout < 0) return mp_fail(err, "--stop-timeout must not be negative");
    if (o->csv_interval <= 0) return mp_fail(err, "--csv-interval must be positive");
    if (o->fail_ratio > 1) return mp_fail(err, "--fail-ratio must be between 0 and 1");
    if (sc->nstages && (o->users >= 0 || o->spawn_rate > 0))
        return mp_fail(err,
                       "-u/--users and -r/--spawn-rate cannot be combined with the stages "
                       "of %s (the stages set the user count)",
                       sc->file);
    if (sc->nstages && o->rate > 0)
        return mp_fail(err, "--rate cannot be combined with the stages of %s", sc->file);
    return 0;
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void cleanup(coord *c)
{
    ld_ctx *run = &c->run;
    for (size_t i = 0; i < c->nworkers; i++) {
        ld_stats_free(c->workers[i].stats);
        ld_stats_free(c->outboxes[i]);
        ld_worker_free(&c->workers[i]);
    }
    free(c->workers);
    free(c->outboxes);
    free(c->next_slot);
    if (c->aux_ready) ld_worker_free(&c->aux);
    ld_stats_free(c->global);
    ld_stats_free(c->aux_stats);
    for (size_t i = 0; i < c->sc->syms.npools; i++)
        ld_pool_free(&run->pools[i]);
    free(run->pools);
    free(run->counters.values);
    if (run->globals)
        for (size_t i = 0; i < c->sc->syms.nvars; i++)
            mp_value_clear(&run->globals[i]);
    free(run->globals);
    for (size_t i = 0; i < run->nentries; i++)
        ld_reqplan_free(&run->entries[i].plan);
    free(run->entries);
    free(run->host);
    uv_mutex_destroy(&run->flush_mx);
    uv_cond_destroy(&run->flush_cv);
    ld_dispatch_free(&c->disp);
    free(c->ramps);
    free(c->running);
    free(c->class_seq);
    free(c->active);
    sb_free(&c->first_failure);
    sb_free(&c->teardown_failure);
    if (c->history) fclose(c->history);
    if (c->hist) ld_history_free(c->hist);
}

int ld_run(const scenario *sc, const ld_options *o, mp_err *err)
{
    coord *c = xcalloc(1, sizeof *c);
    c->sc    = sc;
    c->o     = o;
    int status;
    if (prepare(c, err) != 0) {
        status = MP_EXIT_RUNTIME;
        goto out;
    }
    if (o->csv_prefix) {
        /* Opened before anything is sent, so an unwritable prefix costs no load. */
        char *p    = csv_path(o->csv_prefix, "stats_history");
        c->history = open_out(p, err);
        c->hist    = ld_history_new();
        free(p);
        if (!c->history || ld_write_history_header(c->history) != 0 || fflush(c->history) != 0) {
            status = MP_EXIT_RUNTIME;
            goto out;
        }
    }
    if (o->json_path) {
        FILE *f = open_out(o->json_path, err);
        if (!f) {
            status = MP_EXIT_RUNTIME;
            goto out;
        }
        fclose(f);
    }

    uv_loop_init(&c->loop);
    uv_signal_init(&c->loop, &c->sigint);
    uv_signal_init(&c->loop, &c->sigterm);
    c->sigint.data = c->sigterm.data = c;
    uv_signal_start(&c->sigint, on_signal, SIGINT);
    uv_signal_start(&c->sigterm, on_signal, SIGTERM);
    uv_timer_init(&c->loop, &c->tick);
    c->tick.data = c;
    if (o->should_stop) {
        uv_timer_init(&c->loop, &c->poll_stop);
        c->poll_stop.data = c;
        uv_timer_start(&c->poll_stop, on_poll_stop, 100, 100);
        uv_unref((uv_handle_t *)&c->poll_stop); /* it must not keep the loop alive */
    }
    uv_async_init(&c->loop, &c->wake, on_wake);
    c->wake.data      = c;
    c->run.coord_wake = &c->wake;

    if (ld_worker_init(&c->aux, &c->run, -1, &c->loop, c->aux_stats, err) != 0) {
        status = MP_EXIT_RUNTIME;
        uv_walk(&c->loop, close_handle, NULL);
        uv_run(&c->loop, UV_RUN_DEFAULT);
        uv_loop_close(&c->loop);
        goto out;
    }
    c->aux_ready        = 1;
    c->aux.on_user_gone = aux_gone;
    c->aux.owner        = c;

    int started = 0;
    if (sc->setup.n && !o->no_setup) {
        run_aux(c, &sc->setup, "setup", C_SETUP);
        started = 1;
    } else if (start_users(c, err) == 0) {
        started = 1;
    } else {
        c->setup_failed = 1;
        sb_adds(&c->first_failure, err->msg);
        if (c->threads_started) {
            c->state = C_STOPPING;
            abort_workers(c);
            started = 1;
        }
    }
    if (started) uv_run(&c->loop, UV_RUN_DEFAULT);

    /* Close the coordinator's handles and let their callbacks run. */
    ld_worker_close_inline(&c->aux);
    uv_walk(&c->loop, close_handle, NULL);
    uv_run(&c->loop, UV_RUN_DEFAULT);
    uv_loop_close(&c->loop);

    status = exit_status(c);
    if (c->setup_failed && !c->interrupted)
        fprintf(o->log, "mixperf load: setup failed: %s\n", sb_str(&c->first_failure));
    if (c->teardown_failure.len && !c->aborted)
        fprintf(o->log, "mixperf load: teardown failed: %s\n", sb_str(&c->teardown_failure));
    uint64_t lost = failed_start(c);
    if (lost)
        fprintf(o->log,
                "mixperf load: %" PRIu64 " user%s stopped because on_start failed (see the "
                "failures table)\n",
                lost, lost == 1 ? "" : "s");
    err->msg[0] = '\0'; /* reported above */
    if (write_outputs(c, status, err) != 0) {
        status = MP_EXIT_RUNTIME;
        goto out;
    }
    if (status == MP_EXIT_FAILED) {
        const ld_entry *t = &c->global->total;
        fprintf(o->log,
                "mixperf load: %" PRIu64 " of %" PRIu64 " requests failed, %zu scenario errors\n",
                t->num_failures, t->num_requests, c->global->nexceptions);
    }
out:
    cleanup(c);
    free(c);
    return status;
}
