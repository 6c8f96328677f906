/* The run loop: read what the results file already holds, plan the next round, run it cell by
 * cell, append each run the moment it ends, repeat until every cell has stopped. */
#include "experiment/runner.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/exec.h"
#include "experiment/proc.h"
#include "experiment/provenance.h"
#include "experiment/results.h"
#include "experiment/srvprof.h"
#include "experiment/runline.h"
#include "experiment/stoprule.h"
#include "scenario/scenario.h"
#include "stats/ci.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/rng.h"
#include "util/sha256.h"

#define SEED_MASK ((1ull << 53) - 1)
#define EX_MAX_LISTED_FILES 100

/* The files of one configuration source directory, hashed once per process. */
typedef struct files_entry {
    char *dir;
    ex_file *files;
    size_t n;
    char digest[65];
    const char **paths; /* for {files} */
} files_entry;

/* A runtime's build of one configuration source directory. */
typedef struct build_entry {
    size_t rt;
    char *src;
    char *dir;   /* the built copy */
    int state;   /* 1 built, -1 failed (in this process), 0 not tried */
    sb msg;      /* why it failed */
    char *tail;  /* the build's last output */
    double secs; /* how long it took (0 when reused from the cache) */
} build_entry;

typedef struct cell_state {
    plan_run *runs;
    size_t n, cap;
    long next_index;
    long warm, measured, ok, failed;
    double spent;
    double sum, sumsq; /* of the ok measured values */
    enum plan_state state;
    double hw; /* relative half-width of the stop rule's interval */
} cell_state;

typedef struct runner {
    const experiment *ex;
    const ex_run_opts *o;
    results res;
    uint64_t seed;
    ex_host host;
    ex_runtime_info *rinfo;
    int *rprobed;
    scenario **scen; /* per benchmark (server ones used by this shard) */
    files_entry *fe;
    size_t nfe, cap_fe;
    build_entry *be;
    size_t nbe, cap_be;
    plan_run *runs; /* every run of this experiment's cells, in file order */
    size_t nruns, cap_runs;
    cell_state *cs; /* per cell of the experiment */
    size_t *cells;  /* this shard's cells */
    size_t ncells;
    char *work, *tmp;
    char shard[48];
    long runs_this_process;
    int tty;
} runner;

/* ---- small helpers --------------------------------------------------------------------------- */

