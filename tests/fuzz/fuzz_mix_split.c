/* Fuzz target: arbitrary bytes as a Python file, split in every mode. The splitter must never
 * crash, and whatever it returns must cut the file into ordered, in-bounds, whole-line units whose
 * concatenation with the gaps is the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"

static void check(const char *data, size_t size, const struct mix_split *s)
{
    size_t prev = 0;
    for (size_t i = 0; i < s->nunits; i++) {
        const struct mix_unit_span *u = &s->units[i];
        if (u->start < prev || u->end < u->start || u->end > size || !u->name) abort();
        if (u->start > 0 && data[u->start - 1] != '\n') abort(); /* units start lines */
        if (u->end < size && data[u->end - 1] != '\n') abort();  /* and end them */
        if (u->line_last < u->line_first) abort();
        prev = u->end;
    }
    size_t total = 0;
    for (size_t i = 0; i <= s->nunits; i++) {
        size_t a, b;
        mix_split_gap(s, i, &a, &b);
        if (b < a) abort();
        total += b - a;
        if (i < s->nunits) total += s->units[i].end - s->units[i].start;
    }
    if (total != size) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum mix_granularity modes[] = {
        MIX_GRAN_SECTION, MIX_GRAN_SECTION, MIX_GRAN_TOPLEVEL, MIX_GRAN_METHOD, MIX_GRAN_MODULE};
    const char *text = (const char *)data;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        struct mix_split s;
        mp_err err;
        enum mix_shallow sh = m == 1 ? MIX_SHALLOW_SPLIT : MIX_SHALLOW_IGNORE;
        if (mix_split_text("fuzz.py", text, size, modes[m], sh, &s, &err) < 0) {
            if (strncmp(err.msg, "fuzz.py:", 8) != 0) abort(); /* errors name the file */
            continue;
        }
        check(text, size, &s);
        mix_split_free(&s);
    }
    return 0;
}
