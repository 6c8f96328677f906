/* experiment_load: the experiment file (docs/experiments.md) into an `experiment`, every check
 * made before anything runs, one error (the first in the file) with file:line:col. */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/experiment.h"
#include "experiment/placeholder.h"
#include "experiment/provenance.h"
#include "util/mem.h"
#include "yaml/ydoc.h"
#include "util/sha256.h"

typedef struct xl {
    ydoc y;
    experiment *ex;
    int have_manifest;
} xl;

/* Seeds are kept below 2^53 so every JSON reader (and pyperf's metadata) holds them exactly. */
#define SEED_LIMIT (1ull << 53)

char *ex_path_under(const char *base, const char *p)
{
    sb s = {0};
    if (p[0] == '/')
        sb_adds(&s, p);
    else
        sb_addf(&s, "%s/%s", base, p);
    return sb_detach(&s);
}

/* Names become parts of cell keys ("runtime/benchmark/config") and of selectors
 * ("runtime=pypy,benchmark=blog"), so they avoid '/', ',', '=' and spaces. */
static int good_name(const char *s)
{
    if (!*s || strlen(s) > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.' || *s == '+'))
            return 0;
    return 1;
}

static int name_scalar(xl *X, const yaml_node_t *n, const char *what, char **out)
{
    if (yd_string(&X->y, n, what, out) != 0) return -1;
    if (!good_name(*out)) {
        char b[72];
        yd_err_node(&X->y, n,
                    "%s '%s' is not a valid name (expected 1 to 64 letters, digits, '_', '-', "
                    "'.' or '+')",
                    what, yd_show(*out, b));
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* A template string: the scalar, its placeholders checked against `allowed`. */
static int tmpl(xl *X, const yaml_node_t *n, const char *what, unsigned allowed, char **out)
{
    if (yd_string(&X->y, n, what, out) != 0) return -1;
    size_t off;
    char msg[600];
    if (ph_check(*out, allowed, &off, msg, sizeof msg) != 0) {
        yd_err(&X->y, yd_line(n), yd_value_col(&X->y, n, off), "%s: %s", what, msg);
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

static int positive_long(xl *X, const yaml_node_t *n, const char *what, long min, long *out)
{
    if (yd_long(&X->y, n, what, out) != 0) return -1;
    if (*out < min) {
        yd_err_node(&X->y, n, "%s is %ld (expected at least %ld)", what, *out, min);
        return -1;
    }
    return 0;
}

static int env_name_ok(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static void load_env(xl *X, const yaml_node_t *n, const char *where, unsigned allowed, ex_kv **out,
                     size_t *nout)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "env %s is %s (expected a mapping NAME: value)", where,
                    yd_kind_name(n));
        return;
    }
    char what[160];
    snprintf(what, sizeof what, "env %s", where);
    if (yd_plain_keys(&X->y, n, what) != 0) return;
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    *out       = xcalloc(cnt ? cnt : 1, sizeof **out);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(&X->y, p->key), *v = yd_node(&X->y, p->value);
        if (!k || !v) continue;
        char b[72];
        if (!env_name_ok(yd_sval(k))) {
            yd_err_node(&X->y, k,
                        "environment variable name '%s' %s is not valid (expected letters, "
                        "digits and _, not starting with a digit)",
                        yd_show(yd_sval(k), b), where);
            continue;
        }
        snprintf(what, sizeof what, "env %s (%s)", where, yd_show(yd_sval(k), b));
        char *val;
        if (tmpl(X, v, what, allowed, &val) != 0) continue;
        (*out)[*nout].name  = xstrdup(yd_sval(k));
        (*out)[*nout].value = val;
        (*nout)++;
    }
}

/* ---- runtimes -------------------------------------------------------------------------------- */

static void load_runtime(xl *X, const yaml_node_t *key, const yaml_node_t *n, ex_runtime *rt)
{
    rt->pos           = (ex_pos){yd_line(key), yd_col(key)};
    rt->build_timeout = 600;
    char b[72];
    char where[120];
    snprintf(where, sizeof where, "in runtime '%s'", yd_show(rt->name, b));
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "runtime '%s' is %s (expected a mapping with command: ...)", rt->name,
                    yd_kind_name(n));
        return;
    }
    static const char *const keys[] = {"command", "env", "build", "build_timeout", "version"};
    yaml_node_t *v[5];
    if (yd_keys(&X->y, n, where, keys, 5, v, NULL) > 0) return;
    if (!v[0]) {
        yd_err_node(&X->y, n, "runtime '%s' has no command (expected command: [/usr/bin/python3])",
                    rt->name);
    } else if (v[0]->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *it = v[0]->data.sequence.items.start;
        size_t cnt           = (size_t)(v[0]->data.sequence.items.top - it);
        if (cnt == 0)
            yd_err_node(&X->y, v[0], "command %s is empty (expected the interpreter's path)",
                        where);
        rt->argv = xcalloc(cnt + 1, sizeof *rt->argv);
        for (; it < v[0]->data.sequence.items.top; it++) {
            yaml_node_t *w = yd_node(&X->y, *it);
            char *word;
            if (!w || tmpl(X, w, "a word of command", PH_IN_RUNTIME_COMMAND, &word) != 0) continue;
            rt->argv[rt->argc++] = word;
        }
    } else {
        char *word;
        if (tmpl(X, v[0], "command", PH_IN_RUNTIME_COMMAND, &word) == 0) {
            rt->argv    = xcalloc(2, sizeof *rt->argv);
            rt->argv[0] = word;
            rt->argc    = 1;
        }
    }
    /* The words are fixed once the file is read: expand {experiment_dir} now, and make a relative
     * path with a slash absolute (commands run in other directories). */
    for (size_t i = 0; i < rt->argc; i++) {
        ph_vars pv                  = {0};
        pv.value[PH_EXPERIMENT_DIR] = X->ex->base;
        sb e                        = {0};
        ph_expand(rt->argv[i], &pv, PH_RAW, &e, NULL);
        free(rt->argv[i]);
        rt->argv[i] = sb_detach(&e);
    }
    if (rt->argc && !rt->argv[0][0]) {
        yd_err_node(&X->y, v[0], "command %s starts with an empty word (expected a program)",
                    where);
    } else if (rt->argc && rt->argv[0][0] != '/' && strchr(rt->argv[0], '/')) {
        char *a = ex_path_under(X->ex->base, rt->argv[0]);
        free(rt->argv[0]);
        rt->argv[0] = a;
    }
    if (v[1]) load_env(X, v[1], where, PH_IN_RUNTIME_ENV, &rt->env, &rt->nenv);
    if (v[2]) tmpl(X, v[2], "build", PH_IN_BUILD, &rt->build);
    if (v[3]) yd_duration(&X->y, v[3], "build_timeout", 0, &rt->build_timeout);
    if (v[4]) tmpl(X, v[4], "version", PH_IN_VERSION, &rt->version);
}

