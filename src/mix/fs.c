#include "mix/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"
#include "util/sb.h"

char *mixfs_join(const char *a, const char *b)
{
    sb s = {0};
    sb_adds(&s, a);
    if (s.len && s.buf[s.len - 1] != '/') sb_addc(&s, '/');
    sb_adds(&s, b);
    return sb_detach(&s);
}

int mixfs_read(const char *path, char **data, size_t *len, mp_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return mp_fail(err, "%s: cannot open: %s", path, strerror(errno));
    sb s = {0};
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            sb_free(&s);
            return mp_fail(err, "%s: cannot read: %s", path, strerror(e));
        }
        if (n == 0) break;
        sb_add(&s, buf, (size_t)n);
    }
    close(fd);
    *len  = s.len;
    *data = sb_detach(&s);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int mixfs_write(const char *path, const void *data, size_t len, mp_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return mp_fail(err, "%s: cannot create: %s", path, strerror(errno));
    if (write_all(fd, data, len) < 0) {
        int e = errno;
        close(fd);
        return mp_fail(err, "%s: cannot write: %s", path, strerror(e));
    }
    if (close(fd) < 0) return mp_fail(err, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int mixfs_write_atomic(const char *path, const void *data, size_t len, mp_err *err)
{
    sb tmp = {0};
    sb_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        mp_fail(err, "%s: cannot create: %s", tmp.buf, strerror(errno));
        sb_free(&tmp);
        return -1;
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp.buf);
        mp_fail(err, "%s: cannot write: %s", tmp.buf, strerror(e));
        sb_free(&tmp);
        return -1;
    }
    if (close(fd) < 0 || rename(tmp.buf, path) < 0) {
        int e = errno;
        unlink(tmp.buf);
        mp_fail(err, "%s: cannot replace: %s", path, strerror(e));
        sb_free(&tmp);
        return -1;
    }
    sb_free(&tmp);
    return 0;
}

int mixfs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mixfs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int mixfs_mkdirs(const char *path, mp_err *err)
{
    char *p = xstrdup(path);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/') continue;
        *q = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            mp_fail(err, "%s: cannot create directory: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *q = '/';
    }
    int rc = 0;
    if (mkdir(p, 0755) < 0 && (errno != EEXIST || !mixfs_is_dir(p)))
        rc = mp_fail(err, "%s: cannot create directory: %s", p, strerror(errno));
    free(p);
    return rc;
}

int mixfs_mkparents(const char *path, mp_err *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    char *dir = xstrndup(path, (size_t)(slash - path));
    int rc    = mixfs_mkdirs(dir, err);
    free(dir);
    return rc;
}

int mixfs_rmtree(const char *path, mp_err *err)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) return 0;
        return mp_fail(err, "%s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0 && errno != ENOENT)
            return mp_fail(err, "%s: cannot remove: %s", path, strerror(errno));
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) return mp_fail(err, "%s: cannot open directory: %s", path, strerror(errno));
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char *child = mixfs_join(path, de->d_name);
        rc          = mixfs_rmtree(child, err);
        free(child);
    }
    closedir(d);
    if (rc == 0 && rmdir(path) < 0)
        rc = mp_fail(err, "%s: cannot remove directory: %s", path, strerror(errno));
    return rc;
}

void mixfs_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int mixfs_list(const char *dir, int flags, char ***names, size_t *n, mp_err *err)
{
    DIR *d = opendir(dir);
    if (!d) return mp_fail(err, "%s: cannot open directory: %s", dir, strerror(errno));
    char **v   = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (de->d_name[0] == '.' && !(flags & MIXFS_HIDDEN)) continue;
        if (flags & MIXFS_DIRS_ONLY) {
            char *full = mixfs_join(dir, de->d_name);
            int isdir  = mixfs_is_dir(full);
            free(full);
            if (!isdir) continue;
        }
        XGROW(v, cnt + 1, cap);
        v[cnt++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (cnt) qsort(v, cnt, sizeof *v, cmp_str);
    *names = v;
    *n     = cnt;
    return 0;
}

struct walk {
    char **v;
    size_t n, cap;
};

static int walk_dir(const char *root, const char *rel, struct walk *w, int depth, mp_err *err)
{
    if (depth > 64) return mp_fail(err, "%s/%s: directories nested too deeply", root, rel);
    char *dir = *rel ? mixfs_join(root, rel) : xstrdup(root);
    char **names;
    size_t n;
    if (mixfs_list(dir, 0, &names, &n, err) < 0) {
        free(dir);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *name = names[i];
        size_t nl        = strlen(name);
        char *relpath    = *rel ? mixfs_join(rel, name) : xstrdup(name);
        char *full       = mixfs_join(dir, name);
        struct stat st;
        if (stat(full, &st) < 0) {
            rc = mp_fail(err, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(name, "__pycache__") != 0) rc = walk_dir(root, relpath, w, depth + 1, err);
        } else if (S_ISREG(st.st_mode) && !(nl > 4 && strcmp(name + nl - 4, ".pyc") == 0)) {
            XGROW(w->v, w->n + 1, w->cap);
            w->v[w->n++] = relpath;
            relpath      = NULL;
        }
        free(relpath);
        free(full);
    }
    mixfs_free_list(names, n);
    free(dir);
    return rc;
}

int mixfs_walk(const char *root, char ***paths, size_t *n, mp_err *err)
{
    struct walk w = {0};
    if (walk_dir(root, "", &w, 0, err) < 0) {
        mixfs_free_list(w.v, w.n);
        return -1;
    }
    /* Sorting the full relative paths (not per directory) makes "a/b.py" < "a.py" consistent
     * with what the manifest documents: bytewise order of relative paths. */
    if (w.n) qsort(w.v, w.n, sizeof *w.v, cmp_str);
    *paths = w.v;
    *n     = w.n;
    return 0;
}
