/* The sampling loop: which processes and threads to read, how to pause a thread without
 * disturbing it (ptrace seize, interrupt, copy, detach), and turning raw frames into stacks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profile/modname.h"
#include "profile/sampler_internal.h"
#include "util/clock.h"
#include "util/mem.h"

struct mp_profile_opts mp_profile_defaults(void)
{
    return (struct mp_profile_opts){.rate_hz = 100, .attach_wait_s = 2};
}

mp_profiler *mp_profile_new(const struct mp_profile_opts *opts)
{
    mp_profiler *p = xcalloc(1, sizeof *p);
    p->o           = *opts;
    if (p->o.rate_hz <= 0) p->o.rate_hz = 100;
    if (p->o.attach_wait_s <= 0) p->o.attach_wait_s = 2;
    agg_init(&p->agg);
    p->elf = py_elf_cache_new();
    mp_rng_seed(&p->rng, p->o.seed ? p->o.seed : mp_seed_from_os(), 0x70f11e);
    p->rs           = xmalloc(sizeof *p->rs);
    p->child        = -1;
    p->child_status = -1;
    atomic_init(&p->stop, 0);
    return p;
}

static void thread_drop(struct thread_rec *t)
{
    if (t->stat_fd >= 0) close(t->stat_fd);
    t->stat_fd = -1;
}

static void target_release(struct target *t)
{
    for (size_t i = 0; i < t->nthreads; i++)
        thread_drop(&t->threads[i]);
    free(t->threads);
    t->threads  = NULL;
    t->nthreads = t->capthreads = 0;
    for (size_t i = 0; i < t->capcodes; i++)
        if (t->codes[i].addr) py_code_free(&t->codes[i].info);
    free(t->codes);
    t->codes  = NULL;
    t->ncodes = t->capcodes = 0;
    free(t->mods);
    t->mods  = NULL;
    t->nmods = t->capmods = 0;
    for (int i = 0; i < t->nsys; i++)
        free(t->sys_path[i]);
    free(t->sys_path);
    t->sys_path = NULL;
    t->nsys     = 0;
    free(t->ns_map);
    t->ns_map = NULL;
    t->ns_n = t->ns_cap = 0;
}

void mp_profile_free(mp_profiler *p)
{
    if (!p) return;
    if (p->thread_running) mp_profile_stop(p, NULL);
    for (size_t i = 0; i < p->ntargets; i++) {
        target_release(p->targets[i]);
        free(p->targets[i]);
    }
    free(p->targets);
    free(p->roots);
    free(p->passed);
    free(p->rs);
    if (p->pc.data) rmem_cache_free(&p->pc);
    py_elf_cache_free(p->elf);
    agg_free(&p->agg);
    free(p);
}

/* ---- /proc helpers ------------------------------------------------------------------------ */

/* Field 4 (ppid) and 22 (starttime) of /proc/PID/stat; the command name may contain spaces and
 * parentheses, so parsing starts after the last ')'. */
static int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start, char *state)
{
    char fn[64], buf[1024];
    snprintf(fn, sizeof fn, "/proc/%d/stat", (int)pid);
    int fd = open(fn, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n]  = '\0';
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    char st;
    int pp;
    unsigned long long s;
    if (sscanf(p + 2,
               "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
               &st, &pp, &s) != 3)
        return -1;
    if (ppid) *ppid = pp;
    if (start) *start = s;
    if (state) *state = st;
    return 0;
}