static void load_runtimes(xl *X, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n,
                    "runtimes is %s (expected a mapping of names to runtimes, e.g. cpython: "
                    "{command: [/usr/bin/python3]})",
                    yd_kind_name(n));
        return;
    }
    if (yd_plain_keys(&X->y, n, "in runtimes") != 0) return;
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (cnt == 0) {
        yd_err_node(&X->y, n, "runtimes is empty (expected at least one runtime)");
        return;
    }
    experiment *ex = X->ex;
    ex->runtimes   = xcalloc(cnt, sizeof *ex->runtimes);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(&X->y, p->key), *v = yd_node(&X->y, p->value);
        if (!k || !v) continue;
        ex_runtime *rt = &ex->runtimes[ex->nruntimes];
        if (name_scalar(X, k, "runtime name", &rt->name) != 0) continue;
        ex->nruntimes++;
        load_runtime(X, k, v, rt);
    }
}

/* ---- configurations -------------------------------------------------------------------------- */

/* The manifest's configurations (docs/mix.md: schema mixperf.mix/1). Problems with its content are
 * reported at the `manifest:` value, naming the manifest and the entry. */
static void read_manifest(xl *X, const yaml_node_t *at, const yaml_node_t *ids)
{
    experiment *ex = X->ex;
    json_error_t je;
    json_t *m = json_load_file(ex->manifest, 0, &je);
    if (!m) {
        yd_err_node(&X->y, at,
                    "cannot read the manifest %s: %s (expected the manifest.json "
                    "written by mixperf mix)",
                    ex->manifest, je.text);
        return;
    }
    const char *schema = json_string_value(json_object_get(m, "schema"));
    json_t *configs    = json_object_get(m, "configurations");
    if (!schema || strcmp(schema, "mixperf.mix/1") != 0 || !json_is_array(configs)) {
        yd_err_node(&X->y, at,
                    "%s is not a mixperf.mix/1 manifest (expected the manifest.json "
                    "written by mixperf mix)",
                    ex->manifest);
        json_decref(m);
        return;
    }
    if (!json_is_true(json_object_get(m, "complete"))) {
        yd_err_node(&X->y, at,
                    "the manifest %s is incomplete: mixperf mix was interrupted (expected a "
                    "finished mix; run it again)",
                    ex->manifest);
        json_decref(m);
        return;
    }
    char *mdir_buf   = xstrdup(ex->manifest);
    const char *mdir = dirname(mdir_buf);
    size_t n         = json_array_size(configs);
    ex->configs      = xcalloc(n ? n : 1, sizeof *ex->configs);
    for (size_t i = 0; i < n; i++) {
        json_t *c       = json_array_get(configs, i);
        const char *id  = json_string_value(json_object_get(c, "id"));
        const char *dir = json_string_value(json_object_get(c, "dir"));
        json_t *files   = json_object_get(c, "files");
        if (!id || !dir || !json_is_array(files)) {
            yd_err_node(&X->y, at, "the manifest %s: configurations[%zu] lacks id, dir or files",
                        ex->manifest, i);
            break;
        }
        ex_config *cf = &ex->configs[ex->nconfigs++];
        cf->id        = xstrdup(id);
        cf->dir       = ex_path_under(mdir, dir);
        cf->nfiles    = json_array_size(files);
        cf->files     = xcalloc(cf->nfiles ? cf->nfiles : 1, sizeof *cf->files);
        for (size_t k = 0; k < cf->nfiles; k++) {
            json_t *f       = json_array_get(files, k);
            const char *fp  = json_string_value(json_object_get(f, "path"));
            const char *sha = json_string_value(json_object_get(f, "sha256"));
            if (!fp || !sha || strlen(sha) != 64) {
                yd_err_node(&X->y, at,
                            "the manifest %s: configurations[%zu].files[%zu] lacks path or sha256",
                            ex->manifest, i, k);
                cf->nfiles = k;
                break;
            }
            cf->files[k].path = xstrdup(fp);
            memcpy(cf->files[k].sha256, sha, 65);
        }
    }
    free(mdir_buf);
    json_decref(m);
    if (!ids) return;
    /* ids: the subset to measure, in the manifest's order. */
    if (ids->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&X->y, ids, "ids is %s (expected a list of configuration ids)",
                    yd_kind_name(ids));
        return;
    }
    char *keep = xcalloc(ex->nconfigs ? ex->nconfigs : 1, 1);
    for (yaml_node_item_t *it = ids->data.sequence.items.start; it < ids->data.sequence.items.top;
         it++) {
        yaml_node_t *w = yd_node(&X->y, *it);
        char *id;
        if (!w || yd_string(&X->y, w, "a configuration id", &id) != 0) continue;
        size_t c = 0;
        while (c < ex->nconfigs && strcmp(ex->configs[c].id, id) != 0)
            c++;
        char b[72];
        if (c == ex->nconfigs)
            yd_err_node(&X->y, w, "configuration '%s' is not in the manifest %s", yd_show(id, b),
                        ex->manifest);
        else if (keep[c])
            yd_err_node(&X->y, w, "configuration '%s' is listed twice (expected each id once)",
                        yd_show(id, b));
        else
            keep[c] = 1;
        free(id);
    }
    size_t w = 0;
    for (size_t c = 0; c < ex->nconfigs; c++) {
        if (keep[c]) {
            ex->configs[w++] = ex->configs[c];
            continue;
        }
        free(ex->configs[c].id);
        free(ex->configs[c].dir);
        ex_files_free(ex->configs[c].files, ex->configs[c].nfiles);
    }
    ex->nconfigs = w;
    free(keep);
}

