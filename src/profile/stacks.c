#include "profile/stacks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/agg.h"
#include "profile/flame.h"
#include "util/mem.h"

struct mp_stacks {
    struct agg a;
};

mp_stacks *mp_stacks_new(void)
{
    mp_stacks *s = xcalloc(1, sizeof *s);
    agg_init(&s->a);
    return s;
}

void mp_stacks_free(mp_stacks *s)
{
    if (!s) return;
    agg_free(&s->a);
    free(s);
}

/* "pid 123" / "tid 45": the number, or -1 when the frame is not one. */
static long id_frame(const char *f, size_t len, const char *word)
{
    size_t wl = strlen(word);
    if (len <= wl + 1 || strncmp(f, word, wl) != 0 || f[wl] != ' ') return -1;
    long v = 0;
    for (size_t i = wl + 1; i < len; i++) {
        if (f[i] < '0' || f[i] > '9' || v > 100000000) return -1;
        v = v * 10 + (f[i] - '0');
    }
    return v;
}

/* One line (without its newline) into parsed frames; 0, or -1 with what was wrong in why. */
static int parse_line(struct agg *a, const char *l, size_t len, uint32_t **frames, size_t *cap,
                      char *why, size_t whysize)
{
    const char *sp = NULL;
    for (size_t i = len; i-- > 0;)
        if (l[i] == ' ') {
            sp = l + i;
            break;
        }
    if (!sp || sp == l || sp + 1 == l + len) {
        snprintf(why, whysize,
                 "expected 'STACK WEIGHT' (frames separated by ';', a space, the "
                 "weight in microseconds)");
        return -1;
    }
    unsigned long long w = 0;
    for (const char *p = sp + 1; p < l + len; p++) {
        if (*p < '0' || *p > '9' || w > 1000000000000000ull) {
            snprintf(why, whysize, "weight '%.*s' is not a whole number of microseconds",
                     (int)(l + len - sp - 1), sp + 1);
            return -1;
        }
        w = w * 10 + (unsigned long long)(*p - '0');
    }
    long pid = 0, tid = 0;
    uint32_t n = 0;
    sb mod = {0}, fn = {0};
    for (const char *f = l; f < sp;) {
        const char *e = memchr(f, ';', (size_t)(sp - f));
        if (!e) e = sp;
        size_t fl = (size_t)(e - f);
        if (fl == 0) {
            snprintf(why, whysize, "an empty frame at column %d (expected frame;frame;...)",
                     (int)(f - l) + 1);
            sb_free(&mod);
            sb_free(&fn);
            return -1;
        }
        long v;
        if (n == 0 && (v = id_frame(f, fl, "pid")) >= 0 && pid == 0 && tid == 0) {
            pid = v;
        } else if (n == 0 && (v = id_frame(f, fl, "tid")) >= 0 && tid == 0) {
            tid = v;
        } else {
            const char *colon = memchr(f, ':', fl);
            sb_reset(&mod);
            sb_reset(&fn);
            if (colon && colon > f) {
                sb_add(&mod, f, (size_t)(colon - f));
                sb_add(&fn, colon + 1, fl - (size_t)(colon - f) - 1);
            } else {
                sb_adds(&mod, "?");
                sb_add(&fn, f, fl);
            }
            XGROW(*frames, n + 1, *cap);
            uint32_t func  = agg_func(a, sb_str(&mod), sb_str(&fn), "", 0);
            (*frames)[n++] = agg_frame(a, func, 0);
        }
        f = e + 1;
    }
    sb_free(&mod);
    sb_free(&fn);
    if (n == 0) {
        snprintf(why, whysize, "a stack without frames (expected module:function frames)");
        return -1;
    }
    agg_add(a, (pid_t)pid, (pid_t)tid, *frames, n, (uint64_t)w * 1000);
    return 0;
}

int mp_stacks_add_text(mp_stacks *s, const char *text, size_t len, const char *name, mp_err *err)
{
    /* Parsed into a scratch aggregate first, so a bad line leaves s as it was. */
    struct agg tmp;
    agg_init(&tmp);
    uint32_t *frames = NULL;
    size_t cap = 0, lineno = 0;
    char why[256];
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t ll      = nl ? (size_t)(nl - (text + i)) : len - i;
        lineno++;
        size_t l2 = ll;
        if (l2 && text[i + l2 - 1] == '\r') l2--;
        if (l2 && parse_line(&tmp, text + i, l2, &frames, &cap, why, sizeof why) != 0)
            rc = mp_fail(err, "%s:%zu: %s", name, lineno, why);
        i += ll + 1;
    }
    if (rc == 0) {
        /* Re-intern into s: frame ids of tmp mean nothing there. */
        for (size_t k = 0; k < tmp.nstacks; k++) {
            const struct agg_stack *st = &tmp.stacks[k];
            XGROW(frames, st->n, cap);
            for (uint32_t j = 0; j < st->n; j++) {
                const struct agg_func *f = &tmp.funcs[tmp.frames[st->frames[j]].func];
                frames[j] = agg_frame(&s->a, agg_func(&s->a, f->module, f->qualname, "", 0), 0);
            }
            agg_add(&s->a, st->pid, st->tid, frames, st->n, st->weight);
        }
    }
    free(frames);
    agg_free(&tmp);
    return rc;
}

int mp_stacks_add_file(mp_stacks *s, const char *path, mp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mp_fail(err, "%s: %s", path, strerror(errno));
    sb text = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(&text, buf, n);
    int bad = ferror(f);
    fclose(f);
    int rc = bad ? mp_fail(err, "%s: read error", path)
                 : mp_stacks_add_text(s, text.buf ? text.buf : "", text.len, path, err);
    sb_free(&text);
    return rc;
}

uint64_t mp_stacks_total_us(const mp_stacks *s)
{
    return s->a.total_weight / 1000;
}

size_t mp_stacks_count(const mp_stacks *s)
{
    return s->a.nstacks;
}

void mp_stacks_hot_modules(const mp_stacks *s, struct mp_profile_row **rows, size_t *n)
{
    size_t m;
    struct agg_row *r = agg_rollup(&s->a, AGG_MODULE, &m);
    uint64_t total    = s->a.total_weight;
    *rows             = xmalloc((m + 1) * sizeof **rows);
    for (size_t i = 0; i < m; i++)
        (*rows)[i] = (struct mp_profile_row){
            s->a.strs[r[i].key], total ? (double)r[i].self / (double)total : 0,
            total ? (double)r[i].total / (double)total : 0, r[i].self, r[i].total};
    *n = m;
    free(r);
}

void mp_stacks_flame_svg(const mp_stacks *s, const char *title, sb *out)
{
    flame_svg(&s->a, title, out);
}
