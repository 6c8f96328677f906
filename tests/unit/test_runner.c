/* The experiment runner's pieces: the experiment loader (every error message exact), placeholders,
 * the printed-number rule, result lines, cell selectors and pairing, and ratios on a results file
 * against METHODS.md B.5's vectors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/exec.h"
#include "experiment/experiment.h"
#include "experiment/placeholder.h"
#include "experiment/provenance.h"
#include "experiment/runline.h"
#include "leakcheck.h"
#include "report/summary.h"
#include "report/tables.h"
#include "util/mem.h"
#include "util/sb.h"
#include "util/sha256.h"

/* Each test runs in its own directory, so relative paths in messages are stable. */
static char dir_buf[64];

static void enter_tmp(void)
{
    snprintf(dir_buf, sizeof dir_buf, "/tmp/mp-runner-%d", (int)getpid());
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

#define RT "runtimes:\n  cpython: {command: [/usr/bin/python3]}\n"
#define BENCH "benchmarks:\n  - name: a\n    command: x\n"

static const struct {
    const char *yaml, *msg;
} errors[] = {
    {"", "e.yaml:1:1: empty experiment (expected a mapping with runtimes and benchmarks)"},
    {"- a\n", "e.yaml:1:1: the experiment is a list (expected a mapping with runtimes and "
              "benchmarks)"},
    {"runtims: {}\n", "e.yaml:1:1: unknown key 'runtims' at the top level (did you mean "
                      "'runtimes'?)"},
    {BENCH, "e.yaml:1:1: no runtimes (expected runtimes: {cpython: {command: "
            "[/usr/bin/python3]}})"},
    {RT, "e.yaml:1:1: no benchmarks (expected benchmarks: [{name: ..., command: ...}])"},
    {"runtimes: {}\nbenchmarks: []\n", "e.yaml:1:11: runtimes is empty (expected at least one "
                                       "runtime)"},
    {RT "benchmarks: []\n", "e.yaml:3:13: benchmarks is empty (expected at least one benchmark)"},
    {"runtimes:\n  c/py: {command: [/usr/bin/python3]}\n" BENCH,
     "e.yaml:2:3: runtime name 'c/py' is not a valid name (expected 1 to 64 letters, digits, "
     "'_', '-', '.' or '+')"},
    {"runtimes:\n  cpython: {}\n" BENCH,
     "e.yaml:2:12: runtime 'cpython' has no command (expected command: [/usr/bin/python3])"},
    {"runtimes:\n  cpython: {command: [/usr/bin/python3], buld: x}\n" BENCH,
     "e.yaml:2:42: unknown key 'buld' in runtime 'cpython' (did you mean 'build'?)"},
    {"runtimes:\n  cpython: {command: [/usr/bin/python3], build: 'mypyc {port}'}\n" BENCH,
     "e.yaml:2:56: build: placeholder '{port}' is not available here (expected one of {python}, "
     "{runtime}, {config}, {config_dir}, {files}, {dir} or {experiment_dir})"},
    {"runtimes:\n  cpython: {command: ['{python}']}\n" BENCH,
     "e.yaml:2:24: a word of command: placeholder '{python}' is not available here (expected "
     "{experiment_dir})"},
    {"runtimes:\n  cpython: {command: [/usr/bin/python3], env: {1X: a}}\n" BENCH,
     "e.yaml:2:48: environment variable name '1X' in runtime 'cpython' is not valid (expected "
     "letters, digits and _, not starting with a digit)"},
    {"runtimes:\n  cpython: {command: [/usr/bin/python3], build_timeout: 0}\n" BENCH,
     "e.yaml:2:57: build_timeout is '0' (expected a duration greater than zero)"},
    {RT "benchmarks:\n  - name: a\n    command: '{pyhton} x.py'\n",
     "e.yaml:5:15: command: unknown placeholder '{pyhton}' (expected one of {python}, {runtime}, "
     "{benchmark}, {config}, {config_dir}, {files}, {dir}, {run_dir}, {index}, {round} or "
     "{experiment_dir})"},
    {RT "benchmarks:\n  - name: a\n    command: \"{python} x.py {port}\"\n",
     "e.yaml:5:29: command: placeholder '{port}' is not available here (expected one of "
     "{python}, {runtime}, {benchmark}, {config}, {config_dir}, {files}, {dir}, {run_dir}, "
     "{index}, {round} or {experiment_dir})"},
    {RT "benchmarks:\n  - name: a\n    command: 'echo {{x}} {x'\n",
     "e.yaml:5:26: command: '{' without a closing '}' (write '{{' for a literal brace)"},
    {RT "benchmarks:\n  - name: a\n    command: 'echo }'\n",
     "e.yaml:5:20: command: a lone '}' (write '}}' for a literal brace)"},
    {RT "benchmarks:\n  - command: x\n",
     "e.yaml:4:5: a benchmark has no name (expected name: ...)"},
    {RT "benchmarks:\n  - name: a\n",
     "e.yaml:4:5: benchmark 'a' has no command (expected command: \"{python} ...\")"},
    {RT BENCH "    users: 3\n",
     "e.yaml:6:5: 'users' applies to server benchmarks (expected kind: server, or no 'users')"},
    {RT BENCH "    kind: daemon\n", "e.yaml:6:11: kind is 'daemon' (expected script or server)"},
    {RT BENCH "    metric: throughput\n",
     "e.yaml:6:13: metric 'throughput' is not a metric of script benchmarks (expected one of "
     "wall, cpu or printed)"},
    {RT BENCH "    metric: wal\n",
     "e.yaml:6:13: metric 'wal' is not a metric of script benchmarks (did you mean 'wall'?)"},
    {RT BENCH "    timeout: 5 minutes\n",
     "e.yaml:6:14: timeout is '5 minutes' (expected a duration such as 30, 1.5s, 250ms, 2m or "
     "1h30m)"},
    {RT BENCH "    dir: '{config_dir}/x'\n",
     "e.yaml:6:11: dir: {config_dir} needs configurations.manifest (without a manifest, dir is "
     "the configuration's directory)"},
    {RT BENCH "    dir: '{dir}/x'\n",
     "e.yaml:6:11: dir: placeholder '{dir}' is not available here (expected one of {runtime}, "
     "{benchmark}, {config} or {experiment_dir})"},
    {RT BENCH "  - name: a\n    command: y\n",
     "e.yaml:6:5: benchmark name 'a' is used twice (first at line 4; expected unique names)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n",
     "e.yaml:4:5: server benchmark 's' has no ready URL (expected ready: "
     "http://127.0.0.1:{port}/...)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: "
        "'http://127.0.0.1:{port}/'\n",
     "e.yaml:4:5: server benchmark 's' has no scenario (expected scenario: FILE.yaml)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: {url: x, "
        "timeot: 1}\n    scenario: e.yaml\n",
     "e.yaml:7:21: unknown key 'timeot' in ready (did you mean 'timeout'?)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: x\n    scenario: "
        "e.yaml\n    users: 0\n",
     "e.yaml:9:12: users is 0 (expected at least 1)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: x\n    scenario: "
        "nope.yaml\n",
     "e.yaml:8:15: scenario /tmp/mp-runner-PID/nope.yaml: No such file or directory (expected a "
     "scenario file)"},
    {RT "benchmarks:\n  - name: s\n    kind: server\n    command: x\n    ready: x\n    scenario: "
        "e.yaml\n    max_error_ratio: 2\n",
     "e.yaml:9:22: max_error_ratio is 2 (expected 0 to 1)"},
    {RT BENCH "repeat:\n  target: 0\n",
     "e.yaml:7:11: target is 0 (expected a relative half-width above 0, e.g. 0.01 for +-1%)"},
    {RT BENCH "repeat:\n  target: 1 %\n",
     "e.yaml:7:11: target is '1 %' (expected a fraction such as 0.01 or 1%)"},
    {RT BENCH "repeat:\n  confidence: 95\n",
     "e.yaml:7:15: confidence is 95 (expected a level between 0 and 1, e.g. 0.95)"},
    {RT BENCH "repeat:\n  method: bootstrap\n",
     "e.yaml:7:11: method 'bootstrap' is not a stop-rule interval (expected one of t, bca or "
     "hl)"},
    {RT BENCH "repeat:\n  min_runs: 1\n", "e.yaml:7:13: min_runs is 1 (expected at least 2)"},
    {RT BENCH "repeat:\n  min_runs: 10\n  max_runs: 5\n",
     "e.yaml:8:13: max_runs (5) is below min_runs (10) (expected max_runs >= min_runs)"},
    {RT BENCH "repeat:\n  warmups: 1\n",
     "e.yaml:7:3: unknown key 'warmups' in repeat (expected one of confidence, target, method, "
     "min_runs, max_runs, max_time or warmup_runs)"},
    {"seed: -1\n" RT BENCH, "e.yaml:1:7: seed is '-1' (expected an integer from 0 to 2^53-1)"},
    {"seed: 9007199254740992\n" RT BENCH,
     "e.yaml:1:7: seed is '9007199254740992' (expected an integer from 0 to 2^53-1)"},
    {"name: a/b\n" RT BENCH, "e.yaml:1:7: experiment name 'a/b' is not a valid name (expected 1 "
                             "to 64 letters, digits, '_', '-', '.' or '+')"},
    {RT "configurations: {manifest: nope.json}\n" BENCH,
     "e.yaml:3:28: cannot read the manifest /tmp/mp-runner-PID/nope.json: unable to open "
     "/tmp/mp-runner-PID/nope.json: No such file or directory (expected the manifest.json "
     "written by mixperf mix)"},
    {RT "configurations: {ids: [a]}\n" BENCH,
     "e.yaml:3:23: ids needs a manifest (expected manifest: PATH)"},
    {RT BENCH "---\nname: b\n", "e.yaml:7:1: a second YAML document (expected one document per "
                                "file)"},
    {RT BENCH "  - [x\n", "e.yaml:7:1: invalid YAML: did not find expected ',' or ']', while "
                          "parsing a flow sequence started at 6:5 (expected valid YAML)"},
};

/* Replaces "PID" in want with the test directory's pid. */
static void expect_error(const char *yaml, const char *want)
{
    write_file("e.yaml", yaml);
    experiment ex;
    mp_err e;
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), -1, "loaded: %s", yaml);
    char w[1200];
    const char *pid = strstr(want, "PID");
    if (pid) {
        sb s          = {0};
        const char *p = want;
        while ((pid = strstr(p, "PID"))) {
            sb_add(&s, p, (size_t)(pid - p));
            sb_addf(&s, "%d", (int)getpid());
            p = pid + 3;
        }
        sb_adds(&s, p);
        snprintf(w, sizeof w, "%s", sb_str(&s));
        sb_free(&s);
    } else {
        snprintf(w, sizeof w, "%s", want);
    }
    cr_assert_str_eq(e.msg, w, "got: %s\nfor:\n%s", e.msg, yaml);
}

