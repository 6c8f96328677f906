/* Profiles read back from collapsed-stack files, the format mp_profile_write (and flamegraph.pl,
 * py-spy, Austin) writes: one line per distinct stack, "pid P;tid T;module:qualname;... WEIGHT",
 * frames outermost first, WEIGHT in microseconds; the "pid"/"tid" frames are optional. Several
 * files merge into one profile: `mixperf report` sums the runs of a cell this way and shows its
 * hot modules and one flame graph, drawn by the profiler's own writer. */
#ifndef MP_PROFILE_STACKS_H
#define MP_PROFILE_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "util/err.h"
#include "util/sb.h"

typedef struct mp_stacks mp_stacks;

mp_stacks *mp_stacks_new(void);
void mp_stacks_free(mp_stacks *s);

/* Adds every stack of a collapsed file. A malformed line is an error "PATH:LINE: ..." saying what
 * was expected, and nothing of that file is kept. */
int mp_stacks_add_file(mp_stacks *s, const char *path, mp_err *err);
/* The same on text in memory; name stands for the file in messages. */
int mp_stacks_add_text(mp_stacks *s, const char *text, size_t len, const char *name, mp_err *err);

/* Sum of all weights, microseconds; and the number of distinct stacks read. */
uint64_t mp_stacks_total_us(const mp_stacks *s);
size_t mp_stacks_count(const mp_stacks *s);

/* Modules by self time, descending: self = weight of stacks whose innermost frame is in the
 * module, total = weight of stacks with the module anywhere (once per stack). Fractions are of
 * the total weight; *_ns fields hold microseconds * 1000. *rows is owned by the caller, names by
 * s. A frame without "module:" is counted under module "?". */
void mp_stacks_hot_modules(const mp_stacks *s, struct mp_profile_row **rows, size_t *n);

/* Appends an SVG flame graph of the merged stacks (no XML declaration, so it can be inlined into
 * HTML as well as written to a .svg file), titled `title`. */
void mp_stacks_flame_svg(const mp_stacks *s, const char *title, sb *out);

#endif
