/* Fuzz target: arbitrary bytes through mixperf erase. It must never crash, and never hand back
 * text that is not annotation-free Python (erase re-parses its own output and reports an
 * "internal error" instead, which this target turns into a crash so that it gets fixed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb out = {0};
    mp_err err;
    if (mix_erase("fuzz.py", (const char *)data, size, &out, &err) < 0) {
        if (strncmp(err.msg, "fuzz.py: internal error", 23) == 0) abort();
    } else {
        size_t ann, errs;
        if (mix_count_annotations(out.buf ? out.buf : "", out.len, &ann, &errs) < 0 || ann || errs)
            abort();
    }
    sb_free(&out);
    return 0;
}
