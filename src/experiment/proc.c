#include "experiment/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/mem.h"

extern char **environ;

int proc_become_subreaper(mp_err *err)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        return mp_fail(err, "cannot become a child subreaper: %s", strerror(errno));
    return 0;
}

void proc_block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

int proc_stop_requested(void)
{
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) != 0) return 0;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

char *proc_last_line(const sb *s)
{
    const char *t = sb_str(s);
    size_t end    = s->len;
    while (end > 0 && (t[end - 1] == '\n' || t[end - 1] == '\r' || t[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start > 0 && t[start - 1] != '\n')
        start--;
    if (end - start > 200) start = end - 200;
    return xstrndup(t + start, end - start);
}

char *proc_tail(const sb *s, size_t max_bytes)
{
    const char *t = sb_str(s);
    if (s->len <= max_bytes) return xstrndup(t, s->len);
    size_t start   = s->len - max_bytes;
    const char *nl = memchr(t + start, '\n', max_bytes);
    if (nl && (size_t)(nl - t) + 1 < s->len) start = (size_t)(nl - t) + 1;
    return xstrndup(t + start, s->len - start);
}

void proc_result_free(proc_result *r)
{
    sb_free(&r->out);
    sb_free(&r->err);
}

/* The environment for the child: ours, with spec->env entries replacing same-named ones. */
static char **build_env(const char *const *extra)
{
    size_t n = 0, k = 0;
    while (environ[n])
        n++;
    while (extra && extra[k])
        k++;
    char **env = xcalloc(n + k + 1, sizeof *env);
    size_t m   = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nl      = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int overridden = 0;
        for (size_t j = 0; j < k && !overridden; j++)
            overridden = strncmp(extra[j], environ[i], nl) == 0 && extra[j][nl] == '=';
        if (!overridden) env[m++] = environ[i];
    }
    for (size_t j = 0; j < k; j++)
        env[m++] = (char *)extra[j];
    env[m] = NULL;
    return env;
}

/* fork + exec /bin/sh -c in a new process group. out/err are pipe write ends (err may equal out).
 */
static pid_t spawn(const proc_spec *spec, int out_fd, int err_fd, int close_fd1, int close_fd2,
                   mp_err *err)
{
    char **env = build_env(spec->env);
    pid_t pid  = fork();
    if (pid < 0) {
        free(env);
        return mp_fail(err, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
        /* If the runner dies (kill -9), the command's leader is killed too instead of running on
         * unobserved; its own children are the command's business (a server stops with its
         * master). */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        if (close_fd1 >= 0) close(close_fd1);
        if (close_fd2 >= 0) close(close_fd2);
        if (spec->cwd && chdir(spec->cwd) != 0) {
            dprintf(2, "mixperf: cannot enter directory %s: %s\n", spec->cwd, strerror(errno));
            _exit(127);
        }
        char *argv[] = {"/bin/sh", "-c", (char *)spec->command, NULL};
        execve("/bin/sh", argv, env);
        dprintf(2, "mixperf: cannot run /bin/sh: %s\n", strerror(errno));
        _exit(127);
    }
    /* Also set it from the parent so a kill(-pid) right after fork cannot miss the group. */
    setpgid(pid, pid);
    free(env);
    return pid;
}

static void drain(int fd, sb *into, size_t cap, int *open_flag)
{
    char buf[8192];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            if (into->len < cap)
                sb_add(into, buf, into->len + (size_t)n > cap ? cap - into->len : (size_t)n);
            continue;
        }
        if (n == 0) *open_flag = 0;
        if (n < 0 && errno == EINTR) continue;
        return;
    }
}