static void load_configurations(xl *X, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "configurations is %s (expected a mapping with manifest: PATH)",
                    yd_kind_name(n));
        return;
    }
    static const char *const keys[] = {"manifest", "ids"};
    yaml_node_t *v[2];
    if (yd_keys(&X->y, n, "in configurations", keys, 2, v, NULL) > 0) return;
    if (!v[0]) {
        if (v[1]) yd_err_node(&X->y, v[1], "ids needs a manifest (expected manifest: PATH)");
        return;
    }
    char *p;
    if (yd_string(&X->y, v[0], "manifest", &p) != 0) return;
    X->ex->manifest  = ex_path_under(X->ex->base, p);
    X->have_manifest = 1;
    free(p);
    read_manifest(X, v[0], v[1]);
}

/* ---- benchmarks ------------------------------------------------------------------------------ */

static const char *const bench_keys[] = {
    "name",    "kind",   "dir",     "command",         "setup",      "env",        "timeout",
    "metric",  "ready",  "host",    "scenario",        "users",      "spawn_rate", "rate",
    "threads", "warmup", "measure", "max_error_ratio", "stop_grace", "profile",    "profile_rate"};
enum {
    BK_NAME,
    BK_KIND,
    BK_DIR,
    BK_COMMAND,
    BK_SETUP,
    BK_ENV,
    BK_TIMEOUT,
    BK_METRIC,
    BK_READY,
    BK_HOST,
    BK_SCENARIO,
    BK_USERS,
    BK_SPAWN_RATE,
    BK_RATE,
    BK_THREADS,
    BK_WARMUP,
    BK_MEASURE,
    BK_MAX_ERROR_RATIO,
    BK_STOP_GRACE,
    BK_PROFILE,
    BK_PROFILE_RATE,
    BK_COUNT
};

