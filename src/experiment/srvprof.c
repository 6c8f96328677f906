#include "experiment/srvprof.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "experiment/exec.h"
#include "profile/profile.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/sb.h"

struct ex_srvprof {
    mp_profiler *p;
    double rate_hz;
    int started; /* the window opened */
    int sampled; /* the sampling thread ran */
    int running;
    int failed; /* err holds why: attach, start, or a fatal sampling error */
    mp_err err;
    uint64_t t0_ns, t1_ns;
};

ex_srvprof *ex_srvprof_new(pid_t pid, double rate_hz)
{
    ex_srvprof *sp           = xcalloc(1, sizeof *sp);
    sp->rate_hz              = rate_hz;
    struct mp_profile_opts o = mp_profile_defaults();
    o.rate_hz                = rate_hz;
    o.subprocesses           = 1; /* gunicorn workers, a shell in front of the server */
    /* No stop_signals: SIGINT/SIGTERM stay pending for the runner, which stops the profiler
     * through ex_srvprof_stop like any other end of the window. */
    sp->p = mp_profile_new(&o);
    if (mp_profile_add_pid(sp->p, pid, &sp->err) != 0) sp->failed = 1;
    return sp;
}

void ex_srvprof_start(ex_srvprof *sp)
{
    if (sp->started) return;
    sp->started = 1;
    sp->t0_ns   = mp_mono_ns();
    if (sp->failed) return;
    if (mp_profile_start(sp->p, &sp->err) != 0)
        sp->failed = 1;
    else
        sp->running = sp->sampled = 1;
}

void ex_srvprof_stop(ex_srvprof *sp)
{
    if (!sp->running) return;
    sp->running = 0;
    sp->t1_ns   = mp_mono_ns();
    mp_err e;
    if (mp_profile_stop(sp->p, &e) != 0 && !sp->failed) {
        sp->failed = 1;
        sp->err    = e;
    }
}

int ex_srvprof_started(const ex_srvprof *sp)
{
    return sp->started;
}

/* The profiler's own text header ("# python: 3.11.2 (...)", mode, rate, counts), line by line:
 * what `mixperf profile` would have printed, kept for the human reader of the line. */
static json_t *header_lines(mp_profiler *p)
{
    char *buf  = NULL;
    size_t len = 0;
    FILE *f    = open_memstream(&buf, &len);
    json_t *a  = json_array();
    if (!f) return a;
    struct mp_profile_outputs out = {.top = f, .top_n = -1};
    mp_err e;
    mp_profile_write(p, &out, &e);
    fclose(f);
    for (char *s = buf; s && *s;) {
        char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n) json_array_append_new(a, ex_json_text(s, n));
        s += n + (nl != NULL);
    }
    free(buf);
    return a;
}

static void set_counts(json_t *o, const struct mp_profile_counts *c)
{
    json_object_set_new(o, "samples", json_integer((json_int_t)c->samples));
    json_object_set_new(o, "ticks", json_integer((json_int_t)c->ticks));
    json_object_set_new(o, "attempts", json_integer((json_int_t)c->attempts));
    json_object_set_new(o, "errors", json_integer((json_int_t)c->errors));
    json_object_set_new(o, "lost_threads", json_integer((json_int_t)c->lost_threads));
    json_object_set_new(o, "list_errors", json_integer((json_int_t)c->list_errors));
    json_object_set_new(o, "off_cpu", json_integer((json_int_t)c->off_cpu));
    json_object_set_new(o, "processes", json_integer((json_int_t)c->processes));
    json_object_set_new(o, "non_python", json_integer((json_int_t)c->non_python));
    json_object_set_new(o, "cpu_s", json_real((double)c->cpu_ns / 1e9));
    json_object_set_new(o, "sampled_s", json_real((double)c->weight_ns / 1e9));
}

