/* mixperf merge: join results files (shards run on several machines, or copies of one file) into
 * one, refusing runs that conflict (docs/experiments.md, "Shards and merge"). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "experiment/results.h"
#include "experiment/runline.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"
#include "util/sb.h"

typedef struct seen {
    const ex_line *l;
    const char *file;
    size_t lineno;
} seen;

static int same_run(const ex_line *a, const ex_line *b)
{
    return a->index == b->index && strcmp(a->runtime, b->runtime) == 0 &&
           strcmp(a->benchmark, b->benchmark) == 0 && strcmp(a->config, b->config) == 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (h ^ 0x1f) * 0x100000001b3ull;
}

static uint64_t run_hash(const ex_line *l)
{
    uint64_t h = fnv(fnv(fnv(0xcbf29ce484222325ull, l->runtime), l->benchmark), l->config);
    return (h ^ (uint64_t)l->index) * 0x9e3779b97f4a7c15ull;
}

/* Open addressing over kept[] (slot = index + 1, 0 = free); capacity a power of two. */
typedef struct index_t {
    size_t *slots;
    size_t cap;
} index_t;

static size_t *find_slot(index_t *ix, const seen *kept, const ex_line *l)
{
    size_t i = (size_t)run_hash(l) & (ix->cap - 1);
    while (ix->slots[i] && !same_run(kept[ix->slots[i] - 1].l, l))
        i = (i + 1) & (ix->cap - 1);
    return &ix->slots[i];
}

int cmd_merge(int argc, char **argv)
{
    int force                  = 0;
    const struct opt options[] = {
        {OPT_FLAG, 'f', "force", &force, NULL, "replace OUT if it exists"}, OPT_END_()};
    static const struct opt_usage usage = {
        "merge", "[options] OUT IN...",
        "Joins results files of one experiment (for example the files of `mixperf run --shard`)\n"
        "into OUT. A run present in several inputs with identical content is kept once; the\n"
        "same run (cell and index) with different content is a conflict and nothing is\n"
        "written. Lines keep the order of the inputs."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n < 2) {
        fprintf(stderr, "mixperf merge: expected OUT and at least one IN (see --help)\n");
        return MP_EXIT_USAGE;
    }
    const char *out = argv[0];
    struct stat st;
    if (!force && stat(out, &st) == 0) {
        fprintf(stderr, "mixperf merge: %s exists (expected a new file, or --force)\n", out);
        return MP_EXIT_USAGE;
    }
    size_t nin      = (size_t)n - 1;
    results *in     = xcalloc(nin, sizeof *in);
    ex_line **lines = xcalloc(nin, sizeof *lines);
    seen *kept      = NULL;
    size_t nkept = 0, cap = 0, dropped = 0;
    int status = MP_EXIT_OK;
    mp_err err;
    index_t ix             = {0};
    size_t total_lines     = 0;
    const ex_line *first   = NULL;
    const char *first_file = NULL;
    for (size_t f = 0; f < nin && status == MP_EXIT_OK; f++) {
        const char *path = argv[f + 1];
        if (results_load(&in[f], path, &err) != 0) {
            fprintf(stderr, "mixperf merge: %s\n", err.msg);
            status = MP_EXIT_USAGE;
            break;
        }
        if (in[f].repaired)
            fprintf(stderr, "mixperf merge: %s ends in a torn line (a crash); it is left out\n",
                    path);
        lines[f] = xcalloc(in[f].n ? in[f].n : 1, sizeof **lines);
        total_lines += in[f].n;
        if (ix.cap < 2 * total_lines + 16) {
            /* Grow and re-insert what is kept so far. */
            size_t ncap = 16;
            while (ncap < 2 * total_lines + 16)
                ncap *= 2;
            free(ix.slots);
            ix.slots = xcalloc(ncap, sizeof *ix.slots);
            ix.cap   = ncap;
            for (size_t k = 0; k < nkept; k++)
                *find_slot(&ix, kept, kept[k].l) = k + 1;
        }
        for (size_t i = 0; i < in[f].n && status == MP_EXIT_OK; i++) {
            ex_line *l = &lines[f][i];
            if (ex_line_parse(in[f].lines[i], l, &err) != 0) {
                fprintf(stderr, "mixperf merge: %s:%zu: %s\n", path, i + 1, err.msg);
                status = MP_EXIT_USAGE;
                break;
            }
            if (!first) {
                first      = l;
                first_file = path;
            } else if (strcmp(l->experiment, first->experiment) != 0 || l->seed != first->seed) {
                fprintf(stderr,
                        "mixperf merge: %s:%zu: experiment '%s' seed %" PRIu64
                        ", but %s holds experiment '%s' seed %" PRIu64
                        " (expected files of one experiment)\n",
                        path, i + 1, l->experiment, l->seed, first_file, first->experiment,
                        first->seed);
                status = MP_EXIT_USAGE;
                break;
            }
            size_t *slot = find_slot(&ix, kept, l);
            if (*slot) {
                size_t k = *slot - 1;
                if (json_equal((json_t *)kept[k].l->obj, (json_t *)l->obj)) {
                    dropped++;
                    continue;
                }
                fprintf(stderr,
                        "mixperf merge: %s:%zu: run %ld of %s/%s/%s conflicts with %s:%zu (same "
                        "run, different content; expected each run measured once)\n",
                        path, i + 1, l->index, l->runtime, l->benchmark, l->config, kept[k].file,
                        kept[k].lineno);
                status = MP_EXIT_FAILED;
                break;
            }
            XGROW(kept, nkept + 1, cap);
            kept[nkept++] = (seen){l, path, i + 1};
            *slot         = nkept;
        }
    }
    if (status == MP_EXIT_OK) {
        /* Written beside OUT and renamed, so OUT is either complete or absent. */
        sb tmp = {0};
        sb_addf(&tmp, "%s.tmp-%d", out, (int)getpid());
        unlink(sb_str(&tmp));
        results r;
        if (results_open(&r, sb_str(&tmp), &err) != 0) {
            fprintf(stderr, "mixperf merge: %s\n", err.msg);
            status = MP_EXIT_RUNTIME;
        } else {
            for (size_t k = 0; k < nkept && status == MP_EXIT_OK; k++)
                if (results_append(&r, (json_t *)kept[k].l->obj, &err) != 0) {
                    fprintf(stderr, "mixperf merge: %s\n", err.msg);
                    status = MP_EXIT_RUNTIME;
                }
            results_close(&r);
            if (status == MP_EXIT_OK && rename(sb_str(&tmp), out) != 0) {
                fprintf(stderr, "mixperf merge: cannot rename %s to %s: %s\n", sb_str(&tmp), out,
                        strerror(errno));
                status = MP_EXIT_RUNTIME;
            }
            if (status != MP_EXIT_OK) unlink(sb_str(&tmp));
        }
        sb_free(&tmp);
        if (status == MP_EXIT_OK)
            fprintf(stderr,
                    "mixperf merge: %zu runs from %zu files into %s (%zu identical duplicates "
                    "dropped)\n",
                    nkept, nin, out, dropped);
    }
    for (size_t f = 0; f < nin; f++) {
        free(lines[f]);
        results_close(&in[f]);
    }
    free(lines);
    free(in);
    free(kept);
    free(ix.slots);
    return status;
}