static void load_ready(xl *X, const yaml_node_t *n, ex_benchmark *b)
{
    if (yd_is_scalar(n)) {
        tmpl(X, n, "ready", PH_IN_RUN_ALL, &b->ready_url);
        return;
    }
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "ready is %s (expected a URL or {url: URL, timeout: 60s})",
                    yd_kind_name(n));
        return;
    }
    static const char *const keys[] = {"url", "timeout"};
    yaml_node_t *v[2];
    if (yd_keys(&X->y, n, "in ready", keys, 2, v, NULL) > 0) return;
    if (!v[0])
        yd_err_node(&X->y, n, "ready has no url (expected url: http://127.0.0.1:{port}/...)");
    else
        tmpl(X, v[0], "ready.url", PH_IN_RUN_ALL, &b->ready_url);
    if (v[1]) yd_duration(&X->y, v[1], "ready.timeout", 0, &b->ready_timeout);
}

static void load_setup(xl *X, const yaml_node_t *n, ex_benchmark *b, unsigned allowed)
{
    if (yd_is_scalar(n)) {
        b->setup = xcalloc(1, sizeof *b->setup);
        if (tmpl(X, n, "setup", allowed, &b->setup[0]) == 0) b->nsetup = 1;
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&X->y, n, "setup is %s (expected a list of shell commands)", yd_kind_name(n));
        return;
    }
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    b->setup   = xcalloc(cnt ? cnt : 1, sizeof *b->setup);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *w = yd_node(&X->y, *it);
        if (w && tmpl(X, w, "a setup command", allowed, &b->setup[b->nsetup]) == 0) b->nsetup++;
    }
}

