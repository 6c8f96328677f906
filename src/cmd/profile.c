/* mixperf profile: sample a running CPython (or a command) and print where its time goes, by
 * module, function and line; optionally write collapsed stacks, speedscope JSON and an SVG. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "profile/profile.h"
#include "util/err.h"
#include "util/opts.h"

int cmd_profile(int argc, char **argv)
{
    long pid = 0, top_n = 20;
    double rate = 100, duration = 0;
    int wall = 0, nonblocking = 0, subprocesses = 0, reference = 0, quiet = 0;
    const char *collapsed = NULL, *speedscope = NULL, *svg = NULL;
    const struct opt options[] = {
        OPT_GROUP_("what to profile (either):"),
        {OPT_INT, 'p', "pid", &pid, "PID", "a running Python process"},
        OPT_GROUP_("  or: -- COMMAND [ARGS...]   start COMMAND and profile it until it exits\n"
                   "\nsampling:"),
        {OPT_FLAG, 's', "subprocesses", &subprocesses, NULL,
         "also profile descendants, as they appear and restart (gunicorn workers)"},
        {OPT_DURATION, 'd', "duration", &duration, NULL,
         "stop after this long (default: until the targets exit or Ctrl-C)"},
        {OPT_DOUBLE, 'r', "rate", &rate, "HZ", "samples per second per process (default 100)"},
        {OPT_FLAG, 0, "wall", &wall, NULL, "wall-clock time: include idle threads"},
        {OPT_FLAG, 0, "nonblocking", &nonblocking, NULL,
         "never pause threads; reports the torn-read rate (biased above 2%)"},
        {OPT_FLAG, 0, "reference-stop", &reference, NULL,
         "diagnostic: stop the whole process (SIGSTOP) for every sample"},
        OPT_GROUP_("output:"),
        {OPT_INT, 'n', "top", &top_n, "N", "rows per table printed to stdout (default 20)"},
        {OPT_FLAG, 'q', "quiet", &quiet, NULL, "print only the header, no tables"},
        {OPT_STRING, 0, "collapsed", &collapsed, "FILE",
         "collapsed stacks (flamegraph.pl, speedscope)"},
        {OPT_STRING, 0, "speedscope", &speedscope, "FILE", "speedscope JSON"},
        {OPT_STRING, 0, "svg", &svg, "FILE", "flame graph as SVG"},
        OPT_END_(),
    };
    static const struct opt_usage usage = {
        "profile", "[options] (--pid PID | -- COMMAND [ARGS...])",
        "Samples CPython 3.11-3.13 processes from outside and ranks modules, functions and lines\n"
        "by CPU time (or wall time with --wall). By default each thread that ran since the last\n"
        "tick is paused for a few microseconds while its stack is copied, so samples are exact;\n"
        "the target is never written to. Needs ptrace permission (root or CAP_SYS_PTRACE)."};
    int dd;
    int n = opts_parse(argc, argv, options, &usage, &dd);
    if (n < 0) return opts_exit_code(n);
    argv[n]        = NULL; /* positionals were compacted in place; the command ends here */
    char **command = argv + dd;
    int ncommand   = n - dd;
    if (dd > 0) {
        fprintf(stderr, "mixperf profile: unexpected argument '%s' (a command goes after --)\n",
                argv[0]);
        return MP_EXIT_USAGE;
    }
    if ((pid > 0) == (ncommand > 0)) {
        fprintf(stderr, "mixperf profile: give either --pid PID or -- COMMAND\n");
        return MP_EXIT_USAGE;
    }
    if (pid < 0 || rate <= 0 || rate > 1000 || top_n < 1 || (nonblocking && reference)) {
        fprintf(stderr, "mixperf profile: %s\n",
                pid < 0                    ? "--pid must be positive"
                : rate <= 0 || rate > 1000 ? "--rate must be in (0, 1000]"
                : top_n < 1                ? "--top must be at least 1"
                            : "--nonblocking and --reference-stop exclude each other");
        return MP_EXIT_USAGE;
    }

    /* SIGINT/SIGTERM are blocked and polled by the sampler between samples, so a stop never lands
     * while a thread of the target is paused: every thread is released before we return. A shell
     * starts background jobs with SIGINT ignored; profiling must still stop on it. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, NULL);

    struct mp_profile_opts o = mp_profile_defaults();
    o.rate_hz                = rate;
    o.duration_s             = duration;
    o.wall                   = wall;
    o.nonblocking            = nonblocking;
    o.subprocesses           = subprocesses;
    o.reference_stop         = reference;
    o.stop_signals           = &stop;
    mp_profiler *p           = mp_profile_new(&o);
    mp_err err;
    int rc =
        ncommand > 0 ? mp_profile_spawn(p, command, &err) : mp_profile_add_pid(p, (pid_t)pid, &err);
    if (rc != 0) {
        fprintf(stderr, "mixperf profile: %s\n", err.msg);
        mp_profile_free(p);
        return MP_EXIT_RUNTIME;
    }
    rc = mp_profile_run(p, &err);
    if (rc != 0) fprintf(stderr, "mixperf profile: %s\n", err.msg);
    mp_profile_end_child(p);

    sigset_t pend;
    sigpending(&pend);
    int interrupted = sigismember(&pend, SIGINT) == 1 || sigismember(&pend, SIGTERM) == 1;

    struct mp_profile_outputs out = {stdout, quiet ? -1 : (int)top_n, collapsed, speedscope, svg};
    mp_err werr;
    int wrc = mp_profile_write(p, &out, &werr);
    if (wrc != 0) fprintf(stderr, "mixperf profile: %s\n", werr.msg);
    mp_profile_free(p);
    if (rc != 0 || wrc != 0) return MP_EXIT_RUNTIME;
    return interrupted ? MP_EXIT_INTERRUPTED : MP_EXIT_OK;
}
