/* experiment_parse on arbitrary bytes: must never crash, leak or hang; whatever loads must have a
 * cell key for every cell and expand every template with every placeholder available. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "experiment/experiment.h"
#include "experiment/placeholder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expand(const char *t, const ph_vars *v, enum ph_mode mode)
{
    if (!t) return;
    sb out = {0};
    ph_expand(t, v, mode, &out, NULL);
    sb_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    experiment ex;
    mp_err err;
    /* A path in a directory that exists, so relative paths resolve (and mostly do not exist). */
    if (experiment_parse((const char *)data, size, "/tmp/fuzz-experiment.yaml", &ex, &err) != 0)
        return 0;
    const char *words[] = {"/usr/bin/python3", "-X", "a b"};
    ph_vars v           = {words, 3, words, 3, {0}};
    for (int i = 0; i < PH_COUNT; i++)
        v.value[i] = "v a'l";
    for (size_t c = 0; c < ex_ncells(&ex); c++)
        free(ex_cell_key(&ex, c));
    for (size_t i = 0; i < ex.nruntimes; i++) {
        expand(ex.runtimes[i].build, &v, PH_SHELL);
        expand(ex.runtimes[i].version, &v, PH_SHELL);
        for (size_t k = 0; k < ex.runtimes[i].nenv; k++)
            expand(ex.runtimes[i].env[k].value, &v, PH_RAW);
    }
    for (size_t i = 0; i < ex.nbenchmarks; i++) {
        const ex_benchmark *b = &ex.benchmarks[i];
        expand(b->command, &v, PH_SHELL);
        expand(b->dir, &v, PH_RAW);
        expand(b->ready_url, &v, PH_RAW);
        expand(b->host, &v, PH_RAW);
        for (size_t k = 0; k < b->nsetup; k++)
            expand(b->setup[k], &v, PH_SHELL);
        for (size_t k = 0; k < b->nenv; k++)
            expand(b->env[k].value, &v, PH_RAW);
    }
    experiment_free(&ex);
    return 0;
}
