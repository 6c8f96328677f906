/* Loading a program in all its variants: which variants, which files, the units of each file, and
 * the check that every variant has the same units in the same order. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mix/fs.h"
#include "mix/mix.h"
#include "util/mem.h"
#include "util/sha256.h"

/* The researchers' names, least typed first: the default order puts them in this order so that
 * digit 0 is untyped and the last digit the most typed, as in their mixer's key. */
static const char *const known_levels[] = {"untyped", "shallow", "advanced"};
#define NLEVELS (sizeof known_levels / sizeof known_levels[0])
#define MIX_MAX_VARIANTS 10 /* one decimal digit per unit */

static int is_py(const char *path)
{
    size_t n = strlen(path);
    return n >= 3 && strcmp(path + n - 3, ".py") == 0;
}

static size_t find_name(char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return n;
}

static void add_name(char ***v, size_t *n, size_t *cap, const char *s)
{
    XGROW(*v, *n + 1, *cap);
    (*v)[(*n)++] = xstrdup(s);
}

/* Chooses p->variants from the directories found (avail) and the options. */
static int choose_variants(const struct mix_options *o, char **avail, size_t navail,
                           struct mix_program *p, mp_err *err)
{
    size_t cap = 0;
    if (o->nvariants) {
        p->variants_explicit = 1;
        for (size_t i = 0; i < o->nvariants; i++) {
            const char *v = o->variants[i];
            if (find_name(avail, navail, v) == navail) {
                sb have = {0};
                for (size_t j = 0; j < navail; j++)
                    sb_addf(&have, "%s%s", j ? ", " : "", avail[j]);
                mp_fail(err, "%s: no variant '%s' (found: %s)", p->dir, v,
                        navail ? sb_str(&have) : "none");
                sb_free(&have);
                return -1;
            }
            if (find_name(p->variants, p->nvariants, v) < p->nvariants)
                return mp_fail(err, "variant '%s' is listed twice in --variants", v);
            add_name(&p->variants, &p->nvariants, &cap, v);
        }
    } else {
        for (size_t k = 0; k < NLEVELS; k++)
            if (find_name(avail, navail, known_levels[k]) < navail)
                add_name(&p->variants, &p->nvariants, &cap, known_levels[k]);
        for (size_t i = 0; i < navail; i++) { /* avail is sorted */
            int known = 0;
            for (size_t k = 0; k < NLEVELS; k++)
                if (strcmp(avail[i], known_levels[k]) == 0) known = 1;
            if (!known) add_name(&p->variants, &p->nvariants, &cap, avail[i]);
        }
    }
    if (p->nvariants < 2)
        return mp_fail(err, "%s: need at least 2 variants, found %zu", p->dir, p->nvariants);
    if (p->nvariants > MIX_MAX_VARIANTS)
        return mp_fail(err, "%s: at most %d variants are supported (one digit per unit), found %zu",
                       p->dir, MIX_MAX_VARIANTS, p->nvariants);
    return 0;
}

static struct mix_file *new_file(struct mix_program *p, size_t *cap, const char *path)
{
    XGROW(p->files, p->nfiles + 1, *cap);
    struct mix_file *f = &p->files[p->nfiles++];
    memset(f, 0, sizeof *f);
    size_t v     = p->nvariants;
    f->path      = xstrdup(path);
    f->is_module = is_py(path);
    f->source    = xcalloc(v, sizeof *f->source);
    f->text      = xcalloc(v, sizeof *f->text);
    f->len       = xcalloc(v, sizeof *f->len);
    f->sha256    = xcalloc(v, sizeof *f->sha256);
    f->sp        = xcalloc(v, sizeof *f->sp);
    return f;
}

/* Directory mode: every variant holds the same .py files; other files come from the header
 * variant only. */
