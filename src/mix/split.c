/* Cutting one file into units: marker sections, top-level definitions (optionally methods), or
 * the whole module. Units are whole lines, so concatenating gaps and units in order gives back the
 * file byte for byte, and a unit from one variant drops into another variant's header cleanly. */
#include <stdlib.h>
#include <string.h>

#include "mix/mix.h"
#include "mix/pyparse.h"
#include "util/mem.h"

const char *mix_granularity_name(enum mix_granularity g)
{
    switch (g) {
    case MIX_GRAN_DETECT:
        return "detect";
    case MIX_GRAN_SECTION:
        return "section";
    case MIX_GRAN_TOPLEVEL:
        return "toplevel";
    case MIX_GRAN_METHOD:
        return "method";
    case MIX_GRAN_MODULE:
        return "module";
    }
    return "?";
}

int mix_granularity_parse(const char *s, enum mix_granularity *out)
{
    static const enum mix_granularity all[] = {MIX_GRAN_DETECT, MIX_GRAN_SECTION, MIX_GRAN_TOPLEVEL,
                                               MIX_GRAN_METHOD, MIX_GRAN_MODULE};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, mix_granularity_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

const char *mix_kind_name(enum mix_kind k)
{
    switch (k) {
    case MIX_KIND_SECTION:
        return "section";
    case MIX_KIND_FUNCTION:
        return "function";
    case MIX_KIND_CLASS:
        return "class";
    case MIX_KIND_METHOD:
        return "method";
    case MIX_KIND_MODULE:
        return "module";
    }
    return "?";
}

void mix_split_free(struct mix_split *s)
{
    for (size_t i = 0; i < s->nunits; i++)
        free(s->units[i].name);
    free(s->units);
    memset(s, 0, sizeof *s);
}

void mix_split_gap(const struct mix_split *s, size_t i, size_t *start, size_t *end)
{
    *start = i == 0 ? 0 : s->units[i - 1].end;
    *end   = i == s->nunits ? s->len : s->units[i].start;
}

/* Counts lines incrementally over increasing positions (units come in order). */
struct lines {
    const char *text;
    size_t pos;
    unsigned line; /* 1-based line of pos */
};

static unsigned line_at(struct lines *l, size_t pos)
{
    if (pos < l->pos) { /* never needed for ordered input, but stay correct */
        l->pos  = 0;
        l->line = 1;
    }
    for (; l->pos < pos; l->pos++)
        if (l->text[l->pos] == '\n') l->line++;
    return l->line;
}

static void add_unit(struct mix_split *s, struct lines *l, char *name, enum mix_kind kind,
                     size_t start, size_t end)
{
    XGROW(s->units, s->nunits + 1, s->cap);
    struct mix_unit_span *u = &s->units[s->nunits++];
    u->name                 = name;
    u->kind                 = kind;
    u->start                = start;
    u->end                  = end;
    u->line_first           = line_at(l, start);
    /* The last line is the one holding the unit's final byte. */
    u->line_last = end > start ? line_at(l, end - 1) : u->line_first;
}

/* The line [start, end) minus leading/trailing blanks equals marker. */
static int line_is(const char *text, size_t start, size_t end, const char *marker)
{
    while (start < end && (text[start] == ' ' || text[start] == '\t'))
        start++;
    while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ' ||
                           text[end - 1] == '\t'))
        end--;
    size_t ml = strlen(marker);
    return end - start == ml && memcmp(text + start, marker, ml) == 0;
}

static size_t line_end(const char *text, size_t len, size_t pos)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    return nl ? (size_t)(nl - text) + 1 : len;
}

int mix_has_marker_line(const char *text, size_t len, const char *marker)
{
    for (size_t pos = 0; pos < len;) {
        size_t e = line_end(text, len, pos);
        if (line_is(text, pos, e, marker)) return 1;
        pos = e;
    }
    return 0;
}

static void split_markers(const char *text, size_t len, enum mix_shallow shallow,
                          struct mix_split *s)
{
    struct lines l = {text, 0, 1};
    size_t open    = 0; /* start of the current unit's marker line; unused before the first */
    int have       = 0;
    for (size_t pos = 0; pos < len;) {
        size_t e = line_end(text, len, pos);
        if (line_is(text, pos, e, MIX_SECTION_MARKER) ||
            (shallow == MIX_SHALLOW_SPLIT && line_is(text, pos, e, MIX_SHALLOW_MARKER))) {
            if (have) {
                sb name = {0};
                sb_addf(&name, "section-%zu", s->nunits + 1);
                add_unit(s, &l, sb_detach(&name), MIX_KIND_SECTION, open, pos);
            }
            open = pos;
            have = 1;
        }
        pos = e;
    }
    if (have) {
        sb name = {0};
        sb_addf(&name, "section-%zu", s->nunits + 1);
        add_unit(s, &l, sb_detach(&name), MIX_KIND_SECTION, open, len);
    }
}

