/* A worker: one thread, one libuv loop, one HTTP client and one statistics table, running its
 * share of the users. The coordinator talks to it only through a small mailbox (a mutex-protected
 * command list and a uv_async wake-up); requests are recorded without locks. Setup and teardown
 * use the same structure on the coordinator's own loop, without a thread. */
#include <stdlib.h>
#include <string.h>

#include "load/run.h"
#include "util/clock.h"
#include "util/mem.h"

static void check_done(ld_worker *w)
{
    if ((w->stopping_all || w->aborting) && w->live == 0 && !atomic_load(&w->done)) {
        atomic_store(&w->done, 1);
        if (w->run->coord_wake) uv_async_send(w->run->coord_wake);
    }
}

void ld_worker_user_gone(ld_worker *w, uint32_t slot)
{
    w->users[slot] = NULL;
    w->live--;
    if (w->on_user_gone) w->on_user_gone(w);
    check_done(w);
}

/* The earliest pending "graceful stop becomes stop now" time, to arm the stop timer. */
static void on_stop_timer(uv_timer_t *t);

static void arm_stop_timer(ld_worker *w)
{
    uint64_t next = 0;
    for (size_t i = 0; i < w->nslots; i++) {
        ld_user *u = w->users[i];
        if (u && u->stop_at_ns && (u->phase == LD_START || u->phase == LD_TASK) &&
            (!next || u->stop_at_ns < next))
            next = u->stop_at_ns;
    }
    if (!next) return;
    uint64_t now = mp_mono_ns();
    uv_update_time(w->loop);
    uv_timer_start(&w->stop_timer, on_stop_timer, next > now ? (next - now + 999999) / 1000000 : 0,
                   0);
}

static void on_stop_timer(uv_timer_t *t)
{
    ld_worker *w = t->data;
    uint64_t now = mp_mono_ns();
    for (size_t i = 0; i < w->nslots; i++) {
        ld_user *u = w->users[i];
        if (u && u->stop_at_ns && u->stop_at_ns <= now) {
            u->stop_at_ns = 0;
            ld_user_stop(u, 1);
        }
    }
    arm_stop_timer(w);
}

static void stop_user(ld_worker *w, ld_user *u, uint64_t deadline, uint64_t now)
{
    if (deadline <= now) {
        ld_user_stop(u, 1);
        return;
    }
    u->stop_at_ns = deadline;
    ld_user_stop(u, 0);
}

static void spawn(ld_worker *w, const ld_cmd *c)
{
    if (c->slot >= w->cap_slots) {
        size_t old = w->cap_slots;
        XGROW(w->users, c->slot + 1, w->cap_slots);
        memset(w->users + old, 0, (w->cap_slots - old) * sizeof *w->users);
    }
    if (c->slot >= w->nslots) w->nslots = c->slot + 1;
    const sc_user *cls = &w->run->sc->users[c->cls];
    ld_user *u         = ld_user_new(w, cls, cls->name, c->index, c->class_index, c->slot);
    w->users[c->slot]  = u;
    w->live++;
    ld_user_start(u, NULL);
}

static void quit(ld_worker *w)
{
    w->closing = 1;
    http_client_free(w->http);
    w->http = NULL;
    uv_close((uv_handle_t *)&w->wake, NULL);
    uv_close((uv_handle_t *)&w->stop_timer, NULL);
}

static void run_cmd(ld_worker *w, const ld_cmd *c)
{
    uint64_t now = mp_mono_ns();
    switch (c->kind) {
    case LD_CMD_SPAWN:
        if (!w->stopping_all && !w->aborting) spawn(w, c);
        break;
    case LD_CMD_STOP_USER:
        if (c->slot < w->nslots && w->users[c->slot]) {
            stop_user(w, w->users[c->slot], c->deadline_ns, now);
            arm_stop_timer(w);
        }
        break;
    case LD_CMD_STOP_ALL:
        w->stopping_all = 1;
        for (size_t i = 0; i < w->nslots; i++)
            if (w->users[i]) stop_user(w, w->users[i], c->deadline_ns, now);
        arm_stop_timer(w);
        check_done(w);
        break;
    case LD_CMD_ABORT:
        w->aborting = 1;
        for (size_t i = 0; i < w->nslots; i++)
            if (w->users[i]) ld_user_cancel(w->users[i]);
        check_done(w);
        break;
    case LD_CMD_FLUSH:
        uv_mutex_lock(&w->mx);
        ld_stats_merge(w->outbox, w->stats);
        uv_mutex_unlock(&w->mx);
        ld_stats_reset(w->stats);
        uv_mutex_lock(&w->run->flush_mx);
        w->run->flush_acks++;
        uv_cond_signal(&w->run->flush_cv);
        uv_mutex_unlock(&w->run->flush_mx);
        break;
    case LD_CMD_QUIT:
        quit(w);
        break;
    }
}