MP_TEST(loader, every_error_is_exact)
{
    enter_tmp();
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        expect_error(errors[i].yaml, errors[i].msg);
}

MP_TEST(loader, reads_a_complete_file)
{
    enter_tmp();
    write_file("scen.yaml",
               "users:\n  - name: A\n    tasks:\n      - steps:\n          - get: /\n");
    write_file("e.yaml",
               "name: full\nseed: 12345\n"
               "runtimes:\n"
               "  cpython:\n    command: [/usr/bin/python3, -X, dev]\n"
               "    env: {PYTHONHASHSEED: 0}\n"
               "  mypyc:\n    command: bin/python\n    build: 'mypyc {files}'\n"
               "    build_timeout: 2m\n    version: '{python} --version'\n"
               "benchmarks:\n"
               "  - name: fannkuch\n    command: '{python} main.py 9'\n    metric: printed\n"
               "    timeout: 90s\n    setup: 'rm -f out.txt'\n"
               "  - name: blog\n    kind: server\n    dir: '{experiment_dir}/app'\n"
               "    command: '{python} -m gunicorn'\n"
               "    env: {BIND: '127.0.0.1:{port}'}\n"
               "    ready: {url: 'http://127.0.0.1:{port}/healthz', timeout: 30s}\n"
               "    scenario: scen.yaml\n    users: 20\n    spawn_rate: 50\n    warmup: 0\n"
               "    measure: 10s\n    metric: cpu_per_request\n    threads: 2\n"
               "repeat:\n  confidence: 0.99\n  target: 2%\n  method: bca\n  min_runs: 6\n"
               "  max_runs: 30\n  max_time: 1h\n  warmup_runs: 2\n");
    experiment ex;
    mp_err e;
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), 0, "%s", e.msg);
    cr_assert_str_eq(ex.name, "full");
    cr_assert_eq(ex.seed, 12345);
    cr_assert_eq(ex.has_seed, 1);
    cr_assert_eq(ex.nruntimes, 2);
    cr_assert_eq(ex.runtimes[0].argc, 3);
    cr_assert_str_eq(ex.runtimes[0].argv[2], "dev");
    cr_assert_str_eq(ex.runtimes[0].env[0].name, "PYTHONHASHSEED");
    cr_assert_str_eq(ex.runtimes[0].env[0].value, "0");
    char want[128];
    snprintf(want, sizeof want, "%s/bin/python", dir_buf);
    cr_assert_str_eq(ex.runtimes[1].argv[0], want); /* relative with a slash: made absolute */
    cr_assert_str_eq(ex.runtimes[1].build, "mypyc {files}");
    cr_assert_float_eq(ex.runtimes[1].build_timeout, 120, 1e-9);
    cr_assert_eq(ex.nbenchmarks, 2);
    const ex_benchmark *f = &ex.benchmarks[0], *b = &ex.benchmarks[1];
    cr_assert_eq(f->kind, EX_SCRIPT);
    cr_assert_eq(f->metric, EX_M_PRINTED);
    cr_assert_float_eq(f->timeout, 90, 1e-9);
    cr_assert_eq(f->nsetup, 1);
    cr_assert_eq(b->kind, EX_SERVER);
    cr_assert_eq(b->metric, EX_M_CPU_PER_REQUEST);
    cr_assert_str_eq(b->host, "http://127.0.0.1:{port}");
    cr_assert_float_eq(b->ready_timeout, 30, 1e-9);
    cr_assert_float_eq(b->warmup, 0, 1e-9);
    cr_assert_float_eq(b->measure, 10, 1e-9);
    cr_assert_eq(b->users, 20);
    cr_assert_eq(b->threads, 2);
    snprintf(want, sizeof want, "%s/scen.yaml", dir_buf);
    cr_assert_str_eq(b->scenario, want);
    cr_assert_eq(ex.nconfigs, 1);
    cr_assert_str_eq(ex.configs[0].id, "default");
    cr_assert_float_eq(ex.rule.confidence, 0.99, 1e-12);
    cr_assert_float_eq(ex.rule.target, 0.02, 1e-12);
    cr_assert_eq(ex.rule.method, MP_M_BOOT_BCA);
    cr_assert_eq(ex.rule.min_runs, 6);
    cr_assert_eq(ex.rule.max_runs, 30);
    cr_assert_float_eq(ex.rule.max_time_s, 3600, 1e-9);
    cr_assert_eq(ex.rule.warmup_runs, 2);
    cr_assert_eq(ex_ncells(&ex), 4);
    char *k = ex_cell_key(&ex, 3);
    cr_assert_str_eq(k, "mypyc/blog/default");
    free(k);
    cr_assert_eq(ex_cell_find(&ex, "mypyc", "fannkuch", "default"), 2);
    cr_assert_eq(ex_cell_find(&ex, "pypy", "fannkuch", "default"), -1);
    experiment_free(&ex);
}

