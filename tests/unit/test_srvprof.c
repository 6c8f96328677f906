/* `profile: true` in an experiment file: the keys' defaults, values and exact error messages, and
 * where a run's collapsed stacks go and how its line names them (relative to the results file). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/experiment.h"
#include "experiment/srvprof.h"
#include "leakcheck.h"

static char dir_buf[64];

static void enter_tmp(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/mp-srvprof-%d", (int)getpid());
    mkdir(dir_buf, 0755);
    cr_assert_eq(chdir(dir_buf), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

#define SERVER                                                                                     \
    "runtimes:\n  cpython: {command: [/usr/bin/python3]}\n"                                        \
    "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: x\n"                   \
    "    scenario: e.yaml\n"

MP_TEST(srvprof, keys_and_defaults)
{
    enter_tmp();
    experiment ex;
    mp_err e;
    write_file("e.yaml", SERVER);
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), 0, "%s", e.msg);
    cr_assert_eq(ex.benchmarks[0].profile, 0);
    cr_assert_eq(ex.benchmarks[0].profile_rate, 100);
    experiment_free(&ex);
    write_file("e.yaml", SERVER "    profile: true\n");
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), 0, "%s", e.msg);
    cr_assert_eq(ex.benchmarks[0].profile, 1);
    cr_assert_eq(ex.benchmarks[0].profile_rate, 100);
    experiment_free(&ex);
    write_file("e.yaml", SERVER "    profile: true\n    profile_rate: 250\n");
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), 0, "%s", e.msg);
    cr_assert_eq(ex.benchmarks[0].profile_rate, 250);
    experiment_free(&ex);
}

static const struct {
    const char *yaml, *msg;
} errors[] = {
    {SERVER "    profile: yes please\n",
     "e.yaml:9:14: profile is 'yes please' (expected true or false)"},
    {SERVER "    profile: true\n    profile_rate: 0\n",
     "e.yaml:10:19: profile_rate is 0 (expected samples per second in (0, 1000])"},
    {SERVER "    profile: true\n    profile_rate: 1001\n",
     "e.yaml:10:19: profile_rate is 1001 (expected samples per second in (0, 1000])"},
    {SERVER "    profile_rate: 50\n",
     "e.yaml:9:5: profile_rate applies to profiled benchmarks (expected profile: true, or no "
     "profile_rate)"},
    {"runtimes:\n  cpython: {command: [/usr/bin/python3]}\nbenchmarks:\n  - name: a\n    "
     "command: x\n    profile: true\n",
     "e.yaml:6:5: 'profile' applies to server benchmarks (expected kind: server, or no "
     "'profile')"},
};

MP_TEST(srvprof, key_errors)
{
    enter_tmp();
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        write_file("e.yaml", errors[i].yaml);
        experiment ex;
        mp_err e;
        cr_assert_eq(experiment_load("e.yaml", &ex, &e), -1, "loaded: %s", errors[i].yaml);
        cr_assert_str_eq(e.msg, errors[i].msg);
    }
}

MP_TEST(srvprof, stacks_paths)
{
    enter_tmp();
    char here[PATH_MAX];
    cr_assert(getcwd(here, sizeof here));
    mkdir("w", 0755);
    mkdir("r", 0755);
    char work[PATH_MAX + 8];
    snprintf(work, sizeof work, "%s/w", here);
    char *path, *rel;
    mp_err e;
    /* the results file beside the work directory (the default, RESULTS.d) */
    cr_assert_eq(ex_profile_paths(work, "x.jsonl", "cpython", "blog", "0101", 7, &path, &rel, &e),
                 0, "%s", e.msg);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s/w/profiles/cpython/blog/0101/7.collapsed", here);
    cr_assert_str_eq(path, want);
    cr_assert_str_eq(rel, "w/profiles/cpython/blog/0101/7.collapsed");
    struct stat st;
    snprintf(want, sizeof want, "%s/w/profiles/cpython/blog/0101", here);
    cr_assert_eq(stat(want, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    free(path);
    free(rel);
    /* the results file in a sibling directory */
    cr_assert_eq(ex_profile_paths(work, "r/x.jsonl", "py", "b", "c", 0, &path, &rel, &e), 0, "%s",
                 e.msg);
    cr_assert_str_eq(rel, "../w/profiles/py/b/c/0.collapsed");
    free(path);
    free(rel);
    /* a work directory whose name starts like the results directory's is not inside it */
    mkdir("w2", 0755);
    cr_assert_eq(ex_profile_paths(work, "w2/x.jsonl", "py", "b", "c", 1, &path, &rel, &e), 0, "%s",
                 e.msg);
    cr_assert_str_eq(rel, "../w/profiles/py/b/c/1.collapsed");
    free(path);
    free(rel);
    /* the results file's directory must exist */
    cr_assert_eq(ex_profile_paths(work, "nope/x.jsonl", "py", "b", "c", 1, &path, &rel, &e), -1);
    cr_assert_str_eq(e.msg, "nope/x.jsonl: No such file or directory");
}