static int collect_directory(struct mix_program *p, mp_err *err)
{
    size_t V       = p->nvariants;
    char ***lists  = xcalloc(V, sizeof *lists);
    size_t *counts = xcalloc(V, sizeof *counts);
    char **dirs    = xcalloc(V, sizeof *dirs);
    int rc         = 0;
    size_t cap     = 0;
    for (size_t v = 0; v < V && rc == 0; v++) {
        dirs[v] = mixfs_join(p->dir, p->variants[v]);
        rc      = mixfs_walk(dirs[v], &lists[v], &counts[v], err);
    }
    /* Compare the .py sets against variant 0, reporting the first path (bytewise) that differs. */
    for (size_t v = 1; v < V && rc == 0; v++) {
        size_t i = 0, j = 0;
        for (;;) {
            while (i < counts[0] && !is_py(lists[0][i]))
                i++;
            while (j < counts[v] && !is_py(lists[v][j]))
                j++;
            if (i == counts[0] && j == counts[v]) break;
            int c = i == counts[0] ? 1 : j == counts[v] ? -1 : strcmp(lists[0][i], lists[v][j]);
            if (c == 0) {
                i++;
                j++;
                continue;
            }
            const char *path = c < 0 ? lists[0][i] : lists[v][j];
            size_t has = c < 0 ? 0 : v, lacks = c < 0 ? v : 0;
            rc = mp_fail(err, "module file '%s' is in %s but not in %s", path, dirs[has],
                         dirs[lacks]);
            break;
        }
    }
    if (rc == 0) {
        size_t h = p->header;
        for (size_t i = 0; i < counts[h]; i++) {
            struct mix_file *f = new_file(p, &cap, lists[h][i]);
            for (size_t v = 0; v < V; v++) {
                if (!f->is_module && v != h) continue;
                f->source[v] = mixfs_join(dirs[v], f->path);
            }
        }
        if (p->nfiles == 0) rc = mp_fail(err, "%s: no files", dirs[h]);
    }
    for (size_t v = 0; v < V; v++) {
        if (lists[v]) mixfs_free_list(lists[v], counts[v]);
        free(dirs[v]);
    }
    free(lists);
    free(counts);
    free(dirs);
    return rc;
}

static int valid_module_path(const char *path)
{
    if (!is_py(path) || path[0] == '/') return 0;
    size_t n = strlen(path) - 3;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        if (!(isalpha((unsigned char)path[j]) || path[j] == '_')) return 0;
        while (j < n && (isalnum((unsigned char)path[j]) || path[j] == '_'))
            j++;
        if (j < n && path[j] != '/') return 0;
        i = j + 1;
        if (j < n && i == n) return 0; /* trailing slash */
    }
    return n > 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Package mode: each module of an installed package, each variant from its directory (at the
 * module's relative path, or its basename when no other module has that basename) or, for the
 * installed variant without a directory, the installed file itself. */
static int collect_package(const struct mix_options *o, struct mix_program *p, mp_err *err)
{
    size_t n           = o->npackage_modules;
    const char **paths = xcalloc(n, sizeof *paths);
    memcpy(paths, o->package_modules, n * sizeof *paths);
    qsort(paths, n, sizeof *paths, cmp_cstr);
    int rc     = 0;
    size_t cap = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *rel = paths[i];
        if (!valid_module_path(rel)) {
            rc = mp_fail(err,
                         "--package-module '%s': expected a relative path of a Python module, "
                         "e.g. django/utils/functional.py",
                         rel);
            break;
        }
        if (strcmp(rel, "sitecustomize.py") == 0) {
            rc = mp_fail(err, "--package-module sitecustomize.py: that name is the overlay "
                              "loader's");
            break;
        }
        if (i > 0 && strcmp(paths[i - 1], rel) == 0) {
            rc = mp_fail(err, "--package-module '%s' is given twice", rel);
            break;
        }
        const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
        int base_unique  = 1;
        for (size_t j = 0; j < n; j++) {
            const char *b2 = strrchr(paths[j], '/') ? strrchr(paths[j], '/') + 1 : paths[j];
            if (j != i && strcmp(b2, base) == 0) base_unique = 0;
        }
        struct mix_file *f = new_file(p, &cap, rel);
        f->installed       = mixfs_join(p->site, rel);
        if (!mixfs_exists(f->installed)) {
            rc = mp_fail(err, "%s: no such installed module", f->installed);
            break;
        }
        for (size_t v = 0; v < p->nvariants && rc == 0; v++) {
            if (p->installed_variant && strcmp(p->variants[v], p->installed_variant) == 0) {
                f->source[v] = xstrdup(f->installed);
                continue;
            }
            char *vdir = mixfs_join(p->dir, p->variants[v]);
            char *full = mixfs_join(vdir, rel);
            char *flat = mixfs_join(vdir, base);
            if (mixfs_exists(full)) {
                f->source[v] = full;
                full         = NULL;
            } else if (base_unique && mixfs_exists(flat)) {
                f->source[v] = flat;
                flat         = NULL;
            } else if (base_unique) {
                rc = mp_fail(err, "variant '%s' has no %s (looked for %s and %s)", p->variants[v],
                             rel, full, flat);
            } else {
                rc = mp_fail(err, "variant '%s' has no %s (looked for %s)", p->variants[v], rel,
                             full);
            }
            free(vdir);
            free(full);
            free(flat);
        }
    }
    free(paths);
    return rc;
}