static int mkdir_p(const char *path, mp_err *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return mp_fail(err, "%s: path too long", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return mp_fail(err, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return mp_fail(err, "cannot create %s: %s", buf, strerror(errno));
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void fmt_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s)) {
        snprintf(buf, size, "?");
    } else if (s < 60) {
        snprintf(buf, size, "%.0fs", s);
    } else if (s < 3600) {
        snprintf(buf, size, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
    } else {
        snprintf(buf, size, "%.0fh%02.0fm", floor(s / 3600), floor(fmod(s, 3600) / 60));
    }
}

/* ---- per-cell bookkeeping -------------------------------------------------------------------- */

static void cell_add(runner *R, const plan_run *pr)
{
    cell_state *c = &R->cs[pr->cell];
    XGROW(c->runs, c->n + 1, c->cap);
    c->runs[c->n++] = *pr;
    if (pr->index + 1 > c->next_index) c->next_index = pr->index + 1;
    c->spent += pr->duration_s;
    if (pr->warmup) {
        c->warm++;
    } else {
        c->measured++;
        if (pr->ok) {
            c->ok++;
            c->sum += pr->value;
            c->sumsq += pr->value * pr->value;
        } else {
            c->failed++;
        }
    }
    c->state = plan_cell_state(&R->ex->rule, c->runs, c->n, ex_rule_halfwidth, &R->seed, &c->hw);
    XGROW(R->runs, R->nruns + 1, R->cap_runs);
    R->runs[R->nruns++] = *pr;
}

/* Estimated runs still to come for a cell: its warm-ups, then until the t interval is expected to
 * reach the target (mp_t_sample_size on the CV so far), within its max_runs. */
static double cell_remaining(const runner *R, const cell_state *c)
{
    const plan_rule *r = &R->ex->rule;
    if (c->state != CELL_ACTIVE) return 0;
    double left = c->warm < r->warmup_runs ? (double)(r->warmup_runs - c->warm) : 0;
    long need   = r->min_runs;
    if (c->ok >= 2) {
        double mean = c->sum / (double)c->ok;
        double var  = (c->sumsq - (double)c->ok * mean * mean) / (double)(c->ok - 1);
        double cv   = mean != 0 && var > 0 ? sqrt(var) / fabs(mean) : 0;
        size_t n;
        if (cv > 0 && mp_t_sample_size(cv, r->target, r->confidence, &n, NULL) == 0) {
            if ((long)n > need) need = (long)n;
        } else if (cv > 0) {
            need = r->max_runs;
        }
    }
    long meas = need - c->ok;
    if (meas < 1) meas = 1;
    if (meas > r->max_runs - c->measured) meas = r->max_runs - c->measured;
    return left + (double)(meas > 0 ? meas : 0);
}

/* ---- configuration files and builds ---------------------------------------------------------- */

static files_entry *files_for(runner *R, const ex_config *cf, const char *src, mp_err *err)
{
    for (size_t i = 0; i < R->nfe; i++)
        if (strcmp(R->fe[i].dir, src) == 0) return &R->fe[i];
    files_entry f = {0};
    if (cf->dir) {
        /* From the manifest: check that the files on disk are still the ones it lists. */
        f.n     = cf->nfiles;
        f.files = xcalloc(f.n ? f.n : 1, sizeof *f.files);
        for (size_t i = 0; i < f.n; i++) {
            f.files[i].path = xstrdup(cf->files[i].path);
            char *p         = ex_path_under(src, cf->files[i].path);
            char hex[65];
            int rc = mp_sha256_file(p, hex, err);
            free(p);
            if (rc == 0 && strcmp(hex, cf->files[i].sha256) != 0)
                rc = mp_fail(err,
                             "configuration %s: %s/%s changed since the manifest was written "
                             "(sha256 %s, manifest %s)",
                             cf->id, src, cf->files[i].path, hex, cf->files[i].sha256);
            if (rc != 0) {
                ex_files_free(f.files, i + 1);
                return NULL;
            }
            memcpy(f.files[i].sha256, hex, 65);
        }
    } else if (ex_scan_py_files(src, &f.files, &f.n, err) != 0) {
        return NULL;
    }
    ex_files_digest(f.files, f.n, f.digest);
    f.paths = xcalloc(f.n ? f.n : 1, sizeof *f.paths);
    for (size_t i = 0; i < f.n; i++)
        f.paths[i] = f.files[i].path;
    f.dir = xstrdup(src);
    XGROW(R->fe, R->nfe + 1, R->cap_fe);
    R->fe[R->nfe++] = f;
    return &R->fe[R->nfe - 1];
}

static void env_list(sb *store, size_t *offsets, size_t *n, const ex_kv *kv, size_t nkv,
                     const ph_vars *v)
{
    for (size_t i = 0; i < nkv; i++) {
        /* A later entry with the same name replaces an earlier one (benchmark over runtime). */
        size_t start = store->len;
        sb_addf(store, "%s=", kv[i].name);
        ph_expand(kv[i].value, v, PH_RAW, store, NULL);
        sb_addc(store, '\0');
        offsets[(*n)++] = start;
    }
}

/* NULL-terminated "NAME=value" pointers into store, later names winning. */
static const char **env_pointers(const sb *store, const size_t *offsets, size_t n)
{
    const char **env = xcalloc(n + 1, sizeof *env);
    size_t k         = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = store->buf + offsets[i];
        size_t nl     = strcspn(e, "=");
        int later     = 0;
        for (size_t j = i + 1; j < n && !later; j++)
            later = strncmp(store->buf + offsets[j], e, nl + 1) == 0;
        if (!later) env[k++] = e;
    }
    env[k] = NULL;
    return env;
}

/* Builds (or finds the cached build of) runtime rt for the configuration files in src. The cache
 * key covers the build command, the interpreter, and every file's hash, so a changed file or
 * command builds again. Returns the entry; state -1 means the build failed (a run records it). */