static int task_state(pid_t pid, pid_t tid, char *state)
{
    char fn[96], buf[1024];
    snprintf(fn, sizeof fn, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
    int fd = open(fn, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n]  = '\0';
    char *p = strrchr(buf, ')');
    if (!p || !p[1] || !p[2]) return -1;
    *state = p[2];
    return 0;
}

/* A thread's /proc schedstat: on-CPU ns, ns spent waiting on a run queue, and how many times it
 * was put on a CPU. The wait is accounted when the thread next gets a CPU. */
struct sched_snap {
    uint64_t run, delay, count;
};

static int thread_sched(pid_t pid, struct thread_rec *t, struct sched_snap *out)
{
    char buf[256];
    if (t->stat_fd < 0) {
        snprintf(buf, sizeof buf, "/proc/%d/task/%d/schedstat", (int)pid, (int)t->tid);
        t->stat_fd = open(buf, O_RDONLY | O_CLOEXEC);
        if (t->stat_fd < 0) return -1;
    }
    ssize_t n = pread(t->stat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return -1;
    buf[n]                 = '\0';
    unsigned long long run = 0, delay = 0, count = 0;
    if (sscanf(buf, "%llu %llu %llu", &run, &delay, &count) != 3) return -1;
    *out = (struct sched_snap){run, delay, count};
    return 0;
}

/* Was the thread on a CPU when the stop was requested? Only if it was not put on a CPU between
 * just before the request and now: a running thread stops on the spot. A thread that had to be
 * scheduled in first stops where the scheduler had taken it off (after a system call, typically,
 * or wherever the sampler's own wake-up displaced it), which is not a fair sample. */
static int was_on_cpu(const struct sched_snap *before, const struct sched_snap *after)
{
    return after->count == before->count;
}

static void read_cwd(struct target *t)
{
    char fn[64];
    snprintf(fn, sizeof fn, "/proc/%d/cwd", (int)t->pid);
    ssize_t n             = readlink(fn, t->cwd, sizeof t->cwd - 1);
    t->cwd[n > 0 ? n : 0] = '\0';
}

/* Does the target live in another PID namespace? Then its native thread ids are not ours. */
static void detect_ns(struct target *t)
{
    char fn[64], line[256];
    snprintf(fn, sizeof fn, "/proc/%d/status", (int)t->pid);
    FILE *f = fopen(fn, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "NSpid:", 6) != 0) continue;
        int fields = 0;
        for (char *tok = strtok(line + 6, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
            fields++;
        t->other_ns = fields > 1;
    }
    fclose(f);
}

static void refresh_ns_map(struct target *t)
{
    t->ns_n = 0;
    char fn[96], line[256];
    snprintf(fn, sizeof fn, "/proc/%d/task", (int)t->pid);
    DIR *d = opendir(fn);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0) continue;
        snprintf(fn, sizeof fn, "/proc/%d/task/%d/status", (int)t->pid, (int)tid);
        FILE *f = fopen(fn, "r");
        if (!f) continue;
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "NSpid:", 6) != 0) continue;
            char *last = NULL;
            for (char *tok = strtok(line + 6, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
                last = tok;
            if (last) {
                XGROW(t->ns_map, t->ns_n + 2, t->ns_cap);
                t->ns_map[t->ns_n++] = (pid_t)atoi(last);
                t->ns_map[t->ns_n++] = tid;
            }
        }
        fclose(f);
    }
    closedir(d);
}

static pid_t host_tid(struct target *t, uint64_t native)
{
    if (!t->other_ns) return (pid_t)native;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i + 1 < t->ns_n; i += 2)
            if ((uint64_t)t->ns_map[i] == native) return t->ns_map[i + 1];
        refresh_ns_map(t);
    }
    return 0;
}

/* ---- names ---------------------------------------------------------------------------------- */

/* Re-reads sys.path; returns 1 when it changed. Caches built from the old path are dropped at the
 * start of the next tick (flush_names), never while a lookup holds a pointer into them. */
static int reread_sys_path(struct target *t, uint64_t now)
{
    char **v       = NULL;
    int n          = py_sys_path(&t->mem, &t->loc.reader, t->loc.runtime, &v);
    t->sys_path_ns = now;
    if (n < 0) return 0;
    int same = n == t->nsys;
    for (int i = 0; same && i < n; i++)
        same = strcmp(v[i], t->sys_path[i]) == 0;
    char **old = same ? v : t->sys_path;
    int nold   = same ? n : t->nsys;
    for (int i = 0; i < nold; i++)
        free(old[i]);
    free(old);
    if (same) return 0;
    t->sys_path    = v;
    t->nsys        = n;
    t->names_stale = 1;
    return 1;
}

static void flush_names(struct target *t)
{
    t->names_stale = 0;
    free(t->mods);
    t->mods  = NULL;
    t->nmods = t->capmods = 0;
    for (size_t i = 0; i < t->capcodes; i++)
        if (t->codes[i].addr) {
            py_code_free(&t->codes[i].info);
            t->codes[i].addr = 0;
        }
    t->ncodes = 0;
}

static size_t ptr_hash(const void *ptr, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)ptr;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static const char *module_for(mp_profiler *p, struct target *t, const char *filename)
{
    if (t->nmods * 4 + 4 >= t->capmods * 3) {
        size_t ncap              = t->capmods ? t->capmods * 2 : 256;
        struct modname_entry *nm = xcalloc(ncap, sizeof *nm);
        for (size_t i = 0; i < t->capmods; i++) {
            if (!t->mods[i].filename) continue;
            size_t j = ptr_hash(t->mods[i].filename, ncap);
            while (nm[j].filename)
                j = (j + 1) & (ncap - 1);
            nm[j] = t->mods[i];
        }
        free(t->mods);
        t->mods    = nm;
        t->capmods = ncap;
    }
    size_t i = ptr_hash(filename, t->capmods);
    while (t->mods[i].filename && t->mods[i].filename != filename)
        i = (i + 1) & (t->capmods - 1);
    if (t->mods[i].filename) return t->mods[i].module;
    sb m = {0};
    /* sys.path grows after start-up (the script's directory, site, the app's own inserts): a
     * file that matches no entry is the sign to look again, at most once per tick. */
    if (!py_module_name(filename, t->sys_path, (size_t)t->nsys, t->cwd, &m) &&
        t->reread_tick != p->c.ticks) {
        t->reread_tick = p->c.ticks;
        if (reread_sys_path(t, mp_mono_ns())) {
            sb_reset(&m);
            py_module_name(filename, t->sys_path, (size_t)t->nsys, t->cwd, &m);
        }
    }
    t->mods[i].filename = filename;
    t->mods[i].module   = agg_intern(&p->agg, sb_str(&m));
    t->nmods++;
    sb_free(&m);
    return t->mods[i].module;
}

