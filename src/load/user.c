/* A virtual user: a small state machine that interprets its flows step by step on its worker's
 * loop. Everything it waits for (a response, a sleep, the time between tasks, an open-model slot)
 * is one callback; between callbacks it holds no stack, only its frames. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load/run.h"
#include "util/clock.h"
#include "util/mem.h"

#define MS 1000000ull

static void run_steps(ld_user *u);
static void flow_end(ld_user *u);
static void begin_stop(ld_user *u);
static void release(ld_user *u);
static void on_timer(uv_timer_t *t);

const ld_step_entry *ld_run_entry(const ld_ctx *r, const sc_step *st)
{
    size_t lo = 0, hi = r->nentries;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->entries[mid].step == st) return &r->entries[mid];
        if ((uintptr_t)r->entries[mid].step < (uintptr_t)st)
            lo = mid + 1;
        else
            hi = mid;
    }
    abort(); /* every request step was interned before the run started */
}

void ld_user_env(const ld_user *u, tpl_env *env)
{
    env->vars        = u->vars;
    env->rng         = (mp_rng *)&u->rng;
    env->counters    = &u->w->run->counters;
    env->user_index  = u->index;
    env->class_index = u->class_index;
    env->class_name  = u->class_name;
}

static void on_closed(uv_handle_t *h)
{
    ld_user *u    = h->data;
    ld_worker *w  = u->w;
    uint32_t slot = u->slot;
    size_t nvars  = w->run->sc->syms.nvars;
    if (u->failed) w->failed_users++;
    for (size_t i = 0; i < nvars; i++)
        mp_value_clear(&u->vars[i]);
    free(u);
    ld_worker_user_gone(w, slot);
}

ld_user *ld_user_new(ld_worker *w, const sc_user *cls, const char *class_name, uint64_t index,
                     uint64_t class_index, uint32_t slot)
{
    const ld_ctx *run = w->run;
    size_t nvars      = run->sc->syms.nvars;
    /* One block: the user, its variables and its frames. */
    size_t vars_off   = (sizeof(ld_user) + 15) & ~(size_t)15;
    size_t frames_off = vars_off + ((nvars * sizeof(mp_value) + 15) & ~(size_t)15);
    char *block       = xcalloc(1, frames_off + run->max_depth * sizeof(ld_frame));
    ld_user *u        = (ld_user *)block;
    u->vars           = (mp_value *)(block + vars_off);
    u->frames         = (ld_frame *)(block + frames_off);
    u->w              = w;
    u->cls            = cls;
    u->class_name     = class_name;
    u->index          = index;
    u->class_index    = class_index;
    u->slot           = slot;
    u->phase          = LD_START;
    mp_rng_seed(&u->rng, run->o->seed, index);
    for (size_t i = 0; i < nvars; i++)
        if (run->globals[i].str || run->globals[i].is_list)
            mp_value_copy(&u->vars[i], &run->globals[i]);
    u->http = http_session_new(w->http);
    uv_timer_init(w->loop, &u->timer);
    u->timer.data = u;
    return u;
}

/* ---- frames ---- */

static void frame_pop(ld_user *u)
{
    ld_frame *f = &u->frames[--u->depth];
    if (f->snap) ld_snapshot_free(f->snap, f->snap_lens, f->n);
    memset(f, 0, sizeof *f);
}

static void frames_clear(ld_user *u)
{
    while (u->depth)
        frame_pop(u);
}

static void flow_begin(ld_user *u, const sc_flow *flow, enum ld_phase phase)
{
    frames_clear(u);
    u->phase      = phase;
    u->went_async = 0;
    u->depth      = 1;
    u->frames[0]  = (ld_frame){.flow = flow};
    run_steps(u);
}

/* ---- failures ---- */

/* Setup and teardown report their first failure, with where it happened, to the coordinator. */
static void note_failure(ld_user *u, const sc_step *st, const char *msg)
{
    u->failed = 1;
    if (u->cls || u->w->first_failure.len) return;
    sb_addf(&u->w->first_failure, "%s:%d:%d: ", u->w->run->sc->file, st->pos.line, st->pos.col);
    if (st->kind == STEP_REQUEST)
        sb_addf(&u->w->first_failure, "%s %s: ", st->u.req.method,
                st->u.req.name ? st->u.req.name : tpl_source(st->u.req.url));
    sb_adds(&u->w->first_failure, msg);
}

/* ---- scenario errors (Locust's exceptions table) ---- */