static void load_benchmark(xl *X, const yaml_node_t *n, ex_benchmark *b)
{
    b->pos             = (ex_pos){yd_line(n), yd_col(n)};
    b->timeout         = 600;
    b->ready_timeout   = 60;
    b->users           = 10;
    b->threads         = 1;
    b->warmup          = 5;
    b->measure         = 20;
    b->max_error_ratio = 0.01;
    b->stop_grace      = 10;
    b->profile_rate    = 100;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "a benchmark is %s (expected a mapping with name, kind, command)",
                    yd_kind_name(n));
        return;
    }
    yaml_node_t *v[BK_COUNT], *k[BK_COUNT];
    if (yd_keys(&X->y, n, "in a benchmark", bench_keys, BK_COUNT, v, k) > 0) return;
    if (!v[BK_NAME])
        yd_err_node(&X->y, n, "a benchmark has no name (expected name: ...)");
    else
        name_scalar(X, v[BK_NAME], "benchmark name", &b->name);
    b->kind = EX_SCRIPT;
    if (v[BK_KIND]) {
        char *kind;
        if (yd_string(&X->y, v[BK_KIND], "kind", &kind) == 0) {
            if (strcmp(kind, "server") == 0)
                b->kind = EX_SERVER;
            else if (strcmp(kind, "script") != 0) {
                char bb[72];
                yd_err_node(&X->y, v[BK_KIND], "kind is '%s' (expected script or server)",
                            yd_show(kind, bb));
            }
            free(kind);
        }
    }
    int server      = b->kind == EX_SERVER;
    unsigned in_run = server ? PH_IN_RUN_ALL : PH_IN_SCRIPT_RUN;
    /* Keys that only a server benchmark has. */
    for (int i = BK_READY; i < BK_COUNT; i++) {
        if (!server && v[i]) {
            yd_err_node(&X->y, k[i],
                        "'%s' applies to server benchmarks (expected kind: server, or no '%s')",
                        bench_keys[i], bench_keys[i]);
            v[i] = NULL;
        }
    }
    unsigned in_dir = PH_IN_BENCH_DIR;
    if (!X->have_manifest) in_dir &= ~PH_BIT(PH_CONFIG_DIR);
    const char *cd =
        v[BK_DIR] && yd_is_scalar(v[BK_DIR]) ? strstr(yd_sval(v[BK_DIR]), "{config_dir}") : NULL;
    if (cd && !X->have_manifest)
        yd_err(&X->y, yd_line(v[BK_DIR]),
               yd_value_col(&X->y, v[BK_DIR], (size_t)(cd - yd_sval(v[BK_DIR]))),
               "dir: {config_dir} needs configurations.manifest (without a manifest, dir is the "
               "configuration's directory)");
    else if (v[BK_DIR])
        tmpl(X, v[BK_DIR], "dir", in_dir, &b->dir);
    if (!v[BK_COMMAND])
        yd_err_node(&X->y, n, "benchmark '%s' has no command (expected command: \"{python} ...\")",
                    b->name ? b->name : "?");
    else
        tmpl(X, v[BK_COMMAND], "command", in_run, &b->command);
    if (v[BK_SETUP]) load_setup(X, v[BK_SETUP], b, in_run);
    if (v[BK_ENV]) {
        char where[120], bb[72];
        snprintf(where, sizeof where, "in benchmark '%s'", yd_show(b->name ? b->name : "?", bb));
        load_env(X, v[BK_ENV], where, in_run, &b->env, &b->nenv);
    }
    if (v[BK_TIMEOUT]) yd_duration(&X->y, v[BK_TIMEOUT], "timeout", 0, &b->timeout);
    b->metric = server ? EX_M_THROUGHPUT : EX_M_WALL;
    if (v[BK_METRIC]) {
        char *m;
        if (yd_string(&X->y, v[BK_METRIC], "metric", &m) == 0) {
            int id = ex_metric_find(m);
            if (id < 0 || ex_metric_get((ex_metric)id)->kind != b->kind) {
                const char *names[EX_M_COUNT];
                size_t nn = 0;
                for (int i = 0; i < EX_M_COUNT; i++)
                    if (ex_metric_get((ex_metric)i)->kind == b->kind)
                        names[nn++] = ex_metric_get((ex_metric)i)->name;
                char exp[400], bb[72];
                yd_expected(exp, sizeof exp, m, names, nn);
                yd_err_node(&X->y, v[BK_METRIC],
                            "metric '%s' is not a metric of %s benchmarks (%s)", yd_show(m, bb),
                            server ? "server" : "script", exp);
            } else {
                b->metric = (ex_metric)id;
            }
            free(m);
        }
    }
    if (!server) return;
    if (!v[BK_READY])
        yd_err_node(&X->y, n,
                    "server benchmark '%s' has no ready URL (expected ready: "
                    "http://127.0.0.1:{port}/...)",
                    b->name ? b->name : "?");
    else
        load_ready(X, v[BK_READY], b);
    if (v[BK_HOST])
        tmpl(X, v[BK_HOST], "host", PH_IN_RUN_ALL, &b->host);
    else
        b->host = xstrdup("http://127.0.0.1:{port}");
    if (!v[BK_SCENARIO]) {
        yd_err_node(&X->y, n,
                    "server benchmark '%s' has no scenario (expected scenario: FILE.yaml)",
                    b->name ? b->name : "?");
    } else {
        char *p;
        if (yd_string(&X->y, v[BK_SCENARIO], "scenario", &p) == 0) {
            b->scenario = ex_path_under(X->ex->base, p);
            free(p);
            struct stat st;
            errno = 0;
            if (stat(b->scenario, &st) != 0 || !S_ISREG(st.st_mode))
                yd_err_node(&X->y, v[BK_SCENARIO], "scenario %s: %s (expected a scenario file)",
                            b->scenario, errno ? strerror(errno) : "not a regular file");
        }
    }
    if (v[BK_USERS]) positive_long(X, v[BK_USERS], "users", 1, &b->users);
    if (v[BK_SPAWN_RATE] && yd_number(&X->y, v[BK_SPAWN_RATE], "spawn_rate", &b->spawn_rate) == 0 &&
        b->spawn_rate < 0)
        yd_err_node(&X->y, v[BK_SPAWN_RATE], "spawn_rate is %g (expected 0 or more users/s)",
                    b->spawn_rate);
    if (v[BK_RATE] && yd_number(&X->y, v[BK_RATE], "rate", &b->rate) == 0 && b->rate <= 0)
        yd_err_node(&X->y, v[BK_RATE], "rate is %g (expected iterations per second above 0)",
                    b->rate);
    if (v[BK_THREADS]) positive_long(X, v[BK_THREADS], "threads", 1, &b->threads);
    if (v[BK_WARMUP]) yd_duration(&X->y, v[BK_WARMUP], "warmup", 1, &b->warmup);
    if (v[BK_MEASURE]) yd_duration(&X->y, v[BK_MEASURE], "measure", 0, &b->measure);
    if (v[BK_MAX_ERROR_RATIO] &&
        yd_number(&X->y, v[BK_MAX_ERROR_RATIO], "max_error_ratio", &b->max_error_ratio) == 0 &&
        (b->max_error_ratio < 0 || b->max_error_ratio > 1))
        yd_err_node(&X->y, v[BK_MAX_ERROR_RATIO], "max_error_ratio is %g (expected 0 to 1)",
                    b->max_error_ratio);
    if (v[BK_STOP_GRACE]) yd_duration(&X->y, v[BK_STOP_GRACE], "stop_grace", 0, &b->stop_grace);
    if (v[BK_PROFILE]) yd_bool(&X->y, v[BK_PROFILE], "profile", &b->profile);
    if (v[BK_PROFILE_RATE] &&
        yd_number(&X->y, v[BK_PROFILE_RATE], "profile_rate", &b->profile_rate) == 0) {
        if (!(b->profile_rate > 0 && b->profile_rate <= 1000))
            yd_err_node(&X->y, v[BK_PROFILE_RATE],
                        "profile_rate is %g (expected samples per second in (0, 1000])",
                        b->profile_rate);
        else if (!b->profile)
            yd_err_node(&X->y, k[BK_PROFILE_RATE],
                        "profile_rate applies to profiled benchmarks (expected profile: true, or "
                        "no profile_rate)");
    }
}