static size_t addr_hash(uint64_t a, size_t cap)
{
    a ^= a >> 29;
    a *= UINT64_C(0xbf58476d1ce4e5b9);
    a ^= a >> 32;
    return (size_t)a & (cap - 1);
}

enum { CODE_CACHE_MAX = 1 << 16, CODE_RECHECK = 64 };

/* The code object at addr, from the cache. An address can be reused after its code object is
 * freed (exec(), namedtuple, reloaded modules), so every CODE_RECHECK-th hit re-reads the header
 * and compares it with what was cached; names live in the aggregate, so dropping an entry never
 * leaves a dangling name behind. */
static struct code_entry *code_lookup(mp_profiler *p, struct target *t, uint64_t addr)
{
    if (t->ncodes * 4 + 4 >= t->capcodes * 3) {
        size_t ncap           = t->capcodes ? t->capcodes * 2 : 1024;
        int reset             = ncap > CODE_CACHE_MAX;
        struct code_entry *nc = xcalloc(reset ? t->capcodes : ncap, sizeof *nc);
        if (reset) ncap = t->capcodes;
        for (size_t i = 0; i < t->capcodes; i++) {
            if (!t->codes[i].addr) continue;
            if (reset) {
                py_code_free(&t->codes[i].info);
                continue;
            }
            size_t j = addr_hash(t->codes[i].addr, ncap);
            while (nc[j].addr)
                j = (j + 1) & (ncap - 1);
            nc[j] = t->codes[i];
        }
        if (reset) t->ncodes = 0;
        free(t->codes);
        t->codes    = nc;
        t->capcodes = ncap;
    }
    size_t i = addr_hash(addr, t->capcodes);
    while (t->codes[i].addr && t->codes[i].addr != addr)
        i = (i + 1) & (t->capcodes - 1);
    struct code_entry *e = &t->codes[i];
    if (e->addr) {
        if (++e->hits % CODE_RECHECK != 0 || py_code_same(&t->mem, &t->loc.reader, addr, &e->info))
            return e;
        /* Stale: the slot is re-read in place below. */
        py_code_free(&e->info);
        e->addr = 0;
        t->ncodes--;
    }
    struct py_code c;
    if (py_code_read(&t->mem, &t->loc.reader, addr, &c) != 0) return NULL;
    const char *file = agg_intern(&p->agg, c.filename);
    e->addr          = addr;
    e->info          = c;
    e->hits          = 0;
    e->func          = agg_func(&p->agg, module_for(p, t, file), c.qualname, file, c.firstlineno);
    t->ncodes++;
    return e;
}

/* Turns a copied stack into frame ids and adds it. Returns 0, or -1 when a frame did not resolve
 * (a torn or stale read), in which case nothing is added. */
static int resolve_and_add(mp_profiler *p, struct target *t, pid_t tid,
                           const struct py_rawstack *rs, uint64_t weight)
{
    uint32_t ids[PY_MAX_DEPTH];
    uint32_t k = 0;
    for (int i = rs->n - 1; i >= 0; i--) {
        const struct py_rawframe *f = &rs->f[i];
        struct code_entry *e        = code_lookup(p, t, f->code);
        if (!e) return -1;
        int line;
        int r = py_frame_line(&t->loc.reader, &e->info, f, &line);
        if (r < 0) return -1;
        if (r == 0) continue;
        ids[k++] = agg_frame(&p->agg, e->func, line);
    }
    if (k == 0) {
        /* The thread runs no Python code right now (start-up, shut-down, a thread that only runs
         * C): its time still counts, under a name that says so. */
        ids[k++] =
            agg_frame(&p->agg, agg_func(&p->agg, "<no Python frame>", "<none>", "<none>", 0), 0);
    }
    agg_add(&p->agg, t->pid, tid, ids, k, weight);
    t->samples++;
    p->c.samples++;
    p->c.weight_ns += weight;
    return 0;
}

/* ---- pausing a thread ----------------------------------------------------------------------- */

enum pause_rc { PAUSED, PAUSE_GONE, PAUSE_EPERM };

static void note_child_exit(mp_profiler *p, pid_t tid, int status)
{
    if (tid == p->child) {
        p->child_status = status;
        p->child        = -1;
    }
}

/* Seizes and interrupts one thread, and waits until it is stopped. *sig receives a signal that
 * arrived meanwhile (a signal-delivery-stop), to be re-injected on release. */
