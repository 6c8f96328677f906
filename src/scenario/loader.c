/* scenario_load / scenario_parse / scenario_free: the file's top level, defaults, pools, counters,
 * variables, user classes, tasks, waits and stages. Steps live in loader_steps.c. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/jsonpath.h"
#include "scenario/loader_internal.h"
#include "scenario/suggest.h"
#include "util/mem.h"
#include "util/opts.h"

/* ---- top-level sections ---------------------------------------------------------------------- */

static void load_host(ld *L, const yaml_node_t *n)
{
    char *h;
    if (yd_is_null(n) || yd_string(&L->y, n, "host", &h) < 0) return;
    size_t scheme = strncmp(h, "http://", 7) == 0 ? 7 : strncmp(h, "https://", 8) == 0 ? 8 : 0;
    if (!scheme || !h[scheme] || h[scheme] == '/' || strpbrk(h, " \t\r\n")) {
        yd_err_node(&L->y, n,
                    "host is not an http:// or https:// URL (expected e.g. "
                    "http://127.0.0.1:8000)");
        free(h);
        return;
    }
    /* Request URLs start with '/', so the base keeps no trailing one. */
    size_t len = strlen(h);
    while (len > scheme + 1 && h[len - 1] == '/')
        h[--len] = '\0';
    L->sc->host = h;
}

static void load_defaults(ld *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"headers", "timeout", "follow_redirects", "tls_verify"};
    if (yd_is_null(n)) return;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n,
                    "defaults is %s (expected a mapping of headers, timeout, "
                    "follow_redirects and tls_verify)",
                    n->type == YAML_SEQUENCE_NODE ? "a list" : "a string");
        return;
    }
    yaml_node_t *v[4];
    yd_keys(&L->y, n, "in defaults", keys, 4, v, NULL);
    if (v[0]) ld_headers(L, v[0], &L->dheaders, &L->ndheaders, "defaults.headers");
    if (v[1]) yd_duration(&L->y, v[1], "timeout", 0, &L->sc->default_timeout);
    if (v[2]) yd_bool(&L->y, v[2], "follow_redirects", &L->sc->default_follow_redirects);
    if (v[3]) yd_bool(&L->y, v[3], "tls_verify", &L->sc->default_tls_verify);
}

/* `pools:` and `counters:`: lists of distinct names. */
static void load_names(ld *L, const yaml_node_t *n, const char *what, int pools)
{
    if (yd_is_null(n)) return;
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&L->y, n, "%s is %s (expected a list of names, e.g. [slugs])", what,
                    n->type == YAML_MAPPING_NODE ? "a mapping" : "a string");
        if (pools) L->pools_bad = 1;
        return;
    }
    mp_symtab *t = &L->sc->syms;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = yd_node(&L->y, *it);
        if (!e) continue;
        if (!yd_is_scalar(e) || strlen(yd_sval(e)) != yd_slen(e) || !yd_ident(yd_sval(e))) {
            yd_err_node(&L->y, e,
                        "invalid name in %s (expected letters, digits and _, not starting with a "
                        "digit)",
                        what);
            if (pools) L->pools_bad = 1;
            continue;
        }
        const char *s = yd_sval(e);
        int known     = pools ? mp_symtab_find_pool(t, s) : -1;
        if (!pools)
            for (size_t i = 0; i < t->ncounters; i++)
                if (strcmp(t->counters[i], s) == 0) known = (int)i;
        if (known >= 0) {
            yd_err_node(&L->y, e, "duplicate name '%s' in %s (expected each name once)", s, what);
            continue;
        }
        if (pools)
            mp_symtab_pool(t, s);
        else
            mp_symtab_counter(t, s);
    }
}

