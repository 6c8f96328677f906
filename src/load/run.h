/* Internals of the load engine shared by its files (engine.c: the coordinator; worker.c: worker
 * threads; user.c: the per-user state machine). Not a contract for other areas: they use
 * load/engine.h. */
#ifndef MP_LOAD_RUN_H
#define MP_LOAD_RUN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "http/http.h"
#include "load/capture.h"
#include "load/engine.h"
#include "load/pool.h"
#include "load/request.h"
#include "load/shape.h"
#include "load/stats.h"
#include "load/wait.h"
#include "scenario/scenario.h"
#include "scenario/template.h"
#include "stats/hist.h"

struct ld_ctx;
struct ld_worker;

/* ---- users ---- */

/* One level of flow execution: a flow and the next step to run; a loop's body has its own frame. */
typedef struct ld_frame {
    const sc_flow *flow;
    const sc_step *loop; /* the loop step this frame iterates; NULL for the flow's own frame */
    size_t pc;
    uint64_t i, n;
    char **snap; /* owned copy of the list iterated by LOOP_POOL / LOOP_VAR */
    size_t *snap_lens;
} ld_frame;

enum ld_phase {
    LD_START, /* on_start (or the whole setup/teardown flow) */
    LD_TASK,
    LD_WAIT, /* between tasks, or waiting for an open-model slot */
    LD_STOP, /* on_stop */
    LD_DONE,
};

enum ld_busy { LD_IDLE, LD_HTTP, LD_SLEEP };

typedef struct ld_user {
    struct ld_worker *w;
    const sc_user *cls;     /* NULL for setup/teardown */
    const char *class_name; /* cls->name, "setup" or "teardown" */
    uint64_t index, class_index;
    uint32_t slot;
    uint8_t phase, busy;
    uint8_t stop;       /* 0 running, 1 stop after this flow, 2 stop now */
    uint8_t discard;    /* stop now was asked while a request was in flight: drop its answer */
    uint8_t cancelling; /* the session was freed with a request in flight */
    uint8_t in_cancel;  /* inside http_session_free */
    uint8_t went_async; /* this flow waited for something (so the next one may start inline) */
    uint8_t failed;     /* a flow was cut short by a failure or a scenario error */
    uint16_t depth;
    uint32_t task;         /* task being run */
    uint32_t cur_entry;    /* stats entry of the request in flight */
    const sc_step *cur;    /* the request in flight */
    uint64_t sent_ns;      /* latency reference of the request in flight */
    uint64_t real_sent_ns; /* when it was really handed to the HTTP client (open model) */
    uint64_t due_ns;       /* open model: due time of the iteration's first request (0: used) */
    uint64_t stop_at_ns;   /* when a graceful stop turns into stop now (0: none) */
    mp_rng rng;
    mp_value *vars;
    http_session *http;
    ld_frame *frames;
    ld_pacing pacing;
    uv_timer_t timer;
} ld_user;

/* ---- workers ---- */

enum ld_cmd_kind {
    LD_CMD_SPAWN,
    LD_CMD_STOP_USER,
    LD_CMD_STOP_ALL,
    LD_CMD_ABORT,
    LD_CMD_FLUSH,
    LD_CMD_QUIT
};

typedef struct ld_cmd {
    enum ld_cmd_kind kind;
    uint32_t slot, cls;
    uint64_t index, class_index;
    uint64_t deadline_ns; /* STOP_*: monotonic time after which stopping users stop at once */
} ld_cmd;