static enum pause_rc pause_thread(mp_profiler *p, pid_t pid, struct thread_rec *r, int *sig,
                                  uint64_t *t0, struct sched_snap *before)
{
    pid_t tid = r->tid;
    *sig      = 0;
    /* Seizing does not stop the thread; the pause starts with the interrupt. */
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) return errno == EPERM ? PAUSE_EPERM : PAUSE_GONE;
    if (thread_sched(pid, r, before) != 0) before->count = UINT64_MAX - 1;
    *t0 = mp_mono_ns();
    if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
        ptrace(PTRACE_DETACH, tid, 0, 0);
        return PAUSE_GONE;
    }
    for (;;) {
        int st;
        pid_t w = waitpid(tid, &st, __WALL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return PAUSE_GONE;
        }
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            note_child_exit(p, tid, st);
            return PAUSE_GONE;
        }
        if (!WIFSTOPPED(st)) continue;
        if ((st >> 16) == PTRACE_EVENT_STOP) {
            /* SIGTRAP: our interrupt. Anything else: a group-stop (SIGSTOP/SIGTSTP), which
             * detaching leaves in place. */
            return PAUSED;
        }
        /* A signal-delivery-stop: the thread is stopped too; the signal is delivered when the
         * thread is released, and detaching also cancels the interrupt still pending. */
        *sig = WSTOPSIG(st);
        return PAUSED;
    }
}

static void release_thread(pid_t tid, int sig)
{
    ptrace(PTRACE_DETACH, tid, 0, (void *)(intptr_t)sig);
}

static void set_fatal(mp_profiler *p, const char *what, pid_t pid)
{
    if (p->fatal) return;
    char hint[512];
    py_permission_hint(hint, sizeof hint);
    mp_fail(&p->fatal_err, "cannot %s process %d: %s", what, (int)pid, hint);
    p->fatal = 1;
}

/* ---- one tick of one process ---------------------------------------------------------------- */

struct pick {
    struct thread_rec *rec;
    uint64_t weight;
    int running;
};

static struct thread_rec *thread_find(struct target *t, pid_t tid, uint64_t tstate)
{
    for (size_t i = 0; i < t->nthreads; i++)
        if (t->threads[i].tid == tid) {
            t->threads[i].tstate = tstate;
            return &t->threads[i];
        }
    XGROW(t->threads, t->nthreads + 1, t->capthreads);
    struct thread_rec *r = &t->threads[t->nthreads++];
    memset(r, 0, sizeof *r);
    r->tid     = tid;
    r->tstate  = tstate;
    r->stat_fd = -1;
    return r;
}

static void mark_dead(struct target *t)
{
    t->dead = 1;
    target_release(t);
}

static int process_alive(const struct target *t)
{
    unsigned long long start;
    char state;
    return proc_stat(t->pid, NULL, &start, &state) == 0 && start == t->starttime && state != 'Z' &&
           state != 'X';
}

/* Waits until every thread of the process is stopped by SIGSTOP (the reference mode). */
static void wait_all_stopped(pid_t pid)
{
    char fn[64];
    snprintf(fn, sizeof fn, "/proc/%d/task", (int)pid);
    uint64_t deadline = mp_mono_ns() + 200000000ull;
    while (mp_mono_ns() < deadline) {
        DIR *d = opendir(fn);
        if (!d) return;
        int all = 1;
        for (struct dirent *e; (e = readdir(d));) {
            pid_t tid = (pid_t)atoi(e->d_name);
            char st;
            if (tid > 0 && task_state(pid, tid, &st) == 0 && st != 'T' && st != 't') all = 0;
        }
        closedir(d);
        if (all) return;
        mp_sleep_ns(20000);
    }
}