static void load_variables(ld *L, const yaml_node_t *n)
{
    if (yd_is_null(n)) return;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "variables is %s (expected a mapping of name: template)",
                    n->type == YAML_SEQUENCE_NODE ? "a list" : "a string");
        return;
    }
    yd_plain_keys(&L->y, n, "in variables");
    scenario *sc  = L->sc;
    size_t npairs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    sc->variables = xcalloc(npairs ? npairs : 1, sizeof *sc->variables);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key), *vn = yd_node(&L->y, p->value);
        if (!yd_is_scalar(kn) || !vn) continue;
        int dup = 0;
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *qn = yd_node(&L->y, q->key);
            if (yd_is_scalar(qn) && strcmp(yd_sval(qn), yd_sval(kn)) == 0) dup = 1;
        }
        if (dup) continue;
        int slot = ld_assigned_var(L, kn, "a variable name");
        /* Variables are rendered once, in order, before any user exists: only the ones above
         * this one have values then. */
        size_t first = L->nuses;
        tpl *t       = ld_tpl(L, vn, "a variable's value");
        for (size_t u = first; u < L->nuses; u++)
            if (!(ld_flags(L, L->uses[u].slot) & VF_DECLARED))
                yd_err(&L->y, L->uses[u].line, L->uses[u].col,
                       "variable '%s' is not available in variables (expected a variable declared "
                       "above it in variables)",
                       sc->syms.vars[L->uses[u].slot]);
        L->nuses = first;
        if (slot < 0) {
            tpl_free(t);
            continue;
        }
        ld_mark_set(L, slot, VF_SET | VF_READONLY | VF_DECLARED);
        if (!t) continue;
        sc->variables[sc->nvariables++] = (sc_set){slot, t};
        /* A value fixed when the file loads may feed settings such as fixed_count. */
        sb text = {0};
        tpl_dynamic why;
        if (tpl_render_static(t, L->statics, L->cap_statics, &text, &why) == 0) {
            if ((size_t)slot >= L->cap_statics) {
                size_t old = L->cap_statics;
                XGROW(L->statics, (size_t)slot + 1, L->cap_statics);
                memset(L->statics + old, 0, (L->cap_statics - old) * sizeof *L->statics);
            }
            mp_value_set(&L->statics[slot], sb_str(&text), text.len);
        }
        sb_free(&text);
    }
}

/* A user-class setting that may be a template known when the file loads, e.g.
 * fixed_count: "{{ env.BLOG_EDITORS | default(20) }}". Returns 1 when the scalar has no template
 * (the caller reads it as written), 0 with the rendered text in *out (malloc'd), -1 on an error
 * (recorded). */
static int load_time_text(ld *L, const yaml_node_t *n, const char *what, char **out)
{
    if (!yd_is_scalar(n) || !strstr(yd_sval(n), "{{")) return 1;
    tpl_loc loc;
    int *cols;
    ld_scalar_loc(L, n, &loc, &cols);
    mp_err e;
    tpl *t = tpl_compile_loc(yd_sval(n), yd_slen(n), &L->sc->syms, &loc, &e);
    free(cols);
    if (!t) {
        yd_err_msg(&L->y, loc.err_line, loc.err_col, &e);
        return -1;
    }
    sb text = {0};
    tpl_dynamic why;
    int rc = tpl_render_static(t, L->statics, L->cap_statics, &text, &why);
    if (rc != 0)
        yd_err(&L->y, why.line, why.col,
               "%s cannot use '%s': it is not known when the file loads (expected literal text, "
               "env.NAME or a variable from variables that uses only those)",
               what, why.what);
    tpl_free(t);
    if (rc != 0) {
        sb_free(&text);
        return -1;
    }
    *out = sb_detach(&text);
    if (!*out) *out = xstrdup("");
    return 0;
}

static void load_fixed_count(ld *L, const yaml_node_t *n, long *out)
{
    char *text;
    int rc = load_time_text(L, n, "fixed_count", &text);
    if (rc < 0) {
        *out = 0;
        return;
    }
    if (rc == 0) {
        char *end;
        errno  = 0;
        long v = strtol(text, &end, 10);
        if (!*text || *end || errno || v < 0 || text[0] == '+' || text[0] == ' ') {
            char a[72], b[72];
            yd_err_node(&L->y, n, "fixed_count '%s' is '%s' (expected an integer >= 0)",
                        yd_show(yd_sval(n), a), yd_show(text, b));
            v = 0;
        }
        *out = v;
        free(text);
        return;
    }
    if (yd_long(&L->y, n, "fixed_count", out) == 0 && *out < 0) {
        yd_err_node(&L->y, n, "fixed_count is '%s' (expected an integer >= 0)", yd_sval(n));
        *out = 0;
    }
}