static void where(const ld_user *u, sc_pos pos, sb *out)
{
    sb_reset(out);
    sb_addf(out, "%s:%d:%d (", u->w->run->sc->file, pos.line, pos.col);
    if (!u->cls) {
        sb_addf(out, "%s)", u->class_name);
        return;
    }
    sb_addf(out, "%s ", u->class_name);
    if (u->phase == LD_START)
        sb_adds(out, "on_start)");
    else if (u->phase == LD_STOP)
        sb_adds(out, "on_stop)");
    else if (u->cls->tasks[u->task].name)
        sb_addf(out, "task '%s')", u->cls->tasks[u->task].name);
    else
        sb_addf(out, "task %" PRIu32 ")", u->task + 1);
}

static void scenario_error(ld_user *u, const sc_step *st, const char *msg)
{
    where(u, st->pos, &u->w->tmp);
    ld_stats_exception(u->w->stats, msg, sb_str(&u->w->tmp));
    note_failure(u, st, msg);
    flow_end(u);
}

/* ---- loops ---- */

static int loop_bind(ld_user *u, ld_frame *f, mp_err *err)
{
    const sc_loop *lp = &f->loop->u.loop;
    mp_value *dst     = &u->vars[lp->as];
    char num[24];
    switch (lp->kind) {
    case LOOP_COUNT:
        mp_value_set(dst, num, (size_t)snprintf(num, sizeof num, "%" PRIu64, f->i));
        return 0;
    case LOOP_LIST: {
        tpl_env env;
        ld_user_env(u, &env);
        sb *tmp = &u->w->tmp;
        sb_reset(tmp);
        if (tpl_render(lp->items[f->i], &env, TPL_RAW, tmp, err) != 0) return -1;
        mp_value_set(dst, sb_str(tmp), tmp->len);
        return 0;
    }
    case LOOP_VAR:
    case LOOP_POOL:
        mp_value_set(dst, f->snap[f->i], f->snap_lens[f->i]);
        return 0;
    }
    return mp_fail(err, "unknown loop kind");
}

/* Pushes the loop's frame; returns 1 when the body runs, 0 when there is nothing to iterate, -1
 * on a scenario error. */
static int loop_enter(ld_user *u, const sc_step *st, mp_err *err)
{
    const sc_loop *lp = &st->u.loop;
    ld_frame f        = {.flow = &lp->body, .loop = st};
    switch (lp->kind) {
    case LOOP_COUNT: {
        tpl_env env;
        ld_user_env(u, &env);
        sb *tmp = &u->w->tmp;
        sb_reset(tmp);
        if (tpl_render(lp->count, &env, TPL_RAW, tmp, err) != 0) return -1;
        const char *s = sb_str(tmp);
        char *end;
        unsigned long long n = strtoull(s, &end, 10);
        if (tmp->len == 0 || *end || s[0] == '-' || s[0] == '+' || s[0] == ' ')
            return mp_fail(err, "loop count \"%s\" is not a non-negative integer", s);
        f.n = n;
        break;
    }
    case LOOP_LIST:
        f.n = lp->nitems;
        break;
    case LOOP_VAR: {
        const mp_value *v = &u->vars[lp->var];
        if (v->is_list) {
            f.n         = v->nitems;
            f.snap      = xcalloc(f.n ? f.n : 1, sizeof *f.snap);
            f.snap_lens = xcalloc(f.n ? f.n : 1, sizeof *f.snap_lens);
            for (size_t i = 0; i < f.n; i++) {
                f.snap[i]                  = xmemdup(v->items[i], v->item_lens[i] + 1);
                f.snap[i][v->item_lens[i]] = '\0';
                f.snap_lens[i]             = v->item_lens[i];
            }
        } else if (v->str) {
            /* A plain value iterates as a list of one. */
            f.n            = 1;
            f.snap         = xcalloc(1, sizeof *f.snap);
            f.snap_lens    = xcalloc(1, sizeof *f.snap_lens);
            f.snap[0]      = xmemdup(v->str, v->len + 1);
            f.snap_lens[0] = v->len;
        } else {
            return mp_fail(err, "variable '%s' has no value", u->w->run->sc->syms.vars[lp->var]);
        }
        break;
    }
    case LOOP_POOL:
        f.n = ld_pool_snapshot(&u->w->run->pools[lp->pool], &f.snap, &f.snap_lens);
        break;
    }
    if (f.n == 0) {
        if (f.snap) ld_snapshot_free(f.snap, f.snap_lens, 0);
        return 0;
    }
    u->frames[u->depth++] = f;
    return loop_bind(u, &u->frames[u->depth - 1], err) == 0 ? 1 : -1;
}