static void sample_target(mp_profiler *p, struct target *t, uint64_t now)
{
    struct py_thread th[PY_MAX_THREADS];
    int n = py_threads(&t->mem, &t->loc.reader, t->loc.runtime, th, PY_MAX_THREADS);
    if (n < 0) {
        if (!process_alive(t))
            mark_dead(t);
        else
            p->c.list_errors++; /* starting up or shutting down: no readable thread list */
        return;
    }
    if (now - t->sys_path_ns > 2000000000ull) reread_sys_path(t, now);
    if (t->names_stale) flush_names(t);
    uint64_t wall   = t->last_tick_ns ? now - t->last_tick_ns : (uint64_t)(1e9 / p->o.rate_hz);
    t->last_tick_ns = now;

    /* Three passes so that no pointer into threads[] is held across a reallocation or a
     * removal: find or create every live thread, forget the ones that are gone (their tids may
     * be reused), then read CPU times and pick. */
    for (size_t i = 0; i < t->nthreads; i++)
        t->threads[i].seen = 0;
    for (int i = 0; i < n; i++) {
        pid_t tid = host_tid(t, th[i].native_tid);
        if (tid > 0) thread_find(t, tid, th[i].tstate)->seen = 1;
    }
    for (size_t i = 0; i < t->nthreads;) {
        if (t->threads[i].seen) {
            i++;
            continue;
        }
        thread_drop(&t->threads[i]);
        t->threads[i] = t->threads[--t->nthreads];
    }
    struct pick picks[PY_MAX_THREADS];
    int np = 0;
    for (size_t i = 0; i < t->nthreads && np < PY_MAX_THREADS; i++) {
        struct thread_rec *r = &t->threads[i];
        struct sched_snap ss;
        if (thread_sched(t->pid, r, &ss) != 0) continue; /* the thread has just exited */
        uint64_t cpu   = ss.run;
        uint64_t delta = r->have_last && cpu >= r->last_cpu ? cpu - r->last_cpu : 0;
        int first      = !r->have_last;
        r->last_cpu    = cpu;
        r->have_last   = 1;
        if (first) continue; /* no interval to attribute yet */
        if (delta == 0 && !p->o.wall) {
            p->c.idle++;
            continue;
        }
        p->c.cpu_ns += delta;
        agg_thread_cpu(&p->agg, t->pid, r->tid, delta);
        picks[np++] = (struct pick){r, wall, delta > 0};
    }
    if (np == 0) return;

    struct py_rawstack *rs = p->rs;
    mp_rmem cached         = rmem_cache(&p->pc);

    /* CPU mode samples a thread only where it runs. A thread that is not on a CPU at the tick
     * (waiting for one, or asleep) only stops for us once it is scheduled in again, at a
     * scheduling point: sampling it there would credit CPU time to wherever the scheduler likes
     * to preempt (right after a system call, typically; 30% of a Django loop's samples landed on
     * a process_time() call on a loaded machine). Such a tick is dropped. The samples that remain
     * are uniform over the thread's CPU time, so they all weigh the same; at the end each
     * thread's samples are scaled to the CPU time it used (agg_scale_cpu), which keeps threads
     * that share a CPU with the sampler (and lose more ticks) from being under-weighted.
     * Crediting a dropped tick's time to the next sample instead would be biased: that sample
     * lands just after the thread got its CPU back, i.e. just after the preemption point. */
    int cpu_mode = !p->o.wall;

    if (p->o.reference_stop) {
        /* Stop the world: every thread of the process at once, then read at leisure. */
        struct py_rawstack *all   = xmalloc((size_t)np * sizeof *all);
        int *ok                   = xcalloc((size_t)np, sizeof *ok);
        struct sched_snap *before = xcalloc((size_t)np, sizeof *before), after;
        uint64_t t0               = mp_mono_ns();
        for (int k = 0; k < np; k++)
            thread_sched(t->pid, picks[k].rec, &before[k]);
        if (kill(t->pid, SIGSTOP) == 0) {
            wait_all_stopped(t->pid);
            for (int k = 0; k < np; k++) {
                ok[k] = py_stack(&t->mem, &t->loc.reader, picks[k].rec->tstate, &all[k]) == PY_OK;
                if (ok[k] && cpu_mode &&
                    (thread_sched(t->pid, picks[k].rec, &after) != 0 ||
                     !was_on_cpu(&before[k], &after)))
                    ok[k] = 2;
            }
            kill(t->pid, SIGCONT);
            p->c.pause_ns_total += mp_mono_ns() - t0;
            p->c.pauses++;
        }
        for (int k = 0; k < np; k++) {
            p->c.attempts++;
            struct thread_rec *r = picks[k].rec;
            if (ok[k] == 2)
                p->c.off_cpu++;
            else if (!ok[k] || resolve_and_add(p, t, r->tid, &all[k], picks[k].weight) != 0)
                p->c.errors++;
        }
        free(all);
        free(ok);
        free(before);
        return;
    }

    for (int k = 0; k < np; k++) {
        struct pick *pk      = &picks[k];
        struct thread_rec *r = pk->rec;
        int rc, torn = 0;
        char state;
        if (cpu_mode && task_state(t->pid, r->tid, &state) == 0 && state != 'R') {
            /* Asleep now, so certainly not on a CPU: no need to wake it to find that out. */
            p->c.off_cpu++;
            continue;
        }
        p->c.attempts++;
        if (p->o.nonblocking || !pk->running) {
            /* Idle threads (wall mode) are blocked in a system call: their stack cannot move
             * under the reader, so they are never paused. */
            rc = py_stack(&t->mem, &t->loc.reader, r->tstate, rs);
            if (p->o.nonblocking && pk->running && rc == PY_OK) {
                /* Torn: a call or return happened while the chain was read. */
                uint64_t top = 0, code = 0;
                torn =
                    py_top_frame(&t->mem, &t->loc.reader, r->tstate, &top) != 0 || top != rs->top;
                if (!torn && rs->n > 0 &&
                    (rmem_u64(&t->mem, top + t->loc.reader.L.fr_code, &code) != 0 ||
                     code != rs->f[0].code))
                    torn = 1;
            }
        } else {
            int sig;
            uint64_t t0 = 0;
            struct sched_snap before, after;
            enum pause_rc pr = pause_thread(p, t->pid, r, &sig, &t0, &before);
            if (pr == PAUSE_EPERM) {
                set_fatal(p, "pause a thread of", t->pid);
                break;
            }
            if (pr == PAUSE_GONE) {
                p->c.lost_threads++;
                continue;
            }
            rmem_cache_reset(&p->pc);
            rc = py_stack(&cached, &t->loc.reader, r->tstate, rs);
            int moved =
                cpu_mode && (thread_sched(t->pid, r, &after) != 0 || !was_on_cpu(&before, &after));
            release_thread(r->tid, sig);
            uint64_t paused = mp_mono_ns() - t0;
            p->c.pause_ns_total += paused;
            p->c.pauses++;
            if (!moved) {
                /* What a running thread loses per sample; the other pauses mostly overlap time
                 * the thread spent waiting for a CPU anyway. */
                p->c.pause_running_ns += paused;
                p->c.pauses_running++;
            }
            if (moved && rc == PY_OK) {
                p->c.off_cpu++;
                continue;
            }
        }
        if (rc == PY_EREAD) {
            p->c.lost_threads++;
            continue;
        }
        /* A chain that fails validation is torn too (counted once per read). */
        if (rc != PY_OK || resolve_and_add(p, t, r->tid, rs, pk->weight) != 0) {
            p->c.errors++;
            torn = 1;
        }
        if (torn && p->o.nonblocking) p->c.torn++;
    }
}