static void load_class_weight(ld *L, const yaml_node_t *n, double *out)
{
    char *text;
    int rc = load_time_text(L, n, "weight", &text);
    if (rc < 0) return;
    if (rc == 0) {
        char *end;
        errno    = 0;
        double v = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(v) || v <= 0 || strpbrk(text, "xXpP \t")) {
            char a[72], b[72];
            yd_err_node(&L->y, n, "weight '%s' is '%s' (expected a number greater than zero)",
                        yd_show(yd_sval(n), a), yd_show(text, b));
        } else {
            *out = v;
        }
        free(text);
        return;
    }
    if (yd_number(&L->y, n, "weight", out) == 0 && *out <= 0)
        yd_err_node(&L->y, n, "weight is '%s' (expected a number greater than zero)", yd_sval(n));
}

/* ---- user classes ---------------------------------------------------------------------------- */

static int parse_wait_arg(const char *s, double *out)
{
    return mp_parse_duration(s, out);
}

static void load_wait(ld *L, const yaml_node_t *n, sc_wait *w)
{
    const char *expected = "between A B, constant S, pacing S or throughput N";
    if (!yd_is_scalar(n)) {
        yd_err_node(&L->y, n, "wait is %s (expected %s)",
                    n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping", expected);
        return;
    }
    char *copy = xstrdup(yd_sval(n));
    char *tok[4];
    int ntok = 0;
    for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save)) {
        if (ntok == 4) {
            ntok++;
            break;
        }
        tok[ntok++] = t;
    }
    double a = 0, b = 0;
    int ok = 0;
    if (ntok == 3 && strcmp(tok[0], "between") == 0) {
        ok = parse_wait_arg(tok[1], &a) == 0 && parse_wait_arg(tok[2], &b) == 0;
        if (ok && a > b) {
            yd_err_node(&L->y, n, "wait 'between %s %s' has A greater than B (expected A <= B)",
                        tok[1], tok[2]);
            free(copy);
            return;
        }
        w->kind = WAIT_BETWEEN;
    } else if (ntok == 2 && strcmp(tok[0], "constant") == 0) {
        ok      = parse_wait_arg(tok[1], &a) == 0;
        w->kind = WAIT_CONSTANT;
    } else if (ntok == 2 && strcmp(tok[0], "pacing") == 0) {
        ok      = parse_wait_arg(tok[1], &a) == 0 && a > 0;
        w->kind = WAIT_PACING;
    } else if (ntok == 2 && strcmp(tok[0], "throughput") == 0) {
        char *end;
        errno   = 0;
        a       = strtod(tok[1], &end);
        ok      = !*end && !errno && a > 0 && a < 1e12 && !strpbrk(tok[1], "xXpPnN");
        w->kind = WAIT_THROUGHPUT;
    }
    if (!ok) {
        w->kind = WAIT_NONE;
        char word[64], shown[72];
        snprintf(word, sizeof word, "%s", ntok ? tok[0] : "");
        static const char *const kinds[] = {"between", "constant", "pacing", "throughput"};
        const char *best                 = ntok ? mp_suggest(word, kinds, 4) : NULL;
        if (best)
            yd_err_node(&L->y, n, "unknown wait '%s' (did you mean '%s'?)", yd_show(word, shown),
                        best);
        else
            yd_err_node(&L->y, n, "bad wait (expected %s, with S and A, B durations)", expected);
        free(copy);
        return;
    }
    w->a = a;
    w->b = b;
    free(copy);
}

static int is_step_action(const char *s)
{
    static const char *const actions[] = {"get",  "post",    "put",     "patch", "delete",
                                          "head", "options", "request", "set",   "pick",
                                          "push", "sleep",   "loop"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(s, actions[i]) == 0) return 1;
    return 0;
}

