/* The flame graph writer, shared by a live profile (mp_profile_write) and profiles read back from
 * collapsed stacks (stacks.h). Internal to the profile area. */
#ifndef MP_PROFILE_FLAME_H
#define MP_PROFILE_FLAME_H

#include "profile/agg.h"
#include "util/sb.h"

/* Appends a self-contained SVG flame graph of a's stacks (root at the bottom, boxes coloured by
 * module, a <title> with each box's share) with `title` on top. No XML declaration, so the result
 * can be inlined into HTML as it is. */
void flame_svg(const struct agg *a, const char *title, sb *out);

#endif