MP_TEST(loader, reads_configurations_from_a_manifest)
{
    enter_tmp();
    mkdir("mix", 0755);
    mkdir("mix/01", 0755);
    mkdir("mix/10", 0755);
    write_file("mix/manifest.json",
               "{\"schema\":\"mixperf.mix/1\",\"complete\":true,\"configurations\":["
               "{\"id\":\"01\",\"dir\":\"01\",\"files\":[{\"path\":\"m.py\",\"sha256\":"
               "\"0000000000000000000000000000000000000000000000000000000000000001\"}]},"
               "{\"id\":\"10\",\"dir\":\"10\",\"files\":[]},"
               "{\"id\":\"11\",\"dir\":\"11\",\"files\":[]}]}");
    write_file("e.yaml", RT "configurations:\n  manifest: mix/manifest.json\n  ids: ['11', '01']\n"
                            "benchmarks:\n  - name: a\n    dir: '{config_dir}/sub'\n"
                            "    command: x\n");
    experiment ex;
    mp_err e;
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), 0, "%s", e.msg);
    cr_assert_eq(ex.nconfigs, 2); /* ids keep the manifest's order */
    cr_assert_str_eq(ex.configs[0].id, "01");
    cr_assert_str_eq(ex.configs[1].id, "11");
    char want[128];
    snprintf(want, sizeof want, "%s/mix/01", dir_buf);
    cr_assert_str_eq(ex.configs[0].dir, want);
    cr_assert_eq(ex.configs[0].nfiles, 1);
    cr_assert_str_eq(ex.configs[0].files[0].path, "m.py");
    cr_assert_str_eq(ex.configs[0].files[0].sha256,
                     "0000000000000000000000000000000000000000000000000000000000000001");
    experiment_free(&ex);

    write_file("e.yaml",
               RT "configurations:\n  manifest: mix/manifest.json\n  ids: ['12']\n" BENCH);
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), -1);
    char w[300];
    snprintf(w, sizeof w,
             "e.yaml:5:9: configuration '12' is not in the manifest %s/mix/manifest.json", dir_buf);
    cr_assert_str_eq(e.msg, w);

    write_file("mix/manifest.json", "{\"schema\":\"mixperf.mix/1\",\"complete\":false,"
                                    "\"configurations\":[]}");
    write_file("e.yaml", RT "configurations:\n  manifest: mix/manifest.json\n" BENCH);
    cr_assert_eq(experiment_load("e.yaml", &ex, &e), -1);
    snprintf(w, sizeof w,
             "e.yaml:4:13: the manifest %s/mix/manifest.json is incomplete: mixperf mix was "
             "interrupted (expected a finished mix; run it again)",
             dir_buf);
    cr_assert_str_eq(e.msg, w);
}