static build_entry *build_for(runner *R, size_t rt, const ex_config *cf, const files_entry *fe,
                              int *interrupted, mp_err *err)
{
    const ex_runtime *r = &R->ex->runtimes[rt];
    for (size_t i = 0; i < R->nbe; i++)
        if (R->be[i].rt == rt && strcmp(R->be[i].src, fe->dir) == 0) return &R->be[i];
    build_entry b = {0};
    b.rt          = rt;
    b.src         = xstrdup(fe->dir);
    sb key        = {0};
    sb_addf(&key, "mixperf build 1\nbuild %s\nexecutable %s\n", r->build,
            R->rinfo[rt].path ? R->rinfo[rt].path : r->argv[0]);
    for (size_t i = 0; i < r->argc; i++)
        sb_addf(&key, "arg %s\n", r->argv[i]);
    for (size_t i = 0; i < r->nenv; i++)
        sb_addf(&key, "env %s=%s\n", r->env[i].name, r->env[i].value);
    sb_addf(&key, "files %s\nsource %s\n", fe->digest, fe->dir);
    char hex[65];
    mp_sha256_hex(key.buf, key.len, hex);
    sb dir = {0};
    sb_addf(&dir, "%s/build/%s/%s-%.16s", R->work, r->name, cf->id, hex);
    b.dir     = sb_detach(&dir);
    sb marker = {0};
    sb_addf(&marker, "%s/.mixperf-build", b.dir);
    struct stat st;
    if (stat(sb_str(&marker), &st) == 0) {
        b.state = 1;
    } else {
        uint64_t t0 = mp_mono_ns();
        rm_rf(b.dir);
        if (mkdir_p(b.dir, err) != 0) {
            sb_free(&key);
            sb_free(&marker);
            free(b.src);
            free(b.dir);
            return NULL;
        }
        /* The build works on a copy, so the configuration's own directory (shared by every
         * runtime) is never changed by a compiler's output. */
        sb from = {0}, cmd = {0};
        sb_addf(&from, "%s/.", fe->dir);
        sb_adds(&cmd, "cp -R -p -- ");
        ph_shell_quote(&cmd, sb_str(&from));
        sb_addc(&cmd, ' ');
        ph_shell_quote(&cmd, b.dir);
        sb_free(&from);
        proc_spec cp = {sb_str(&cmd), NULL, NULL, r->build_timeout, 0, 1};
        proc_result pr;
        int rc = proc_run(&cp, &pr, err);
        if (rc == 0 && pr.cancelled) {
            *interrupted = 1;
        } else if (rc != 0 || pr.exit_code != 0 || pr.timed_out || pr.signaled) {
            b.state = -1;
            sb_addf(&b.msg, "cannot copy %s to %s for the build", fe->dir, b.dir);
            if (rc == 0) b.tail = proc_tail(&pr.err, 2000);
        }
        if (rc == 0) proc_result_free(&pr);
        sb_free(&cmd);
        if (!*interrupted && b.state == 0) {
            ph_vars v                  = {0};
            v.python                   = (const char *const *)r->argv;
            v.npython                  = r->argc;
            v.files                    = fe->paths;
            v.nfiles                   = fe->n;
            v.value[PH_RUNTIME]        = r->name;
            v.value[PH_CONFIG]         = cf->id;
            v.value[PH_CONFIG_DIR]     = b.dir;
            v.value[PH_DIR]            = b.dir;
            v.value[PH_EXPERIMENT_DIR] = R->ex->base;
            sb store                   = {0};
            size_t *offs               = xcalloc(r->nenv + 1, sizeof *offs);
            size_t ne                  = 0;
            env_list(&store, offs, &ne, r->env, r->nenv, &v);
            const char **env = env_pointers(&store, offs, ne);
            sb bcmd          = {0};
            ph_expand(r->build, &v, PH_SHELL, &bcmd, NULL);
            proc_spec bs = {sb_str(&bcmd), b.dir, env, r->build_timeout, 0, 1};
            rc           = proc_run(&bs, &pr, err);
            if (rc == 0 && pr.cancelled) {
                *interrupted = 1;
            } else if (rc != 0) {
                b.state = -1;
                sb_addf(&b.msg, "build `%s` could not start: %s", sb_str(&bcmd), err->msg);
            } else if (pr.timed_out || pr.signaled || pr.exit_code != 0) {
                b.state = -1;
                if (pr.timed_out)
                    sb_addf(&b.msg, "build `%s` timed out after %gs", sb_str(&bcmd),
                            r->build_timeout);
                else if (pr.signaled)
                    sb_addf(&b.msg, "build `%s` was killed by signal %d", sb_str(&bcmd),
                            pr.term_signal);
                else
                    sb_addf(&b.msg, "build `%s` failed with exit status %d", sb_str(&bcmd),
                            pr.exit_code);
                sb tail = {0};
                sb_add(&tail, pr.out.buf ? pr.out.buf : "", pr.out.len);
                sb_add(&tail, pr.err.buf ? pr.err.buf : "", pr.err.len);
                b.tail = proc_tail(&tail, 2000);
                sb_free(&tail);
            } else {
                b.state = 1;
                b.secs  = (double)(mp_mono_ns() - t0) / 1e9;
                FILE *f = fopen(sb_str(&marker), "w");
                if (f) {
                    fprintf(f, "%s", key.buf);
                    fclose(f);
                }
            }
            if (rc == 0) proc_result_free(&pr);
            sb_free(&bcmd);
            free(env);
            free(offs);
            sb_free(&store);
        }
    }
    sb_free(&key);
    sb_free(&marker);
    if (*interrupted) {
        free(b.src);
        free(b.dir);
        sb_free(&b.msg);
        free(b.tail);
        return NULL;
    }
    XGROW(R->be, R->nbe + 1, R->cap_be);
    R->be[R->nbe++] = b;
    return &R->be[R->nbe - 1];
}

/* ---- one run --------------------------------------------------------------------------------- */

/* The configuration's source directory for a cell: the manifest's, or the benchmark's dir (whose
 * placeholders are the cell's names). Caller frees. */
