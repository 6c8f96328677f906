/* mixperf doctor: what this build links against and what this machine allows, in one screen, so a
 * researcher can tell before a long run whether 10,000 users or the profiler will work here. */
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cmd/commands.h"
#include "util/err.h"
#include "util/opts.h"

static void show_file(const char *label, const char *path)
{
    FILE *f        = fopen(path, "r");
    char line[256] = "unavailable";
    if (f) {
        if (!fgets(line, sizeof line, f)) strcpy(line, "unreadable");
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    printf("  %-22s %s\n", label, line);
}

static void show_program(const char *label, const char *const *candidates)
{
    for (const char *const *c = candidates; *c; c++) {
        if (access(*c, X_OK) == 0) {
            printf("  %-22s %s\n", label, *c);
            return;
        }
    }
    printf("  %-22s not found\n", label);
}

int cmd_doctor(int argc, char **argv)
{
    static const struct opt options[]   = {OPT_END_()};
    static const struct opt_usage usage = {
        "doctor", "",
        "Prints the libraries this build uses and the limits of this machine that matter for load\n"
        "generation (open files) and profiling (ptrace permission)."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n > 0) {
        fprintf(stderr, "mixperf doctor: unexpected argument '%s'\n", argv[0]);
        return MP_EXIT_USAGE;
    }

    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    uint32_t jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jit);

    printf("mixperf %s\n\nlibraries:\n", MP_VERSION);
    printf("  %-22s %s\n", "openssl", OpenSSL_version(OPENSSL_VERSION));
    printf("  %-22s %s\n", "zlib", zlibVersion());
    printf("  %-22s %s\n", "libuv", uv_version_string());
    printf("  %-22s %s\n", "libyaml", yaml_get_version_string());
    printf("  %-22s %s\n", "jansson", jansson_version_str());
    printf("  %-22s %s (JIT %s)\n", "pcre2", pcre, jit ? "available" : "unavailable");
    printf("  %-22s %s\n", "gsl", GSL_VERSION);

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("\nmachine:\n  %-22s %ld\n", "cpus online", sysconf(_SC_NPROCESSORS_ONLN));
    printf("  %-22s soft %llu, hard %llu (each virtual user holds one connection)\n", "open files",
           (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    show_file("ptrace_scope", "/proc/sys/kernel/yama/ptrace_scope");
    printf("  %-22s %s\n", "running as root", geteuid() == 0 ? "yes" : "no");

    printf("\ninterpreters:\n");
    static const char *const cpython[] = {"/usr/bin/python3", NULL};
    static const char *const pypy[]    = {"/usr/bin/pypy3", NULL};
    static const char *const mypyc[]   = {"/usr/bin/mypyc", NULL};
    static const char *const cython[]  = {"/usr/bin/cython3", "/usr/bin/cython", NULL};
    show_program("cpython", cpython);
    show_program("pypy", pypy);
    show_program("mypyc", mypyc);
    show_program("cython", cython);
    return MP_EXIT_OK;
}