MP_TEST(placeholders, expand_and_quote)
{
    const char *py[] = {"/usr/bin/python3", "-X", "dev mode"};
    const char *fs[] = {"a.py", "sub dir/b.py"};
    ph_vars v        = {0};
    v.python         = py;
    v.npython        = 3;
    v.files          = fs;
    v.nfiles         = 2;
    v.value[PH_PORT] = "8123";
    v.value[PH_DIR]  = "/tmp/it's here";
    sb out           = {0};
    ph_name missing;
    cr_assert_eq(
        ph_expand("{python} -c 1 {files} {{x}} {dir}:{port}", &v, PH_SHELL, &out, &missing), 0);
    cr_assert_str_eq(sb_str(&out), "/usr/bin/python3 -X 'dev mode' -c 1 a.py 'sub dir/b.py' {x} "
                                   "'/tmp/it'\\''s here':8123");
    sb_reset(&out);
    cr_assert_eq(ph_expand("http://127.0.0.1:{port}/{dir}", &v, PH_RAW, &out, &missing), 0);
    cr_assert_str_eq(sb_str(&out), "http://127.0.0.1:8123//tmp/it's here");
    sb_reset(&out);
    cr_assert_eq(ph_expand("{run_dir}", &v, PH_RAW, &out, &missing), -1);
    cr_assert_eq(missing, PH_RUN_DIR);
    sb_free(&out);
}