static char *cell_source(const runner *R, size_t cell)
{
    const experiment *ex = R->ex;
    size_t rt, bi, ci;
    ex_cell_parts(ex, cell, &rt, &bi, &ci);
    const ex_benchmark *b = &ex->benchmarks[bi];
    const ex_config *cf   = &ex->configs[ci];
    if (cf->dir) return xstrdup(cf->dir);
    ph_vars v                  = {0};
    v.value[PH_RUNTIME]        = ex->runtimes[rt].name;
    v.value[PH_BENCHMARK]      = b->name;
    v.value[PH_CONFIG]         = cf->id;
    v.value[PH_EXPERIMENT_DIR] = ex->base;
    sb d                       = {0};
    if (b->dir) ph_expand(b->dir, &v, PH_RAW, &d, NULL);
    char *src = ex_path_under(ex->base, b->dir ? sb_str(&d) : ".");
    sb_free(&d);
    char rp[PATH_MAX];
    if (realpath(src, rp)) {
        free(src);
        src = xstrdup(rp);
    }
    return src;
}

static json_t *provenance(runner *R, size_t rt, const ex_config *cf, const files_entry *fe,
                          const build_entry *be, const char *cwd)
{
    const ex_runtime *r = &R->ex->runtimes[rt];
    json_t *p           = json_object();
    json_object_set_new(p, "host", json_string(R->host.hostname));
    json_object_set_new(p, "kernel", ex_json_text(R->host.kernel, strlen(R->host.kernel)));
    json_object_set_new(p, "machine", json_string(R->host.machine));
    json_object_set_new(p, "cpu_model", ex_json_text(R->host.cpu_model, strlen(R->host.cpu_model)));
    json_object_set_new(p, "cpus", json_integer(R->host.cpus));
    json_t *argv = json_array();
    for (size_t i = 0; i < r->argc; i++)
        json_array_append_new(argv, ex_json_text(r->argv[i], strlen(r->argv[i])));
    json_object_set_new(p, "runtime_command", argv);
    json_object_set_new(p, "runtime_path",
                        ex_json_text(R->rinfo[rt].path, strlen(R->rinfo[rt].path)));
    json_object_set_new(p, "runtime_version",
                        ex_json_text(R->rinfo[rt].version, strlen(R->rinfo[rt].version)));
    json_object_set_new(p, "config_dir", ex_json_text(fe->dir, strlen(fe->dir)));
    json_object_set_new(p, "config_digest", json_string(fe->digest));
    json_object_set_new(p, "config_nfiles", json_integer((json_int_t)fe->n));
    /* Every file's hash, unless a "default" configuration is a whole tree (the digest still
     * covers it, and the lines stay short). */
    if (fe->n <= EX_MAX_LISTED_FILES || cf->dir) {
        json_t *files = json_object();
        for (size_t i = 0; i < fe->n; i++)
            json_object_set_new(files, fe->files[i].path, json_string(fe->files[i].sha256));
        json_object_set_new(p, "config_files", files);
    } else {
        json_object_set_new(p, "config_files", json_null());
    }
    json_object_set_new(p, "config_source", json_string(cf->dir ? "manifest" : "directory"));
    if (R->ex->manifest)
        json_object_set_new(p, "manifest", ex_json_text(R->ex->manifest, strlen(R->ex->manifest)));
    if (be) json_object_set_new(p, "build_dir", ex_json_text(be->dir, strlen(be->dir)));
    json_object_set_new(p, "cwd", ex_json_text(cwd, strlen(cwd)));
    json_object_set_new(p, "mixperf", json_string(MP_VERSION));
    json_object_set_new(p, "experiment_file", ex_json_text(R->ex->path, strlen(R->ex->path)));
    json_object_set_new(p, "experiment_sha256", json_string(R->ex->sha256));
    json_object_set_new(p, "shard", R->shard[0] ? json_string(R->shard) : json_null());
    return p;
}

