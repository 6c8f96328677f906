/* The scenario: what docs/scenarios.md describes, loaded from YAML and fully checked. The load
 * engine only reads this structure; it never sees YAML. Every element keeps its file position so
 * run-time messages can point at the step that failed. */
#ifndef MP_SCENARIO_SCENARIO_H
#define MP_SCENARIO_SCENARIO_H

#include <stddef.h>

#include "scenario/template.h"
#include "util/err.h"

typedef struct sc_pos {
    int line, col; /* 1-based */
} sc_pos;

typedef struct sc_kv {
    char *name; /* literal */
    tpl *value;
} sc_kv;

/* A JSON body: the YAML value's shape, with templated strings. */
enum sc_json_kind { SCJ_NULL, SCJ_BOOL, SCJ_NUMBER, SCJ_STRING, SCJ_ARRAY, SCJ_OBJECT };
typedef struct sc_json {
    enum sc_json_kind kind;
    int boolean;
    char *number; /* the literal text, e.g. "3.50" (kept exactly) */
    tpl *string;
    struct sc_json *items; /* array elements or object values */
    char **keys;           /* object keys (literal) */
    size_t n;
} sc_json;

enum sc_capture_src { CAP_REGEX, CAP_COOKIE, CAP_HEADER, CAP_JSON };
enum sc_pick { PICK_FIRST, PICK_RANDOM, PICK_ALL };

typedef struct sc_capture {
    enum sc_capture_src src;
    int var;        /* slot */
    char *arg;      /* pattern, cookie name, header name or JSON path text */
    void *compiled; /* pcre2_code* for CAP_REGEX (JIT-compiled when available), mp_jsonpath* for
                       CAP_JSON (scenario/jsonpath.h); NULL otherwise */
    int group;      /* regex group (1 by default, 0 when the pattern has none); 0 for others */
    enum sc_pick pick;
    int optional;
    tpl *dflt; /* value when nothing is found, or NULL */
    sc_pos pos;
} sc_capture;

typedef struct sc_push {
    int pool;
    tpl *value;
} sc_push;

typedef struct sc_set {
    int var;
    tpl *value;
} sc_set;

typedef struct sc_expect {
    int *status; /* empty: any status < 400 succeeds */
    size_t nstatus;
    tpl **contains;
    size_t ncontains;
    tpl **not_contains;
    size_t nnot_contains;
} sc_expect;

enum sc_body { BODY_NONE, BODY_FORM, BODY_JSON, BODY_RAW };
enum sc_step_kind { STEP_REQUEST, STEP_SET, STEP_PICK, STEP_PUSH, STEP_SLEEP, STEP_LOOP };
enum sc_loop_kind { LOOP_COUNT, LOOP_LIST, LOOP_VAR, LOOP_POOL };

struct sc_step;
typedef struct sc_flow {
    struct sc_step *steps;
    size_t n;
} sc_flow;

typedef struct sc_request {
    char *method; /* upper case */
    tpl *url;     /* absolute or relative to the host */
    char *name;   /* statistics name */
    sc_kv *query;
    size_t nquery;
    sc_kv *headers; /* already merged: the step's own, in order, then the defaults.headers it does
                       not override (names compared ignoring case) */
    size_t nheaders;
    enum sc_body body_kind;
    sc_kv *form;
    size_t nform;
    sc_json *json;
    tpl *body;
    int follow_redirects;
    double timeout; /* seconds */
    int tls_verify; /* defaults.tls_verify */
    sc_expect expect;
    sc_capture *captures;
    size_t ncaptures;
    sc_push *push;
    size_t npush;
} sc_request;

typedef struct sc_loop {
    enum sc_loop_kind kind;
    tpl *count;  /* LOOP_COUNT */
    tpl **items; /* LOOP_LIST */
    size_t nitems;
    int var;  /* LOOP_VAR: list variable slot */
    int pool; /* LOOP_POOL */
    int as;   /* slot receiving the index or element (always present) */
    sc_flow body;
} sc_loop;

typedef struct sc_step {
    enum sc_step_kind kind;
    sc_pos pos;
    union {
        sc_request req; /* STEP_REQUEST */
        struct {
            sc_set *items;
            size_t n;
        } set; /* STEP_SET */
        struct {
            int pool;
            int var;
        } pick;       /* STEP_PICK */
        sc_push push; /* STEP_PUSH */
        double sleep; /* STEP_SLEEP, seconds */
        sc_loop loop; /* STEP_LOOP */
    } u;
} sc_step;

typedef struct sc_task {
    char *name; /* may be NULL */
    double weight;
    sc_flow flow;
} sc_task;

enum sc_wait_kind { WAIT_NONE, WAIT_BETWEEN, WAIT_CONSTANT, WAIT_PACING, WAIT_THROUGHPUT };
typedef struct sc_wait {
    enum sc_wait_kind kind;
    double a, b; /* seconds (BETWEEN: a..b; CONSTANT/PACING: a) or tasks/s (THROUGHPUT: a) */
} sc_wait;

typedef struct sc_user {
    char *name;
    double weight;    /* 0 when fixed_count is used */
    long fixed_count; /* -1 when weight is used */
    sc_wait wait;
    sc_flow on_start, on_stop;
    sc_task *tasks;
    size_t ntasks;
    double total_weight; /* sum of task weights */
    sc_pos pos;
} sc_user;

typedef struct sc_stage {
    double duration; /* seconds */
    long users;
    double spawn_rate;
} sc_stage;

typedef struct scenario {
    char *file;
    char *host; /* NULL when the file has none (then --host is required); no trailing '/' */
    double default_timeout;
    int default_follow_redirects;
    int default_tls_verify;
    sc_flow setup, teardown;
    sc_user *users;
    size_t nusers;
    sc_stage *stages;
    size_t nstages;
    mp_symtab syms;
    /* `variables:` section: rendered once at start into every user's values, by slot, in this
     * order (each may use only the ones before it, which the loader checks). */
    sc_set *variables;
    size_t nvariables;
} scenario;

/* Loads and checks a file. On error returns NULL and err says file:line:column and what was
 * expected. */
scenario *scenario_load(const char *path, mp_err *err);
/* Same, from memory; `name` is used in messages. (Tests and the fuzzer use this.) */
scenario *scenario_parse(const char *text, size_t len, const char *name, mp_err *err);
void scenario_free(scenario *sc);

#endif
