#include "mix/pyparse.h"

#include <stdint.h>
#include <string.h>

#include "util/mem.h"

TSTree *mixpy_parse_any(const char *text, size_t len)
{
    if (len > UINT32_MAX) return NULL;
    TSParser *parser = ts_parser_new();
    if (!ts_parser_set_language(parser, tree_sitter_python())) {
        ts_parser_delete(parser);
        return NULL;
    }
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
    ts_parser_delete(parser);
    return tree;
}

/* The deepest first node that is an ERROR or MISSING, following has_error down the tree. */
static TSNode first_error(TSNode n)
{
    for (;;) {
        if (ts_node_is_missing(n) || ts_node_symbol(n) == (TSSymbol)-1) return n;
        uint32_t count = ts_node_child_count(n);
        int down       = 0;
        for (uint32_t i = 0; i < count; i++) {
            TSNode c = ts_node_child(n, i);
            if (ts_node_has_error(c)) {
                n    = c;
                down = 1;
                break;
            }
        }
        if (!down) return n;
    }
}

TSTree *mixpy_parse(const char *path, const char *text, size_t len, mp_err *err)
{
    TSTree *tree = mixpy_parse_any(text, len);
    if (!tree) {
        mp_fail_at(err, path, 0, 0, "tree-sitter-python could not parse this file");
        return NULL;
    }
    TSNode root = ts_tree_root_node(tree);
    if (!ts_node_has_error(root)) return tree;
    TSNode e  = first_error(root);
    TSPoint p = ts_node_start_point(e);
    int line  = (int)p.row + 1;
    int col   = (int)p.column + 1;
    if (ts_node_is_missing(e)) {
        mp_fail_at(err, path, line, col, "syntax error: expected '%s'", ts_node_type(e));
    } else {
        /* Show the start of the offending text, up to the end of its line. */
        uint32_t s = ts_node_start_byte(e), end = ts_node_end_byte(e);
        uint32_t n = 0;
        while (s + n < end && n < 40 && text[s + n] != '\n' && text[s + n] != '\0')
            n++;
        if (n)
            mp_fail_at(err, path, line, col, "syntax error at '%.*s'", (int)n, text + s);
        else
            mp_fail_at(err, path, line, col, "syntax error");
    }
    ts_tree_delete(tree);
    return NULL;
}

char *mixpy_text(const char *text, TSNode n)
{
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return xstrndup(text + s, e - s);
}

int mixpy_text_is(const char *text, TSNode n, const char *s)
{
    uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
    size_t l = strlen(s);
    return b - a == l && memcmp(text + a, s, l) == 0;
}

void mixpy_kids_begin(struct mixpy_kids *k, TSNode n)
{
    k->cur     = ts_tree_cursor_new(n);
    k->started = 0;
    k->done    = 0;
}

int mixpy_kids_next(struct mixpy_kids *k, int named_only, TSNode *child, const char **field)
{
    while (!k->done) {
        int ok     = k->started ? ts_tree_cursor_goto_next_sibling(&k->cur)
                                : ts_tree_cursor_goto_first_child(&k->cur);
        k->started = 1;
        if (!ok) {
            k->done = 1;
            break;
        }
        TSNode c = ts_tree_cursor_current_node(&k->cur);
        if (named_only && !ts_node_is_named(c)) continue;
        *child = c;
        if (field) *field = ts_tree_cursor_current_field_name(&k->cur);
        return 1;
    }
    return 0;
}

void mixpy_kids_end(struct mixpy_kids *k)
{
    ts_tree_cursor_delete(&k->cur);
}
