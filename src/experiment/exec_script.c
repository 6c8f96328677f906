/* A script run: one command, measured from outside (wall, CPU of its whole process tree) and by
 * what it prints. */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdint.h>
#include <unistd.h>

#include "experiment/exec.h"
#include "experiment/proc.h"
#include "util/mem.h"

void ex_outcome_free(ex_outcome *o)
{
    sb_free(&o->message);
    free(o->stderr_tail);
    free(o->stdout_tail);
    free(o->command);
    json_decref(o->metrics);
    json_decref(o->extra);
    memset(o, 0, sizeof *o);
}

void ex_outcome_fail(ex_outcome *o, enum ex_status st, const char *phase, const char *fmt, ...)
{
    o->status = st;
    o->phase  = phase;
    o->value  = NAN;
    sb_reset(&o->message);
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&o->message, fmt, ap);
    va_end(ap);
}

json_t *ex_json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) return p[0] ? 1 : 0;
    size_t len = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (!len || len > n || (p[0] >= 0xF8)) return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    uint32_t cp = len == 2   ? (uint32_t)(p[0] & 0x1F)
                  : len == 3 ? (uint32_t)(p[0] & 0x0F)
                             : (uint32_t)(p[0] & 0x07);
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3F);
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

json_t *ex_json_text(const char *s, size_t len)
{
    sb clean               = {0};
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_seq(p + i, len - i);
        if (k == 0) {
            sb_addc(&clean, '?');
            i++;
        } else {
            sb_add(&clean, p + i, k);
            i += k;
        }
    }
    json_t *j = json_stringn(clean.buf ? clean.buf : "", clean.len);
    sb_free(&clean);
    return j;
}

int ex_last_number(const char *text, double *out)
{
    int found     = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
            p++;
        if (!*p) break;
        const char *start = p;
        while (*p &&
               !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
            p++;
        char tok[64];
        size_t len = (size_t)(p - start);
        if (len == 0 || len >= sizeof tok) continue;
        memcpy(tok, start, len);
        tok[len] = '\0';
        char *end;
        errno    = 0;
        double v = strtod(tok, &end);
        /* Hexadecimal and inf/nan spellings are not what a benchmark prints as its result. */
        if (*end || errno || !isfinite(v) || strpbrk(tok, "xXpPnN")) continue;
        *out  = v;
        found = 1;
    }
    return found ? 0 : -1;
}

int ex_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {0};
    a.sin_family         = AF_INET;
    a.sin_addr.s_addr    = htonl(INADDR_LOOPBACK);
    a.sin_port           = 0;
    socklen_t len        = sizeof a;
    int port             = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

void ex_exec_script(const ex_exec *x, ex_outcome *o)
{
    sb cmd = {0};
    ph_expand(x->b->command, x->vars, PH_SHELL, &cmd, NULL);
    o->command     = xstrdup(sb_str(&cmd));
    proc_spec spec = {o->command, x->cwd, x->env, x->b->timeout, 0, 1};
    proc_result r;
    mp_err e;
    o->metrics = json_object();
    if (proc_run(&spec, &r, &e) != 0) {
        ex_outcome_fail(o, EX_FAILED, "run", "cannot start the command: %s", e.msg);
        sb_free(&cmd);
        return;
    }
    sb_free(&cmd);
    if (r.cancelled) {
        o->interrupted = 1;
        proc_result_free(&r);
        return;
    }
    double cpu = r.user_s + r.sys_s;
    double printed;
    int have_printed = ex_last_number(sb_str(&r.out), &printed) == 0;
    json_object_set_new(o->metrics, "wall", json_real(r.wall_s));
    json_object_set_new(o->metrics, "cpu", json_real(cpu));
    json_object_set_new(o->metrics, "user", json_real(r.user_s));
    json_object_set_new(o->metrics, "sys", json_real(r.sys_s));
    json_object_set_new(o->metrics, "printed", have_printed ? json_real(printed) : json_null());
    json_object_set_new(o->metrics, "max_rss", json_integer((json_int_t)r.max_rss_kb * 1024));
    if (!r.timed_out && !r.signaled)
        json_object_set_new(o->metrics, "exit_code", json_integer(r.exit_code));

    o->status = EX_OK;
    if (r.timed_out) {
        ex_outcome_fail(o, EX_TIMEOUT, "run", "timed out after %gs; the process group was killed",
                        x->b->timeout);
    } else if (r.signaled) {
        ex_outcome_fail(o, EX_FAILED, "run", "killed by signal %d (%s)", r.term_signal,
                        strsignal(r.term_signal));
    } else if (r.exit_code != 0) {
        ex_outcome_fail(o, EX_FAILED, "run", "exit status %d", r.exit_code);
    } else if (x->b->metric == EX_M_PRINTED && !have_printed) {
        ex_outcome_fail(o, EX_FAILED, "run",
                        "metric 'printed': no number on standard output (expected the result as "
                        "the last whitespace-separated word)");
    } else {
        o->value = x->b->metric == EX_M_WALL ? r.wall_s : x->b->metric == EX_M_CPU ? cpu : printed;
    }
    if (o->status != EX_OK) {
        o->stderr_tail = proc_tail(&r.err, 2000);
        if (x->b->metric == EX_M_PRINTED && !have_printed) o->stdout_tail = proc_tail(&r.out, 500);
    }
    proc_result_free(&r);
}