/* ---- the target set ------------------------------------------------------------------------- */

static int known_target(const mp_profiler *p, pid_t pid, unsigned long long start)
{
    for (size_t i = 0; i < p->ntargets; i++)
        if (p->targets[i]->pid == pid && p->targets[i]->starttime == start) return 1;
    return 0;
}

static struct target *add_target(mp_profiler *p, pid_t pid, unsigned long long start,
                                 const struct py_location *loc)
{
    /* Each target is its own allocation: its memory backend points into it, and the list grows
     * while the sampler holds targets. */
    XGROW(p->targets, p->ntargets + 1, p->captargets);
    struct target *t          = xcalloc(1, sizeof *t);
    p->targets[p->ntargets++] = t;
    t->pid                    = pid;
    t->starttime              = start;
    t->python                 = loc != NULL;
    p->c.processes += t->python;
    if (!loc) return t;
    t->loc    = *loc;
    t->rp.pid = pid;
    t->mem    = rmem_proc(&t->rp);
    read_cwd(t);
    detect_ns(t);
    reread_sys_path(t, mp_mono_ns());
    t->names_stale = 0;
    char v[32];
    py_version_str(loc->version, v);
    if (!p->version[0]) {
        snprintf(p->version, sizeof p->version, "%s", v);
        snprintf(p->first_path, sizeof p->first_path, "%s", loc->path);
    } else if (strcmp(v, p->version) != 0)
        p->mixed_versions = 1;
    return t;
}

/* Tries to locate Python in pid for up to attach_wait_s. */
static enum py_locate_status locate_wait(mp_profiler *p, pid_t pid, struct py_location *loc,
                                         mp_err *err)
{
    uint64_t deadline = mp_mono_ns() + (uint64_t)(p->o.attach_wait_s * 1e9);
    for (;;) {
        enum py_locate_status s = py_locate(pid, p->elf, loc, err);
        if (s == PY_LOCATED || s == PY_UNSUPPORTED || s == PY_NO_PERM || s == PY_GONE) return s;
        if (mp_mono_ns() >= deadline) return s;
        mp_sleep_ns(5000000);
    }
}

int mp_profile_add_pid(mp_profiler *p, pid_t pid, mp_err *err)
{
    unsigned long long start;
    if (proc_stat(pid, NULL, &start, NULL) != 0)
        return mp_fail(err, "process %d does not exist", (int)pid);
    if (!p->pc.data) rmem_cache_init(&p->pc, NULL);
    struct py_location loc;
    mp_err why;
    enum py_locate_status s = locate_wait(p, pid, &loc, &why);
    XGROW(p->roots, p->nroots + 1, p->caproots);
    p->roots[p->nroots++] = pid;
    if (s == PY_LOCATED) {
        add_target(p, pid, start, &loc);
        return 0;
    }
    if (p->o.subprocesses && (s == PY_NOT_PYTHON || s == PY_NOT_READY)) {
        add_target(p, pid, start, NULL); /* followed only for its children */
        p->c.non_python++;
        return 0;
    }
    p->nroots--;
    if (s == PY_NOT_PYTHON && !p->o.subprocesses)
        return mp_fail(err, "%s (use --subprocesses to profile the Python processes it starts)",
                       why.msg);
    return mp_fail(err, "%s", why.msg);
}

static int is_descendant(pid_t pid, const pid_t *ppid_of, const pid_t *pids, size_t n,
                         const pid_t *roots, size_t nroots)
{
    pid_t cur = pid;
    for (int depth = 0; depth < 64 && cur > 1; depth++) {
        for (size_t r = 0; r < nroots; r++)
            if (cur == roots[r]) return depth > 0;
        pid_t next = 0;
        for (size_t i = 0; i < n; i++)
            if (pids[i] == cur) {
                next = ppid_of[i];
                break;
            }
        cur = next;
    }
    return 0;
}