/* ---- requests ---- */

static void on_response(http_session *s, const http_response *r, void *arg);

/* Sends the step's request: 0 when it is in flight, -1 when the flow ended instead (a failure or
 * a scenario error, already recorded). */
static int send_request(ld_user *u, const sc_step *st)
{
    ld_worker *w          = u->w;
    const sc_request *req = &st->u.req;
    tpl_env env;
    ld_user_env(u, &env);
    mp_err err;
    const ld_step_entry *se = ld_run_entry(w->run, st);
    uint32_t entry          = se->entry;
    enum ld_build_result b =
        ld_request_build_plan(req, &se->plan, w->run->host, &env, &w->rb, &err);
    if (b == LD_BUILD_ERROR) {
        scenario_error(u, st, err.msg);
        return -1;
    }
    /* Measured from before the send, as Locust does: connecting and writing are part of the
     * request's time. */
    uint64_t now = mp_mono_ns();
    if (b == LD_BUILD_FAILED || http_send(u->http, &w->rb.req, on_response, u, &err) != 0) {
        /* Never sent: a failure of this request with no time and no bytes. */
        ld_stats_record(w->stats, entry, 0, 0, mp_wall_ns(), err.msg);
        note_failure(u, st, err.msg);
        flow_end(u);
        return -1;
    }
    /* The open model measures an iteration's first request from the time it was due (never from
     * later than the moment it was really sent), so a stall delaying iterations shows up as
     * latency instead of vanishing from the statistics. */
    u->sent_ns      = u->due_ns && u->due_ns < now ? u->due_ns : now;
    u->real_sent_ns = now;
    u->due_ns       = 0;
    u->cur          = st;
    u->cur_entry    = entry;
    u->busy         = LD_HTTP;
    u->went_async   = 1;
    return 0;
}

struct view_arg {
    const http_response *r;
    const http_session *s;
};

static const char *view_header(void *arg, const char *name)
{
    return http_response_header(((struct view_arg *)arg)->r, name);
}

static const char *view_cookie(void *arg, const char *name)
{
    return http_session_cookie(((struct view_arg *)arg)->s, name);
}

/* Expectations, then captures, then pushes. Returns 0 (success), 1 (the request failed: w->msg),
 * -1 (scenario error: err). */
static int judge(ld_user *u, http_session *s, const http_response *r, mp_err *err)
{
    ld_worker *w          = u->w;
    const sc_request *req = &u->cur->u.req;
    tpl_env env;
    ld_user_env(u, &env);
    if (r->error) {
        sb_reset(&w->msg);
        sb_adds(&w->msg, r->error);
        return 1;
    }
    int rc = ld_expect_check(&req->expect, r->status, r->body ? r->body : "", r->body_len, &env,
                             &w->tmp, &w->msg, err);
    if (rc != 0) return rc;
    struct view_arg va    = {r, s};
    ld_response_view view = {r->body, r->body_len, view_header, view_cookie, &va};
    for (size_t i = 0; i < req->ncaptures && rc == 0; i++) {
        const sc_capture *c = &req->captures[i];
        rc = ld_capture_run(c, w->run->sc->syms.vars[c->var], &view, u->vars, &env, &u->rng,
                            &w->cap, &w->msg, err);
    }
    ld_capture_end(&w->cap);
    return rc;
}

static int do_pushes(ld_user *u, const sc_push *p, size_t n, mp_err *err)
{
    if (n == 0) return 0;
    tpl_env env;
    ld_user_env(u, &env);
    sb *tmp = &u->w->tmp;
    for (size_t i = 0; i < n; i++) {
        sb_reset(tmp);
        if (tpl_render(p[i].value, &env, TPL_RAW, tmp, err) != 0) return -1;
        ld_pool_push(&u->w->run->pools[p[i].pool], sb_str(tmp), tmp->len);
    }
    return 0;
}

