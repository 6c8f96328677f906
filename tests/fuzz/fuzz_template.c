/* Templates from arbitrary bytes: compile, then render in every escaping context for a user whose
 * variables hold a string, an empty string, a list, nothing and an integer. Checks what must always
 * hold: a constant template renders as its source, a header never carries CR/LF/NUL, a copy renders
 * like the original, and a template that renders at load time (tpl_render_static) renders the same
 * for a user. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/template.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("FUZZ_A", "a b/c", 1);
    setenv("FUZZ_CRLF", "x\r\ny", 1);
    setenv("FUZZ_EMPTY", "", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_symtab syms = {0};
    mp_err err;
    mp_symtab_var(&syms, "s");
    mp_symtab_var(&syms, "empty");
    mp_symtab_var(&syms, "list");
    mp_symtab_var(&syms, "unset");
    mp_symtab_var(&syms, "n");
    tpl *t = tpl_compile((const char *)data, size, &syms, "fuzz.yaml", 1, 1, &err);
    if (!t) {
        mp_symtab_free(&syms);
        return 0;
    }
    if (memcmp(tpl_source(t), data, size) != 0 || tpl_source(t)[size] != '\0') abort();
    mp_value *vals = calloc(syms.nvars, sizeof *vals);
    mp_value_set(&vals[0], "v a\r\n/l", 8);
    mp_value_set(&vals[1], "", 0);
    char *items[] = {"one", "t w\no"};
    size_t lens[] = {3, 5};
    mp_value_set_list(&vals[2], items, lens, 2);
    mp_value_set(&vals[4], "-3", 2);
    for (size_t i = 5; i < syms.nvars; i++)
        mp_value_set(&vals[i], "x", 1);
    mp_counters counters, counters2; /* one set per copy, so both count alike */
    mp_counters_init(&counters, &syms);
    mp_counters_init(&counters2, &syms);
    tpl *d = tpl_dup(t);
    sb out = {0}, out2 = {0};
    for (int esc = TPL_RAW; esc <= TPL_HEADER; esc++) {
        mp_rng r1, r2;
        mp_rng_seed(&r1, 5, 6);
        mp_rng_seed(&r2, 5, 6);
        tpl_env env   = {.vars = vals, .rng = &r1, .counters = &counters, .class_name = "C"};
        tpl_env env2  = env;
        env2.rng      = &r2;
        env2.counters = &counters2;
        sb_reset(&out);
        sb_reset(&out2);
        int rc  = tpl_render(t, &env, (enum tpl_escape)esc, &out, &err);
        int rc2 = tpl_render(d, &env2, (enum tpl_escape)esc, &out2, &err);
        if (rc != rc2) abort();
        if (rc == 0 && tpl_is_constant(t) && esc == TPL_RAW &&
            (out.len != size || memcmp(sb_str(&out), data, size) != 0))
            abort();
        if (rc == 0 && esc == TPL_HEADER)
            for (size_t i = 0; i < out.len; i++)
                if (out.buf[i] == '\r' || out.buf[i] == '\n' || out.buf[i] == '\0') abort();
        if (rc != 0 && out.len != 0) abort(); /* a failed render leaves the buffer as it was */
        /* Same stream, same output (unless the clock ticked in between). */
        if (rc == 0 && !memmem(data, size, "time.", 5) &&
            (out.len != out2.len || memcmp(sb_str(&out), sb_str(&out2), out.len) != 0))
            abort();
    }
    /* Known at load time: the same text a user renders. */
    sb_reset(&out);
    tpl_dynamic why;
    if (tpl_render_static(t, vals, syms.nvars, &out, &why) == 0) {
        mp_rng r1;
        mp_rng_seed(&r1, 5, 6);
        tpl_env env = {.vars = vals, .rng = &r1, .counters = &counters, .class_name = "C"};
        sb_reset(&out2);
        if (tpl_render(t, &env, TPL_RAW, &out2, &err) != 0 || out.len != out2.len ||
            memcmp(sb_str(&out), sb_str(&out2), out.len) != 0)
            abort();
    } else if (out.len != 0 || !why.what || why.line < 1 || why.col < 1) {
        abort();
    }
    int lone = tpl_lone_var(t);
    if (lone >= 0 && (lone >= (int)syms.nvars || size < 5 || data[0] != '{')) abort();
    sb_free(&out);
    sb_free(&out2);
    tpl_free(d);
    tpl_free(t);
    for (size_t i = 0; i < syms.nvars; i++)
        mp_value_clear(&vals[i]);
    free(vals);
    mp_counters_free(&counters);
    mp_counters_free(&counters2);
    mp_symtab_free(&syms);
    return 0;
}
