/* What a result line says about where and with what it was measured: the machine (host name,
 * kernel, CPU model), the interpreter (its resolved path and its own version string), and the
 * exact files of the configuration (SHA-256 each, and one digest over all of them). */
#ifndef MP_EXPERIMENT_PROVENANCE_H
#define MP_EXPERIMENT_PROVENANCE_H

#include <stddef.h>

#include "experiment/experiment.h"
#include "util/err.h"

typedef struct ex_host {
    char hostname[256];
    char kernel[512]; /* uname: "Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian ..." */
    char machine[64]; /* uname -m */
    char cpu_model[256];
    long cpus; /* online */
} ex_host;

void ex_host_probe(ex_host *h);

typedef struct ex_runtime_info {
    char *path;    /* realpath of the interpreter executable */
    char *version; /* one line */
} ex_runtime_info;

/* Resolves the runtime's executable (through PATH when it has no slash) and runs its version
 * probe: the runtime's `version` command, or by default
 *   {python} -c 'import platform, sys; print(platform.python_implementation(),
 * *sys.version.split())' whose output ("CPython 3.11.2 (main, ...) [GCC 12.2.0]") names the
 * implementation as well as the version. Fails (naming the runtime) when the executable is missing
 * or the probe fails. */
int ex_runtime_probe(const experiment *ex, const ex_runtime *rt, ex_runtime_info *out, mp_err *err);
void ex_runtime_info_free(ex_runtime_info *ri);

/* The digest of a file list: SHA-256 of the lines "<sha256>  <path>\n" in bytewise path order,
 * i.e. of `sha256sum` output over the sorted paths. files is sorted in place. */
void ex_files_digest(ex_file *files, size_t n, char hex[65]);

/* The .py files under dir (recursively; hidden entries, __pycache__ and node_modules skipped),
 * relative, sorted, each hashed: the file list of the "default" configuration. */
int ex_scan_py_files(const char *dir, ex_file **files, size_t *n, mp_err *err);
void ex_files_free(ex_file *files, size_t n);

#endif