static void load_task(ld *L, const yaml_node_t *n, sc_task *t)
{
    t->weight = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        if (n->data.sequence.items.start == n->data.sequence.items.top)
            yd_err_node(&L->y, n, "task has no steps (expected at least one step)");
        ld_flow(L, n, &t->flow, "a task");
        return;
    }
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n,
                    "a task is a string (expected {name, weight, steps} or a list of steps)");
        return;
    }
    /* A step written where a task belongs is the likely mistake; say so before yd_keys calls the
     * key merely unknown (at the same position, the first message recorded wins). */
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yd_node(&L->y, p->key);
        if (yd_is_scalar(kn) && is_step_action(yd_sval(kn)))
            yd_err_node(&L->y, kn,
                        "'%s' is a step, not a task key (expected name, weight and steps: "
                        "[...])",
                        yd_sval(kn));
    }
    static const char *const keys[] = {"name", "weight", "steps"};
    yaml_node_t *v[3];
    int unknown = yd_keys(&L->y, n, "in task", keys, 3, v, NULL);
    if (v[0]) yd_string(&L->y, v[0], "task name", &t->name);
    if (v[1] && yd_number(&L->y, v[1], "weight", &t->weight) == 0 && t->weight <= 0)
        yd_err_node(&L->y, v[1], "weight is '%s' (expected a number greater than zero)",
                    yd_sval(v[1]));
    if (!v[2]) {
        if (!unknown)
            yd_err_node(&L->y, n, "task has no steps (expected steps: with at least one step)");
        return;
    }
    if (v[2]->type == YAML_SEQUENCE_NODE &&
        v[2]->data.sequence.items.start == v[2]->data.sequence.items.top)
        yd_err_node(&L->y, v[2], "task has no steps (expected at least one step)");
    ld_flow(L, v[2], &t->flow, "steps");
}

static void load_user(ld *L, const yaml_node_t *n, size_t index)
{
    static const char *const keys[] = {"name",     "weight",  "fixed_count", "wait",
                                       "on_start", "on_stop", "tasks"};
    enum { U_NAME, U_WEIGHT, U_FIXED, U_WAIT, U_START, U_STOP, U_TASKS };
    scenario *sc = L->sc;
    sc_user *u   = &sc->users[index];
    memset(u, 0, sizeof *u);
    L->scope       = SCOPE_USER0 + (int)index;
    u->pos         = ld_pos(n);
    u->weight      = 1;
    u->fixed_count = -1;
    sc->nusers     = index + 1;
    if (n->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, n, "a user class is %s (expected a mapping with name and tasks)",
                    n->type == YAML_SEQUENCE_NODE ? "a list" : "a string");
        return;
    }
    yaml_node_t *v[7], *k[7];
    char b[72];
    int unknown = yd_keys(&L->y, n, "in user class", keys, 7, v, k);
    if (!v[U_NAME]) {
        if (!unknown) yd_err_node(&L->y, n, "user class has no name (expected name: NAME)");
    } else if (yd_string(&L->y, v[U_NAME], "user class name", &u->name) == 0) {
        if (!u->name[0])
            yd_err_node(&L->y, v[U_NAME], "user class name is empty (expected a name)");
        for (size_t i = 0; i < index; i++)
            if (sc->users[i].name && strcmp(sc->users[i].name, u->name) == 0)
                yd_err_node(&L->y, v[U_NAME],
                            "duplicate user class name '%s' (expected unique names)",
                            yd_show(u->name, b));
    }
    if (v[U_WEIGHT] && v[U_FIXED]) {
        const yaml_node_t *later = k[U_WEIGHT];
        if (yd_line(k[U_FIXED]) > yd_line(later) ||
            (yd_line(k[U_FIXED]) == yd_line(later) && yd_col(k[U_FIXED]) > yd_col(later)))
            later = k[U_FIXED];
        yd_err_node(&L->y, later,
                    "both weight and fixed_count in user class (expected one of them)");
    }
    if (v[U_WEIGHT]) load_class_weight(L, v[U_WEIGHT], &u->weight);
    if (v[U_FIXED] && !v[U_WEIGHT]) {
        u->weight = 0;
        load_fixed_count(L, v[U_FIXED], &u->fixed_count);
    }
    if (v[U_WAIT]) load_wait(L, v[U_WAIT], &u->wait);
    if (v[U_START]) ld_flow(L, v[U_START], &u->on_start, "on_start");
    if (v[U_STOP]) ld_flow(L, v[U_STOP], &u->on_stop, "on_stop");
    const yaml_node_t *tn = v[U_TASKS];
    if (!tn) {
        if (unknown) return;
        if (u->name)
            yd_err_node(&L->y, n,
                        "user class '%s' has no tasks (expected tasks: with at least one "
                        "task)",
                        yd_show(u->name, b));
        else
            yd_err_node(&L->y, n,
                        "user class has no tasks (expected tasks: with at least one task)");
        return;
    }
    if (tn->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&L->y, tn, "tasks is %s (expected a list of tasks)",
                    tn->type == YAML_MAPPING_NODE ? "a mapping" : "a string");
        return;
    }
    size_t nt = (size_t)(tn->data.sequence.items.top - tn->data.sequence.items.start);
    if (nt == 0) {
        yd_err_node(&L->y, tn, "user class has no tasks (expected at least one task)");
        return;
    }
    u->tasks = xcalloc(nt, sizeof *u->tasks);
    for (size_t i = 0; i < nt; i++) {
        yaml_node_t *e = yd_node(&L->y, tn->data.sequence.items.start[i]);
        if (!e) continue;
        u->ntasks = i + 1;
        load_task(L, e, &u->tasks[i]);
        u->total_weight += u->tasks[i].weight;
    }
}