MP_TEST(exec, last_printed_number)
{
    double v;
    cr_assert_eq(ex_last_number("warming up\nelapsed: 1.25 s\n0.75\n", &v), 0);
    cr_assert_float_eq(v, 0.75, 0);
    cr_assert_eq(ex_last_number("result 3e-3 done", &v), 0);
    cr_assert_float_eq(v, 3e-3, 0);
    cr_assert_eq(ex_last_number("2 nan inf 0x10", &v), 0);
    cr_assert_float_eq(v, 2, 0);
    cr_assert_eq(ex_last_number("no numbers here, 1.5s either\n", &v), -1);
    cr_assert_eq(ex_last_number("", &v), -1);
}

MP_TEST(exec, json_text_replaces_invalid_utf8)
{
    json_t *j = ex_json_text("ok \xc3\xa9 \xff\xfe x\0y", 12);
    cr_assert_str_eq(json_string_value(j), "ok \xc3\xa9 ?? x?y");
    json_decref(j);
}

MP_TEST(provenance, digest_is_sha256sum_of_the_sorted_list)
{
    ex_file f[2] = {{xstrdup("b.py"), "bb"}, {xstrdup("a.py"), "aa"}};
    char hex[65], want[65];
    ex_files_digest(f, 2, hex);
    cr_assert_str_eq(f[0].path, "a.py");
    mp_sha256_hex("aa  a.py\nbb  b.py\n", 18, want);
    cr_assert_str_eq(hex, want);
    free(f[0].path);
    free(f[1].path);
    mp_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- result lines, summaries, ratios --------------------------------------------------------- */

static const double A[] = {1.02, 0.98, 1.05, 1.10, 0.97, 1.01, 1.03, 0.99};
static const double B[] = {2.10, 2.05, 2.20, 1.98, 2.15, 2.07, 2.12, 2.03};

static void add_line(FILE *f, const char *rt, const char *cfg, long index, int warmup,
                     const char *status, double value)
{
    json_t *l = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:s,s:s,s:o,s:f,s:I,s:{s:o}}", "schema",
                          EX_SCHEMA, "experiment", "t", "runtime", rt, "benchmark", "b", "config",
                          cfg, "index", (json_int_t)index, "round", (json_int_t)index, "warmup",
                          warmup, "status", status, "metric", "wall", "value",
                          strcmp(status, "ok") == 0 ? json_real(value) : json_null(), "duration_s",
                          1.0, "seed", (json_int_t)5, "metrics", "wall",
                          strcmp(status, "ok") == 0 ? json_real(value) : json_null());
    char *s   = json_dumps(l, JSON_COMPACT);
    fprintf(f, "%s\n", s);
    free(s);
    json_decref(l);
}