/* The location of unit i of file f in variant v, for mismatch messages. */
static void describe_unit(sb *msg, const struct mix_file *f, size_t v, size_t i)
{
    const struct mix_split *s = &f->sp[v];
    if (i < s->nunits)
        sb_addf(msg, "%s:%u: %s '%s'", f->source[v], s->units[i].line_first,
                mix_kind_name(s->units[i].kind), s->units[i].name);
    else
        sb_addf(msg, "%s: no unit %zu (the file has %zu)", f->source[v], i + 1, s->nunits);
}

static int same_unit(const struct mix_program *p, const struct mix_split *a,
                     const struct mix_split *b, size_t i)
{
    if (i >= a->nunits || i >= b->nunits) return i >= a->nunits && i >= b->nunits;
    if (p->granularity == MIX_GRAN_SECTION || p->granularity == MIX_GRAN_MODULE) return 1;
    return a->units[i].kind == b->units[i].kind && strcmp(a->units[i].name, b->units[i].name) == 0;
}

static int check_units(const struct mix_program *p, const struct mix_file *f, mp_err *err)
{
    size_t most = 0;
    for (size_t v = 0; v < p->nvariants; v++)
        if (f->sp[v].nunits > most) most = f->sp[v].nunits;
    for (size_t i = 0; i < most; i++) {
        int differs = 0;
        for (size_t v = 1; v < p->nvariants; v++)
            if (!same_unit(p, &f->sp[0], &f->sp[v], i)) differs = 1;
        if (!differs) continue;
        sb msg = {0};
        for (size_t v = 0; v < p->nvariants; v++) {
            if (v) sb_adds(&msg, "; ");
            describe_unit(&msg, f, v, i);
        }
        mp_fail(err, "%s: variants differ at unit %zu: %s", f->path, i + 1, sb_str(&msg));
        sb_free(&msg);
        return -1;
    }
    return 0;
}

static size_t code_points(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

int mix_program_load(const struct mix_options *o, struct mix_program *p, mp_err *err)
{
    memset(p, 0, sizeof *p);
    p->dir          = xstrdup(o->dir);
    p->package_mode = o->npackage_modules > 0;
    p->shallow      = o->shallow;
    p->granularity  = o->granularity;
    if (p->package_mode) {
        if (!o->site) {
            mp_fail(err, "--package-module needs --site (the directory the package is installed "
                         "in, e.g. /usr/lib/python3/dist-packages)");
            goto fail;
        }
        p->site = xstrdup(o->site);
    }
    if (!mixfs_is_dir(p->dir)) {
        mp_fail(err, "%s: not a directory", p->dir);
        goto fail;
    }

    char **avail;
    size_t navail;
    if (mixfs_list(p->dir, MIXFS_DIRS_ONLY, &avail, &navail, err) < 0) goto fail;
    if (p->package_mode) {
        const char *iv = o->installed_variant ? o->installed_variant : "untyped";
        if (find_name(avail, navail, iv) == navail) {
            /* No directory for it: the installed files are this variant. */
            p->installed_variant = xstrdup(iv);
            avail                = xrealloc(avail, (navail + 1) * sizeof *avail);
            avail[navail++]      = xstrdup(iv);
            qsort(avail, navail, sizeof *avail, cmp_cstr);
        }
    }
    int rc = choose_variants(o, avail, navail, p, err);
    mixfs_free_list(avail, navail);
    if (rc < 0) goto fail;

    const char *hf = o->header_from ? o->header_from : p->variants[0];
    p->header      = find_name(p->variants, p->nvariants, hf);
    if (p->header == p->nvariants) {
        mp_fail(err, "--header-from '%s' is not one of the variants", hf);
        goto fail;
    }

    if ((p->package_mode ? collect_package(o, p, err) : collect_directory(p, err)) < 0) goto fail;

    for (size_t i = 0; i < p->nfiles; i++) {
        struct mix_file *f = &p->files[i];
        for (size_t v = 0; v < p->nvariants; v++) {
            if (!f->source[v]) continue;
            if (mixfs_read(f->source[v], &f->text[v], &f->len[v], err) < 0) goto fail;
            mp_sha256_hex(f->text[v], f->len[v], f->sha256[v]);
        }
        if (f->installed) {
            char *t;
            size_t n;
            if (mixfs_read(f->installed, &t, &n, err) < 0) goto fail;
            mp_sha256_hex(t, n, f->installed_sha256);
            free(t);
        }
    }

    if (p->granularity == MIX_GRAN_DETECT) {
        p->granularity_detected = 1;
        p->granularity          = MIX_GRAN_TOPLEVEL;
        for (size_t i = 0; i < p->nfiles; i++)
            if (p->files[i].is_module &&
                mix_has_marker_line(p->files[i].text[0], p->files[i].len[0], MIX_SECTION_MARKER))
                p->granularity = MIX_GRAN_SECTION;
    }

    size_t ucap = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        struct mix_file *f = &p->files[i];
        f->first_unit      = p->nunits;
        if (!f->is_module) continue;
        for (size_t v = 0; v < p->nvariants; v++) {
            if (mix_split_text(f->source[v], f->text[v], f->len[v], p->granularity, p->shallow,
                               &f->sp[v], err) < 0)
                goto fail;
            if (p->granularity == MIX_GRAN_MODULE) { /* named by the path shared by variants */
                free(f->sp[v].units[0].name);
                f->sp[v].units[0].name = xstrdup(f->path);
            }
        }
        if (check_units(p, f, err) < 0) goto fail;
        for (size_t k = 0; k < f->sp[0].nunits; k++) {
            const struct mix_unit_span *u = &f->sp[0].units[k];
            XGROW(p->units, p->nunits + 1, ucap);
            p->units[p->nunits++] = (struct mix_unit){
                .file          = i,
                .local         = k,
                .name          = u->name,
                .kind          = u->kind,
                .untyped_chars = code_points(f->text[0] + u->start, u->end - u->start),
            };
        }
    }
    if (p->nunits == 0) {
        mp_fail(err, "%s: no units found (granularity %s)", p->dir,
                mix_granularity_name(p->granularity));
        goto fail;
    }
    return 0;
fail:
    mix_program_free(p);
    return -1;
}

