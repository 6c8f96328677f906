/* Materialization: manifest.json and one directory per configuration. The manifest is written
 * first (the plan, so a runner sees the sample before anything runs), each configuration is built
 * in a temporary directory and renamed into place, and the manifest is rewritten at the end with
 * the hash of every generated file. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix/fs.h"
#include "mix/mix.h"
#include "util/mem.h"
#include "util/sha256.h"

#define MIX_SCHEMA "mixperf.mix/1"
#define MIX_TMP_PREFIX ".mix-tmp-"

struct written {
    int done;
    size_t n;
    char **paths;
    char (*sha)[65];
};

/* Paths in the manifest are absolute, so it can be read from anywhere. */
static json_t *abs_path(const char *path)
{
    if (!path) return json_null();
    char *r   = realpath(path, NULL);
    json_t *j = json_string(r ? r : path);
    free(r);
    return j;
}

static json_t *inputs_json(const struct mix_program *p)
{
    json_t *in = json_object();
    json_object_set_new(in, "mode", json_string(p->package_mode ? "package" : "directory"));
    json_object_set_new(in, "dir", abs_path(p->dir));
    json_object_set_new(in, "site", abs_path(p->site));
    json_t *vs = json_array();
    for (size_t v = 0; v < p->nvariants; v++) {
        int installed = p->installed_variant && strcmp(p->installed_variant, p->variants[v]) == 0;
        json_array_append_new(vs, json_pack("{s:s, s:I, s:s}", "name", p->variants[v], "index",
                                            (json_int_t)v, "source",
                                            installed ? "installed" : "directory"));
    }
    json_object_set_new(in, "variants", vs);
    json_object_set_new(in, "variant_order",
                        json_string(p->variants_explicit ? "explicit" : "default"));
    json_t *files = json_array();
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct mix_file *f = &p->files[i];
        json_t *jf               = json_object();
        json_object_set_new(jf, "path", json_string(f->path));
        json_object_set_new(jf, "module", json_boolean(f->is_module));
        json_t *per = json_object();
        for (size_t v = 0; v < p->nvariants; v++) {
            if (!f->source[v]) continue;
            json_object_set_new(per, p->variants[v],
                                json_pack("{s:o, s:s, s:I}", "file", abs_path(f->source[v]),
                                          "sha256", f->sha256[v], "bytes", (json_int_t)f->len[v]));
        }
        json_object_set_new(jf, "variants", per);
        if (f->installed)
            json_object_set_new(jf, "installed",
                                json_pack("{s:o, s:s}", "file", abs_path(f->installed), "sha256",
                                          f->installed_sha256));
        json_array_append_new(files, jf);
    }
    json_object_set_new(in, "files", files);
    return in;
}

static json_t *units_json(const struct mix_program *p)
{
    json_t *u = json_object();
    json_object_set_new(u, "granularity", json_string(mix_granularity_name(p->granularity)));
    json_object_set_new(u, "granularity_source",
                        json_string(p->granularity_detected ? "detected" : "explicit"));
    json_object_set_new(u, "shallow_markers",
                        json_string(p->shallow == MIX_SHALLOW_SPLIT ? "split" : "ignore"));
    json_object_set_new(u, "header_from", json_string(p->variants[p->header]));
    json_object_set_new(u, "order",
                        json_string("files in bytewise order of their relative path, "
                                    "then position in the file; digit i of an id is "
                                    "the variant index of unit i"));
    json_t *list = json_array();
    for (size_t i = 0; i < p->nunits; i++) {
        const struct mix_unit *un = &p->units[i];
        const struct mix_file *f  = &p->files[un->file];
        json_t *lines             = json_object();
        for (size_t v = 0; v < p->nvariants; v++) {
            const struct mix_unit_span *s = &f->sp[v].units[un->local];
            json_object_set_new(
                lines, p->variants[v],
                json_pack("[I, I]", (json_int_t)s->line_first, (json_int_t)s->line_last));
        }
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "index", (json_int_t)i, "name",
                            un->name, "kind", mix_kind_name(un->kind), "file", f->path, "lines",
                            lines, "untyped_chars", (json_int_t)un->untyped_chars));
    }
    json_object_set_new(u, "list", list);
    return u;
}

