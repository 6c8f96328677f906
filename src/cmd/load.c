/* mixperf load: parse options, load and check the scenario, run it (src/load/engine.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "load/engine.h"
#include "scenario/scenario.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/rng.h"

/* Each user holds a connection: let the process use every descriptor it is allowed. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "mixperf load: %s\n", msg);
    return MP_EXIT_USAGE;
}

int cmd_load(int argc, char **argv)
{
    long cpus             = sysconf(_SC_NPROCESSORS_ONLN);
    ld_options o          = {.users        = -1,
                             .spawn_rate   = 0,
                             .run_time     = 0,
                             .threads      = cpus > 0 ? cpus : 1,
                             .stop_timeout = 0,
                             .csv_interval = 1,
                             .fail_ratio   = -1,
                             .out          = stdout,
                             .log          = stderr};
    const char *seed_text = NULL;
    double fail_ratio     = -1;

    const struct opt options[] = {
        OPT_GROUP_("Load shape"),
        {OPT_INT, 'u', "users", &o.users, "N",
         "users to run (default 1; fixed_count classes first; 0: no users, only setup and "
         "teardown)"},
        {OPT_DOUBLE, 'r', "spawn-rate", &o.spawn_rate, "R",
         "users started per second (default: all at once)"},
        {OPT_DURATION, 't', "run-time", &o.run_time, "T",
         "stop after T (e.g. 30s, 5m; default: until Ctrl-C or the end of the stages)"},
        {OPT_DOUBLE, 0, "rate", &o.rate, "R",
         "open model: start R task iterations per second whatever the response times; "
         "--users is then the pool of concurrency"},
        {OPT_STRING, 0, "host", &o.host, "URL", "base URL (overrides the scenario's host)"},
        OPT_GROUP_("Engine"),
        {OPT_INT, 0, "threads", &o.threads, "N", "worker threads (default: online CPUs)"},
        {OPT_DURATION, 0, "stop-timeout", &o.stop_timeout, "T",
         "when stopping, let users finish their current task for up to T (default 0: at once)"},
        {OPT_STRING, 0, "seed", &seed_text, "N",
         "seed of every random stream (default: from the OS; always printed)"},
        {OPT_FLAG, 0, "no-setup", &o.no_setup, NULL, "do not run the scenario's setup"},
        {OPT_FLAG, 0, "no-teardown", &o.no_teardown, NULL,
         "do not run the scenario's teardown (e.g. to look at what the users left)"},
        OPT_GROUP_("Outputs"),
        {OPT_STRING, 0, "csv", &o.csv_prefix, "PREFIX",
         "write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, "
         "PREFIX_exceptions.csv (Locust's format)"},
        {OPT_DURATION, 0, "csv-interval", &o.csv_interval, "T",
         "time between rows of PREFIX_stats_history.csv (default 1s)"},
        {OPT_STRING, 0, "json", &o.json_path, "FILE", "everything, histograms included, as JSON"},
        {OPT_FLAG, 'q', "quiet", &o.quiet, NULL, "no progress lines and no final table"},
        OPT_GROUP_("Exit status"),
        {OPT_FLAG, 0, "exit-code-on-error", &o.exit_code_on_error, NULL,
         "exit 1 if any request failed or any scenario error happened"},
        {OPT_DOUBLE, 0, "fail-ratio", &fail_ratio, "X",
         "exit 1 if failures/requests is above X (0..1)"},
        OPT_END_(),
    };
    static const struct opt_usage usage = {
        "load", "[options] SCENARIO.yaml",
        "Runs the scenario's virtual users against the host and reports Locust-compatible\n"
        "statistics. Exit status: 0 ok, 1 --exit-code-on-error/--fail-ratio tripped, 2 bad\n"
        "scenario or options (nothing sent), 3 setup failed or an output could not be written,\n"
        "130 interrupted (outputs still written). See docs/load.md."};

    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 1)
        return usage_error(n == 0 ? "expected a scenario file (see --help)"
                                  : "expected exactly one scenario file");
    if (seed_text) {
        char *end;
        errno  = 0;
        o.seed = strtoull(seed_text, &end, 10);
        if (errno || end == seed_text || *end || seed_text[0] == '-')
            return usage_error("--seed expects a non-negative integer");
    } else {
        o.seed = mp_seed_from_os();
    }
    if (fail_ratio != -1) {
        if (fail_ratio < 0 || fail_ratio > 1)
            return usage_error("--fail-ratio expects a number between 0 and 1");
        o.fail_ratio = fail_ratio;
    }

    mp_err err;
    scenario *sc = scenario_load(argv[0], &err);
    if (!sc) {
        fprintf(stderr, "mixperf load: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    if (ld_check_options(sc, &o, &err) != 0) {
        fprintf(stderr, "mixperf load: %s\n", err.msg);
        scenario_free(sc);
        return MP_EXIT_USAGE;
    }

    /* A peer closing a connection must be an error on that request, not the end of the run. */
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    printf("mixperf load: seed %" PRIu64 " (replay with --seed %" PRIu64 ")\n", o.seed, o.seed);
    fflush(stdout);

    int status = ld_run(sc, &o, &err);
    if (status == MP_EXIT_RUNTIME && err.msg[0]) fprintf(stderr, "mixperf load: %s\n", err.msg);
    scenario_free(sc);
    return status;
}