static void load_benchmarks(xl *X, const yaml_node_t *n)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&X->y, n, "benchmarks is %s (expected a list of benchmarks)", yd_kind_name(n));
        return;
    }
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt == 0) {
        yd_err_node(&X->y, n, "benchmarks is empty (expected at least one benchmark)");
        return;
    }
    experiment *ex = X->ex;
    ex->benchmarks = xcalloc(cnt, sizeof *ex->benchmarks);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *b = yd_node(&X->y, *it);
        if (!b) continue;
        ex_benchmark *bm = &ex->benchmarks[ex->nbenchmarks++];
        load_benchmark(X, b, bm);
        for (size_t i = 0; bm->name && i + 1 < ex->nbenchmarks; i++)
            if (ex->benchmarks[i].name && strcmp(ex->benchmarks[i].name, bm->name) == 0)
                yd_err(&X->y, bm->pos.line, bm->pos.col,
                       "benchmark name '%s' is used twice (first at line %d; expected unique "
                       "names)",
                       bm->name, ex->benchmarks[i].pos.line);
    }
}

/* ---- repeat ---------------------------------------------------------------------------------- */

/* 0.01, or "1%". */
static int fraction(xl *X, const yaml_node_t *n, const char *what, double *out)
{
    if (yd_is_scalar(n)) {
        const char *s = yd_sval(n);
        size_t len    = strlen(s);
        if (len > 1 && s[len - 1] == '%') {
            char *end;
            errno    = 0;
            double v = strtod(s, &end);
            if (end == s + len - 1 && !errno && isfinite(v)) {
                *out = v / 100;
                return 0;
            }
            char b[72];
            yd_err_node(&X->y, n, "%s is '%s' (expected a fraction such as 0.01 or 1%%)", what,
                        yd_show(s, b));
            return -1;
        }
    }
    return yd_number(&X->y, n, what, out);
}