static json_t *lattice_json(const struct mix_program *p, const struct mix_plan *plan)
{
    json_t *l = json_object();
    json_object_set_new(l, "variants", json_integer((json_int_t)p->nvariants));
    json_object_set_new(l, "units", json_integer((json_int_t)p->nunits));
    if (plan->size_exact && plan->size <= (uint64_t)INT64_MAX)
        json_object_set_new(l, "size", json_integer((json_int_t)plan->size));
    else
        json_object_set_new(l, "size", json_null());
    json_object_set_new(l, "size_log10",
                        json_real((double)p->nunits * log10((double)p->nvariants)));
    json_object_set_new(l, "max", json_integer((json_int_t)plan->max));
    json_object_set_new(l, "enumerated", json_boolean(plan->enumerated));
    json_object_set_new(l, "configurations", json_integer((json_int_t)plan->nconfigs));
    return l;
}

static json_t *sampling_json(const struct mix_program *p, const struct mix_plan *plan)
{
    if (plan->enumerated) return json_null();
    json_t *s = json_object();
    json_object_set_new(s, "method", json_string("simple-random"));
    json_object_set_new(s, "reference", json_string("Greenman et al., JFP 2019; METHODS.md B.7"));
    json_object_set_new(s, "r", json_integer((json_int_t)plan->r));
    json_object_set_new(s, "s", json_integer((json_int_t)plan->s));
    json_object_set_new(s, "duplicates_within_sample", json_false());
    json_object_set_new(s, "seed", json_integer((json_int_t)plan->seed));
    json_object_set_new(s, "sampler",
                        json_string("mp_lattice_draw (src/stats/lattice.h): GSL mt19937 seeded "
                                    "with the seed; Floyd's algorithm when s > V^N/4, else "
                                    "uniform digits with duplicates redrawn"));
    json_t *samples = json_array();
    for (size_t j = 0; j < plan->r; j++) {
        json_t *one = json_array();
        for (size_t k = 0; k < plan->s; k++)
            json_array_append_new(one, json_string(plan->samples[j * plan->s + k]));
        json_array_append_new(samples, one);
    }
    json_object_set_new(s, "samples", samples);
    json_t *anchors = json_array();
    for (size_t v = 0; v < p->nvariants; v++) {
        char *id = xmalloc(p->nunits + 1);
        memset(id, '0' + (int)v, p->nunits);
        id[p->nunits] = '\0';
        json_array_append_new(anchors, json_string(id));
        free(id);
    }
    json_object_set_new(s, "anchors", anchors);
    return s;
}

static json_t *per_variant(const struct mix_program *p, const double *x)
{
    json_t *o = json_object();
    for (size_t v = 0; v < p->nvariants; v++)
        json_object_set_new(o, p->variants[v], json_real(x[v]));
    return o;
}

struct draw {
    const char *id;
    size_t sample;
};

static int cmp_draw(const void *a, const void *b)
{
    const struct draw *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->sample > y->sample) - (x->sample < y->sample);
}

