#include "experiment/provenance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "experiment/placeholder.h"
#include "experiment/proc.h"
#include "util/mem.h"
#include "util/sb.h"
#include "util/sha256.h"

static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void ex_host_probe(ex_host *h)
{
    memset(h, 0, sizeof *h);
    if (gethostname(h->hostname, sizeof h->hostname - 1) != 0)
        copy_str(h->hostname, sizeof h->hostname, "unknown");
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(h->kernel, sizeof h->kernel, "%s %s %s", u.sysname, u.release, u.version);
        copy_str(h->machine, sizeof h->machine, u.machine);
    }
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) != 0) continue;
            const char *colon = strchr(line, ':');
            if (!colon) continue;
            colon++;
            while (*colon == ' ' || *colon == '\t')
                colon++;
            copy_str(h->cpu_model, sizeof h->cpu_model, colon);
            h->cpu_model[strcspn(h->cpu_model, "\n")] = '\0';
            break;
        }
        fclose(f);
    }
    if (!h->cpu_model[0]) copy_str(h->cpu_model, sizeof h->cpu_model, "unknown");
    h->cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

/* ---- the interpreter ------------------------------------------------------------------------- */

static char *resolve_exe(const char *name)
{
    char buf[PATH_MAX];
    if (strchr(name, '/')) return realpath(name, buf) ? xstrdup(buf) : NULL;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        sb cand    = {0};
        sb_add(&cand, path, len ? len : 1);
        if (!len) sb_reset(&cand), sb_adds(&cand, ".");
        sb_addf(&cand, "/%s", name);
        char *found = NULL;
        if (access(sb_str(&cand), X_OK) == 0 && realpath(sb_str(&cand), buf)) found = xstrdup(buf);
        sb_free(&cand);
        if (found) return found;
        path += len;
        if (*path == ':') path++;
    }
    return NULL;
}

int ex_runtime_probe(const experiment *ex, const ex_runtime *rt, ex_runtime_info *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->path = resolve_exe(rt->argv[0]);
    if (!out->path)
        return mp_fail(err, "runtime %s: cannot find the executable '%s'", rt->name, rt->argv[0]);
    ph_vars v                  = {0};
    v.python                   = (const char *const *)rt->argv;
    v.npython                  = rt->argc;
    v.value[PH_RUNTIME]        = rt->name;
    v.value[PH_EXPERIMENT_DIR] = ex->base;
    sb cmd                     = {0};
    if (rt->version) {
        ph_expand(rt->version, &v, PH_SHELL, &cmd, NULL);
    } else {
        ph_expand("{python}", &v, PH_SHELL, &cmd, NULL);
        sb_adds(&cmd, " -c 'import platform, sys; "
                      "print(platform.python_implementation(), *sys.version.split())'");
    }
    /* The runtime's environment applies (it may select a library path or a JIT mode), without the
     * per-configuration values, which a version cannot depend on. */
    const char **env = xcalloc(rt->nenv + 1, sizeof *env);
    char **owned     = xcalloc(rt->nenv + 1, sizeof *owned);
    size_t k         = 0;
    for (size_t i = 0; i < rt->nenv; i++) {
        sb e = {0};
        sb_addf(&e, "%s=", rt->env[i].name);
        if (ph_expand(rt->env[i].value, &v, PH_RAW, &e, NULL) != 0) {
            sb_free(&e);
            continue; /* uses a per-configuration value: not needed for the version */
        }
        owned[k] = sb_detach(&e);
        env[k]   = owned[k];
        k++;
    }
    proc_spec spec = {sb_str(&cmd), ex->base, env, 60, 64 * 1024, 0};
    proc_result res;
    int rc = proc_run(&spec, &res, err);
    for (size_t i = 0; i < k; i++)
        free(owned[i]);
    free(owned);
    free(env);
    if (rc != 0) {
        mp_fail_wrap(err, "runtime %s: version probe", rt->name);
        sb_free(&cmd);
        ex_runtime_info_free(out);
        return -1;
    }
    const char *text = sb_str(&res.out);
    size_t len       = strcspn(text, "\n");
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    if (res.timed_out || res.signaled || res.exit_code != 0 || len == 0) {
        char *tail = proc_last_line(&res.err);
        mp_fail(err, "runtime %s: the version probe `%s` %s%s%s", rt->name, sb_str(&cmd),
                res.timed_out                    ? "timed out"
                : res.signaled                   ? "was killed by a signal"
                : len == 0 && res.exit_code == 0 ? "printed nothing"
                                                 : "failed",
                *tail ? ": " : "", tail);
        free(tail);
        proc_result_free(&res);
        sb_free(&cmd);
        ex_runtime_info_free(out);
        return -1;
    }
    out->version = xstrndup(text, len);
    proc_result_free(&res);
    sb_free(&cmd);
    return 0;
}