static void on_response(http_session *s, const http_response *r, void *arg)
{
    ld_user *u = arg;
    u->busy    = LD_IDLE;
    if (u->cancelling) {
        if (!u->in_cancel) release(u);
        return;
    }
    if (u->discard) {
        /* Stopped at once while this was in flight: like a killed Locust greenlet, the request is
         * not reported. */
        u->discard = 0;
        begin_stop(u);
        return;
    }
    ld_worker *w     = u->w;
    uint64_t end     = mp_mono_ns();
    uint64_t latency = end - u->sent_ns;
    /* The open model also keeps the latency a client without the correction would report, so the
     * two can be compared (and with wrk, which measures from the send). */
    if (w->uncorrected) mp_hist_record(w->uncorrected, end - u->real_sent_ns);
    const sc_step *st = u->cur;
    mp_err err;
    int rc = judge(u, s, r, &err);
    if (rc < 0) {
        ld_stats_record(w->stats, u->cur_entry, latency, r->body_size, mp_wall_ns(), NULL);
        scenario_error(u, st, err.msg);
        return;
    }
    ld_stats_record(w->stats, u->cur_entry, latency, r->body_size, mp_wall_ns(),
                    rc ? sb_str(&w->msg) : NULL);
    if (rc) {
        note_failure(u, st, sb_str(&w->msg));
        flow_end(u);
        return;
    }
    if (do_pushes(u, st->u.req.push, st->u.req.npush, &err) != 0) {
        scenario_error(u, st, err.msg);
        return;
    }
    run_steps(u);
}

/* ---- the interpreter ---- */

static void start_timer(ld_user *u, uint64_t ms)
{
    uv_timer_start(&u->timer, on_timer, ms, 0);
}

static void run_steps(ld_user *u)
{
    ld_worker *w = u->w;
    tpl_env env;
    mp_err err;
    for (;;) {
        ld_frame *f = &u->frames[u->depth - 1];
        if (f->pc >= f->flow->n) {
            if (!f->loop) {
                flow_end(u);
                return;
            }
            if (++f->i < f->n) {
                f->pc = 0;
                if (loop_bind(u, f, &err) != 0) {
                    scenario_error(u, f->loop, err.msg);
                    return;
                }
                continue;
            }
            frame_pop(u);
            continue;
        }
        const sc_step *st = &f->flow->steps[f->pc++];
        switch (st->kind) {
        case STEP_REQUEST:
            send_request(u, st);
            return;
        case STEP_SET:
            ld_user_env(u, &env);
            for (size_t i = 0; i < st->u.set.n; i++) {
                sb_reset(&w->tmp);
                if (tpl_render(st->u.set.items[i].value, &env, TPL_RAW, &w->tmp, &err) != 0) {
                    scenario_error(u, st, err.msg);
                    return;
                }
                mp_value_set(&u->vars[st->u.set.items[i].var], sb_str(&w->tmp), w->tmp.len);
            }
            break;
        case STEP_PICK:
            if (ld_pool_pick(&w->run->pools[st->u.pick.pool], &u->rng, &u->vars[st->u.pick.var]) !=
                0) {
                flow_end(u); /* an empty pool skips the rest of the flow; not a failure */
                return;
            }
            break;
        case STEP_PUSH:
            if (do_pushes(u, &st->u.push, 1, &err) != 0) {
                scenario_error(u, st, err.msg);
                return;
            }
            break;
        case STEP_SLEEP:
            u->busy       = LD_SLEEP;
            u->went_async = 1;
            start_timer(u, (uint64_t)llround(st->u.sleep * 1000));
            return;
        case STEP_LOOP: {
            int rc = loop_enter(u, st, &err);
            if (rc < 0) {
                scenario_error(u, st, err.msg);
                return;
            }
            break;
        }
        }
    }
}

/* ---- between flows ---- */

static void start_task(ld_user *u)
{
    ld_worker *w = u->w;
    if (w->run->rate > 0 && u->due_ns) {
        uint64_t now = mp_mono_ns();
        w->iterations++;
        if (now > u->due_ns + MS) {
            w->late++;
            if (now - u->due_ns > w->max_late_ns) w->max_late_ns = now - u->due_ns;
        }
    }
    u->task = (uint32_t)ld_pick_task(u->cls, mp_rng_double(&u->rng));
    flow_begin(u, &u->cls->tasks[u->task].flow, LD_TASK);
}

