/* A server run: setup commands, the server started in its own process group under the runtime,
 * its readiness URL polled, load from the engine (a warm-up whose statistics are discarded, then
 * the measurement window), the server's CPU time and memory read from /proc at the window's edges
 * and during it, and the whole group stopped. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "experiment/exec.h"
#include "experiment/proc.h"
#include "experiment/srvprof.h"
#include "http/http.h"
#include "load/engine.h"
#include "load/stats.h"
#include "stats/hist.h"
#include "util/clock.h"
#include "util/mem.h"

#define SAMPLE_NS 100000000ull /* RSS sampling and output draining interval */
#define OUTPUT_KEEP 4096       /* bytes of the server's output kept for failure messages */

/* Watches the server while it lives: keeps the end of its output (draining the pipe, so a chatty
 * server never blocks on a full pipe) and, during the window, samples its group's memory. */
typedef struct watch {
    proc_bg *bg;
    pthread_t thread;
    atomic_int stop, in_window;
    uint64_t peak_rss; /* written by the thread, read after join */
    int nsamples;
    char tail[OUTPUT_KEEP];
    size_t tail_len;
    /* window edges, written by the engine's coordinator thread through on_window */
    proc_tree_usage u0, u1;
    uint64_t t0_ns, t1_ns;
    int have0, have1;
    ex_srvprof *prof; /* profile: true; sampled exactly while the window is open */
} watch;

static void keep_output(watch *w, const char *buf, size_t n)
{
    if (n >= OUTPUT_KEEP) {
        memcpy(w->tail, buf + n - OUTPUT_KEEP, OUTPUT_KEEP);
        w->tail_len = OUTPUT_KEEP;
        return;
    }
    if (w->tail_len + n > OUTPUT_KEEP) {
        size_t drop = w->tail_len + n - OUTPUT_KEEP;
        memmove(w->tail, w->tail + drop, w->tail_len - drop);
        w->tail_len -= drop;
    }
    memcpy(w->tail + w->tail_len, buf, n);
    w->tail_len += n;
}

