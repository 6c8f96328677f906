/* mixperf: realistic benchmarks for Python interpreters and gradually typed Python.
 * This file only dispatches; every verb lives in src/cmd/<verb>.c. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/err.h"

struct command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
};

#define MP_TABLE_ROW(verb, summary) {#verb, summary, cmd_##verb},
static const struct command commands[] = {MP_COMMANDS(MP_TABLE_ROW)};
#undef MP_TABLE_ROW
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void print_overview(FILE *f)
{
    fprintf(f, "usage: mixperf <command> [options] [args]\n"
               "       mixperf help <command>     show a command's options\n"
               "       mixperf version            print the version\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nexit status: 0 ok, 1 checks failed (e.g. --fail-ratio), 2 bad usage or input,\n"
               "3 runtime error, 130 interrupted (outputs still written).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return MP_EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        if (argc < 3) {
            print_overview(stdout);
            return MP_EXIT_OK;
        }
        const struct command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "mixperf: unknown command '%s'; see 'mixperf help'\n", argv[2]);
            return MP_EXIT_USAGE;
        }
        char *help_argv[] = {argv[2], "--help", NULL};
        return c->fn(2, help_argv);
    }
    if (strcmp(verb, "version") == 0 || strcmp(verb, "--version") == 0) {
        printf("mixperf %s\n", MP_VERSION);
        return MP_EXIT_OK;
    }
    const struct command *c = find(verb);
    if (!c) {
        fprintf(stderr, "mixperf: unknown command '%s'; see 'mixperf help'\n", verb);
        return MP_EXIT_USAGE;
    }
    return c->fn(argc - 1, argv + 1);
}