static void load_users(ld *L, const yaml_node_t *n, const yaml_node_t *root)
{
    if (!n || yd_is_null(n)) {
        yd_err_node(&L->y, n ? n : root, "no users (expected users: with at least one user class)");
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&L->y, n, "users is %s (expected a list of user classes)",
                    n->type == YAML_MAPPING_NODE ? "a mapping" : "a string");
        return;
    }
    size_t nu = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (nu == 0) {
        yd_err_node(&L->y, n, "no users (expected at least one user class)");
        return;
    }
    L->sc->users = xcalloc(nu, sizeof *L->sc->users);
    for (size_t i = 0; i < nu; i++) {
        yaml_node_t *e = yd_node(&L->y, n->data.sequence.items.start[i]);
        if (e) load_user(L, e, i);
    }
    L->scope = SCOPE_ANY;
}

static void load_stages(ld *L, const yaml_node_t *n)
{
    static const char *const keys[] = {"duration", "users", "spawn_rate"};
    if (yd_is_null(n)) return;
    if (n->type != YAML_SEQUENCE_NODE) {
        yd_err_node(&L->y, n, "stages is %s (expected a list of {duration, users, spawn_rate})",
                    n->type == YAML_MAPPING_NODE ? "a mapping" : "a string");
        return;
    }
    size_t ns = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (ns == 0) {
        yd_err_node(&L->y, n, "stages is empty (expected at least one stage, or no stages key)");
        return;
    }
    scenario *sc = L->sc;
    sc->stages   = xcalloc(ns, sizeof *sc->stages);
    for (size_t i = 0; i < ns; i++) {
        yaml_node_t *e = yd_node(&L->y, n->data.sequence.items.start[i]);
        if (!e) continue;
        sc_stage *st = &sc->stages[sc->nstages++];
        if (e->type != YAML_MAPPING_NODE) {
            yd_err_node(&L->y, e, "a stage is %s (expected {duration, users, spawn_rate})",
                        e->type == YAML_SEQUENCE_NODE ? "a list" : "a string");
            continue;
        }
        yaml_node_t *v[3];
        int unknown = yd_keys(&L->y, e, "in stage", keys, 3, v, NULL);
        for (int k = 0; k < 3 && !unknown; k++)
            if (!v[k]) {
                yd_err_node(&L->y, e, "stage has no %s (expected duration, users and spawn_rate)",
                            keys[k]);
                break;
            }
        if (v[0]) yd_duration(&L->y, v[0], "duration", 0, &st->duration);
        if (v[1] && yd_long(&L->y, v[1], "users", &st->users) == 0 && st->users < 0)
            yd_err_node(&L->y, v[1], "users is '%s' (expected an integer >= 0)", yd_sval(v[1]));
        if (v[2] && yd_number(&L->y, v[2], "spawn_rate", &st->spawn_rate) == 0 &&
            st->spawn_rate <= 0)
            yd_err_node(&L->y, v[2], "spawn_rate is '%s' (expected a number greater than zero)",
                        yd_sval(v[2]));
    }
}

