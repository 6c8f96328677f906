#include "profile/modname.h"

#include <string.h>

/* Appends path (relative to a sys.path entry) as a dotted name: "a/b/c.py" -> "a.b.c",
 * "a/b/__init__.py" -> "a.b". */
static void dotted(const char *rel, sb *out)
{
    while (*rel == '/')
        rel++;
    size_t n          = strlen(rel);
    const char *ext   = strrchr(rel, '.');
    const char *slash = strrchr(rel, '/');
    if (ext && (!slash || ext > slash)) n = (size_t)(ext - rel);
    size_t mark = out->len;
    for (size_t i = 0; i < n; i++)
        sb_addc(out, rel[i] == '/' ? '.' : rel[i]);
    const char *s = out->buf + mark;
    size_t len    = out->len - mark;
    if (len >= 9 && strcmp(s + len - 9, ".__init__") == 0) sb_truncate(out, out->len - 9);
}

/* Length of dir if it is a directory prefix of path ("/a/b" of "/a/b/c.py"), else 0. */
static size_t dir_prefix(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || strncmp(dir, path, n) != 0) return 0;
    if (path[n] != '/') return 0;
    return n;
}

int py_module_name(const char *filename, char *const *sys_path, size_t n, const char *cwd, sb *out)
{
    if (filename[0] == '<') {
        if (strncmp(filename, "<frozen ", 8) == 0 && filename[strlen(filename) - 1] == '>') {
            sb_add(out, filename + 8, strlen(filename) - 9);
            return 1;
        }
        sb_adds(out, filename);
        return 1;
    }
    sb abs = {0};
    if (filename[0] != '/' && cwd && cwd[0] == '/') {
        sb_addf(&abs, "%s/%s", cwd, filename);
        filename = sb_str(&abs);
    }
    size_t best = 0;
    sb entry    = {0};
    for (size_t i = 0; i < n; i++) {
        sb_reset(&entry);
        const char *e = sys_path[i];
        if (e[0] != '/') {
            if (!cwd || cwd[0] != '/') continue;
            if (e[0] == '\0' || strcmp(e, ".") == 0)
                sb_adds(&entry, cwd);
            else
                sb_addf(&entry, "%s/%s", cwd, e);
        } else
            sb_adds(&entry, e);
        size_t len = dir_prefix(sb_str(&entry), filename);
        if (len > best) best = len;
    }
    sb_free(&entry);
    if (best) {
        dotted(filename + best, out);
        sb_free(&abs);
        return 1;
    }
    static const char *const pkgdirs[] = {"/site-packages/", "/dist-packages/"};
    for (size_t i = 0; i < 2; i++) {
        const char *p = strstr(filename, pkgdirs[i]);
        if (p) {
            dotted(p + strlen(pkgdirs[i]), out);
            sb_free(&abs);
            return 0;
        }
    }
    /* A stdlib directory: ".../lib/python3.11/" (also "/usr/lib/python3/"). */
    const char *p = strstr(filename, "/python3");
    if (p) {
        const char *q = strchr(p + 1, '/');
        int digits    = 1;
        for (const char *c = p + 8; c < q; c++)
            if (!((*c >= '0' && *c <= '9') || *c == '.')) digits = 0;
        if (q && digits) {
            dotted(q, out);
            sb_free(&abs);
            return 0;
        }
    }
    size_t clen = cwd ? dir_prefix(cwd, filename) : 0;
    if (clen)
        dotted(filename + clen, out);
    else {
        const char *base = strrchr(filename, '/');
        dotted(base ? base + 1 : filename, out);
    }
    sb_free(&abs);
    return 0;
}