static json_t *configs_json(const struct mix_program *p, const struct mix_plan *plan,
                            const struct written *w)
{
    /* Which samples drew each configuration, by one sort instead of a search per config. */
    size_t ndraws = plan->enumerated ? 0 : plan->r * plan->s, next = 0;
    struct draw *draws = xcalloc(ndraws ? ndraws : 1, sizeof *draws);
    for (size_t k = 0; k < ndraws; k++)
        draws[k] = (struct draw){plan->samples[k], k / plan->s};
    if (ndraws) qsort(draws, ndraws, sizeof *draws, cmp_draw);
    json_t *arr = json_array();
    size_t V    = p->nvariants;
    double *fu = xcalloc(V, sizeof *fu), *fl = xcalloc(V, sizeof *fl), *fc = xcalloc(V, sizeof *fc);
    for (size_t k = 0; k < plan->nconfigs; k++) {
        const struct mix_config *c = &plan->configs[k];
        json_t *jc                 = json_object();
        json_object_set_new(jc, "id", json_string(c->id));
        json_object_set_new(jc, "dir", json_string(c->id));
        json_t *sel = json_array();
        for (size_t i = 0; i < p->nunits; i++)
            json_array_append_new(sel, json_string(p->variants[c->id[i] - '0']));
        json_object_set_new(jc, "selection", sel);
        if (c->anchor >= 0) {
            sb a = {0};
            sb_addf(&a, "all-%s", p->variants[c->anchor]);
            json_object_set_new(jc, "anchor", json_string(sb_str(&a)));
            sb_free(&a);
        } else {
            json_object_set_new(jc, "anchor", json_null());
        }
        if (!plan->enumerated) {
            /* draws and configs are both in id order: advance through the draws of this id */
            json_t *in = json_array();
            while (next < ndraws && strcmp(draws[next].id, c->id) < 0)
                next++;
            for (; next < ndraws && strcmp(draws[next].id, c->id) == 0; next++) {
                size_t len   = json_array_size(in);
                json_int_t j = (json_int_t)draws[next].sample;
                if (len == 0 || json_integer_value(json_array_get(in, len - 1)) != j)
                    json_array_append_new(in, json_integer(j));
            }
            json_object_set_new(jc, "samples", in);
        }
        mix_fractions(p, c->id, fu, fl, fc);
        json_object_set_new(jc, "fractions",
                            json_pack("{s:o, s:o, s:o}", "units", per_variant(p, fu), "lines",
                                      per_variant(p, fl), "untyped_chars", per_variant(p, fc)));
        json_object_set_new(jc, "written", json_boolean(w[k].done));
        json_t *files = json_array();
        for (size_t i = 0; w[k].done && i < w[k].n; i++)
            json_array_append_new(
                files, json_pack("{s:s, s:s}", "path", w[k].paths[i], "sha256", w[k].sha[i]));
        json_object_set_new(jc, "files", files);
        json_array_append_new(arr, jc);
    }
    free(fu);
    free(fl);
    free(fc);
    free(draws);
    return arr;
}

static int write_manifest(const struct mix_program *p, const struct mix_plan *plan,
                          const struct written *w, const char *outdir,
                          const struct mix_write_options *o, int complete, mp_err *err)
{
    json_t *m = json_object();
    json_object_set_new(m, "schema", json_string(MIX_SCHEMA));
    json_object_set_new(m, "tool", json_string(o->tool ? o->tool : "mixperf"));
    json_object_set_new(m, "complete", json_boolean(complete));
    json_object_set_new(m, "overlay", json_boolean(o->overlay));
    json_object_set_new(m, "seed", json_integer((json_int_t)plan->seed));
    json_object_set_new(m, "inputs", inputs_json(p));
    json_object_set_new(m, "units", units_json(p));
    json_object_set_new(m, "lattice", lattice_json(p, plan));
    json_object_set_new(m, "sampling", sampling_json(p, plan));
    json_object_set_new(m, "configurations", configs_json(p, plan, w));
    char *text = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(m);
    if (!text) return mp_fail(err, "manifest: cannot encode JSON");
    sb s = {0};
    sb_adds(&s, text);
    sb_addc(&s, '\n');
    free(text);
    char *path = mixfs_join(outdir, "manifest.json");
    int rc     = mixfs_write_atomic(path, s.buf, s.len, err);
    free(path);
    sb_free(&s);
    return rc;
}

/* A configuration directory: its id, all digits. */
static int is_config_name(const char *name)
{
    for (const char *c = name; *c; c++)
        if (*c < '0' || *c > '9') return 0;
    return *name != '\0';
}

/* outdir must be new or empty, or (with force) hold an earlier mix, whose manifest and
 * configuration directories are then removed. Leftovers of an interrupted mix (temporary
 * directories and manifest files) are always removed: they were never visible as results. */
static int outdir_entries(const char *outdir, int force, char ***names, size_t *n, mp_err *err)
{
    *names = NULL;
    *n     = 0;
    if (!mixfs_exists(outdir)) return 0;
    if (!mixfs_is_dir(outdir)) return mp_fail(err, "%s: exists and is not a directory", outdir);
    if (mixfs_list(outdir, MIXFS_HIDDEN, names, n, err) < 0) return -1;
    for (size_t i = 0; i < *n; i++) {
        const char *name = (*names)[i];
        int leftover     = strncmp(name, MIX_TMP_PREFIX, strlen(MIX_TMP_PREFIX)) == 0 ||
                       strncmp(name, "manifest.json.tmp-", 18) == 0;
        int ours = leftover || strcmp(name, "manifest.json") == 0 || is_config_name(name);
        int rc   = 0;
        if (!ours)
            rc = mp_fail(err, "%s: not empty ('%s' is not from mixperf mix)", outdir, name);
        else if (!leftover && !force)
            rc = mp_fail(err, "%s: already holds a mix ('%s'); use --force to replace it", outdir,
                         name);
        if (rc < 0) {
            mixfs_free_list(*names, *n);
            *names = NULL;
            *n     = 0;
            return -1;
        }
    }
    return 0;
}