static void load_repeat(xl *X, const yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, n, "repeat is %s (expected a mapping with target, min_runs, ...)",
                    yd_kind_name(n));
        return;
    }
    static const char *const keys[] = {"confidence", "target",   "method",     "min_runs",
                                       "max_runs",   "max_time", "warmup_runs"};
    yaml_node_t *v[7];
    if (yd_keys(&X->y, n, "in repeat", keys, 7, v, NULL) > 0) return;
    plan_rule *r = &X->ex->rule;
    if (v[0] && fraction(X, v[0], "confidence", &r->confidence) == 0 &&
        !(r->confidence > 0 && r->confidence < 1))
        yd_err_node(&X->y, v[0], "confidence is %g (expected a level between 0 and 1, e.g. 0.95)",
                    r->confidence);
    if (v[1] && fraction(X, v[1], "target", &r->target) == 0 && !(r->target > 0))
        yd_err_node(&X->y, v[1],
                    "target is %g (expected a relative half-width above 0, e.g. 0.01 for +-1%%)",
                    r->target);
    if (v[2]) {
        char *m;
        if (yd_string(&X->y, v[2], "method", &m) == 0) {
            static const char *const names[] = {"t", "bca", "hl"};
            if (strcmp(m, "t") == 0)
                r->method = MP_M_T;
            else if (strcmp(m, "bca") == 0)
                r->method = MP_M_BOOT_BCA;
            else if (strcmp(m, "hl") == 0 || strcmp(m, "hodges-lehmann") == 0)
                r->method = MP_M_HODGES_LEHMANN;
            else {
                char exp[200], b[72];
                yd_expected(exp, sizeof exp, m, names, 3);
                yd_err_node(&X->y, v[2], "method '%s' is not a stop-rule interval (%s)",
                            yd_show(m, b), exp);
            }
            free(m);
        }
    }
    if (v[3]) positive_long(X, v[3], "min_runs", 2, &r->min_runs);
    if (v[4]) positive_long(X, v[4], "max_runs", 1, &r->max_runs);
    if (v[5]) yd_duration(&X->y, v[5], "max_time", 1, &r->max_time_s); /* 0: none */
    if (v[6]) positive_long(X, v[6], "warmup_runs", 0, &r->warmup_runs);
    if (r->max_runs < r->min_runs)
        yd_err_node(&X->y, v[4] ? v[4] : v[3],
                    "max_runs (%ld) is below min_runs (%ld) (expected max_runs >= min_runs)",
                    r->max_runs, r->min_runs);
}

/* ---- the file -------------------------------------------------------------------------------- */

