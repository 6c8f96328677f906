/* mixperf run: repeat every cell of an experiment until its confidence interval is narrow enough,
 * resumably (docs/experiments.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "experiment/experiment.h"
#include "experiment/runner.h"
#include "report/summary.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"
#include "util/sb.h"

static int parse_shard(const char *s, long *i, long *n)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || *end != '/') return -1;
    const char *p = end + 1;
    long b        = strtol(p, &end, 10);
    if (end == p || *end || b < 1 || a < 0 || a >= b) return -1;
    *i = a;
    *n = b;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *results_path = NULL, *work = NULL, *shard = NULL, *configs = NULL;
    int quiet                  = 0;
    const struct opt options[] = {
        {OPT_STRING, 'o', "results", &results_path, "FILE",
         "results file (JSON Lines; default NAME.jsonl, NAME.shard-I-of-N.jsonl with --shard)"},
        {OPT_STRING, 0, "work-dir", &work, "DIR",
         "build copies and per-run scratch directories (default RESULTS.d)"},
        {OPT_STRING, 0, "shard", &shard, "I/N",
         "run only the cells with index % N == I (0 <= I < N); needs seed: in the file"},
        {OPT_STRING, 0, "configs", &configs, "ID,...",
         "run only the cells of these configurations (e.g. a lattice's anchors); the same "
         "results file continues with the rest later"},
        {OPT_FLAG, 'q', "quiet", &quiet, NULL,
         "no progress line (notices and the closing table remain)"},
        OPT_END_()};
    static const struct opt_usage usage = {
        "run", "[options] EXPERIMENT.yaml",
        "Measures every cell (runtime x benchmark x configuration) of the experiment in\n"
        "randomized interleaved rounds until its confidence interval reaches the target,\n"
        "appending one line per run to the results file. Running the same command again\n"
        "after an interruption continues where it stopped. Ends with a table of every cell.\n"
        "See docs/experiments.md."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 1) {
        fprintf(stderr, "mixperf run: %s (expected one experiment file; see mixperf run --help)\n",
                n == 0 ? "no experiment file" : "too many arguments");
        return MP_EXIT_USAGE;
    }
    ex_run_opts o = {0};
    if (shard && parse_shard(shard, &o.shard_i, &o.shard_n) != 0) {
        fprintf(stderr, "mixperf run: --shard '%s' (expected I/N with 0 <= I < N, e.g. 0/4)\n",
                shard);
        return MP_EXIT_USAGE;
    }
    experiment ex;
    mp_err err = {{0}};
    if (experiment_load(argv[0], &ex, &err) != 0) {
        fprintf(stderr, "mixperf run: %s\n", err.msg);
        return MP_EXIT_USAGE;
    }
    sb rpath = {0}, wpath = {0};
    if (results_path)
        sb_adds(&rpath, results_path);
    else if (o.shard_n)
        sb_addf(&rpath, "%s.shard-%ld-of-%ld.jsonl", ex.name, o.shard_i, o.shard_n);
    else
        sb_addf(&rpath, "%s.jsonl", ex.name);
    if (work)
        sb_adds(&wpath, work);
    else
        sb_addf(&wpath, "%s.d", sb_str(&rpath));
    /* "a,b,c" into words: the ids themselves never hold a comma (mixperf mix's are digits). */
    char *idbuf      = configs ? xstrdup(configs) : NULL;
    const char **ids = NULL;
    if (idbuf) {
        size_t cap = 1;
        for (const char *c = idbuf; *c; c++)
            cap += *c == ',';
        ids = xcalloc(cap, sizeof *ids);
        for (char *save = NULL, *t = strtok_r(idbuf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            ids[o.nconfigs++] = t;
        o.configs = ids;
        if (o.nconfigs == 0) {
            fprintf(stderr, "mixperf run: --configs '%s' (expected ID[,ID...])\n", configs);
            free(ids);
            free(idbuf);
            sb_free(&rpath);
            experiment_free(&ex);
            return MP_EXIT_USAGE;
        }
    }
    o.results  = sb_str(&rpath);
    o.work_dir = sb_str(&wpath);
    o.quiet    = quiet;
    o.progress = stderr;
    int status = ex_run(&ex, &o, &err);
    if (status == MP_EXIT_OK || status == MP_EXIT_INTERRUPTED) {
        rp_summary s;
        mp_err e2;
        if (rp_summary_load(&s, o.results, NULL, &e2) == 0) {
            if (s.ncells) rp_print_cells(&s, stdout);
            rp_summary_free(&s);
        } else {
            fprintf(stderr, "mixperf run: %s\n", e2.msg);
        }
    } else {
        fprintf(stderr, "mixperf run: %s\n", err.msg);
    }
    free(ids);
    free(idbuf);
    sb_free(&rpath);
    sb_free(&wpath);
    experiment_free(&ex);
    return status;
}
