/* Placeholders in experiment strings: "{python} main.py", "127.0.0.1:{port}". A name in braces is
 * replaced by its value; "{{" and "}}" stand for literal braces. Which names may appear depends on
 * where the string is (a build command runs before any run exists, so it has no {port}); the
 * loader checks that with ph_check, and expansion then cannot meet an unknown name.
 *
 * In shell commands (PH_SHELL) every value is shell-quoted when it needs to be, so a directory
 * with a space stays one word; {python} and {files} expand to several words, each quoted. In
 * environment values, URLs and directories (PH_RAW) values are inserted as they are. */
#ifndef MP_EXPERIMENT_PLACEHOLDER_H
#define MP_EXPERIMENT_PLACEHOLDER_H

#include <stddef.h>

#include "util/sb.h"

typedef enum ph_name {
    PH_PYTHON,         /* the runtime's command, word by word */
    PH_RUNTIME,        /* runtime name */
    PH_BENCHMARK,      /* benchmark name */
    PH_CONFIG,         /* configuration id */
    PH_CONFIG_DIR,     /* the configuration's directory (its build copy when the runtime builds) */
    PH_FILES,          /* the configuration's module files, relative to its directory */
    PH_DIR,            /* the directory commands run in */
    PH_PORT,           /* a free TCP port on 127.0.0.1, chosen for this run */
    PH_RUN_DIR,        /* a fresh scratch directory for this run, removed after it */
    PH_INDEX,          /* the run's index within its cell (0-based, warm-ups included) */
    PH_ROUND,          /* the run's round */
    PH_EXPERIMENT_DIR, /* the directory of the experiment file */
    PH_COUNT
} ph_name;

#define PH_BIT(n) (1u << (n))
/* What each kind of string may use. */
#define PH_IN_RUNTIME_COMMAND PH_BIT(PH_EXPERIMENT_DIR)
#define PH_IN_BUILD                                                                                \
    (PH_BIT(PH_PYTHON) | PH_BIT(PH_RUNTIME) | PH_BIT(PH_CONFIG) | PH_BIT(PH_CONFIG_DIR) |          \
     PH_BIT(PH_FILES) | PH_BIT(PH_DIR) | PH_BIT(PH_EXPERIMENT_DIR))
#define PH_IN_RUNTIME_ENV                                                                          \
    (PH_BIT(PH_PYTHON) | PH_BIT(PH_RUNTIME) | PH_BIT(PH_CONFIG) | PH_BIT(PH_CONFIG_DIR) |          \
     PH_BIT(PH_FILES) | PH_BIT(PH_EXPERIMENT_DIR))
#define PH_IN_BENCH_DIR                                                                            \
    (PH_BIT(PH_RUNTIME) | PH_BIT(PH_BENCHMARK) | PH_BIT(PH_CONFIG) | PH_BIT(PH_CONFIG_DIR) |       \
     PH_BIT(PH_EXPERIMENT_DIR))
#define PH_IN_RUN_ALL ((1u << PH_COUNT) - 1u)
#define PH_IN_SCRIPT_RUN (PH_IN_RUN_ALL & ~PH_BIT(PH_PORT))
/* The version probe of a runtime runs once, outside any configuration. */
#define PH_IN_VERSION (PH_BIT(PH_PYTHON) | PH_BIT(PH_RUNTIME) | PH_BIT(PH_EXPERIMENT_DIR))

const char *ph_name_str(ph_name n);

/* Values for one expansion; a NULL entry is "not available here". python and files are word
 * lists. */
typedef struct ph_vars {
    const char *const *python;
    size_t npython;
    const char *const *files;
    size_t nfiles;
    const char *value[PH_COUNT]; /* the single-valued ones */
} ph_vars;

enum ph_mode { PH_RAW, PH_SHELL };

/* Checks a template: every placeholder known and in `allowed`, braces balanced. Returns 0, or -1
 * with *off the byte offset of the offending "{" (or lone "}") and msg the complaint. */
int ph_check(const char *s, unsigned allowed, size_t *off, char *msg, size_t msgsize);

/* Appends the expansion of s to out. Returns -1 (with name set to the placeholder) only when a
 * placeholder has no value in vars, which a checked template cannot cause unless the caller
 * lacks a value it promised. */
int ph_expand(const char *s, const ph_vars *vars, enum ph_mode mode, sb *out, ph_name *missing);

/* Appends s to out, single-quoted for /bin/sh unless it is made only of safe characters. */
void ph_shell_quote(sb *out, const char *s);

#endif