/* Runs cell once and appends its line. *interrupted: a signal stopped it (nothing recorded). */
static int run_once(runner *R, size_t cell, long round, int *interrupted, mp_err *err)
{
    const experiment *ex = R->ex;
    size_t rt, bi, ci;
    ex_cell_parts(ex, cell, &rt, &bi, &ci);
    const ex_runtime *r   = &ex->runtimes[rt];
    const ex_benchmark *b = &ex->benchmarks[bi];
    const ex_config *cf   = &ex->configs[ci];
    cell_state *cs        = &R->cs[cell];
    long index            = cs->next_index;
    int warmup            = cs->warm < ex->rule.warmup_runs;

    char idx[32], rnd[32], portbuf[16];
    snprintf(idx, sizeof idx, "%ld", index);
    snprintf(rnd, sizeof rnd, "%ld", round);
    ph_vars v                  = {0};
    v.python                   = (const char *const *)r->argv;
    v.npython                  = r->argc;
    v.value[PH_RUNTIME]        = r->name;
    v.value[PH_BENCHMARK]      = b->name;
    v.value[PH_CONFIG]         = cf->id;
    v.value[PH_INDEX]          = idx;
    v.value[PH_ROUND]          = rnd;
    v.value[PH_EXPERIMENT_DIR] = ex->base;

    char *src       = cell_source(R, cell);
    files_entry *fe = files_for(R, cf, src, err);
    free(src);
    if (!fe) return -1;
    build_entry *be = NULL;
    if (r->build) {
        be = build_for(R, rt, cf, fe, interrupted, err);
        if (*interrupted) return 0;
        if (!be) return -1;
    }
    const char *cfg_dir    = be ? be->dir : fe->dir;
    v.value[PH_CONFIG_DIR] = cfg_dir;
    v.files                = fe->paths;
    v.nfiles               = fe->n;
    char *cwd;
    if (cf->dir && b->dir) {
        sb d = {0};
        ph_expand(b->dir, &v, PH_RAW, &d, NULL);
        cwd = ex_path_under(ex->base, sb_str(&d));
        sb_free(&d);
    } else {
        cwd = xstrdup(cfg_dir);
    }
    v.value[PH_DIR] = cwd;

    sb rd = {0};
    sb_addf(&rd, "%s/run-XXXXXX", R->tmp);
    char *run_dir = sb_detach(&rd);
    if (!mkdtemp(run_dir)) {
        int rc = mp_fail(err, "cannot create a run directory in %s: %s", R->tmp, strerror(errno));
        free(run_dir);
        free(cwd);
        return rc;
    }
    v.value[PH_RUN_DIR] = run_dir;
    if (b->kind == EX_SERVER) {
        int port = ex_free_port();
        snprintf(portbuf, sizeof portbuf, "%d", port);
        v.value[PH_PORT] = portbuf;
    }
    sb store     = {0};
    size_t *offs = xcalloc(r->nenv + b->nenv + 1, sizeof *offs);
    size_t ne    = 0;
    env_list(&store, offs, &ne, r->env, r->nenv, &v);
    env_list(&store, offs, &ne, b->env, b->nenv, &v);
    const char **env = env_pointers(&store, offs, ne);

    mp_rng lr;
    mp_rng_seed(&lr, R->seed, 0x6c6f616400000000ull ^ ((uint64_t)cell << 24) ^ (uint64_t)index);
    ex_exec x = {
        ex,   b,   r, &v, cwd, env, mp_rng_next(&lr) & SEED_MASK, R->scen ? R->scen[bi] : NULL,
        NULL, NULL};
    char *prof_path = NULL, *prof_rel = NULL;
    if (b->kind == EX_SERVER && b->profile &&
        ex_profile_paths(R->work, R->o->results, r->name, b->name, cf->id, index, &prof_path,
                         &prof_rel, err) != 0) {
        free(env);
        free(offs);
        sb_free(&store);
        rm_rf(run_dir);
        free(run_dir);
        free(cwd);
        return -1;
    }
    x.profile_path = prof_path;
    x.profile_rel  = prof_rel;
    ex_outcome out = {0};
    out.value      = NAN;
    uint64_t t0 = mp_mono_ns(), w0 = mp_wall_ns();
    if (be && be->state < 0) {
        out.metrics = json_object();
        ex_outcome_fail(&out, EX_FAILED, "build", "%s", sb_str(&be->msg));
        out.stderr_tail = be->tail ? xstrdup(be->tail) : NULL;
    } else if (b->kind == EX_SCRIPT) {
        ex_exec_script(&x, &out);
    } else {
        ex_exec_server(&x, &out);
    }
    uint64_t t1 = mp_mono_ns(), w1 = mp_wall_ns();
    free(prof_path);
    free(prof_rel);
    rm_rf(run_dir);
    free(run_dir);
    free(env);
    free(offs);
    sb_free(&store);
    if (out.interrupted) {
        *interrupted = 1;
        ex_outcome_free(&out);
        free(cwd);
        return 0;
    }

    char *key = ex_cell_key(ex, cell);
    char s0[32], s1[32];
    mp_iso8601(w0, s0);
    mp_iso8601(w1, s1);
    double dur   = (double)(t1 - t0) / 1e9;
    json_t *line = json_object();
    json_object_set_new(line, "schema", json_string(EX_SCHEMA));
    json_object_set_new(line, "experiment", json_string(ex->name));
    json_object_set_new(line, "cell", json_string(key));
    json_object_set_new(line, "runtime", json_string(r->name));
    json_object_set_new(line, "benchmark", json_string(b->name));
    json_object_set_new(line, "config", json_string(cf->id));
    json_object_set_new(line, "kind", json_string(b->kind == EX_SERVER ? "server" : "script"));
    json_object_set_new(line, "index", json_integer(index));
    json_object_set_new(line, "round", json_integer(round));
    json_object_set_new(line, "warmup", json_boolean(warmup));
    json_object_set_new(line, "status", json_string(ex_status_name(out.status)));
    json_object_set_new(line, "metric", json_string(ex_metric_get(b->metric)->name));
    json_object_set_new(line, "unit", json_string(ex_metric_get(b->metric)->unit));
    json_object_set_new(line, "value", out.status == EX_OK ? ex_json_num(out.value) : json_null());
    json_object_set_new(line, "metrics", json_incref(out.metrics));
    if (out.status != EX_OK) {
        json_object_set_new(line, "phase", json_string(out.phase ? out.phase : "run"));
        json_object_set_new(line, "message",
                            ex_json_text(out.message.buf ? out.message.buf : "", out.message.len));
        json_object_set_new(line, "stderr_tail",
                            out.stderr_tail ? ex_json_text(out.stderr_tail, strlen(out.stderr_tail))
                                            : json_null());
        if (out.stdout_tail)
            json_object_set_new(line, "stdout_tail",
                                ex_json_text(out.stdout_tail, strlen(out.stdout_tail)));
    }
    if (out.extra) json_object_update(line, out.extra);
    if (out.command)
        json_object_set_new(line, "command", ex_json_text(out.command, strlen(out.command)));
    json_object_set_new(line, "start", json_string(s0));
    json_object_set_new(line, "end", json_string(s1));
    json_object_set_new(line, "duration_s", json_real(dur));
    json_object_set_new(line, "seed", json_integer((json_int_t)R->seed));
    if (b->kind == EX_SERVER)
        json_object_set_new(line, "load_seed", json_integer((json_int_t)x.load_seed));
    json_object_set_new(line, "rule", ex_rule_json(&ex->rule));
    json_object_set_new(line, "provenance", provenance(R, rt, cf, fe, be, cwd));
    free(cwd);
    int rc = results_append(&R->res, line, err);
    json_decref(line);
    if (rc != 0) {
        free(key);
        ex_outcome_free(&out);
        return -1;
    }
    plan_run pr = {cell,
                   index,
                   round,
                   warmup,
                   out.status == EX_OK && isfinite(out.value),
                   out.status == EX_OK ? out.value : NAN,
                   dur};
    cell_add(R, &pr);
    R->runs_this_process++;

    if (!R->o->quiet) {
        size_t done = 0, left = 0;
        long total = 0, failed = 0;
        double eta = 0, mean_all = 0;
        long nall = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cell_state *c = &R->cs[R->cells[i]];
            total += (long)c->n;
            failed += c->failed;
            mean_all += c->spent;
            nall += (long)c->n;
        }
        mean_all = nall ? mean_all / (double)nall : 0;
        for (size_t i = 0; i < R->ncells; i++) {
            const cell_state *c = &R->cs[R->cells[i]];
            if (c->state != CELL_ACTIVE) {
                done++;
                continue;
            }
            left++;
            double per = c->n ? c->spent / (double)c->n : mean_all;
            double t   = cell_remaining(R, c) * per;
            if (ex->rule.max_time_s > 0 && t > ex->rule.max_time_s - c->spent)
                t = ex->rule.max_time_s - c->spent;
            eta += t > 0 ? t : 0;
        }
        char etab[32], hwb[48];
        fmt_duration(etab, sizeof etab, eta);
        if (isfinite(cs->hw))
            snprintf(hwb, sizeof hwb, "+-%.2f%%", cs->hw * 100);
        else
            snprintf(hwb, sizeof hwb, "+-inf");
        const ex_metric_info *mi = ex_metric_get(b->metric);
        char val[64];
        if (out.status == EX_OK)
            snprintf(val, sizeof val, "%s %.6g%s%s", mi->name, out.value, *mi->unit ? " " : "",
                     mi->unit);
        else
            snprintf(val, sizeof val, "%s", ex_status_name(out.status));
        fprintf(R->o->progress,
                "%sround %ld | cells %zu done, %zu left | %ld runs (%ld failed) | %s #%ld%s: %s, "
                "CI %s (target +-%.2f%%)%s%s | ETA %s%s",
                R->tty ? "\r\033[K" : "", round, done, left, total, failed, key, index,
                warmup ? " (warm-up)" : "", val, hwb, ex->rule.target * 100,
                cs->state != CELL_ACTIVE ? ", " : "",
                cs->state != CELL_ACTIVE ? plan_state_name(cs->state) : "", etab,
                R->tty ? "" : "\n");
        fflush(R->o->progress);
    }
    free(key);
    ex_outcome_free(&out);
    return 0;
}