static size_t line_start(const char *text, size_t pos)
{
    while (pos > 0 && text[pos - 1] != '\n')
        pos--;
    return pos;
}

/* Only blanks between the start of pos's line and pos. */
static int starts_line(const char *text, size_t pos)
{
    for (size_t i = line_start(text, pos); i < pos; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\f') return 0;
    return 1;
}

/* The unit's end: through the newline of the line holding the node's last byte. */
static size_t unit_end(const char *text, size_t len, size_t node_end)
{
    if (node_end > 0 && text[node_end - 1] == '\n') return node_end;
    return line_end(text, len, node_end);
}

/* A definition statement (decorated or not): its inner definition and whether it is a class. */
static int definition(TSNode n, TSNode *def, int *is_class)
{
    const char *t = ts_node_type(n);
    if (strcmp(t, "decorated_definition") == 0) {
        n = ts_node_child_by_field_name(n, "definition", 10);
        if (ts_node_is_null(n)) return 0;
        t = ts_node_type(n);
    }
    if (strcmp(t, "function_definition") == 0) {
        *def      = n;
        *is_class = 0;
        return 1;
    }
    if (strcmp(t, "class_definition") == 0) {
        *def      = n;
        *is_class = 1;
        return 1;
    }
    return 0;
}

static char *def_name(const char *text, TSNode def)
{
    TSNode name = ts_node_child_by_field_name(def, "name", 4);
    return ts_node_is_null(name) ? xstrdup("?") : mixpy_text(text, name);
}

/* Method granularity: the class's direct member definitions become units, provided each one
 * starts its own line (a one-line "class A: def f(self): ..." stays a class unit). */
static int split_class(const char *text, size_t len, TSNode cls, const char *cls_name,
                       struct lines *l, struct mix_split *s)
{
    TSNode body = ts_node_child_by_field_name(cls, "body", 4), c, def;
    if (ts_node_is_null(body)) return 0;
    struct mixpy_kids k;
    size_t members    = 0;
    int inline_member = 0;
    mixpy_kids_begin(&k, body);
    while (mixpy_kids_next(&k, 1, &c, NULL)) {
        int is_class;
        if (!definition(c, &def, &is_class)) continue;
        if (!starts_line(text, ts_node_start_byte(c))) inline_member = 1;
        members++;
    }
    mixpy_kids_end(&k);
    if (members == 0 || inline_member) return 0;
    mixpy_kids_begin(&k, body);
    while (mixpy_kids_next(&k, 1, &c, NULL)) {
        int is_class;
        if (!definition(c, &def, &is_class)) continue;
        char *member = def_name(text, def);
        sb name      = {0};
        sb_addf(&name, "%s.%s", cls_name, member);
        free(member);
        size_t start = line_start(text, ts_node_start_byte(c));
        add_unit(s, l, sb_detach(&name), is_class ? MIX_KIND_CLASS : MIX_KIND_METHOD, start,
                 unit_end(text, len, ts_node_end_byte(c)));
    }
    mixpy_kids_end(&k);
    return 1;
}

static int split_definitions(const char *path, const char *text, size_t len, int methods,
                             struct mix_split *s, mp_err *err)
{
    TSTree *tree = mixpy_parse(path, text, len, err);
    if (!tree) return -1;
    TSNode root    = ts_tree_root_node(tree), c, def;
    struct lines l = {text, 0, 1};
    struct mixpy_kids k;
    mixpy_kids_begin(&k, root);
    while (mixpy_kids_next(&k, 1, &c, NULL)) {
        int is_class;
        if (!definition(c, &def, &is_class)) continue;
        char *name = def_name(text, def);
        if (!(methods && is_class && split_class(text, len, def, name, &l, s))) {
            size_t start = line_start(text, ts_node_start_byte(c));
            add_unit(s, &l, name, is_class ? MIX_KIND_CLASS : MIX_KIND_FUNCTION, start,
                     unit_end(text, len, ts_node_end_byte(c)));
            name = NULL;
        }
        free(name);
    }
    mixpy_kids_end(&k);
    ts_tree_delete(tree);
    return 0;
}

int mix_split_text(const char *path, const char *text, size_t len, enum mix_granularity g,
                   enum mix_shallow shallow, struct mix_split *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->len = len;
    switch (g) {
    case MIX_GRAN_SECTION:
        split_markers(text, len, shallow, out);
        return 0;
    case MIX_GRAN_MODULE: {
        struct lines l = {text, 0, 1};
        add_unit(out, &l, xstrdup(path), MIX_KIND_MODULE, 0, len);
        return 0;
    }
    case MIX_GRAN_TOPLEVEL:
    case MIX_GRAN_METHOD:
        if (split_definitions(path, text, len, g == MIX_GRAN_METHOD, out, err) < 0) {
            mix_split_free(out);
            return -1;
        }
        return 0;
    case MIX_GRAN_DETECT:
        break;
    }
    return mp_fail(err, "%s: no granularity chosen", path);
}