json_t *ex_srvprof_json(ex_srvprof *sp, const char *stacks_path, const char *stacks_rel)
{
    ex_srvprof_stop(sp);
    json_t *o = json_object();
    json_object_set_new(o, "rate_hz", json_real(sp->rate_hz));
    json_object_set_new(o, "window_s",
                        sp->sampled ? json_real((double)(sp->t1_ns - sp->t0_ns) / 1e9)
                                    : json_null());
    struct mp_profile_counts c;
    mp_profile_counts(sp->p, &c);
    set_counts(o, &c);
    if (!sp->failed && c.processes == 0) {
        sp->failed = 1;
        mp_fail(&sp->err,
                "no CPython process in the server's process tree (%llu other process%s followed; "
                "only CPython 3.11-3.13 can be profiled, not PyPy)",
                (unsigned long long)c.non_python, c.non_python == 1 ? "" : "es");
    }
    json_object_set_new(o, "error",
                        sp->failed ? ex_json_text(sp->err.msg, strlen(sp->err.msg)) : json_null());
    json_object_set_new(o, "header", sp->sampled ? header_lines(sp->p) : json_array());

    /* A fatal error (permission lost mid-window) leaves a partial profile: no module table, so
     * no report averages it with complete ones. */
    json_t *mods = json_array();
    size_t nmods = 0, omitted = 0;
    json_t *stack = json_null();
    if (!sp->failed) {
        struct mp_profile_row *rows;
        mp_profile_hot_modules(sp->p, &rows, &nmods);
        for (size_t i = 0; i < nmods; i++) {
            if (i >= EX_PROFILE_MAX_MODULES) {
                omitted++;
                continue;
            }
            json_t *m = json_object();
            json_object_set_new(m, "module", ex_json_text(rows[i].name, strlen(rows[i].name)));
            json_object_set_new(m, "self", json_real(rows[i].self_frac));
            json_object_set_new(m, "total", json_real(rows[i].total_frac));
            json_object_set_new(m, "self_s", json_real((double)rows[i].self_ns / 1e9));
            json_object_set_new(m, "total_s", json_real((double)rows[i].total_ns / 1e9));
            json_array_append_new(mods, m);
        }
        free(rows);
        if (stacks_path) {
            struct mp_profile_outputs out = {.collapsed = stacks_path};
            mp_err e;
            if (mp_profile_write(sp->p, &out, &e) == 0)
                stack = ex_json_text(stacks_rel, strlen(stacks_rel));
            else
                json_object_set_new(o, "stacks_error", ex_json_text(e.msg, strlen(e.msg)));
        }
    }
    json_object_set_new(o, "modules", mods);
    json_object_set_new(o, "modules_omitted", json_integer((json_int_t)omitted));
    json_object_set_new(o, "stacks", stack);
    return o;
}

void ex_srvprof_free(ex_srvprof *sp)
{
    if (!sp) return;
    ex_srvprof_stop(sp);
    mp_profile_free(sp->p);
    free(sp);
}

/* to relative to from_dir, both absolute and free of "." and ".." (realpath'ed). */
static char *relative(const char *from_dir, const char *to)
{
    if (strcmp(from_dir, "/") == 0) return xstrdup(to + 1);
    /* The longest common prefix that ends at a directory boundary. */
    size_t i = 0, common = 0;
    while (from_dir[i] && from_dir[i] == to[i]) {
        if (from_dir[i] == '/') common = i;
        i++;
    }
    if (!from_dir[i] && (to[i] == '/' || !to[i])) common = i;
    sb s = {0};
    for (const char *p = from_dir + common; *p; p++)
        if (*p == '/') sb_adds(&s, "../");
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    sb_adds(&s, rest);
    return sb_detach(&s);
}

int ex_profile_paths(const char *work, const char *results, const char *runtime,
                     const char *benchmark, const char *config, long index, char **path, char **rel,
                     mp_err *err)
{
    const char *parts[] = {"profiles", runtime, benchmark, config};
    sb d                = {0};
    sb_adds(&d, work);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        sb_addf(&d, "/%s", parts[i]);
        if (mkdir(sb_str(&d), 0755) != 0 && errno != EEXIST) {
            int rc = mp_fail(err, "cannot create %s: %s", sb_str(&d), strerror(errno));
            sb_free(&d);
            return rc;
        }
    }
    sb_addf(&d, "/%ld.collapsed", index);
    char *rdir = xstrdup(results), real[PATH_MAX];
    if (!realpath(dirname(rdir), real)) {
        int rc = mp_fail(err, "%s: %s", results, strerror(errno));
        free(rdir);
        sb_free(&d);
        return rc;
    }
    free(rdir);
    *path = sb_detach(&d);
    *rel  = relative(real, *path);
    return 0;
}