int mix_check_outdir(const char *outdir, int force, mp_err *err)
{
    char **names;
    size_t n;
    if (outdir_entries(outdir, force, &names, &n, err) < 0) return -1;
    mixfs_free_list(names, n);
    return 0;
}

static int prepare_outdir(const char *outdir, int force, mp_err *err)
{
    char **names;
    size_t n;
    if (outdir_entries(outdir, force, &names, &n, err) < 0) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *full = mixfs_join(outdir, names[i]);
        rc         = mixfs_rmtree(full, err);
        free(full);
    }
    mixfs_free_list(names, n);
    return rc == 0 ? mixfs_mkdirs(outdir, err) : -1;
}

static int write_config(const struct mix_program *p, const struct mix_config *c, const char *outdir,
                        const struct mix_write_options *o, struct written *w, mp_err *err)
{
    sb tmp = {0};
    sb_addf(&tmp, "%s/%s%s", outdir, MIX_TMP_PREFIX, c->id);
    char *final = mixfs_join(outdir, c->id);
    int rc      = mixfs_rmtree(tmp.buf, err);
    if (rc == 0) rc = mixfs_mkdirs(tmp.buf, err);
    size_t nfiles = p->nfiles + (o->overlay ? 1 : 0);
    w->paths      = xcalloc(nfiles, sizeof *w->paths);
    w->sha        = xcalloc(nfiles, sizeof *w->sha);
    sb text       = {0};
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        sb_reset(&text);
        const char *rel;
        if (i < p->nfiles) {
            rel = p->files[i].path;
            mix_render_file(p, i, c->id, &text);
        } else {
            rel = "sitecustomize.py";
            mix_overlay_loader(p, c->id, &text);
        }
        char *path = mixfs_join(tmp.buf, rel);
        rc         = mixfs_mkparents(path, err);
        if (rc == 0) rc = mixfs_write(path, text.buf ? text.buf : "", text.len, err);
        free(path);
        w->paths[w->n] = xstrdup(rel);
        mp_sha256_hex(text.buf ? text.buf : "", text.len, w->sha[w->n]);
        w->n++;
    }
    sb_free(&text);
    if (rc == 0 && rename(tmp.buf, final) < 0)
        rc = mp_fail(err, "%s: cannot rename to %s: %s", tmp.buf, final, strerror(errno));
    if (rc == 0)
        w->done = 1;
    else
        mixfs_rmtree(tmp.buf, NULL);
    sb_free(&tmp);
    free(final);
    return rc;
}

int mix_write(const struct mix_program *p, const struct mix_plan *plan, const char *outdir,
              const struct mix_write_options *o, mp_err *err)
{
    if (o->overlay && !p->package_mode)
        return mp_fail(err, "--overlay needs package mode (--package-module and --site)");
    if (prepare_outdir(outdir, o->force, err) < 0) return -1;
    struct written *w = xcalloc(plan->nconfigs ? plan->nconfigs : 1, sizeof *w);
    int rc            = write_manifest(p, plan, w, outdir, o, 0, err);
    int stopped       = 0;
    for (size_t k = 0; k < plan->nconfigs && rc == 0 && !stopped; k++) {
        rc = write_config(p, &plan->configs[k], outdir, o, &w[k], err);
        if (rc == 0 && o->progress && o->progress(o->ctx, k + 1, plan->nconfigs)) stopped = 1;
    }
    if (rc == 0) {
        rc = write_manifest(p, plan, w, outdir, o, !stopped, err);
    } else {
        /* Keep the first error; still record which configurations are complete. */
        mp_err ignored;
        write_manifest(p, plan, w, outdir, o, 0, &ignored);
    }
    for (size_t k = 0; k < plan->nconfigs; k++) {
        for (size_t i = 0; i < w[k].n; i++)
            free(w[k].paths[i]);
        free(w[k].paths);
        free(w[k].sha);
    }
    free(w);
    if (rc == 0 && stopped) {
        mp_fail(err, "interrupted: the manifest records the configurations written so far");
        return 1;
    }
    return rc;
}