static void add_rusage(proc_result *r, const struct rusage *ru)
{
    r->user_s += (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec * 1e-6;
    r->sys_s += (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec * 1e-6;
    if (ru->ru_maxrss > r->max_rss_kb) r->max_rss_kb = ru->ru_maxrss;
}

int proc_run(const proc_spec *spec, proc_result *res, mp_err *err)
{
    memset(res, 0, sizeof *res);
    size_t cap = spec->max_output ? spec->max_output : (size_t)1 << 20;
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) return mp_fail(err, "pipe: %s", strerror(errno));
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return mp_fail(err, "pipe: %s", strerror(errno));
    }
    uint64_t t0 = mp_mono_ns();
    pid_t pid   = spawn(spec, po[1], pe[1], po[0], pe[0], err);
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    fcntl(po[0], F_SETFL, O_NONBLOCK);
    fcntl(pe[0], F_SETFL, O_NONBLOCK);
    int out_open = 1, err_open = 1, leader_done = 0, wstatus = 0;
    uint64_t deadline = spec->timeout_s > 0 ? t0 + (uint64_t)(spec->timeout_s * 1e9) : 0;
    while (!leader_done || out_open || err_open) {
        struct pollfd pfd[2];
        int nfd = 0;
        if (out_open) pfd[nfd++] = (struct pollfd){po[0], POLLIN, 0};
        if (err_open) pfd[nfd++] = (struct pollfd){pe[0], POLLIN, 0};
        int wait_ms = 50;
        if (deadline) {
            uint64_t now = mp_mono_ns();
            if (now >= deadline && !res->timed_out && !res->cancelled) {
                res->timed_out = 1;
                kill(-pid, SIGKILL);
            }
        }
        if (spec->cancel_on_signal && !res->cancelled && !res->timed_out && !leader_done &&
            proc_stop_requested()) {
            res->cancelled = 1;
            kill(-pid, SIGKILL);
        }
        if (nfd)
            poll(pfd, (nfds_t)nfd, wait_ms);
        else
            mp_sleep_ns(5 * 1000000u);
        if (out_open) drain(po[0], &res->out, cap, &out_open);
        if (err_open) drain(pe[0], &res->err, cap, &err_open);
        if (!leader_done) {
            struct rusage ru;
            pid_t w = wait4(pid, &wstatus, WNOHANG, &ru);
            if (w == pid) {
                leader_done = 1;
                add_rusage(res, &ru);
                res->wall_s = (double)(mp_mono_ns() - t0) * 1e-9;
                /* Whatever the leader left behind in its group is part of the measured command:
                 * stop it so the pipes close and its CPU is accounted when reaped below. */
                kill(-pid, SIGKILL);
            }
        }
    }
    /* Reap the rest of the group (orphans re-parented to us as subreaper). */
    for (;;) {
        struct rusage ru;
        int st;
        pid_t w = wait4(-pid, &st, 0, &ru);
        if (w <= 0) break;
        add_rusage(res, &ru);
    }
    close(po[0]);
    close(pe[0]);
    if (!res->timed_out && !res->cancelled) {
        if (WIFSIGNALED(wstatus)) {
            res->signaled    = 1;
            res->term_signal = WTERMSIG(wstatus);
        } else {
            res->exit_code = WEXITSTATUS(wstatus);
        }
    }
    return 0;
}

int proc_start(const proc_spec *spec, proc_bg *bg, mp_err *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return mp_fail(err, "pipe: %s", strerror(errno));
    pid_t pid = spawn(spec, p[1], p[1], p[0], -1, err);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    bg->pid    = pid;
    bg->out_fd = p[0];
    return 0;
}

int proc_alive(proc_bg *bg, int *exit_status)
{
    if (bg->pid <= 0) return 0;
    int st;
    pid_t w = waitpid(bg->pid, &st, WNOHANG);
    if (w == bg->pid) {
        if (exit_status) *exit_status = st;
        bg->pid = -bg->pid; /* remember the group for proc_stop */
        return 0;
    }
    return 1;
}

void proc_stop(proc_bg *bg, double grace_s)
{
    pid_t pg = bg->pid > 0 ? bg->pid : -bg->pid;
    if (pg > 0) {
        kill(-pg, SIGTERM);
        uint64_t deadline = mp_mono_ns() + (uint64_t)(grace_s * 1e9);
        int alive         = 1;
        while (alive && mp_mono_ns() < deadline) {
            alive = kill(-pg, 0) == 0;
            /* reap whatever exited meanwhile so it stops counting as alive */
            while (waitpid(-pg, NULL, WNOHANG) > 0) {
            }
            if (alive) mp_sleep_ns(10 * 1000000u);
        }
        if (alive) kill(-pg, SIGKILL);
        while (waitpid(-pg, NULL, 0) > 0) {
        }
    }
    if (bg->out_fd >= 0) close(bg->out_fd);
    bg->out_fd = -1;
    bg->pid    = 0;
}

/* Fields 14-17 of /proc/PID/stat: utime stime cutime cstime (clock ticks); 24: rss (pages). The
 * command name (field 2) may contain spaces and parentheses, so parse after the last ')'. */
static int read_stat(const char *pid, pid_t *pgrp, double *user, double *sys, uint64_t *rss)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n]  = '\0';
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    char state;
    int ppid, pg;
    unsigned long long ut, st;
    long long cut, cst, rsspages;
    /* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
     * cutime cstime priority nice nthreads itrealvalue starttime vsize rss */
    if (sscanf(p + 2,
               "%c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld %*d %*d %*d %*d %*u "
               "%*u %lld",
               &state, &ppid, &pg, &ut, &st, &cut, &cst, &rsspages) != 8)
        return -1;
    double tick = (double)sysconf(_SC_CLK_TCK);
    *pgrp       = pg;
    *user       = (double)ut / tick + (double)cut / tick;
    *sys        = (double)st / tick + (double)cst / tick;
    *rss        = (uint64_t)rsspages * (uint64_t)sysconf(_SC_PAGESIZE);
    return 0;
}

int proc_group_usage(pid_t pgid, proc_tree_usage *u)
{
    memset(u, 0, sizeof *u);
    DIR *d = opendir("/proc");
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        pid_t pg;
        double user, sys;
        uint64_t rss;
        if (read_stat(e->d_name, &pg, &user, &sys, &rss) != 0 || pg != pgid) continue;
        /* cutime/cstime are included: a worker that exited during the window and was reaped by
         * its (live) master still counts, through the master. */
        u->user_s += user;
        u->sys_s += sys;
        u->rss_bytes += rss;
        u->nprocs++;
    }
    closedir(d);
    return 0;
}