/* ---- setting up ------------------------------------------------------------------------------ */

/* Reads the results file's lines into the plan; checks they belong to this experiment. */
static int load_existing(runner *R, mp_err *err)
{
    const experiment *ex = R->ex;
    long ignored         = 0;
    int have_seed        = 0;
    for (size_t i = 0; i < R->res.n; i++) {
        ex_line l;
        if (ex_line_parse(R->res.lines[i], &l, err) != 0)
            return mp_fail_wrap(err, "%s:%zu", R->o->results, i + 1);
        if (strcmp(l.experiment, ex->name) != 0)
            return mp_fail(err,
                           "%s:%zu: a run of experiment '%s', but this experiment is '%s' "
                           "(expected a results file of this experiment, or a new one)",
                           R->o->results, i + 1, l.experiment, ex->name);
        if (!have_seed) {
            if (ex->has_seed && l.seed != ex->seed)
                return mp_fail(err,
                               "%s:%zu: the runs were planned with seed %" PRIu64
                               ", but the experiment says seed %" PRIu64
                               " (expected the same seed to resume; remove `seed` to take the "
                               "file's)",
                               R->o->results, i + 1, l.seed, ex->seed);
            R->seed   = l.seed;
            have_seed = 1;
        } else if (l.seed != R->seed) {
            return mp_fail(err,
                           "%s:%zu: seed %" PRIu64 " differs from the file's first seed %" PRIu64
                           " (expected one experiment per results file)",
                           R->o->results, i + 1, l.seed, R->seed);
        }
        long cell = ex_cell_find(ex, l.runtime, l.benchmark, l.config);
        if (cell < 0) {
            ignored++;
            continue;
        }
        const cell_state *c = &R->cs[cell];
        for (size_t k = 0; k < c->n; k++)
            if (c->runs[k].index == l.index)
                return mp_fail(err,
                               "%s:%zu: run %ld of %s/%s/%s is recorded twice (expected each run "
                               "once; was a file appended to another?)",
                               R->o->results, i + 1, l.index, l.runtime, l.benchmark, l.config);
        plan_run pr = ex_line_plan_run(&l, (size_t)cell);
        cell_add(R, &pr);
    }
    if (!have_seed) R->seed = ex->has_seed ? ex->seed : (mp_seed_from_os() & SEED_MASK);
    if (ignored)
        fprintf(R->o->progress,
                "mixperf run: %ld lines of %s are for cells this experiment no longer has; they "
                "are kept and ignored\n",
                ignored, R->o->results);
    return 0;
}

