/* `mixperf run`: measures every cell of an experiment in randomized interleaved rounds until its
 * stop rule says enough, appending one fsync'ed JSON line per run to the results file.
 *
 * The plan is a pure function of the results file and the seed (experiment/plan.h), so running
 * the same command again after Ctrl-C, kill -9 or a power loss continues exactly where it stopped:
 * no finished run is repeated and none is lost. SIGINT/SIGTERM stop the current run (its process
 * group is killed, a server is stopped), nothing half-measured is recorded, and ex_run returns
 * MP_EXIT_INTERRUPTED. */
#ifndef MP_EXPERIMENT_RUNNER_H
#define MP_EXPERIMENT_RUNNER_H

#include <stdio.h>

#include "experiment/experiment.h"
#include "util/err.h"

typedef struct ex_run_opts {
    const char *results;  /* the results file (created when absent) */
    const char *work_dir; /* build copies and per-run scratch directories */
    long shard_i;         /* this process runs the cells with index % shard_n == shard_i */
    long shard_n;         /* 0: every cell */
    /* Only the cells of these configuration ids (NULL: all), e.g. a lattice's anchors first; a
     * later run without it continues with the rest. Checked against the experiment. */
    const char *const *configs;
    size_t nconfigs;
    int quiet;      /* no progress line */
    FILE *progress; /* where the progress line goes (stderr) */
} ex_run_opts;

/* Returns MP_EXIT_OK when every cell (of the shard) has stopped, MP_EXIT_INTERRUPTED after a
 * signal, MP_EXIT_USAGE when the results file does not belong to this experiment (err says why),
 * MP_EXIT_RUNTIME when something could not be run at all (a runtime's version probe, the work
 * directory, a write to the results file). */
int ex_run(const experiment *ex, const ex_run_opts *o, mp_err *err);

#endif