static void write_b5(const char *path)
{
    FILE *f = fopen(path, "w");
    add_line(f, "cpython", "a", 0, 1, "ok", 5.0); /* a warm-up: never counted */
    for (int i = 0; i < 8; i++)
        add_line(f, "cpython", "a", i + 1, 0, "ok", A[i]);
    for (int i = 0; i < 8; i++)
        add_line(f, "cpython", "b", i, 0, "ok", B[i]);
    add_line(f, "cpython", "b", 8, 0, "failed", 0); /* recorded, not a value */
    add_line(f, "pypy", "a", 0, 0, "ok", 0.5);
    add_line(f, "pypy", "a", 1, 0, "ok", 0.52);
    fclose(f);
}

MP_TEST(summary, fieller_on_the_b5_vectors)
{
    enter_tmp();
    write_b5("r.jsonl");
    rp_summary s;
    mp_err e;
    cr_assert_eq(rp_summary_load(&s, "r.jsonl", NULL, &e), 0, "%s", e.msg);
    cr_assert_eq(s.ncells, 3);
    cr_assert_str_eq(s.cells[0].key, "cpython/b/a");
    cr_assert_str_eq(s.cells[1].key, "cpython/b/b");
    cr_assert_eq(s.cells[0].n, 8);
    cr_assert_eq(s.cells[0].warmups, 1);
    cr_assert_eq(s.cells[1].failed, 1);
    cr_assert_float_eq(s.cells[0].mean, 1.018750, 1e-12);
    /* the t interval of B.1 */
    cr_assert(s.cells[0].have_ci);
    cr_assert_float_eq(s.cells[0].ci.lo, 0.983439, 5e-7);
    cr_assert_float_eq(s.cells[0].ci.hi, 1.054061, 5e-7);

    rp_selector num, den;
    cr_assert_eq(rp_selector_parse("b", &num, &e), 0);
    cr_assert_eq(rp_selector_parse("config=a", &den, &e), 0);
    size_t pa[9], pb[9];
    cr_assert_eq(rp_pairs(&s, &num, &den, pa, pb), 1); /* pypy has no config b */
    cr_assert_eq(pa[0], 1);
    cr_assert_eq(pb[0], 0);
    mp_interval iv;
    cr_assert_eq(rp_ratio(&s.cells[1], &s.cells[0], RP_FIELLER, 0.95, MP_DF_POOLED, 1, &iv, &e), 0);
    cr_assert_float_eq(iv.estimate, 2.049080, 5e-7);
    cr_assert_float_eq(iv.lo, 1.968164, 5e-7);
    cr_assert_float_eq(iv.hi, 2.134050, 5e-7);
    cr_assert_eq(rp_ratio(&s.cells[1], &s.cells[0], RP_FIELLER, 0.95, MP_DF_WELCH, 1, &iv, &e), 0);
    cr_assert_float_eq(iv.lo, 1.967841, 5e-7);
    cr_assert_float_eq(iv.hi, 2.134406, 5e-7);
    cr_assert_eq(iv.flags & MP_IV_NOT_SIGNIFICANT, 0);
    cr_assert_eq(rp_ratio(&s.cells[1], &s.cells[0], RP_LOG_WELCH, 0.95, MP_DF_WELCH, 1, &iv, &e),
                 0);
    cr_assert_float_eq(iv.estimate, 2.049585, 5e-7);
    cr_assert_float_eq(iv.lo, 1.968699, 5e-7);
    cr_assert_float_eq(iv.hi, 2.133795, 5e-7);
    rp_selector_free(&num);
    rp_selector_free(&den);

    /* runtime=pypy vs runtime=cpython pairs by benchmark and configuration */
    cr_assert_eq(rp_selector_parse("runtime=pypy", &num, &e), 0);
    cr_assert_eq(rp_selector_parse("runtime=cpython", &den, &e), 0);
    cr_assert_eq(rp_pairs(&s, &num, &den, pa, pb), 1);
    cr_assert_eq(pa[0], 2);
    cr_assert_eq(pb[0], 0);
    rp_selector_free(&num);
    rp_selector_free(&den);

    /* report rows against config=a: b is 2.05x, a is the baseline itself */
    rp_selector bl;
    cr_assert_eq(rp_selector_parse("config=a", &bl, &e), 0);
    rp_report_opts o = {"r.jsonl", &bl, RP_FIELLER, 0.95, MP_DF_WELCH, 1};
    rp_ratio_row rows[3];
    rp_ratio_rows(&s, &o, rows);
    cr_assert_eq(rows[0].is_base, 1);
    cr_assert_eq(rows[1].ok, 1);
    cr_assert_eq(rows[1].base, 0);
    cr_assert_float_eq(rows[1].iv.lo, 1.967841, 5e-7);
    cr_assert_eq(rows[2].is_base, 1); /* pypy/b/a matches config=a too */
    rp_selector_free(&bl);
    char *d = rp_default_baseline(&s);
    cr_assert_str_eq(d, "runtime=cpython");
    free(d);
    rp_summary_free(&s);
}

