#include "experiment/results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"
#include "util/sb.h"

static int read_all(int fd, sb *out, const char *path, mp_err *err)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return mp_fail(err, "%s: read: %s", path, strerror(errno));
        }
        sb_add(out, buf, (size_t)n);
    }
}

/* Parses the text into r->lines. *good_len receives the length of the prefix made of complete,
 * valid lines; a bad final line without its newline is a torn write, anything else an error. */
static int parse_lines(results *r, const sb *text, size_t *good_len, mp_err *err)
{
    size_t pos = 0, lineno = 0;
    *good_len = 0;
    while (pos < text->len) {
        lineno++;
        const char *start = text->buf + pos;
        const char *nl    = memchr(start, '\n', text->len - pos);
        size_t len        = nl ? (size_t)(nl - start) : text->len - pos;
        json_error_t je;
        json_t *obj = NULL;
        if (len > 0) obj = json_loadb(start, len, 0, &je);
        if (len > 0 && (!obj || !json_is_object(obj))) {
            json_decref(obj);
            if (!nl) return 0; /* torn tail: the caller cuts it off */
            return mp_fail(err, "%s:%zu: not a JSON object line%s%s", r->path, lineno,
                           obj ? "" : ": ", obj ? "" : je.text);
        }
        if (!nl) { /* complete JSON but no newline: also a torn write (the newline is last) */
            json_decref(obj);
            return 0;
        }
        if (obj) {
            XGROW(r->lines, r->n + 1, r->cap);
            r->lines[r->n++] = obj;
        }
        pos       = (size_t)(nl - text->buf) + 1;
        *good_len = pos;
    }
    return 0;
}

static int load(results *r, const char *path, int writable, mp_err *err)
{
    memset(r, 0, sizeof *r);
    r->fd   = -1;
    r->path = xstrdup(path);
    int fd  = open(path, writable ? (O_RDWR | O_CREAT | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC), 0644);
    if (fd < 0) {
        int rc = mp_fail(err, "%s: %s", path, strerror(errno));
        results_close(r);
        return rc;
    }
    sb text = {0};
    size_t good;
    if (read_all(fd, &text, path, err) != 0 || parse_lines(r, &text, &good, err) != 0) {
        sb_free(&text);
        close(fd);
        results_close(r);
        return -1;
    }
    if (good < text.len) {
        r->repaired = 1;
        if (writable && ftruncate(fd, (off_t)good) != 0) {
            int rc =
                mp_fail(err, "%s: cannot cut off the torn last line: %s", path, strerror(errno));
            sb_free(&text);
            close(fd);
            results_close(r);
            return rc;
        }
    }
    sb_free(&text);
    if (writable) {
        if (lseek(fd, 0, SEEK_END) < 0 || fsync(fd) != 0) {
            int rc = mp_fail(err, "%s: %s", path, strerror(errno));
            close(fd);
            results_close(r);
            return rc;
        }
        r->fd = fd;
    } else {
        close(fd);
    }
    return 0;
}

int results_open(results *r, const char *path, mp_err *err)
{
    return load(r, path, 1, err);
}

int results_load(results *r, const char *path, mp_err *err)
{
    return load(r, path, 0, err);
}

int results_append(results *r, json_t *obj, mp_err *err)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!text) return mp_fail(err, "%s: cannot encode a result as JSON", r->path);
    size_t len = strlen(text);
    text       = xrealloc(text, len + 2);
    text[len]  = '\n';
    /* One write of the whole line: with O_APPEND semantics from our offset at the end, a crash
     * leaves either nothing or a prefix, which the next open detects as torn. */
    size_t off = 0;
    while (off < len + 1) {
        ssize_t w = write(r->fd, text + off, len + 1 - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            free(text);
            return mp_fail(err, "%s: write: %s", r->path, strerror(errno));
        }
        off += (size_t)w;
    }
    free(text);
    if (fsync(r->fd) != 0) return mp_fail(err, "%s: fsync: %s", r->path, strerror(errno));
    XGROW(r->lines, r->n + 1, r->cap);
    r->lines[r->n++] = json_incref(obj);
    return 0;
}

void results_close(results *r)
{
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->lines[i]);
    free(r->lines);
    free(r->path);
    if (r->fd >= 0) close(r->fd);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