static struct passed_pid *passed_find(mp_profiler *p, pid_t pid, unsigned long long start)
{
    for (size_t i = 0; i < p->npassed; i++)
        if (p->passed[i].pid == pid && p->passed[i].starttime == start) return &p->passed[i];
    return NULL;
}

/* Finds new descendants of the roots and attaches the ones running Python. A process that is not
 * Python (yet) is remembered with its executable and retried when it execs. */
static void scan_children(mp_profiler *p, uint64_t now)
{
    DIR *d = opendir("/proc");
    if (!d) return;
    pid_t *pids = NULL, *ppids = NULL;
    unsigned long long *starts = NULL;
    size_t n = 0, cap = 0, cap2 = 0, cap3 = 0;
    for (struct dirent *e; (e = readdir(d));) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0) continue;
        pid_t pp;
        unsigned long long st;
        if (proc_stat(pid, &pp, &st, NULL) != 0) continue;
        XGROW(pids, n + 1, cap);
        XGROW(ppids, n + 1, cap2);
        XGROW(starts, n + 1, cap3);
        pids[n]   = pid;
        ppids[n]  = pp;
        starts[n] = st;
        n++;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        if (known_target(p, pids[i], starts[i])) continue;
        if (!is_descendant(pids[i], ppids, pids, n, p->roots, p->nroots)) continue;
        char fn[64], exe[PATH_MAX];
        snprintf(fn, sizeof fn, "/proc/%d/exe", (int)pids[i]);
        ssize_t el            = readlink(fn, exe, sizeof exe - 1);
        exe[el > 0 ? el : 0]  = '\0';
        struct passed_pid *pp = passed_find(p, pids[i], starts[i]);
        if (pp && (pp->final || (strcmp(pp->exe, exe) == 0 &&
                                 now - pp->first_ns > (uint64_t)(p->o.attach_wait_s * 1e9))))
            continue;
        struct py_location loc;
        mp_err why;
        enum py_locate_status s = py_locate(pids[i], p->elf, &loc, &why);
        if (s == PY_LOCATED) {
            add_target(p, pids[i], starts[i], &loc);
            continue;
        }
        if (s == PY_GONE) continue;
        if (!pp) {
            XGROW(p->passed, p->npassed + 1, p->cappassed);
            pp = &p->passed[p->npassed++];
            memset(pp, 0, sizeof *pp);
            pp->pid       = pids[i];
            pp->starttime = starts[i];
            pp->first_ns  = now;
            p->c.non_python++;
        } else if (strcmp(pp->exe, exe) != 0)
            pp->first_ns = now; /* it exec'd: give the new program its own grace period */
        snprintf(pp->exe, sizeof pp->exe, "%s", exe);
        pp->final = s == PY_UNSUPPORTED || s == PY_NO_PERM;
        if (s == PY_NO_PERM) set_fatal(p, "read", pids[i]);
    }
    free(pids);
    free(ppids);
    free(starts);
}

/* ---- spawning a command ---------------------------------------------------------------------- */

