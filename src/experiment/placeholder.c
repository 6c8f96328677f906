#include "experiment/placeholder.h"

#include <stdio.h>
#include <string.h>

static const char *const names[PH_COUNT] = {
    [PH_PYTHON]         = "python",
    [PH_RUNTIME]        = "runtime",
    [PH_BENCHMARK]      = "benchmark",
    [PH_CONFIG]         = "config",
    [PH_CONFIG_DIR]     = "config_dir",
    [PH_FILES]          = "files",
    [PH_DIR]            = "dir",
    [PH_PORT]           = "port",
    [PH_RUN_DIR]        = "run_dir",
    [PH_INDEX]          = "index",
    [PH_ROUND]          = "round",
    [PH_EXPERIMENT_DIR] = "experiment_dir",
};

const char *ph_name_str(ph_name n)
{
    return n < PH_COUNT ? names[n] : "?";
}

static int lookup(const char *s, size_t len)
{
    for (int i = 0; i < PH_COUNT; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) return i;
    return -1;
}

/* "one of {a}, {b} or {c}" for the names in allowed. */
static void list_allowed(char *msg, size_t msgsize, unsigned allowed)
{
    int count = 0, total = 0, w = 0;
    for (int k = 0; k < PH_COUNT; k++)
        total += (allowed & PH_BIT(k)) != 0;
    w = snprintf(msg, msgsize, "%s", total > 1 ? "one of " : "");
    for (int k = 0; k < PH_COUNT && w >= 0 && (size_t)w < msgsize; k++) {
        if (!(allowed & PH_BIT(k))) continue;
        count++;
        w += snprintf(msg + w, msgsize - (size_t)w, "%s{%s}",
                      count == 1       ? ""
                      : count == total ? " or "
                                       : ", ",
                      names[k]);
    }
}

int ph_check(const char *s, unsigned allowed, size_t *off, char *msg, size_t msgsize)
{
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '}') {
            if (s[i + 1] == '}') {
                i++;
                continue;
            }
            *off = i;
            snprintf(msg, msgsize, "a lone '}' (write '}}' for a literal brace)");
            return -1;
        }
        if (s[i] != '{') continue;
        if (s[i + 1] == '{') {
            i++;
            continue;
        }
        const char *close = strchr(s + i + 1, '}');
        if (!close) {
            *off = i;
            snprintf(msg, msgsize, "'{' without a closing '}' (write '{{' for a literal brace)");
            return -1;
        }
        size_t len = (size_t)(close - (s + i + 1));
        int n      = lookup(s + i + 1, len);
        if (n < 0) {
            *off = i;
            char name[48];
            snprintf(name, sizeof name, "%.*s%s", len > 40 ? 40 : (int)len, s + i + 1,
                     len > 40 ? "..." : "");
            char exp[400];
            list_allowed(exp, sizeof exp, allowed);
            snprintf(msg, msgsize, "unknown placeholder '{%s}' (expected %s)", name, exp);
            return -1;
        }
        if (!(allowed & PH_BIT(n))) {
            *off = i;
            char exp[400];
            list_allowed(exp, sizeof exp, allowed);
            snprintf(msg, msgsize, "placeholder '{%s}' is not available here (expected %s)",
                     names[n], exp);
            return -1;
        }
        i += len + 1;
    }
    return 0;
}

void ph_shell_quote(sb *out, const char *s)
{
    int safe = *s != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-",
                      *p) != NULL;
    if (safe) {
        sb_adds(out, s);
        return;
    }
    sb_addc(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sb_adds(out, "'\\''");
        else
            sb_addc(out, *p);
    }
    sb_addc(out, '\'');
}

static void add_words(sb *out, const char *const *w, size_t n, enum ph_mode mode)
{
    for (size_t i = 0; i < n; i++) {
        if (i) sb_addc(out, ' ');
        if (mode == PH_SHELL)
            ph_shell_quote(out, w[i]);
        else
            sb_adds(out, w[i]);
    }
}

int ph_expand(const char *s, const ph_vars *vars, enum ph_mode mode, sb *out, ph_name *missing)
{
    for (size_t i = 0; s[i]; i++) {
        if ((s[i] == '{' && s[i + 1] == '{') || (s[i] == '}' && s[i + 1] == '}')) {
            sb_addc(out, s[i]);
            i++;
            continue;
        }
        const char *close = s[i] == '{' ? strchr(s + i + 1, '}') : NULL;
        int n             = close ? lookup(s + i + 1, (size_t)(close - (s + i + 1))) : -1;
        if (n < 0) {
            sb_addc(out, s[i]);
            continue;
        }
        if (n == PH_PYTHON || n == PH_FILES) {
            const char *const *w = n == PH_PYTHON ? vars->python : vars->files;
            size_t nw            = n == PH_PYTHON ? vars->npython : vars->nfiles;
            if (!w && n == PH_PYTHON) {
                if (missing) *missing = (ph_name)n;
                return -1;
            }
            add_words(out, w, nw, mode);
        } else {
            const char *v = vars->value[n];
            if (!v) {
                if (missing) *missing = (ph_name)n;
                return -1;
            }
            if (mode == PH_SHELL)
                ph_shell_quote(out, v);
            else
                sb_adds(out, v);
        }
        i = (size_t)(close - s);
    }
    return 0;
}
