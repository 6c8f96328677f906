/* The results file: JSON Lines, one object per finished run, appended and fsync'ed the moment the
 * run ends, so nothing measured is ever lost. Opening an existing file loads every line; a torn
 * last line (the machine lost power mid-write) is reported and cut off, so the interrupted run is
 * simply run again. A malformed line elsewhere is an error (file:line), never skipped silently. */
#ifndef MP_EXPERIMENT_RESULTS_H
#define MP_EXPERIMENT_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

typedef struct results {
    char *path;
    int fd;
    json_t **lines; /* owned references, in file order */
    size_t n, cap;
    int repaired; /* 1 when a torn tail was cut off at open */
} results;

/* Opens (creating if absent, with parent directory required to exist) for appending. */
int results_open(results *r, const char *path, mp_err *err);
/* Loads a file read-only (report, merge); no repair is written. */
int results_load(results *r, const char *path, mp_err *err);
/* Appends obj as one line, fsyncs, and keeps a reference in r->lines. */
int results_append(results *r, json_t *obj, mp_err *err);
void results_close(results *r);

#endif