static void drain_output(watch *w)
{
    char buf[8192];
    for (;;) {
        ssize_t n = read(w->bg->out_fd, buf, sizeof buf);
        if (n > 0) {
            keep_output(w, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return;
    }
}

static void *watch_main(void *arg)
{
    watch *w = arg;
    while (!atomic_load(&w->stop)) {
        drain_output(w);
        if (atomic_load(&w->in_window)) {
            proc_tree_usage u;
            if (proc_group_usage(w->bg->pid, &u) == 0 && u.nprocs > 0) {
                if (u.rss_bytes > w->peak_rss) w->peak_rss = u.rss_bytes;
                w->nsamples++;
            }
        }
        mp_sleep_ns(SAMPLE_NS);
    }
    drain_output(w);
    return NULL;
}

static void on_window(void *ctx, int phase)
{
    watch *w = ctx;
    proc_tree_usage u;
    int ok = proc_group_usage(w->bg->pid, &u) == 0 && u.nprocs > 0;
    if (phase == 0) {
        w->u0    = u;
        w->have0 = ok;
        w->t0_ns = mp_mono_ns();
        if (ok) w->peak_rss = u.rss_bytes;
        atomic_store(&w->in_window, 1);
        if (w->prof) ex_srvprof_start(w->prof);
    } else {
        if (w->prof) ex_srvprof_stop(w->prof);
        atomic_store(&w->in_window, 0);
        w->u1    = u;
        w->have1 = ok;
        w->t1_ns = mp_mono_ns();
        if (ok && u.rss_bytes > w->peak_rss) w->peak_rss = u.rss_bytes;
    }
}

static int stop_requested(void *ctx)
{
    (void)ctx;
    return proc_stop_requested();
}

static char *watch_tail(const watch *w)
{
    sb s = {0};
    sb_add(&s, w->tail, w->tail_len);
    char *t = proc_tail(&s, 2000);
    sb_free(&s);
    return t;
}

/* The readiness probe: mixperf's own HTTP client on a private loop, one GET at a time. */
typedef struct prober {
    uv_loop_t loop;
    http_client *client;
    http_session *session;
    int done, status;
    char why[1100];
} prober;

static void on_probe(http_session *s, const http_response *r, void *arg)
{
    (void)s;
    prober *p = arg;
    p->done   = 1;
    p->status = r->error ? 0 : r->status;
    if (r->error)
        snprintf(p->why, sizeof p->why, "%s", r->error);
    else
        snprintf(p->why, sizeof p->why, "HTTP %d", r->status);
}

/* GETs url once: the HTTP status, or 0 (with p->why) when nothing answered. */
static int probe(prober *p, const char *url)
{
    http_request req = {"GET", url, NULL, 0, NULL, 0, 2.0, 0, 1};
    mp_err e;
    p->done = 0;
    if (http_send(p->session, &req, on_probe, p, &e) != 0) {
        snprintf(p->why, sizeof p->why, "%s", e.msg);
        return 0;
    }
    while (!p->done)
        uv_run(&p->loop, UV_RUN_ONCE);
    return p->status;
}

static int run_setup(const ex_exec *x, ex_outcome *o)
{
    for (size_t i = 0; i < x->b->nsetup; i++) {
        sb cmd = {0};
        ph_expand(x->b->setup[i], x->vars, PH_SHELL, &cmd, NULL);
        proc_spec spec = {sb_str(&cmd), x->cwd, x->env, x->b->timeout, 0, 1};
        proc_result r;
        mp_err e;
        if (proc_run(&spec, &r, &e) != 0) {
            ex_outcome_fail(o, EX_FAILED, "setup", "setup command `%s` could not start: %s",
                            sb_str(&cmd), e.msg);
            sb_free(&cmd);
            return -1;
        }
        int rc = 0;
        if (r.cancelled) {
            o->interrupted = 1;
            rc             = -1;
        } else if (r.timed_out || r.signaled || r.exit_code != 0) {
            if (r.timed_out)
                ex_outcome_fail(o, EX_TIMEOUT, "setup",
                                "setup command `%s` timed out after %gs; its process group was "
                                "killed",
                                sb_str(&cmd), x->b->timeout);
            else if (r.signaled)
                ex_outcome_fail(o, EX_FAILED, "setup", "setup command `%s` was killed by signal %d",
                                sb_str(&cmd), r.term_signal);
            else
                ex_outcome_fail(o, EX_FAILED, "setup",
                                "setup command `%s` failed with exit status %d", sb_str(&cmd),
                                r.exit_code);
            o->stderr_tail = proc_tail(&r.err, 2000);
            rc             = -1;
        }
        proc_result_free(&r);
        sb_free(&cmd);
        if (rc != 0) return -1;
    }
    return 0;
}

/* Polls the readiness URL until the server answers below 400, dies, time runs out, or a signal
 * asks to stop. 0 when ready. */
static int wait_ready(const ex_exec *x, proc_bg *bg, ex_outcome *o)
{
    sb url = {0};
    ph_expand(x->b->ready_url, x->vars, PH_RAW, &url, NULL);
    prober p = {0};
    mp_err e;
    uv_loop_init(&p.loop);
    p.client = http_client_new(&p.loop, NULL, &e);
    if (!p.client) {
        ex_outcome_fail(o, EX_FAILED, "ready", "cannot create an HTTP client: %s", e.msg);
        uv_loop_close(&p.loop);
        sb_free(&url);
        return -1;
    }
    p.session = http_session_new(p.client);
    snprintf(p.why, sizeof p.why, "no answer yet");
    uint64_t deadline = mp_mono_ns() + (uint64_t)(x->b->ready_timeout * 1e9);
    int rc            = -1;
    for (;;) {
        if (proc_stop_requested()) {
            o->interrupted = 1;
            break;
        }
        int st = 0;
        if (!proc_alive(bg, &st)) {
            ex_outcome_fail(o, EX_FAILED, "start", "the server exited (%s %d) before %s answered",
                            WIFSIGNALED(st) ? "signal" : "status",
                            WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), sb_str(&url));
            break;
        }
        int status = probe(&p, sb_str(&url));
        if (status >= 200 && status < 400) {
            rc = 0;
            break;
        }
        if (mp_mono_ns() >= deadline) {
            ex_outcome_fail(o, EX_TIMEOUT, "ready",
                            "%s did not answer below 400 within %gs (last: %s)", sb_str(&url),
                            x->b->ready_timeout, p.why);
            break;
        }
        mp_sleep_ns(100000000ull);
    }
    http_session_free(p.session);
    http_client_free(p.client);
    uv_run(&p.loop, UV_RUN_DEFAULT); /* the close callbacks */
    uv_loop_close(&p.loop);
    sb_free(&url);
    return rc;
}

static double q_seconds(const mp_hist *h, double q)
{
    return mp_hist_count(h) ? (double)mp_hist_quantile(h, q) / 1e9 : NAN;
}

void ex_exec_server(const ex_exec *x, ex_outcome *o)
{
    const ex_benchmark *b = x->b;
    o->metrics            = json_object();
    if (run_setup(x, o) != 0) return;

    sb cmd = {0};
    ph_expand(b->command, x->vars, PH_SHELL, &cmd, NULL);
    o->command = xstrdup(sb_str(&cmd));
    sb_free(&cmd);
    proc_spec spec = {o->command, x->cwd, x->env, 0, 0, 0};
    proc_bg bg;
    mp_err e;
    if (proc_start(&spec, &bg, &e) != 0) {
        ex_outcome_fail(o, EX_FAILED, "start", "cannot start the server: %s", e.msg);
        return;
    }
    watch *w = xcalloc(1, sizeof *w);
    w->bg    = &bg;
    atomic_init(&w->stop, 0);
    atomic_init(&w->in_window, 0);
    int watching = pthread_create(&w->thread, NULL, watch_main, w) == 0;

    ld_stats *window = NULL;
    int load_rc      = -1;
    if (wait_ready(x, &bg, o) == 0) {
        if (x->profile_path) w->prof = ex_srvprof_new(bg.pid, b->profile_rate);
        sb host = {0};
        ph_expand(b->host, x->vars, PH_RAW, &host, NULL);
        char *logbuf       = NULL;
        size_t loglen      = 0;
        FILE *log          = open_memstream(&logbuf, &loglen);
        FILE *devnull      = fopen("/dev/null", "w");
        ld_options lo      = {.users        = b->users,
                              .spawn_rate   = b->spawn_rate,
                              .run_time     = b->measure,
                              .host         = sb_str(&host),
                              .rate         = b->rate,
                              .threads      = b->threads,
                              .stop_timeout = 0,
                              .seed         = x->load_seed,
                              .csv_interval = 1,
                              .quiet        = 1,
                              .fail_ratio   = -1,
                              .out          = devnull ? devnull : stderr,
                              .log          = log ? log : stderr,
                              .warmup       = b->warmup,
                              .on_window    = on_window,
                              .window_ctx   = w,
                              .result       = &window,
                              .should_stop  = stop_requested,
                              .stop_ctx     = NULL};
        const scenario *sc = x->scenario;
        if (ld_check_options(sc, &lo, &e) != 0) {
            ex_outcome_fail(o, EX_FAILED, "load", "load options: %s", e.msg);
        } else {
            e.msg[0] = '\0';
            load_rc  = ld_run(sc, &lo, &e);
            if (load_rc == MP_EXIT_INTERRUPTED) {
                o->interrupted = 1;
            } else if (load_rc == MP_EXIT_RUNTIME || !window) {
                if (log) fflush(log);
                ex_outcome_fail(o, EX_FAILED, "load", "the load engine stopped: %s",
                                e.msg[0] ? e.msg : (logbuf && *logbuf ? logbuf : "no window"));
            }
        }
        if (log) fclose(log);
        free(logbuf);
        if (devnull) fclose(devnull);
        sb_free(&host);
    }
    /* Every thread of the server is released before anyone waits for it or stops it. */
    if (w->prof) ex_srvprof_stop(w->prof);
    /* Did the server live through the window? */
    int st, died = !o->interrupted && load_rc >= 0 && !proc_alive(&bg, &st);
    /* The watcher stops (with a last read of the output) before the stop closes the pipe. */
    atomic_store(&w->stop, 1);
    if (watching) pthread_join(w->thread, NULL);
    uint64_t s0 = mp_mono_ns();
    proc_stop(&bg, b->stop_grace);
    double stop_s = (double)(mp_mono_ns() - s0) / 1e9;

    if (o->interrupted) {
        ex_srvprof_free(w->prof);
        ld_stats_free(window);
        free(w);
        return;
    }
    /* The profile is kept whenever the window opened, whatever the run's outcome. */
    json_t *profile = NULL;
    if (w->prof && ex_srvprof_started(w->prof))
        profile = ex_srvprof_json(w->prof, x->profile_path, x->profile_rel);
    ex_srvprof_free(w->prof);
    w->prof = NULL;
    if (profile) o->extra = json_pack("{s:o}", "profile", profile);
    if (o->status != EX_OK || died || !window) {
        if (died && o->status == EX_OK)
            ex_outcome_fail(o, EX_FAILED, "load", "the server exited during the measurement");
        if (!o->stderr_tail) o->stderr_tail = watch_tail(w);
        ld_stats_free(window);
        free(w);
        return;
    }

    const ld_entry *t = &window->total;
    double win_s      = (double)(w->t1_ns - w->t0_ns) / 1e9;
    uint64_t reqs = t->num_requests, fails = t->num_failures, ok = reqs - fails;
    double cpu =
        w->have0 && w->have1 ? (w->u1.user_s + w->u1.sys_s) - (w->u0.user_s + w->u0.sys_s) : NAN;
    double thr = win_s > 0 ? (double)ok / win_s : NAN;
    double cpr = ok ? cpu / (double)ok : NAN;
    json_t *m  = o->metrics;
    json_object_set_new(m, "throughput", ex_json_num(thr));
    json_object_set_new(m, "cpu_per_request", ex_json_num(cpr));
    json_object_set_new(m, "p50", ex_json_num(q_seconds(t->rt, 0.50)));
    json_object_set_new(m, "p90", ex_json_num(q_seconds(t->rt, 0.90)));
    json_object_set_new(m, "p99", ex_json_num(q_seconds(t->rt, 0.99)));
    json_object_set_new(m, "mean_latency",
                        ex_json_num(mp_hist_count(t->rt) ? mp_hist_mean(t->rt) / 1e9 : NAN));
    json_object_set_new(m, "requests", json_integer((json_int_t)reqs));
    json_object_set_new(m, "errors", json_integer((json_int_t)fails));
    json_object_set_new(m, "error_ratio", ex_json_num(reqs ? (double)fails / (double)reqs : NAN));
    json_object_set_new(m, "cpu", ex_json_num(cpu));
    json_object_set_new(m, "cpu_user",
                        ex_json_num(w->have0 && w->have1 ? w->u1.user_s - w->u0.user_s : NAN));
    json_object_set_new(m, "cpu_sys",
                        ex_json_num(w->have0 && w->have1 ? w->u1.sys_s - w->u0.sys_s : NAN));
    json_object_set_new(m, "peak_rss",
                        w->peak_rss ? json_integer((json_int_t)w->peak_rss) : json_null());
    json_object_set_new(m, "rss_samples", json_integer(w->nsamples));
    json_object_set_new(m, "server_processes", json_integer(w->have1 ? w->u1.nprocs : 0));
    json_object_set_new(m, "window_s", json_real(win_s));
    json_object_set_new(m, "warmup_s", json_real(b->warmup));
    json_object_set_new(m, "stop_s", json_real(stop_s));
    if (fails) {
        /* The five most frequent failures (request, message, count), for the reader of the line. */
        json_t *fl = json_array();
        char *used = xcalloc(window->nfailures ? window->nfailures : 1, 1);
        for (int k = 0; k < 5; k++) {
            size_t best = window->nfailures;
            for (size_t i = 0; i < window->nfailures; i++)
                if (!used[i] &&
                    (best == window->nfailures ||
                     window->failures[i].occurrences > window->failures[best].occurrences))
                    best = i;
            if (best == window->nfailures) break;
            used[best]          = 1;
            const ld_failure *f = &window->failures[best];
            json_t *row         = json_object();
            json_object_set_new(row, "request", ex_json_text(f->name, strlen(f->name)));
            json_object_set_new(row, "error", ex_json_text(f->error, strlen(f->error)));
            json_object_set_new(row, "count", json_integer((json_int_t)f->occurrences));
            json_array_append_new(fl, row);
        }
        free(used);
        if (!o->extra) o->extra = json_object();
        json_object_set_new(o->extra, "failures", fl);
    }

    o->status = EX_OK;
    if (ok == 0) {
        ex_outcome_fail(o, EX_FAILED, "load",
                        "no successful request in the %gs window (%llu failed)", win_s,
                        (unsigned long long)fails);
    } else if ((double)fails / (double)reqs > b->max_error_ratio) {
        ex_outcome_fail(o, EX_FAILED, "load",
                        "%llu of %llu requests failed in the window (%.2f%%, above max_error_ratio "
                        "%g%%)",
                        (unsigned long long)fails, (unsigned long long)reqs,
                        100.0 * (double)fails / (double)reqs, b->max_error_ratio * 100);
    } else if (!w->have0 || !w->have1) {
        ex_outcome_fail(o, EX_FAILED, "load",
                        "the server's process group could not be read from /proc at the window's "
                        "edges");
    } else {
        double v = NAN;
        switch (b->metric) {
        case EX_M_THROUGHPUT:
            v = thr;
            break;
        case EX_M_CPU_PER_REQUEST:
            v = cpr;
            break;
        case EX_M_P50:
            v = q_seconds(t->rt, 0.50);
            break;
        case EX_M_P90:
            v = q_seconds(t->rt, 0.90);
            break;
        case EX_M_P99:
            v = q_seconds(t->rt, 0.99);
            break;
        case EX_M_PEAK_RSS:
            v = (double)w->peak_rss;
            break;
        default:
            break;
        }
        if (!isfinite(v) || (b->metric == EX_M_PEAK_RSS && w->peak_rss == 0))
            ex_outcome_fail(o, EX_FAILED, "load", "metric %s could not be measured",
                            ex_metric_get(b->metric)->name);
        else
            o->value = v;
    }
    if (o->status != EX_OK) o->stderr_tail = watch_tail(w);
    ld_stats_free(window);
    free(w);
}
