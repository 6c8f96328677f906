#include "util/opts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

void opt_list_free(struct opt_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

int mp_parse_duration(const char *s, double *seconds)
{
    if (!s || !*s) return -1;
    double total  = 0;
    const char *p = s;
    int parts     = 0;
    while (*p) {
        char *end;
        errno    = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || v < 0 || *p == '+' || *p == '-') return -1;
        p = end;
        double unit;
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1e-3;
            p += 2;
        } else if (strncmp(p, "us", 2) == 0) {
            unit = 1e-6;
            p += 2;
        } else if (*p == 's') {
            unit = 1;
            p++;
        } else if (*p == 'm') {
            unit = 60;
            p++;
        } else if (*p == 'h') {
            unit = 3600;
            p++;
        } else if (*p == '\0' && parts == 0) {
            unit = 1; /* a bare number is seconds */
        } else {
            return -1;
        }
        total += v * unit;
        parts++;
    }
    *seconds = total;
    return 0;
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len)
{
    for (const struct opt *o = opts; o->type != OPT_END; o++)
        if (o->long_name && strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
    for (const struct opt *o = opts; o->type != OPT_END; o++)
        if (o->type != OPT_GROUP && o->short_name == c) return o;
    return NULL;
}

static void opt_name(const struct opt *o, char *buf, size_t n)
{
    if (o->long_name)
        snprintf(buf, n, "--%s", o->long_name);
    else
        snprintf(buf, n, "-%c", o->short_name);
}

static int set_value(const struct opt *o, const char *arg, const struct opt_usage *u)
{
    char name[80];
    opt_name(o, name, sizeof name);
    char *end;
    switch (o->type) {
    case OPT_INT: {
        errno  = 0;
        long v = strtol(arg, &end, 10);
        if (errno || end == arg || *end) {
            fprintf(stderr, "mixperf %s: %s expects an integer, got '%s'\n", u->command, name, arg);
            return -1;
        }
        *(long *)o->value = v;
        return 0;
    }
    case OPT_DOUBLE: {
        errno    = 0;
        double v = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(v)) {
            fprintf(stderr, "mixperf %s: %s expects a number, got '%s'\n", u->command, name, arg);
            return -1;
        }
        *(double *)o->value = v;
        return 0;
    }
    case OPT_DURATION:
        if (mp_parse_duration(arg, (double *)o->value) != 0) {
            fprintf(stderr,
                    "mixperf %s: %s expects a duration such as 30, 1.5s, 250ms, 2m or 1h30m, got "
                    "'%s'\n",
                    u->command, name, arg);
            return -1;
        }
        return 0;
    case OPT_STRING:
        *(const char **)o->value = arg;
        return 0;
    case OPT_LIST: {
        struct opt_list *l = o->value;
        XGROW(l->items, l->n + 1, l->cap);
        l->items[l->n++] = arg;
        return 0;
    }
    default:
        return -1;
    }
}

static void usage_hint(const struct opt_usage *u)
{
    fprintf(stderr, "see 'mixperf %s --help'\n", u->command);
}

int opts_exit_code(int parse_result)
{
    return parse_result == OPTS_HELP ? MP_EXIT_OK : MP_EXIT_USAGE;
}

int opts_parse(int argc, char **argv, const struct opt *opts, const struct opt_usage *u,
               int *dashdash)
{
    int npos = 0, dd = -1;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (dd >= 0 || a[0] != '-' || a[1] == '\0') {
            argv[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dd = npos;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            opts_print_help(opts, u);
            return OPTS_HELP;
        }
        if (a[1] == '-') {
            const char *name    = a + 2;
            const char *eq      = strchr(name, '=');
            size_t len          = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt *o = find_long(opts, name, len);
            int neg             = 0;
            if (!o && len > 3 && strncmp(name, "no-", 3) == 0) {
                o   = find_long(opts, name + 3, len - 3);
                neg = o && o->type == OPT_FLAG;
                if (!neg) o = NULL;
            }
            if (!o || o->type == OPT_GROUP) {
                fprintf(stderr, "mixperf %s: unknown option '--%.*s'\n", u->command, (int)len,
                        name);
                usage_hint(u);
                return OPTS_ERROR;
            }
            if (o->type == OPT_FLAG) {
                if (eq) {
                    fprintf(stderr, "mixperf %s: option '--%s' takes no value\n", u->command,
                            o->long_name);
                    return OPTS_ERROR;
                }
                *(int *)o->value = !neg;
                continue;
            }
            const char *arg = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!arg) {
                fprintf(stderr, "mixperf %s: option '--%s' needs a value (%s)\n", u->command,
                        o->long_name, o->argh ? o->argh : "VALUE");
                return OPTS_ERROR;
            }
            if (set_value(o, arg, u) != 0) return OPTS_ERROR;
            continue;
        }
        /* short options, possibly bundled: -vq, -u10 */
        for (const char *c = a + 1; *c; c++) {
            const struct opt *o = find_short(opts, *c);
            if (!o) {
                fprintf(stderr, "mixperf %s: unknown option '-%c'\n", u->command, *c);
                usage_hint(u);
                return OPTS_ERROR;
            }
            if (o->type == OPT_FLAG) {
                *(int *)o->value = 1;
                continue;
            }
            const char *arg = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!arg) {
                fprintf(stderr, "mixperf %s: option '-%c' needs a value (%s)\n", u->command, *c,
                        o->argh ? o->argh : "VALUE");
                return OPTS_ERROR;
            }
            if (set_value(o, arg, u) != 0) return OPTS_ERROR;
            break;
        }
    }
    /* argv stays NULL-terminated after compaction, so the part after "--" can go to execvp. */
    argv[npos] = NULL;
    if (dashdash) *dashdash = dd >= 0 ? dd : npos;
    return npos;
}

void opts_print_help(const struct opt *opts, const struct opt_usage *u)
{
    printf("usage: mixperf %s %s\n", u->command, u->synopsis ? u->synopsis : "[options]");
    if (u->description) printf("\n%s\n", u->description);
    int any = 0;
    for (const struct opt *o = opts; o->type != OPT_END; o++) {
        if (o->type == OPT_GROUP) {
            printf("\n%s\n", o->help);
            any = 1;
            continue;
        }
        if (!any) {
            printf("\noptions:\n");
            any = 1;
        }
        char left[96];
        int n = 0;
        if (o->short_name && o->long_name)
            n = snprintf(left, sizeof left, "  -%c, --%s", o->short_name, o->long_name);
        else if (o->long_name)
            n = snprintf(left, sizeof left, "      --%s", o->long_name);
        else
            n = snprintf(left, sizeof left, "  -%c", o->short_name);
        if (o->type != OPT_FLAG && n > 0 && (size_t)n < sizeof left)
            snprintf(left + n, sizeof left - (size_t)n, " %s",
                     o->argh ? o->argh : (o->type == OPT_DURATION ? "DURATION" : "VALUE"));
        if (strlen(left) > 28)
            printf("%s\n%30s%s\n", left, "", o->help);
        else
            printf("%-30s%s\n", left, o->help);
    }
    printf("  -h, --help                  show this help and exit\n");
}