static void load_root(xl *X, const yaml_node_t *root)
{
    if (root->type != YAML_MAPPING_NODE) {
        yd_err_node(&X->y, root,
                    "the experiment is %s (expected a mapping with runtimes and benchmarks)",
                    yd_kind_name(root));
        return;
    }
    static const char *const keys[] = {"name",           "seed",       "runtimes",
                                       "configurations", "benchmarks", "repeat"};
    yaml_node_t *v[6];
    if (yd_keys(&X->y, root, "at the top level", keys, 6, v, NULL) > 0) return;
    experiment *ex = X->ex;
    if (v[0]) name_scalar(X, v[0], "experiment name", &ex->name);
    if (v[1]) {
        long long s   = 0;
        const char *t = yd_is_scalar(v[1]) ? yd_sval(v[1]) : "";
        char *end;
        errno = 0;
        if (yd_is_scalar(v[1])) s = strtoll(t, &end, 10);
        if (!yd_is_scalar(v[1]) || !*t || *end || errno || s < 0 ||
            (unsigned long long)s >= SEED_LIMIT) {
            char b[72];
            yd_err_node(&X->y, v[1], "seed is '%s' (expected an integer from 0 to 2^53-1)",
                        yd_is_scalar(v[1]) ? yd_show(t, b) : yd_kind_name(v[1]));
        } else {
            ex->seed     = (uint64_t)s;
            ex->has_seed = 1;
        }
    }
    /* configurations first: whether {config_dir} exists depends on it. */
    if (v[3]) load_configurations(X, v[3]);
    if (!v[2])
        yd_err_node(&X->y, root,
                    "no runtimes (expected runtimes: {cpython: {command: "
                    "[/usr/bin/python3]}})");
    else
        load_runtimes(X, v[2]);
    if (!v[4])
        yd_err_node(&X->y, root,
                    "no benchmarks (expected benchmarks: [{name: ..., command: ...}])");
    else
        load_benchmarks(X, v[4]);
    if (v[5]) load_repeat(X, v[5]);
}

static char *default_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base  = slash ? slash + 1 : path;
    size_t len        = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        len -= 5;
    else if (len > 4 && strcmp(base + len - 4, ".yml") == 0)
        len -= 4;
    char *n = xstrndup(base, len);
    for (char *p = n; *p; p++)
        if (!good_name((char[]){*p, 0})) *p = '_';
    if (!*n || strlen(n) > 64) {
        free(n);
        n = xstrdup("experiment");
    }
    return n;
}

int experiment_parse(const char *text, size_t len, const char *path, experiment *ex, mp_err *err)
{
    memset(ex, 0, sizeof *ex);
    ex->path = xstrdup(path);
    char rp[PATH_MAX];
    char *dcopy = xstrdup(path);
    ex->base    = xstrdup(realpath(dirname(dcopy), rp) ? rp : ".");
    free(dcopy);
    ex->rule = ex_default_rule();
    mp_sha256_hex(text ? text : "", len, ex->sha256);
    xl X = {0};
    X.ex = ex;
    if (yd_parse(&X.y, path, text ? text : "", len, err) != 0) {
        experiment_free(ex);
        return -1;
    }
    yaml_node_t *root = yd_root(&X.y);
    if (!root)
        yd_err(&X.y, 1, 1, "empty experiment (expected a mapping with runtimes and benchmarks)");
    else
        load_root(&X, root);
    yd_free(&X.y);
    if (X.y.have_err) {
        if (err) *err = X.y.err;
        experiment_free(ex);
        return -1;
    }
    if (!ex->name) ex->name = default_name(path);
    if (!ex->nconfigs) {
        if (ex->manifest) {
            mp_fail(err, "%s: the manifest %s has no configurations to run", path, ex->manifest);
            experiment_free(ex);
            return -1;
        }
        ex->configs       = xcalloc(1, sizeof *ex->configs);
        ex->configs[0].id = xstrdup("default");
        ex->nconfigs      = 1;
    }
    return 0;
}

int experiment_load(const char *path, experiment *ex, mp_err *err)
{
    sb text = {0};
    if (yd_read_file(path, &text, err) != 0) {
        sb_free(&text);
        memset(ex, 0, sizeof *ex);
        return -1;
    }
    int rc = experiment_parse(sb_str(&text), text.len, path, ex, err);
    sb_free(&text);
    return rc;
}