/* After on_start (first = 1: no wait before the first task, as in Locust) or after a task. */
static void schedule_next(ld_user *u, int first)
{
    ld_worker *w  = u->w;
    ld_ctx *run   = w->run;
    int inline_ok = u->went_async; /* a flow that never waited must not start the next inline */
    u->phase      = LD_WAIT;
    if (run->rate > 0) {
        uint64_t i   = atomic_fetch_add(&run->next_slot, 1);
        uint64_t due = ld_open_due_ns(run->t0_ns, run->rate, i);
        if (due >= run->end_ns) return; /* nothing left to do in this run: parked until stopped */
        u->due_ns    = due;
        uint64_t now = mp_mono_ns();
        if (due >= now + MS) {
            /* libuv timers count whole milliseconds from the loop's cached time: refresh it and
             * round down, so the iteration starts at most 1 ms early and never late. */
            uv_update_time(w->loop);
            start_timer(u, (due - now) / MS);
            return;
        }
        if (!inline_ok) {
            start_timer(u, 0);
            return;
        }
        start_task(u);
        return;
    }
    /* Only pacing reads the clock: the others need no clock read per task. */
    const sc_wait *wt = &u->cls->wait;
    double now_s =
        wt->kind == WAIT_PACING || wt->kind == WAIT_THROUGHPUT ? (double)mp_mono_ns() / 1e9 : 0;
    double wait = first ? 0 : ld_wait_next(wt, &u->pacing, now_s, &u->rng);
    if (wait > 0 || !inline_ok) {
        start_timer(u, (uint64_t)llround(wait * 1000));
        return;
    }
    start_task(u);
}

static void flow_end(ld_user *u)
{
    frames_clear(u);
    switch (u->phase) {
    case LD_START:
    case LD_TASK:
        if (!u->cls) {
            release(u);
        } else if (u->phase == LD_START && u->failed) {
            /* on_start is what the tasks stand on (typically a login): a user whose on_start
             * failed would only pile up failures of another workload. Like a Locust user whose
             * on_start raised, it ends here, without on_stop, and is not replaced. */
            u->w->start_failed++;
            release(u);
        } else if (u->stop) {
            begin_stop(u);
        } else {
            schedule_next(u, u->phase == LD_START);
        }
        return;
    case LD_STOP:
        release(u);
        return;
    default:
        return;
    }
}

static void begin_stop(ld_user *u)
{
    frames_clear(u);
    if (u->cls && u->cls->on_stop.n > 0)
        flow_begin(u, &u->cls->on_stop, LD_STOP);
    else
        release(u);
}

static void on_timer(uv_timer_t *t)
{
    ld_user *u = t->data;
    if (u->phase == LD_WAIT) {
        start_task(u);
    } else if (u->busy == LD_SLEEP) {
        u->busy = LD_IDLE;
        run_steps(u);
    }
}

static void release(ld_user *u)
{
    frames_clear(u);
    u->phase = LD_DONE;
    uv_timer_stop(&u->timer);
    if (u->http) {
        http_session_free(u->http);
        u->http = NULL;
    }
    uv_close((uv_handle_t *)&u->timer, on_closed);
}

/* ---- control from the worker ---- */

void ld_user_start(ld_user *u, const sc_flow *flow)
{
    if (u->cls) {
        if (u->cls->on_start.n > 0) {
            flow_begin(u, &u->cls->on_start, LD_START);
            return;
        }
        u->went_async = 1; /* nothing ran yet: the first task may start at once */
        schedule_next(u, 1);
        return;
    }
    flow_begin(u, flow, LD_START);
}

void ld_user_stop(ld_user *u, int hard)
{
    switch (u->phase) {
    case LD_WAIT:
        /* Waiting between tasks: stop at once (Locust kills a waiting user). */
        uv_timer_stop(&u->timer);
        begin_stop(u);
        return;
    case LD_START:
    case LD_TASK:
        if (!u->cls) {
            if (hard) ld_user_cancel(u);
            return;
        }
        if (!hard) {
            if (!u->stop) u->stop = 1;
            return;
        }
        u->stop = 2;
        if (u->busy == LD_SLEEP) {
            uv_timer_stop(&u->timer);
            u->busy = LD_IDLE;
            begin_stop(u);
        } else if (u->busy == LD_HTTP) {
            if (u->cls->on_stop.n > 0)
                u->discard = 1; /* on_stop needs this session's cookies: wait for the answer */
            else
                ld_user_cancel(u);
        }
        return;
    default:
        return; /* on_stop runs to its end; a gone user has nothing to stop */
    }
}

void ld_user_cancel(ld_user *u)
{
    if (u->phase == LD_DONE) return;
    uv_timer_stop(&u->timer);
    frames_clear(u);
    u->phase = LD_DONE;
    if (u->busy == LD_HTTP) {
        http_session *s = u->http;
        u->http         = NULL;
        u->cancelling   = 1;
        u->in_cancel    = 1;
        http_session_free(s);
        u->in_cancel = 0;
        if (u->busy == LD_HTTP) return; /* the cancelled callback releases the user */
    }
    release(u);
}
