/* mixperf erase: a Python file without type annotations or Static Python imports, same behaviour
 * (rules in docs/mix.md). */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "mix/mix.h"
#include "util/err.h"
#include "util/opts.h"

static int read_all(const char *path, sb *out, mp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mp_fail(err, "%s: cannot open: %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_add(out, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? mp_fail(err, "%s: cannot read", path) : 0;
}

static int write_atomic(const char *path, const sb *s, mp_err *err)
{
    sb tmp = {0};
    sb_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp.buf, "wb");
    int rc  = 0;
    if (!f) {
        rc = mp_fail(err, "%s: cannot create: %s", tmp.buf, strerror(errno));
    } else {
        size_t w = fwrite(s->buf ? s->buf : "", 1, s->len, f);
        if (fclose(f) != 0 || w != s->len)
            rc = mp_fail(err, "%s: cannot write", tmp.buf);
        else if (rename(tmp.buf, path) != 0)
            rc = mp_fail(err, "%s: cannot replace: %s", path, strerror(errno));
        if (rc) remove(tmp.buf);
    }
    sb_free(&tmp);
    return rc;
}

int cmd_erase(int argc, char **argv)
{
    const char *output         = NULL;
    const struct opt options[] = {
        {OPT_STRING, 'o', "output", &output, "OUT", "write here (atomically) instead of stdout"},
        OPT_END_(),
    };
    static const struct opt_usage usage = {
        "erase", "[options] FILE.py [-o OUT]",
        "Removes every type annotation (parameters, returns, variables) and Static Python import\n"
        "from FILE.py, keeping its behaviour: a bare 'x: int' disappears (or becomes 'pass'),\n"
        "cast(T, x) becomes x, int64(x) becomes int(x), ... Uses of __static__ names that have no\n"
        "plain-Python form, and dataclass/NamedTuple fields, are errors. See docs/mix.md."};
    int n = opts_parse(argc, argv, options, &usage, NULL);
    if (n < 0) return opts_exit_code(n);
    if (n != 1) {
        fprintf(stderr, "mixperf erase: expected one FILE.py, got %d arguments\n", n);
        return MP_EXIT_USAGE;
    }
    mp_err err;
    sb in = {0}, out = {0};
    int rc = MP_EXIT_OK;
    if (read_all(argv[0], &in, &err) < 0) {
        rc = MP_EXIT_RUNTIME;
    } else if (mix_erase(argv[0], in.buf ? in.buf : "", in.len, &out, &err) < 0) {
        rc = MP_EXIT_USAGE;
    } else if (output) {
        if (write_atomic(output, &out, &err) < 0) rc = MP_EXIT_RUNTIME;
    } else if (fwrite(out.buf ? out.buf : "", 1, out.len, stdout) != out.len || fflush(stdout)) {
        mp_fail(&err, "stdout: write failed");
        rc = MP_EXIT_RUNTIME;
    }
    if (rc != MP_EXIT_OK) fprintf(stderr, "mixperf erase: %s\n", err.msg);
    sb_free(&in);
    sb_free(&out);
    return rc;
}
