/* The command table: one line per subcommand, one file per subcommand (src/cmd/<verb>.c defining
 * cmd_<verb>). Adding a verb is adding a line here and its file. */
#ifndef MP_CMD_COMMANDS_H
#define MP_CMD_COMMANDS_H

/* X(verb, one-line summary shown by `mixperf help`) */
#define MP_COMMANDS(X)                                                                             \
    X(load, "Run a scenario's virtual users against a web application (Locust-compatible stats)")  \
    X(doctor, "Check this machine: library versions, file-descriptor limit, ptrace permission, "   \
              "interpreters")                                                                      \
    X(mix, "Typed-variant configurations of a program: every mix of its units, or a seeded "       \
           "sample")                                                                               \
    X(erase, "Remove every type annotation and Static Python import from a Python file")           \
    X(httpbench, "Drive one URL with the HTTP client alone: CPU per request, memory per session")  \
    X(profile, "Sample a running CPython (or a command) and rank modules, functions and lines by " \
               "CPU time")                                                                         \
    X(run, "Repeat every cell of an experiment until its confidence interval is narrow "           \
           "enough; resumable")                                                                    \
    X(compare, "Ratio of two cells' means with its confidence interval (Fieller by default)")      \
    X(merge, "Join results files (shards) into one, refusing conflicting runs")                    \
    X(report, "Markdown and CSV tables of a results file; export to pyperf's JSON format")

#define MP_DECLARE_CMD(verb, summary) int cmd_##verb(int argc, char **argv);
MP_COMMANDS(MP_DECLARE_CMD)
#undef MP_DECLARE_CMD

#endif