void ex_runtime_info_free(ex_runtime_info *ri)
{
    free(ri->path);
    free(ri->version);
    memset(ri, 0, sizeof *ri);
}

/* ---- hashes ---------------------------------------------------------------------------------- */

static int by_path(const void *a, const void *b)
{
    return strcmp(((const ex_file *)a)->path, ((const ex_file *)b)->path);
}

void ex_files_digest(ex_file *files, size_t n, char hex[65])
{
    if (n) qsort(files, n, sizeof *files, by_path);
    sb text = {0};
    for (size_t i = 0; i < n; i++)
        sb_addf(&text, "%s  %s\n", files[i].sha256, files[i].path);
    mp_sha256_hex(text.buf ? text.buf : "", text.len, hex);
    sb_free(&text);
}

void ex_files_free(ex_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i].path);
    free(files);
}

typedef struct scan {
    ex_file *files;
    size_t n, cap;
} scan;

static int walk(const char *root, const char *rel, scan *s, int depth, mp_err *err)
{
    if (depth > 64) return mp_fail(err, "%s/%s: directories nested too deeply", root, rel);
    sb dirpath = {0};
    sb_adds(&dirpath, root);
    if (*rel) sb_addf(&dirpath, "/%s", rel);
    DIR *d = opendir(sb_str(&dirpath));
    if (!d) {
        int rc = mp_fail(err, "%s: %s", sb_str(&dirpath), strerror(errno));
        sb_free(&dirpath);
        return rc;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "__pycache__") == 0 ||
            strcmp(e->d_name, "node_modules") == 0)
            continue;
        sb child = {0}, full = {0};
        if (*rel) sb_addf(&child, "%s/", rel);
        sb_adds(&child, e->d_name);
        sb_addf(&full, "%s/%s", root, sb_str(&child));
        struct stat st;
        if (stat(sb_str(&full), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                rc = walk(root, sb_str(&child), s, depth + 1, err);
            } else if (S_ISREG(st.st_mode)) {
                size_t nl = strlen(e->d_name);
                if (nl > 3 && strcmp(e->d_name + nl - 3, ".py") == 0) {
                    XGROW(s->files, s->n + 1, s->cap);
                    ex_file *f = &s->files[s->n];
                    if (mp_sha256_file(sb_str(&full), f->sha256, err) == 0) {
                        f->path = sb_detach(&child);
                        s->n++;
                    } else {
                        rc = -1;
                    }
                }
            }
        }
        sb_free(&child);
        sb_free(&full);
    }
    closedir(d);
    sb_free(&dirpath);
    return rc;
}

int ex_scan_py_files(const char *dir, ex_file **files, size_t *n, mp_err *err)
{
    scan s = {0};
    if (walk(dir, "", &s, 0, err) != 0) {
        ex_files_free(s.files, s.n);
        return -1;
    }
    if (s.n) qsort(s.files, s.n, sizeof *s.files, by_path);
    *files = s.files;
    *n     = s.n;
    return 0;
}