static void on_wake(uv_async_t *a)
{
    ld_worker *w = a->data;
    uv_mutex_lock(&w->mx);
    ld_cmd *cmds = w->cmds;
    size_t n = w->ncmds, cap = w->cap_cmds;
    w->cmds  = NULL;
    w->ncmds = w->cap_cmds = 0;
    uv_mutex_unlock(&w->mx);
    for (size_t i = 0; i < n && !w->closing; i++)
        run_cmd(w, &cmds[i]);
    (void)cap;
    free(cmds);
}

int ld_worker_init(ld_worker *w, ld_ctx *run, int id, uv_loop_t *shared_loop, ld_stats *stats,
                   mp_err *err)
{
    memset(w, 0, sizeof *w);
    w->run = run;
    w->id  = id;
    if (shared_loop) {
        w->loop = shared_loop;
    } else {
        int rc = uv_loop_init(&w->own_loop);
        if (rc) return mp_fail(err, "worker %d: event loop: %s", id, uv_strerror(rc));
        w->loop = &w->own_loop;
    }
    http_client_opts hopts = {0};
    w->http                = http_client_new(w->loop, &hopts, err);
    if (!w->http) {
        if (!shared_loop) uv_loop_close(&w->own_loop);
        return -1;
    }
    w->stats = stats;
    if (run->rate > 0) w->uncorrected = mp_hist_new();
    ld_capture_scratch_init(&w->cap, run->max_pairs);
    uv_mutex_init(&w->mx);
    atomic_init(&w->done, 0);
    uv_timer_init(w->loop, &w->stop_timer);
    w->stop_timer.data = w;
    if (!shared_loop) {
        uv_async_init(w->loop, &w->wake, on_wake);
        w->wake.data = w;
    }
    return 0;
}

static void thread_main(void *arg)
{
    ld_worker *w = arg;
    uv_run(w->loop, UV_RUN_DEFAULT);
}

int ld_worker_start(ld_worker *w, mp_err *err)
{
    int rc = uv_thread_create(&w->thread, thread_main, w);
    if (rc) return mp_fail(err, "worker %d: thread: %s", w->id, uv_strerror(rc));
    return 0;
}

void ld_worker_post(ld_worker *w, const ld_cmd *c)
{
    uv_mutex_lock(&w->mx);
    XGROW(w->cmds, w->ncmds + 1, w->cap_cmds);
    w->cmds[w->ncmds++] = *c;
    uv_mutex_unlock(&w->mx);
    uv_async_send(&w->wake);
}

void ld_worker_collect(ld_worker *w, ld_stats *dst)
{
    uv_mutex_lock(&w->mx);
    ld_stats_merge(dst, w->outbox);
    ld_stats_reset(w->outbox);
    uv_mutex_unlock(&w->mx);
}

ld_user *ld_worker_spawn_inline(ld_worker *w, const char *name, uint32_t slot)
{
    if (slot >= w->cap_slots) {
        size_t old = w->cap_slots;
        XGROW(w->users, slot + 1, w->cap_slots);
        memset(w->users + old, 0, (w->cap_slots - old) * sizeof *w->users);
    }
    if (slot >= w->nslots) w->nslots = slot + 1;
    ld_user *u     = ld_user_new(w, NULL, name, 0, 0, slot);
    w->users[slot] = u;
    w->live++;
    return u;
}

void ld_worker_close_inline(ld_worker *w)
{
    http_client_free(w->http);
    w->http = NULL;
    uv_close((uv_handle_t *)&w->stop_timer, NULL);
}

void ld_worker_free(ld_worker *w)
{
    if (w->loop == &w->own_loop) uv_loop_close(&w->own_loop);
    ld_reqbuf_free(&w->rb);
    ld_capture_scratch_free(&w->cap);
    sb_free(&w->tmp);
    sb_free(&w->msg);
    sb_free(&w->first_failure);
    free(w->users);
    free(w->cmds);
    mp_hist_free(w->uncorrected);
    uv_mutex_destroy(&w->mx);
    memset(w, 0, sizeof *w);
}