typedef struct ld_worker {
    struct ld_ctx *run;
    int id;
    uv_loop_t *loop;
    uv_loop_t own_loop;
    uv_thread_t thread;
    uv_async_t wake;
    uv_timer_t stop_timer;
    http_client *http;
    ld_stats *stats; /* recorded into without locks by this thread only */
    ld_reqbuf rb;
    ld_capture_scratch cap;
    sb tmp, msg;
    ld_user **users; /* by slot; NULL once gone */
    size_t nslots, cap_slots, live;
    int stopping_all, aborting, closing;
    void (*on_user_gone)(struct ld_worker *w); /* setup/teardown: the coordinator continues */
    void *owner;                               /* for on_user_gone */
    uint64_t failed_users;                     /* users that ended with a flow cut short */
    uint64_t start_failed;                     /* users ended by a failed on_start */
    sb first_failure; /* setup/teardown: "file:line:col: METHOD name: message" */
    /* open model, read by the coordinator after the thread ended */
    uint64_t iterations, late, max_late_ns;
    mp_hist *uncorrected; /* latencies from the real send time, as wrk2 -U prints them */

    /* shared with the coordinator, under mx */
    uv_mutex_t mx;
    ld_cmd *cmds;
    size_t ncmds, cap_cmds;
    ld_stats *outbox;
    atomic_int done; /* all users gone after STOP_ALL / ABORT */
} ld_worker;

/* ---- the run ---- */

typedef struct ld_step_entry {
    const sc_step *step;
    uint32_t entry;
    ld_reqplan plan; /* what is worked out once for this request step */
} ld_step_entry;

typedef struct ld_ctx {
    const scenario *sc;
    const ld_options *o;
    char *host; /* without a trailing '/' */
    ld_pool *pools;
    mp_counters counters;
    mp_value *globals;      /* `variables:`, rendered once */
    ld_step_entry *entries; /* sorted by step address */
    size_t nentries;
    uint16_t max_depth;
    unsigned max_pairs;
    /* open model */
    double rate;
    uint64_t t0_ns, end_ns;
    atomic_uint_fast64_t next_slot;
    /* workers acknowledge a flush here; they wake the coordinator through coord_wake */
    uv_mutex_t flush_mx;
    uv_cond_t flush_cv;
    uint64_t flush_acks; /* cumulative over the run: see flush_workers_wait in engine.c */
    uv_async_t *coord_wake;
} ld_ctx;

/* user.c */
ld_user *ld_user_new(ld_worker *w, const sc_user *cls, const char *class_name, uint64_t index,
                     uint64_t class_index, uint32_t slot);
/* Runs on_start then tasks (cls != NULL), or `flow` once (setup/teardown). */
void ld_user_start(ld_user *u, const sc_flow *flow);
/* hard = 0: finish the current flow, then on_stop; waiting users stop at once. hard = 1: stop now
 * (a request in flight is dropped), then on_stop. */
void ld_user_stop(ld_user *u, int hard);
/* Gone at once: no on_stop, a request in flight is cancelled and not recorded. */
void ld_user_cancel(ld_user *u);
const ld_step_entry *ld_run_entry(const ld_ctx *r, const sc_step *st);
void ld_user_env(const ld_user *u, tpl_env *env);

/* worker.c */
/* shared_loop: run inline on that loop (setup/teardown), else on a loop of its own (a thread). */
int ld_worker_init(ld_worker *w, ld_ctx *run, int id, uv_loop_t *shared_loop, ld_stats *stats,
                   mp_err *err);
int ld_worker_start(ld_worker *w, mp_err *err); /* starts the thread */
void ld_worker_post(ld_worker *w, const ld_cmd *c);
/* After QUIT was handled and the thread joined (or after ld_worker_close_inline). */
void ld_worker_free(ld_worker *w);
/* Inline workers: a setup/teardown user in `slot` (started by the caller with ld_user_start). */
ld_user *ld_worker_spawn_inline(ld_worker *w, const char *name, uint32_t slot);
void ld_worker_close_inline(ld_worker *w);
/* A user left (its memory released); the worker may be done stopping. */
void ld_worker_user_gone(ld_worker *w, uint32_t slot);
/* Coordinator side of a flush: the worker's outbox merged into dst (then emptied). */
void ld_worker_collect(ld_worker *w, ld_stats *dst);

#endif
