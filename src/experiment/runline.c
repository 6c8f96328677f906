#include "experiment/runline.h"

#include <math.h>
#include <string.h>

const char *ex_status_name(enum ex_status s)
{
    switch (s) {
    case EX_OK:
        return "ok";
    case EX_FAILED:
        return "failed";
    case EX_TIMEOUT:
        return "timeout";
    }
    return "?";
}

static const char *str_field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int int_field(const json_t *o, const char *key, long *out)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) return -1;
    *out = (long)json_integer_value(v);
    return 0;
}

json_t *ex_rule_json(const plan_rule *r)
{
    return json_pack("{s:s,s:f,s:f,s:I,s:I,s:f,s:I}", "method", mp_method_name(r->method),
                     "confidence", r->confidence, "target", r->target, "min_runs",
                     (json_int_t)r->min_runs, "max_runs", (json_int_t)r->max_runs, "max_time_s",
                     r->max_time_s, "warmup_runs", (json_int_t)r->warmup_runs);
}

int ex_rule_parse(const json_t *j, plan_rule *out, mp_err *err)
{
    const char *m = str_field(j, "method");
    json_int_t minr, maxr, warm;
    double conf, target, maxt;
    if (!m || json_unpack((json_t *)j, "{s:F,s:F,s:I,s:I,s:F,s:I}", "confidence", &conf, "target",
                          &target, "min_runs", &minr, "max_runs", &maxr, "max_time_s", &maxt,
                          "warmup_runs", &warm) != 0)
        return mp_fail(err, "\"rule\" lacks a field (expected method, confidence, target, "
                            "min_runs, max_runs, max_time_s, warmup_runs)");
    mp_method method;
    if (mp_method_parse(m, &method, err) != 0) return mp_fail_wrap(err, "\"rule\"");
    *out = (plan_rule){conf, target, method, (long)minr, (long)maxr, maxt, (long)warm};
    return 0;
}

int ex_line_parse(const json_t *obj, ex_line *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->obj        = obj;
    const char *sch = str_field(obj, "schema");
    if (!sch) return mp_fail(err, "no \"schema\" (expected \"%s\")", EX_SCHEMA);
    if (strcmp(sch, EX_SCHEMA) != 0)
        return mp_fail(err, "schema \"%s\" is not supported (expected \"%s\")", sch, EX_SCHEMA);
    out->experiment = str_field(obj, "experiment");
    out->runtime    = str_field(obj, "runtime");
    out->benchmark  = str_field(obj, "benchmark");
    out->config     = str_field(obj, "config");
    out->metric     = str_field(obj, "metric");
    if (!out->experiment || !out->runtime || !out->benchmark || !out->config || !out->metric)
        return mp_fail(err, "a line lacks one of \"experiment\", \"runtime\", \"benchmark\", "
                            "\"config\", \"metric\"");
    if (int_field(obj, "index", &out->index) != 0 || out->index < 0)
        return mp_fail(err, "\"index\" is missing or not a non-negative integer");
    if (int_field(obj, "round", &out->round) != 0 || out->round < 0)
        return mp_fail(err, "\"round\" is missing or not a non-negative integer");
    const json_t *w = json_object_get(obj, "warmup");
    if (!json_is_boolean(w)) return mp_fail(err, "\"warmup\" is missing or not true/false");
    out->warmup    = json_is_true(w);
    const char *st = str_field(obj, "status");
    if (!st) return mp_fail(err, "\"status\" is missing");
    if (strcmp(st, "ok") == 0)
        out->status = EX_OK;
    else if (strcmp(st, "failed") == 0)
        out->status = EX_FAILED;
    else if (strcmp(st, "timeout") == 0)
        out->status = EX_TIMEOUT;
    else
        return mp_fail(err, "\"status\" is \"%s\" (expected ok, failed or timeout)", st);
    const json_t *v = json_object_get(obj, "value");
    if (json_is_number(v))
        out->value = json_number_value(v);
    else if (json_is_null(v) || !v)
        out->value = NAN;
    else
        return mp_fail(err, "\"value\" is not a number or null");
    if (out->status == EX_OK && !isfinite(out->value))
        return mp_fail(err, "status \"ok\" without a finite \"value\"");
    const json_t *d = json_object_get(obj, "duration_s");
    if (!json_is_number(d)) return mp_fail(err, "\"duration_s\" is missing");
    out->duration_s    = json_number_value(d);
    const json_t *seed = json_object_get(obj, "seed");
    if (!json_is_integer(seed) || json_integer_value(seed) < 0)
        return mp_fail(err, "\"seed\" is missing or negative");
    out->seed          = (uint64_t)json_integer_value(seed);
    const json_t *rule = json_object_get(obj, "rule");
    if (rule) {
        if (ex_rule_parse(rule, &out->rule, err) != 0) return -1;
        out->has_rule = 1;
    }
    return 0;
}

double ex_line_metric(const ex_line *l, const char *name)
{
    const json_t *m = json_object_get(json_object_get(l->obj, "metrics"), name);
    return json_is_number(m) ? json_number_value(m) : NAN;
}

plan_run ex_line_plan_run(const ex_line *l, size_t cell)
{
    return (plan_run){
        cell,     l->index,     l->round, l->warmup, l->status == EX_OK && isfinite(l->value),
        l->value, l->duration_s};
}