void mix_program_free(struct mix_program *p)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        struct mix_file *f = &p->files[i];
        for (size_t v = 0; v < p->nvariants; v++) {
            free(f->source[v]);
            free(f->text[v]);
            mix_split_free(&f->sp[v]);
        }
        free(f->path);
        free(f->source);
        free(f->text);
        free(f->len);
        free(f->sha256);
        free(f->sp);
        free(f->installed);
    }
    free(p->files);
    free(p->units);
    for (size_t v = 0; v < p->nvariants; v++)
        free(p->variants[v]);
    free(p->variants);
    free(p->dir);
    free(p->site);
    free(p->installed_variant);
    memset(p, 0, sizeof *p);
}

void mix_render_file(const struct mix_program *p, size_t fi, const char *id, sb *out)
{
    const struct mix_file *f = &p->files[fi];
    size_t h                 = p->header;
    if (!f->is_module) {
        sb_add(out, f->text[h], f->len[h]);
        return;
    }
    const struct mix_split *hs = &f->sp[h];
    for (size_t i = 0; i <= hs->nunits; i++) {
        size_t gs, ge;
        mix_split_gap(hs, i, &gs, &ge);
        sb_add(out, f->text[h] + gs, ge - gs);
        if (i == hs->nunits) break;
        size_t v                      = (size_t)(id[f->first_unit + i] - '0');
        const struct mix_unit_span *u = &f->sp[v].units[i];
        sb_add(out, f->text[v] + u->start, u->end - u->start);
    }
}

static size_t count_lines(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n') c++;
    return c + (n > 0 && s[n - 1] != '\n');
}

void mix_fractions(const struct mix_program *p, const char *id, double *units, double *lines,
                   double *untyped_chars)
{
    size_t V  = p->nvariants;
    double tl = 0, tc = 0;
    for (size_t v = 0; v < V; v++)
        units[v] = lines[v] = untyped_chars[v] = 0;
    for (size_t i = 0; i < p->nunits; i++) {
        const struct mix_unit *u      = &p->units[i];
        size_t v                      = (size_t)(id[i] - '0');
        const struct mix_file *f      = &p->files[u->file];
        const struct mix_unit_span *s = &f->sp[v].units[u->local];
        double nl = (double)count_lines(f->text[v] + s->start, s->end - s->start);
        units[v] += 1;
        lines[v] += nl;
        untyped_chars[v] += (double)u->untyped_chars;
        tl += nl;
        tc += (double)u->untyped_chars;
    }
    for (size_t v = 0; v < V; v++) {
        units[v] /= (double)p->nunits;
        lines[v]         = tl > 0 ? lines[v] / tl : 0;
        untyped_chars[v] = tc > 0 ? untyped_chars[v] / tc : 0;
    }
}
