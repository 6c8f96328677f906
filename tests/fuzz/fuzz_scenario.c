/* scenario_parse on arbitrary bytes: must never crash, leak or hang; and whatever loads must
 * render (every template of every request, with a fixed user) without tripping a sanitizer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "scenario/scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("BLOG_PASSWORD", "pw", 1);
    setenv("FUZZ_A", "a b/c", 1);
    return 0;
}

typedef struct user {
    mp_value *vals;
    tpl_env env;
    sb out;
    mp_err err;
} user;

static void render(user *u, const tpl *t, enum tpl_escape esc)
{
    if (!t) return;
    sb_reset(&u->out);
    (void)tpl_render(t, &u->env, esc, &u->out, &u->err);
}

static void render_flow(user *u, const sc_flow *f)
{
    for (size_t i = 0; i < f->n; i++) {
        const sc_step *s = &f->steps[i];
        if (s->kind == STEP_REQUEST) {
            const sc_request *r = &s->u.req;
            render(u, r->url, TPL_URL);
            for (size_t k = 0; k < r->nheaders; k++)
                render(u, r->headers[k].value, TPL_HEADER);
            for (size_t k = 0; k < r->nform; k++)
                render(u, r->form[k].value, TPL_RAW);
            for (size_t k = 0; k < r->nquery; k++)
                render(u, r->query[k].value, TPL_RAW);
            render(u, r->body, TPL_RAW);
        } else if (s->kind == STEP_SET) {
            for (size_t k = 0; k < s->u.set.n; k++) {
                render(u, s->u.set.items[k].value, TPL_RAW);
                mp_value_set(&u->vals[s->u.set.items[k].var], u->out.buf ? u->out.buf : "",
                             u->out.len);
            }
        } else if (s->kind == STEP_LOOP) {
            render_flow(u, &s->u.loop.body);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_err err;
    scenario *sc = scenario_parse((const char *)data, size, "fuzz.yaml", &err);
    if (!sc) return 0;
    user u = {0};
    mp_rng rng;
    mp_rng_seed(&rng, 1, 2);
    mp_counters counters;
    mp_counters_init(&counters, &sc->syms);
    u.vals = calloc(sc->syms.nvars + 1, sizeof *u.vals);
    u.env  = (tpl_env){.vars = u.vals, .rng = &rng, .counters = &counters, .class_name = "fuzz"};
    for (size_t i = 0; i < sc->nvariables; i++) {
        render(&u, sc->variables[i].value, TPL_RAW);
        mp_value_set(&u.vals[sc->variables[i].var], u.out.buf ? u.out.buf : "", u.out.len);
    }
    render_flow(&u, &sc->setup);
    for (size_t i = 0; i < sc->nusers; i++) {
        render_flow(&u, &sc->users[i].on_start);
        for (size_t t = 0; t < sc->users[i].ntasks; t++)
            render_flow(&u, &sc->users[i].tasks[t].flow);
    }
    for (size_t i = 0; i <= sc->syms.nvars; i++)
        mp_value_clear(&u.vals[i]);
    free(u.vals);
    sb_free(&u.out);
    mp_counters_free(&counters);
    scenario_free(sc);
    return 0;
}