int mp_profile_spawn(mp_profiler *p, char *const argv[], mp_err *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return mp_fail(err, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return mp_fail(err, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close(fds[0]);
        execvp(argv[0], argv);
        int e = errno;
        if (write(fds[1], &e, sizeof e) < 0) _exit(127);
        _exit(127);
    }
    close(fds[1]);
    int e     = 0;
    ssize_t r = read(fds[0], &e, sizeof e);
    close(fds[0]);
    if (r == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        return mp_fail(err, "cannot run '%s': %s", argv[0], strerror(e));
    }
    p->child = pid;
    if (mp_profile_add_pid(p, pid, err) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        p->child = -1;
        return -1;
    }
    return 0;
}

void mp_profile_end_child(mp_profiler *p)
{
    if (p->child <= 0) return;
    int st;
    if (waitpid(p->child, &st, WNOHANG) == p->child) {
        note_child_exit(p, p->child, st);
        return;
    }
    kill(p->child, SIGTERM);
    for (int i = 0; i < 500; i++) { /* 5 s to shut down cleanly (gunicorn stops its workers) */
        if (waitpid(p->child, &st, WNOHANG) == p->child) {
            note_child_exit(p, p->child, st);
            return;
        }
        mp_sleep_ns(10000000);
    }
    kill(p->child, SIGKILL);
    if (waitpid(p->child, &st, 0) == p->child) note_child_exit(p, p->child, st);
}

int mp_profile_child_status(const mp_profiler *p)
{
    return p->child_status;
}

/* ---- the loop ------------------------------------------------------------------------------- */

static int all_gone(mp_profiler *p)
{
    if (p->child > 0) return 0;
    for (size_t i = 0; i < p->ntargets; i++) {
        struct target *t = p->targets[i];
        if (t->dead) continue;
        if (!t->python) {
            if (process_alive(t)) return 0;
            t->dead = 1;
            continue;
        }
        return 0;
    }
    /* With --subprocesses, a root that is gone may still have left children running: they
     * were attached already if they run Python. */
    return 1;
}

static int should_stop(mp_profiler *p)
{
    if (atomic_load(&p->stop) || p->fatal) return 1;
    if (p->o.stop_signals) {
        sigset_t pend;
        sigpending(&pend);
        for (int s = 1; s < NSIG; s++)
            if (sigismember(p->o.stop_signals, s) == 1 && sigismember(&pend, s) == 1) return 1;
    }
    return 0;
}

static void wait_until(mp_profiler *p, uint64_t when)
{
    for (;;) {
        if (should_stop(p)) return;
        uint64_t now = mp_mono_ns();
        if (now >= when) return;
        uint64_t d = when - now;
        if (d > 50000000ull) d = 50000000ull; /* re-check the stop flag at least every 50 ms */
        if (p->o.stop_signals) {
            struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
            siginfo_t si;
            sigset_t set = *p->o.stop_signals;
            /* The signal stays pending for should_stop: peek only, by re-raising it. */
            int s = sigtimedwait(&set, &si, &ts);
            if (s > 0) {
                raise(s);
                return;
            }
        } else
            mp_sleep_ns(d);
    }
}

int mp_profile_run(mp_profiler *p, mp_err *err)
{
    /* A paused thread waits for the sampler to copy its stack and let go: if the sampler is
     * preempted in between (a busy machine), the pause stretches from microseconds to a time
     * slice. Raise this thread's priority when allowed (root, CAP_SYS_NICE); nothing else
     * depends on it, so a refusal is ignored. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), -10) != 0) errno = 0;
    if (!p->pc.data) rmem_cache_init(&p->pc, NULL);
    p->start_ns       = mp_mono_ns();
    uint64_t interval = (uint64_t)(1e9 / p->o.rate_hz);
    uint64_t end      = p->o.duration_s > 0 ? p->start_ns + (uint64_t)(p->o.duration_s * 1e9) : 0;
    uint64_t slot     = p->start_ns;
    for (;;) {
        if (should_stop(p)) break;
        uint64_t now = mp_mono_ns();
        if (end && now >= end) break;
        p->c.ticks++;
        for (size_t i = 0; i < p->ntargets && !p->fatal; i++) {
            struct target *t = p->targets[i];
            if (t->dead || !t->python) continue;
            p->pc.under = &t->mem;
            sample_target(p, t, now);
        }
        if (p->child > 0) {
            int st;
            if (waitpid(p->child, &st, WNOHANG) == p->child) note_child_exit(p, p->child, st);
        }
        if (p->o.subprocesses && now - p->last_scan_ns >= 100000000ull) {
            scan_children(p, now);
            p->last_scan_ns = now;
        }
        if (all_gone(p)) break;
        /* Stratified ticks: one at a uniformly random point of each interval-long slot. A fixed
         * period (or a small jitter around it) locks onto periodic workloads: with +-20% jitter,
         * the 70/30 target's 1.2 ms cycle kept consecutive 1 kHz samples in phase, and the
         * split's run-to-run spread was twice the binomial one. */
        slot += interval;
        now = mp_mono_ns();
        if (slot + interval < now) slot = now; /* fell behind (a long pause): start afresh */
        uint64_t next = slot + (uint64_t)((double)interval * mp_rng_double(&p->rng));
        if (next < now) next = now;
        if (end && next > end) next = end;
        wait_until(p, next);
    }
    p->end_ns = mp_mono_ns();
    if (!p->o.wall) agg_scale_cpu(&p->agg);
    p->c.weight_ns = p->agg.total_weight;
    if (p->fatal) {
        if (err) *err = p->fatal_err;
        return -1;
    }
    return 0;
}

static void *run_thread(void *arg)
{
    mp_profiler *p = arg;
    mp_err e;
    mp_profile_run(p, &e);
    return NULL;
}

int mp_profile_start(mp_profiler *p, mp_err *err)
{
    if (p->thread_running) return mp_fail(err, "the profiler is already running");
    atomic_store(&p->stop, 0);
    int rc = pthread_create(&p->thread, NULL, run_thread, p);
    if (rc != 0) return mp_fail(err, "cannot start the sampling thread: %s", strerror(rc));
    p->thread_running = 1;
    return 0;
}

int mp_profile_stop(mp_profiler *p, mp_err *err)
{
    if (p->thread_running) {
        atomic_store(&p->stop, 1);
        pthread_join(p->thread, NULL);
        p->thread_running = 0;
    }
    if (p->fatal) {
        if (err) *err = p->fatal_err;
        return -1;
    }
    return 0;
}

void mp_profile_counts(const mp_profiler *p, struct mp_profile_counts *out)
{
    *out = p->c;
}
