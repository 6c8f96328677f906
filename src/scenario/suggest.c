#include "scenario/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

size_t mp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rolling rows are enough for the swap rule, which looks two rows back. */
    size_t *prev2 = xcalloc(lb + 1, sizeof *prev2);
    size_t *prev  = xcalloc(lb + 1, sizeof *prev);
    size_t *cur   = xcalloc(lb + 1, sizeof *cur);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best) best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2     = prev;
        prev      = cur;
        cur       = t;
    }
    size_t d = prev[lb];
    free(prev2);
    free(prev);
    free(cur);
    return d;
}

const char *mp_suggest(const char *word, const char *const *cands, size_t n)
{
    /* Long words (a pasted value) are never typos of a key; skip the quadratic work. */
    if (strlen(word) > 64) return NULL;
    const char *best = NULL;
    size_t best_d    = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = mp_edit_distance(word, cands[i]);
        if (d == 0 || d > 2 || 2 * d >= strlen(cands[i])) continue;
        if (d < best_d) {
            best   = cands[i];
            best_d = d;
        }
    }
    return best;
}
