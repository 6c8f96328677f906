/* "Did you mean" for names in scenario files: the closest candidate to a misspelt word. */
#ifndef MP_SCENARIO_SUGGEST_H
#define MP_SCENARIO_SUGGEST_H

#include <stddef.h>

/* Edit distance where insertions, deletions, substitutions and swaps of two adjacent characters
 * each cost 1 (optimal string alignment), because typos are mostly swaps. */
size_t mp_edit_distance(const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough to be a plausible typo (at most
 * 2 edits, and fewer edits than half the candidate's length). Ties go to the earliest candidate. */
const char *mp_suggest(const char *word, const char *const *cands, size_t n);

#endif