static int by_slot_scope(const void *a, const void *b)
{
    const ld_set *x = a, *y = b;
    if (x->slot != y->slot) return x->slot < y->slot ? -1 : 1;
    return (x->scope > y->scope) - (x->scope < y->scope);
}

static int set_in(const ld *L, int slot, int scope)
{
    ld_set key = {slot, scope};
    return L->nsets && bsearch(&key, L->sets, L->nsets, sizeof key, by_slot_scope) != NULL;
}

/* The first scope (in by_slot_scope order) that sets slot; the slot has at least one. */
static int first_setter(const ld *L, int slot)
{
    size_t lo = 0, hi = L->nsets;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (L->sets[mid].slot < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < L->nsets && L->sets[lo].slot == slot ? L->sets[lo].scope : SCOPE_ANY;
}

static void scope_name(const ld *L, int scope, char *buf, size_t size)
{
    char b[72];
    if (scope == SCOPE_ANY)
        snprintf(buf, size, "variables");
    else if (scope == SCOPE_SETUP)
        snprintf(buf, size, "setup");
    else if (scope == SCOPE_TEARDOWN)
        snprintf(buf, size, "teardown");
    else if (L->sc->users[scope - SCOPE_USER0].name)
        snprintf(buf, size, "user class '%s'", yd_show(L->sc->users[scope - SCOPE_USER0].name, b));
    else
        snprintf(buf, size, "user class %d", scope - SCOPE_USER0 + 1);
}

/* Every variable a template or a loop reads must be set somewhere (docs: "Using a name that no
 * step ever sets is a load-time error"), and by the flow's own owner: setup, teardown and each user
 * class have variables of their own, so a value one of them sets is never seen by another. */
static void check_uses(ld *L)
{
    const mp_symtab *t = &L->sc->syms;
    const char **set   = xcalloc(t->nvars ? t->nvars : 1, sizeof *set);
    size_t nset        = 0;
    for (size_t i = 0; i < t->nvars; i++)
        if (ld_flags(L, (int)i) & VF_SET) set[nset++] = t->vars[i];
    if (L->nsets) qsort(L->sets, L->nsets, sizeof *L->sets, by_slot_scope);
    for (size_t u = 0; u < L->nuses; u++) {
        const ld_use *use = &L->uses[u];
        const char *name  = t->vars[use->slot];
        unsigned flags    = ld_flags(L, use->slot);
        if (flags & VF_SET) {
            if ((flags & VF_DECLARED) || use->scope == SCOPE_ANY ||
                set_in(L, use->slot, use->scope))
                continue;
            char here[96], there[96];
            scope_name(L, use->scope, here, sizeof here);
            scope_name(L, first_setter(L, use->slot), there, sizeof there);
            yd_err(&L->y, use->line, use->col,
                   "variable '%s' is not set in %s (%s sets it, but setup, teardown and each user "
                   "have variables of their own; expected it set in %s or in variables, or passed "
                   "through a pool)",
                   name, here, there, here);
            continue;
        }
        const char *best = mp_suggest(name, set, nset);
        if (mp_symtab_find_pool(t, name) >= 0)
            yd_err(&L->y, use->line, use->col,
                   "variable '%s' is never set ('%s' is a pool: expected pool.%s in a loop's over, "
                   "or pick to read one element)",
                   name, name, name);
        else if (best)
            yd_err(&L->y, use->line, use->col, "variable '%s' is never set (did you mean '%s'?)",
                   name, best);
        else
            yd_err(&L->y, use->line, use->col,
                   "variable '%s' is never set (expected it set by variables, set, a capture, "
                   "pick or a loop's as)",
                   name);
    }
    free(set);
}

static void load_root(ld *L, const yaml_node_t *root)
{
    static const char *const keys[] = {"host",  "defaults", "variables", "pools", "counters",
                                       "setup", "teardown", "users",     "stages"};
    enum {
        K_HOST,
        K_DEFAULTS,
        K_VARIABLES,
        K_POOLS,
        K_COUNTERS,
        K_SETUP,
        K_TEARDOWN,
        K_USERS,
        K_STAGES
    };
    if (root->type != YAML_MAPPING_NODE) {
        yd_err_node(&L->y, root, "the top level is %s (expected a mapping with host, users, ...)",
                    root->type == YAML_SEQUENCE_NODE ? "a list" : "a string");
        return;
    }
    yaml_node_t *v[9];
    int unknown = yd_keys(&L->y, root, "at the top level", keys, 9, v, NULL);
    /* Sections others refer to come first; error order does not depend on this (see yd_err). */
    if (v[K_HOST]) load_host(L, v[K_HOST]);
    if (v[K_DEFAULTS]) load_defaults(L, v[K_DEFAULTS]);
    if (v[K_POOLS]) load_names(L, v[K_POOLS], "pools", 1);
    if (v[K_COUNTERS]) load_names(L, v[K_COUNTERS], "counters", 0);
    if (v[K_VARIABLES]) load_variables(L, v[K_VARIABLES]);
    L->scope = SCOPE_SETUP;
    if (v[K_SETUP]) ld_flow(L, v[K_SETUP], &L->sc->setup, "setup");
    if (v[K_USERS] || !unknown) load_users(L, v[K_USERS], root);
    L->scope = SCOPE_TEARDOWN;
    if (v[K_TEARDOWN]) ld_flow(L, v[K_TEARDOWN], &L->sc->teardown, "teardown");
    L->scope = SCOPE_ANY;
    if (v[K_STAGES]) load_stages(L, v[K_STAGES]);
    check_uses(L);
}

/* ---- entry points ---------------------------------------------------------------------------- */

scenario *scenario_parse(const char *text, size_t len, const char *name, mp_err *err)
{
    ld L = {.scope = SCOPE_ANY};
    if (yd_parse(&L.y, name, text, len, err) != 0) return NULL;
    scenario *sc                 = xcalloc(1, sizeof *sc);
    sc->file                     = xstrdup(name);
    sc->default_timeout          = 30;
    sc->default_follow_redirects = 1;
    sc->default_tls_verify       = 1;
    L.sc                         = sc;
    yaml_node_t *root            = yd_root(&L.y);
    if (!root)
        yd_err(&L.y, 1, 1, "empty scenario (expected a mapping with users: ...)");
    else
        load_root(&L, root);
    yd_free(&L.y);
    for (size_t i = 0; i < L.ndheaders; i++) {
        free(L.dheaders[i].name);
        tpl_free(L.dheaders[i].value);
    }
    free(L.dheaders);
    free(L.vflags);
    free(L.uses);
    free(L.sets);
    for (size_t i = 0; i < L.cap_statics; i++)
        mp_value_clear(&L.statics[i]);
    free(L.statics);
    if (L.y.have_err) {
        if (err) *err = L.y.err;
        scenario_free(sc);
        return NULL;
    }
    return sc;
}

scenario *scenario_load(const char *path, mp_err *err)
{
    sb text = {0};
    if (yd_read_file(path, &text, err) != 0) {
        sb_free(&text);
        return NULL;
    }
    scenario *sc = scenario_parse(sb_str(&text), text.len, path, err);
    sb_free(&text);
    return sc;
}

static void free_users(scenario *sc)
{
    for (size_t i = 0; i < sc->nusers; i++) {
        sc_user *u = &sc->users[i];
        free(u->name);
        ld_free_flow(&u->on_start);
        ld_free_flow(&u->on_stop);
        for (size_t t = 0; t < u->ntasks; t++) {
            free(u->tasks[t].name);
            ld_free_flow(&u->tasks[t].flow);
        }
        free(u->tasks);
    }
    free(sc->users);
}

void scenario_free(scenario *sc)
{
    if (!sc) return;
    free(sc->file);
    free(sc->host);
    ld_free_flow(&sc->setup);
    ld_free_flow(&sc->teardown);
    free_users(sc);
    free(sc->stages);
    for (size_t i = 0; i < sc->nvariables; i++)
        tpl_free(sc->variables[i].value);
    free(sc->variables);
    mp_symtab_free(&sc->syms);
    free(sc);
}