/* Returns MP_EXIT_OK, MP_EXIT_USAGE (the results file is not this experiment's) or
 * MP_EXIT_RUNTIME. */
static int prepare(runner *R, mp_err *err)
{
    const experiment *ex = R->ex;
    size_t n             = ex_ncells(ex);
    R->cs                = xcalloc(n ? n : 1, sizeof *R->cs);
    for (size_t i = 0; i < n; i++)
        R->cs[i].hw = INFINITY;
    R->cells = xcalloc(n ? n : 1, sizeof *R->cells);
    if (R->o->shard_n > 0) {
        R->ncells = plan_shard(n, R->o->shard_i, R->o->shard_n, R->cells);
        snprintf(R->shard, sizeof R->shard, "%ld/%ld", R->o->shard_i, R->o->shard_n);
    } else {
        for (size_t i = 0; i < n; i++)
            R->cells[i] = i;
        R->ncells = n;
    }
    if (R->o->configs) {
        for (size_t k = 0; k < R->o->nconfigs; k++) {
            size_t c = 0;
            while (c < ex->nconfigs && strcmp(ex->configs[c].id, R->o->configs[k]) != 0)
                c++;
            if (c == ex->nconfigs) {
                mp_fail(err,
                        "--configs: the experiment has no configuration '%s' (expected ids of "
                        "its manifest%s)",
                        R->o->configs[k], ex->manifest ? "" : ", or 'default'");
                return MP_EXIT_USAGE;
            }
        }
        size_t kept = 0;
        for (size_t i = 0; i < R->ncells; i++) {
            size_t rt, bi, ci, k = 0;
            ex_cell_parts(ex, R->cells[i], &rt, &bi, &ci);
            while (k < R->o->nconfigs && strcmp(ex->configs[ci].id, R->o->configs[k]) != 0)
                k++;
            if (k < R->o->nconfigs) R->cells[kept++] = R->cells[i];
        }
        R->ncells = kept;
    }
    if (results_open(&R->res, R->o->results, err) != 0) return MP_EXIT_RUNTIME;
    if (R->res.repaired)
        fprintf(R->o->progress,
                "mixperf run: %s ended in a torn line (a run cut off by a crash); it was removed "
                "and that run will be made again\n",
                R->o->results);
    if (load_existing(R, err) != 0) return MP_EXIT_USAGE;

    /* Absolute: commands run in other directories and get {run_dir} and {config_dir}. */
    sb t = {0};
    sb_addf(&t, "%s/tmp", R->o->work_dir);
    if (mkdir_p(sb_str(&t), err) != 0) {
        sb_free(&t);
        return MP_EXIT_RUNTIME;
    }
    sb_free(&t);
    char rp[PATH_MAX];
    if (!realpath(R->o->work_dir, rp)) {
        mp_fail(err, "%s: %s", R->o->work_dir, strerror(errno));
        return MP_EXIT_RUNTIME;
    }
    R->work = xstrdup(rp);
    sb_addf(&t, "%s/tmp", R->work);
    R->tmp = sb_detach(&t);

    ex_host_probe(&R->host);
    /* Probe only the runtimes and load only the scenarios this shard uses. */
    R->rinfo   = xcalloc(ex->nruntimes, sizeof *R->rinfo);
    R->rprobed = xcalloc(ex->nruntimes, sizeof *R->rprobed);
    R->scen    = xcalloc(ex->nbenchmarks, sizeof *R->scen);
    for (size_t i = 0; i < R->ncells; i++) {
        size_t rt, bi, ci;
        ex_cell_parts(ex, R->cells[i], &rt, &bi, &ci);
        if (!R->rprobed[rt]) {
            if (ex_runtime_probe(ex, &ex->runtimes[rt], &R->rinfo[rt], err) != 0)
                return MP_EXIT_RUNTIME;
            R->rprobed[rt] = 1;
        }
        const ex_benchmark *b = &ex->benchmarks[bi];
        if (b->kind == EX_SERVER && !R->scen[bi]) {
            R->scen[bi] = scenario_load(b->scenario, err);
            if (!R->scen[bi]) return MP_EXIT_USAGE; /* the scenario's own file:line:col */
        }
    }
    /* Every configuration's files are hashed (and checked against the manifest) before the first
     * run, so a changed file stops the experiment before anything is measured. */
    for (size_t i = 0; i < R->ncells; i++) {
        size_t rt, bi, ci;
        ex_cell_parts(ex, R->cells[i], &rt, &bi, &ci);
        char *src            = cell_source(R, R->cells[i]);
        const files_entry *f = files_for(R, &ex->configs[ci], src, err);
        free(src);
        if (!f) return MP_EXIT_RUNTIME;
    }
    R->tty = isatty(fileno(R->o->progress));
    return MP_EXIT_OK;
}