MP_TEST(summary, selectors)
{
    rp_selector s;
    mp_err e;
    cr_assert_eq(rp_selector_parse("pypy/blog/0101", &s, &e), 0);
    cr_assert_str_eq(s.runtime, "pypy");
    cr_assert_str_eq(s.benchmark, "blog");
    cr_assert_str_eq(s.config, "0101");
    rp_selector_free(&s);
    cr_assert_eq(rp_selector_parse("benchmark=blog,runtime=pypy", &s, &e), 0);
    cr_assert_str_eq(s.runtime, "pypy");
    cr_assert_str_eq(s.benchmark, "blog");
    cr_assert_null(s.config);
    rp_selector_free(&s);
    cr_assert_eq(rp_selector_parse("runtime=pypy,runtime=cpython", &s, &e), -1);
    cr_assert_str_eq(e.msg, "cell selector 'runtime=pypy,runtime=cpython': 'runtime=cpython' "
                            "(expected key=value[,key=value] with each of runtime, benchmark, "
                            "config at most once)");
    cr_assert_eq(rp_selector_parse("rt=pypy", &s, &e), -1);
    cr_assert_eq(rp_selector_parse("a/b", &s, &e), -1);
    cr_assert_str_eq(e.msg, "cell selector 'a/b' (expected runtime/benchmark/config, or "
                            "key=value[,key=value] with keys runtime, benchmark, config)");
}

MP_TEST(runline, rejects_what_the_planner_cannot_trust)
{
    ex_line l;
    mp_err e;
    json_t *o = json_loads("{\"schema\":\"mixperf.run/2\"}", 0, NULL);
    cr_assert_eq(ex_line_parse(o, &l, &e), -1);
    cr_assert_str_eq(e.msg, "schema \"mixperf.run/2\" is not supported (expected "
                            "\"mixperf.run/1\")");
    json_decref(o);
    o = json_loads("{\"schema\":\"mixperf.run/1\",\"experiment\":\"x\",\"runtime\":\"r\","
                   "\"benchmark\":\"b\",\"config\":\"c\",\"metric\":\"wall\",\"index\":0,"
                   "\"round\":0,\"warmup\":false,\"status\":\"ok\",\"value\":null,"
                   "\"duration_s\":1,\"seed\":3}",
                   0, NULL);
    cr_assert_eq(ex_line_parse(o, &l, &e), -1);
    cr_assert_str_eq(e.msg, "status \"ok\" without a finite \"value\"");
    json_object_set_new(o, "status", json_string("failed"));
    cr_assert_eq(ex_line_parse(o, &l, &e), 0, "%s", e.msg);
    plan_run pr = ex_line_plan_run(&l, 4);
    cr_assert_eq(pr.cell, 4);
    cr_assert_eq(pr.ok, 0); /* a failure is data for the stop rule, never a 0 value */
    json_decref(o);
}
