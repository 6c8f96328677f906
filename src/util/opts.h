/* Shared command-line parsing for every subcommand (git's parse-options is the model): a command
 * describes its options in a table, and gets --help, "did you mean" errors, durations and sizes for
 * free. Long options take "--name=value" or "--name value"; short ones "-u 10" or "-u10". */
#ifndef MP_UTIL_OPTS_H
#define MP_UTIL_OPTS_H

#include <stddef.h>

enum opt_type {
    OPT_END = 0,
    OPT_GROUP,    /* a heading in --help; only help is used */
    OPT_FLAG,     /* int*: set to 1 */
    OPT_INT,      /* long*: any integer */
    OPT_DOUBLE,   /* double* */
    OPT_STRING,   /* const char**: points into argv */
    OPT_DURATION, /* double* seconds: "90", "1.5s", "500ms", "2m", "1h30m" */
    OPT_LIST,     /* struct opt_list*: repeatable, each value appended */
};

struct opt_list {
    const char **items;
    size_t n, cap;
};
void opt_list_free(struct opt_list *l);

struct opt {
    enum opt_type type;
    char short_name;       /* 0 for none */
    const char *long_name; /* NULL for none */
    void *value;
    const char *argh; /* placeholder in --help, e.g. "N", "FILE" */
    const char *help;
};

#define OPT_GROUP_(h)                                                                              \
    {                                                                                              \
        OPT_GROUP, 0, NULL, NULL, NULL, (h)                                                        \
    }
#define OPT_END_()                                                                                 \
    {                                                                                              \
        OPT_END, 0, NULL, NULL, NULL, NULL                                                         \
    }

struct opt_usage {
    const char *command;     /* "load" */
    const char *synopsis;    /* "[options] SCENARIO.yaml" */
    const char *description; /* a paragraph, printed under the synopsis */
};

enum { OPTS_HELP = -2, OPTS_ERROR = -1 };

/* Parses argv[1..argc) (argv[0] is the command name). Positional arguments are compacted to
 * argv[0..n), argv[n] is set to NULL, and n is returned. Everything after "--" is positional,
 * unparsed; if dashdash is non-NULL it receives the index in the compacted argv where those begin
 * (n when there was no "--"). Returns OPTS_HELP after printing help to stdout for -h/--help, or
 * OPTS_ERROR after printing one error line to stderr. */
int opts_parse(int argc, char **argv, const struct opt *opts, const struct opt_usage *usage,
               int *dashdash);

void opts_print_help(const struct opt *opts, const struct opt_usage *usage);

/* Exit status for a negative opts_parse result: 0 after --help, 2 (usage) after an error. */
int opts_exit_code(int parse_result);

/* "30", "1.5s", "250ms", "2m", "1h30m", "10us" -> seconds. Returns 0, or -1 if malformed/negative.
 */
int mp_parse_duration(const char *s, double *seconds);

#endif