static void cleanup(runner *R)
{
    const experiment *ex = R->ex;
    results_close(&R->res);
    for (size_t i = 0; i < R->nfe; i++) {
        ex_files_free(R->fe[i].files, R->fe[i].n);
        free(R->fe[i].dir);
        free(R->fe[i].paths);
    }
    free(R->fe);
    for (size_t i = 0; i < R->nbe; i++) {
        free(R->be[i].src);
        free(R->be[i].dir);
        sb_free(&R->be[i].msg);
        free(R->be[i].tail);
    }
    free(R->be);
    if (R->rinfo)
        for (size_t i = 0; i < ex->nruntimes; i++)
            ex_runtime_info_free(&R->rinfo[i]);
    free(R->rinfo);
    free(R->rprobed);
    if (R->scen)
        for (size_t i = 0; i < ex->nbenchmarks; i++)
            scenario_free(R->scen[i]);
    free(R->scen);
    if (R->cs)
        for (size_t i = 0; i < ex_ncells(ex); i++)
            free(R->cs[i].runs);
    free(R->cs);
    free(R->cells);
    free(R->runs);
    if (R->tmp) rmdir(R->tmp);
    free(R->tmp);
    free(R->work);
}

int ex_run(const experiment *ex, const ex_run_opts *o, mp_err *err)
{
    runner R = {0};
    R.ex     = ex;
    R.o      = o;
    proc_block_stop_signals();
    if (proc_become_subreaper(err) != 0) return MP_EXIT_RUNTIME;
    if (o->shard_n > 0 && !ex->has_seed) {
        mp_fail(err,
                "%s: a sharded run needs `seed:` in the experiment file, so that every shard and "
                "every resume plans with the same seed",
                ex->path);
        return MP_EXIT_USAGE;
    }
    int status = prepare(&R, err);
    if (status != MP_EXIT_OK) {
        cleanup(&R);
        return status;
    }
    size_t *next = xcalloc(R.ncells ? R.ncells : 1, sizeof *next);
    for (;;) {
        if (proc_stop_requested()) {
            status = MP_EXIT_INTERRUPTED;
            break;
        }
        long round;
        size_t k = plan_next(&ex->rule, R.cells, R.ncells, R.runs, R.nruns, R.seed,
                             ex_rule_halfwidth, &R.seed, &round, next);
        if (k == 0) break;
        /* The round's order is fixed when it starts (plan.h), so running the whole list is the
         * same as re-planning after every run; a resume re-plans and skips what is done. */
        for (size_t i = 0; i < k && status == MP_EXIT_OK; i++) {
            int interrupted = 0;
            if (proc_stop_requested())
                status = MP_EXIT_INTERRUPTED;
            else if (run_once(&R, next[i], round, &interrupted, err) != 0)
                status = MP_EXIT_RUNTIME;
            else if (interrupted)
                status = MP_EXIT_INTERRUPTED;
        }
        if (status != MP_EXIT_OK) break;
    }
    if (!o->quiet && R.tty && R.runs_this_process) fputc('\n', o->progress);
    if (status == MP_EXIT_INTERRUPTED)
        fprintf(o->progress,
                "mixperf run: interrupted; the current run was stopped and not recorded. Run the "
                "same command again to continue.\n");
    free(next);
    cleanup(&R);
    return status;
}
