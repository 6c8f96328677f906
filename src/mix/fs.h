/* File-system helpers private to src/mix: whole-file reads, atomic writes, directory walks. */
#ifndef MP_MIX_FS_H
#define MP_MIX_FS_H

#include <stddef.h>

#include "util/err.h"

int mixfs_read(const char *path, char **data, size_t *len, mp_err *err);
/* Creates path (mode 0644) with exactly data; no temporary file (callers build whole directories
 * in a temporary place). */
int mixfs_write(const char *path, const void *data, size_t len, mp_err *err);
/* Writes path through path.tmp-<pid> and rename(2), with fsync, so readers see the old or the new
 * file, never a prefix. */
int mixfs_write_atomic(const char *path, const void *data, size_t len, mp_err *err);
/* mkdir -p for the directory path. */
int mixfs_mkdirs(const char *path, mp_err *err);
/* Creates the parent directories of the file path. */
int mixfs_mkparents(const char *path, mp_err *err);
/* rm -rf; a missing path is not an error. */
int mixfs_rmtree(const char *path, mp_err *err);
int mixfs_is_dir(const char *path);
int mixfs_exists(const char *path);
enum { MIXFS_DIRS_ONLY = 1, MIXFS_HIDDEN = 2 };
/* Sorted (bytewise) names in dir, without "." and ".."; hidden (dot) entries only with
 * MIXFS_HIDDEN, directories only with MIXFS_DIRS_ONLY. names is owned by the caller (free each,
 * then the array). */
int mixfs_list(const char *dir, int flags, char ***names, size_t *n, mp_err *err);
/* Sorted relative paths of every regular file under root, skipping hidden entries, __pycache__
 * directories and *.pyc files. */
int mixfs_walk(const char *root, char ***paths, size_t *n, mp_err *err);
void mixfs_free_list(char **names, size_t n);
/* "a" + "/" + "b" as a new string. */
char *mixfs_join(const char *a, const char *b);

#endif
