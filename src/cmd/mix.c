/* mixperf mix: typed-variant configurations of a program, all of them or a seeded sample, written
 * as directories plus manifest.json (docs/mix.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "mix/mix.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/opts.h"
#include "util/rng.h"

struct progress {
    int quiet;
    sigset_t stop; /* SIGINT/SIGTERM, blocked and polled between configurations */
    uint64_t last_ns;
};

static int on_progress(void *ctx, size_t done, size_t total)
{
    struct progress *pr = ctx;
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM)) return 1;
    uint64_t now = mp_mono_ns();
    if (!pr->quiet && total >= 100 && (done == total || now - pr->last_ns >= 1000000000u)) {
        fprintf(stderr, "mix: %zu/%zu configurations written\n", done, total);
        pr->last_ns = now;
    }
    return 0;
}

/* "a,b,c" -> items pointing into a copy owned by *buf. */
static size_t split_commas(const char *s, char **buf, const char ***items)
{
    *buf     = xstrdup(s);
    size_t n = 0, cap = 0;
    *items     = NULL;
    char *save = NULL;
    for (char *t = strtok_r(*buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        XGROW(*items, n + 1, cap);
        (*items)[n++] = t;
    }
    return n;
}

int cmd_mix(int argc, char **argv)
{
    const char *output = NULL, *variants = NULL, *granularity = NULL, *header_from = NULL;
    const char *shallow = NULL, *site = NULL, *installed = NULL;
    long max = 4096, samples = 10, sample_size = 0, seed = -1;
    int overlay = 0, force = 0, quiet = 0;
    struct opt_list modules    = {0};
    const struct opt options[] = {
        OPT_GROUP_("Inputs"),
        {OPT_STRING, 0, "variants", &variants, "A,B,...",
         "variant directories in digit order (default: untyped, shallow, advanced, then the "
         "others sorted)"},
        {OPT_LIST, 0, "package-module", &modules, "PATH",
         "package mode: a module of an installed package, relative to --site (repeatable)"},
        {OPT_STRING, 0, "site", &site, "DIR", "where the package is installed"},
        {OPT_STRING, 0, "installed-variant", &installed, "NAME",
         "package mode: the variant the installed files are when DIR has no such directory "
         "(default untyped)"},
        OPT_GROUP_("Units"),
        {OPT_STRING, 0, "granularity", &granularity, "G",
         "section (### SECTION SEPARATOR ### lines), toplevel (functions and classes), method, "
         "or module (default: section if the first variant has markers, else toplevel)"},
        {OPT_STRING, 0, "shallow-markers", &shallow, "M",
         "ignore (default) or split at ### SHALLOW SEPARATOR ### lines too"},
        {OPT_STRING, 0, "header-from", &header_from, "VARIANT",
         "the variant the header (text between units) comes from (default: the first)"},
        OPT_GROUP_("Lattice"),
        {OPT_INT, 0, "max", &max, "N", "enumerate when there are at most N configurations (4096)"},
        {OPT_INT, 0, "samples", &samples, "R", "otherwise draw R samples (10)"},
        {OPT_INT, 0, "sample-size", &sample_size, "S", "of S configurations each (10 x units)"},
        {OPT_INT, 0, "seed", &seed, "N", "sampling seed (default: from the OS; always recorded)"},
        OPT_GROUP_("Output"),
        {OPT_STRING, 'o', "output", &output, "OUTDIR", "where configurations are written"},
        {OPT_FLAG, 0, "overlay", &overlay, NULL,
         "package layout plus a sitecustomize.py overlay loader (implied by --package-module)"},
        {OPT_FLAG, 0, "force", &force, NULL, "replace an earlier mix in OUTDIR"},
        {OPT_FLAG, 'q', "quiet", &quiet, NULL, "no progress on stderr"},
        OPT_END_(),
    };
    static const struct opt_usage usage = {
        "mix", "[options] DIR -o OUTDIR",
        "DIR holds one subdirectory per variant (e.g. untyped/ shallow/ advanced/) with the same\n"
        "module files; or, with --package-module and --site, variant files for modules of an\n"
        "installed package. Each configuration (one variant per unit; id = one digit per unit)\n"
        "is written to OUTDIR/<id>/, and OUTDIR/manifest.json records inputs, units, the sample\n"
        "and the sha256 of every generated file. See docs/mix.md."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) {
        opt_list_free(&modules);
        return opts_exit_code(n);
    }
    int rc                     = MP_EXIT_USAGE;
    char *vbuf                 = NULL;
    const char **vlist         = NULL;
    struct mix_options mo      = {0};
    struct mix_program program = {0};
    struct mix_plan plan       = {0};
    int loaded = 0, planned = 0;
    mp_err err;

    if (n != 1) {
        fprintf(stderr, "mixperf mix: expected one directory, got %d arguments\n", n);
        goto out;
    }
    if (!output) {
        fprintf(stderr, "mixperf mix: -o OUTDIR is required\n");
        goto out;
    }
    if (max < 1 || samples < 1 || sample_size < 0 || seed < -1) {
        fprintf(stderr, "mixperf mix: --max, --samples and --sample-size must be at least 1, "
                        "--seed at least 0\n");
        goto out;
    }
    mo.dir = argv[0];
    if (variants) mo.nvariants = split_commas(variants, &vbuf, &vlist);
    mo.variants = vlist;
    if (granularity && mix_granularity_parse(granularity, &mo.granularity) < 0) {
        fprintf(stderr,
                "mixperf mix: --granularity: expected section, toplevel, method or module, "
                "got '%s'\n",
                granularity);
        goto out;
    }
    if (shallow && strcmp(shallow, "split") != 0 && strcmp(shallow, "ignore") != 0) {
        fprintf(stderr, "mixperf mix: --shallow-markers: expected ignore or split, got '%s'\n",
                shallow);
        goto out;
    }
    mo.shallow = shallow && strcmp(shallow, "split") == 0 ? MIX_SHALLOW_SPLIT : MIX_SHALLOW_IGNORE;
    mo.header_from       = header_from;
    mo.package_modules   = modules.items;
    mo.npackage_modules  = modules.n;
    mo.site              = site;
    mo.installed_variant = installed;
    if (overlay && modules.n == 0) {
        fprintf(stderr, "mixperf mix: --overlay needs --package-module and --site\n");
        goto out;
    }
    if (mix_check_outdir(output, force, &err) < 0) {
        fprintf(stderr, "mixperf mix: %s\n", err.msg);
        goto out;
    }
    if (mix_program_load(&mo, &program, &err) < 0) {
        fprintf(stderr, "mixperf mix: %s\n", err.msg);
        goto out;
    }
    loaded = 1;

    /* Recorded in the manifest either way; masked so it stays a JSON integer everywhere. */
    uint64_t s = seed >= 0 ? (uint64_t)seed : mp_seed_from_os() & (((uint64_t)1 << 53) - 1);
    if (mix_plan_make(&program, (uint64_t)max, s, (size_t)samples, (size_t)sample_size, &plan,
                      &err) < 0) {
        fprintf(stderr, "mixperf mix: %s\n", err.msg);
        goto out;
    }
    planned = 1;

    struct progress pr = {.quiet = quiet, .last_ns = mp_mono_ns()};
    sigemptyset(&pr.stop);
    sigaddset(&pr.stop, SIGINT);
    sigaddset(&pr.stop, SIGTERM);
    sigset_t old;
    sigprocmask(SIG_BLOCK, &pr.stop, &old);
    struct mix_write_options wo = {
        .overlay  = overlay || modules.n > 0,
        .force    = force,
        .tool     = "mixperf " MP_VERSION,
        .progress = on_progress,
        .ctx      = &pr,
    };
    int w = mix_write(&program, &plan, output, &wo, &err);
    /* Consume a stop request that arrived during the last configuration (its work is complete),
     * so that unblocking does not kill the process after the manifest is written. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pr.stop, NULL, &zero) > 0)
        ;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (w < 0) {
        fprintf(stderr, "mixperf mix: %s\n", err.msg);
        rc = MP_EXIT_RUNTIME;
        goto out;
    }
    if (w > 0) {
        fprintf(stderr, "mixperf mix: %s\n", err.msg);
        rc = MP_EXIT_INTERRUPTED;
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "mix: %zu units x %zu variants (%s), %s: %zu configurations in %s\n",
                program.nunits, program.nvariants, mix_granularity_name(program.granularity),
                plan.enumerated ? "enumerated" : "sampled", plan.nconfigs, output);
    rc = MP_EXIT_OK;
out:
    if (planned) mix_plan_free(&plan);
    if (loaded) mix_program_free(&program);
    free(vbuf);
    free(vlist);
    opt_list_free(&modules);
    return rc;
}
