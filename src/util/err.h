/* Errors are values: a function that can fail returns int (0 ok, -1 failed) and, when given an
 * mp_err, fills it with one message that says what was wrong and where. For input files the message
 * starts with "file:line:column: ". Callers print err.msg once; nothing else prints on failure. */
#ifndef MP_UTIL_ERR_H
#define MP_UTIL_ERR_H

typedef struct mp_err {
    char msg[1024];
} mp_err;

/* Formats into e (if non-NULL) and returns -1, so `return mp_fail(err, "...");` reads naturally. */
int mp_fail(mp_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, prefixed with "file:line:column: " (line and column are 1-based; 0 omits them). */
int mp_fail_at(mp_err *e, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prefixes an existing message with more context: "context: previous message". */
int mp_fail_wrap(mp_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Process exit codes that scripts can rely on (documented in README.md). */
enum {
    MP_EXIT_OK          = 0,   /* ran, and no check asked for failed */
    MP_EXIT_FAILED      = 1,   /* ran, but failures crossed --exit-code-on-error / --fail-ratio */
    MP_EXIT_USAGE       = 2,   /* bad command line or bad input file; nothing was run or sent */
    MP_EXIT_RUNTIME     = 3,   /* could not run: server did not start, permission, I/O error */
    MP_EXIT_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM after writing every output */
};

#endif
