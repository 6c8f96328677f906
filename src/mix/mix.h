/* mix: typed-variant configurations of a Python program (mixperf mix) and type erasure (mixperf
 * erase). A program exists in V variants (untyped, shallow, advanced, ...) holding the same module
 * files; each file is split into units (marker sections, top-level definitions, methods, or whole
 * modules) and the text between units (the header: imports, constants). A configuration picks one
 * variant per unit; its id is one digit per unit, in unit order (file order, then position), the
 * digit being the variant's index. docs/mix.md is the user-level description of all of this. */
#ifndef MP_MIX_MIX_H
#define MP_MIX_MIX_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/sb.h"

/* How files are cut into units. */
enum mix_granularity {
    MIX_GRAN_DETECT = 0, /* section if any module file of the first variant has a marker, else
                            toplevel; the outcome is recorded in the manifest */
    MIX_GRAN_SECTION,    /* marker mode: "### SECTION SEPARATOR ###" lines */
    MIX_GRAN_TOPLEVEL,   /* top-level functions and classes (tree-sitter-python) */
    MIX_GRAN_METHOD,     /* like toplevel, but the definitions inside top-level classes are units */
    MIX_GRAN_MODULE,     /* each module file is one unit */
};

/* What "### SHALLOW SEPARATOR ###" lines do in marker mode. The researchers' three-variant mixer
 * ignores them (they stay ordinary comment lines); their untyped-vs-shallow mixer splits there too.
 */
enum mix_shallow {
    MIX_SHALLOW_IGNORE = 0,
    MIX_SHALLOW_SPLIT,
};

enum mix_kind {
    MIX_KIND_SECTION,
    MIX_KIND_FUNCTION,
    MIX_KIND_CLASS,
    MIX_KIND_METHOD, /* a function defined directly in a class body (method granularity) */
    MIX_KIND_MODULE,
};

const char *mix_granularity_name(enum mix_granularity g);
const char *mix_kind_name(enum mix_kind k);
/* Parses "section", "toplevel", "method", "module"; -1 if unknown. */
int mix_granularity_parse(const char *s, enum mix_granularity *out);

#define MIX_SECTION_MARKER "### SECTION SEPARATOR ###"
#define MIX_SHALLOW_MARKER "### SHALLOW SEPARATOR ###"

/* ---- splitting one file ---------------------------------------------------------------------- */

/* A unit is the byte range [start, end) of its file; it always starts at the beginning of a line
 * and ends after a newline or at the end of the file. The file is exactly
 * gap(0) unit(0) gap(1) unit(1) ... unit(n-1) gap(n), where gap(i) is the text between unit i-1
 * and unit i; the gaps are the file's header. */
struct mix_unit_span {
    char *name; /* "fannkuch", "Point.norm", "section-2", "pkg/mod.py" */
    enum mix_kind kind;
    size_t start, end;
    unsigned line_first, line_last; /* 1-based, inclusive */
};

struct mix_split {
    struct mix_unit_span *units;
    size_t nunits, cap;
    size_t len; /* length of the split text */
};

/* Splits text (len bytes, any content) at granularity g (not DETECT). path names the file in
 * errors. Marker mode never fails; toplevel/method fail with "path:line:col: ..." when
 * tree-sitter-python finds a syntax error. */
int mix_split_text(const char *path, const char *text, size_t len, enum mix_granularity g,
                   enum mix_shallow shallow, struct mix_split *out, mp_err *err);
void mix_split_free(struct mix_split *s);
/* Gap i (0 <= i <= nunits) as a byte range of the split text. */
void mix_split_gap(const struct mix_split *s, size_t i, size_t *start, size_t *end);
/* Whether text has a line that is exactly the marker (surrounding blanks allowed). */
int mix_has_marker_line(const char *text, size_t len, const char *marker);

/* ---- a program in several variants --------------------------------------------------------- */

struct mix_options {
    const char *dir; /* the directory holding one subdirectory per variant */
    /* Variant order; NULL/0 = every subdirectory, ordered untyped, shallow, advanced (those that
     * exist), then the others sorted bytewise. */
    const char *const *variants;
    size_t nvariants;
    enum mix_granularity granularity;
    enum mix_shallow shallow;
    const char *header_from; /* variant whose header (gaps) is used; NULL = the first variant */
    /* Package mode: module paths relative to site (e.g. "django/utils/functional.py"). Each
     * variant directory holds the file at that relative path or, if unambiguous, its basename. */
    const char *const *package_modules;
    size_t npackage_modules;
    const char *site;
    /* In package mode, the variant whose files are the installed ones when dir has no
     * subdirectory of that name; NULL = "untyped". */
    const char *installed_variant;
};

struct mix_file {
    char *path;           /* relative path: inside a variant dir, or inside site in package mode */
    int is_module;        /* .py files are split; other files are copied from the header variant */
    char **source;        /* [variant] the path that was read */
    char **text;          /* [variant] contents */
    size_t *len;          /* [variant] */
    char (*sha256)[65];   /* [variant] */
    struct mix_split *sp; /* [variant] */
    size_t first_unit;    /* index of this file's first unit in the program's unit order */
    char *installed;      /* package mode: the installed file (site/path); else NULL */
    char installed_sha256[65];
};

/* One unit of the program, across variants. */
struct mix_unit {
    size_t file;  /* index into files */
    size_t local; /* index within the file's split */
    const char *name;
    enum mix_kind kind;
    size_t untyped_chars; /* code points of the variant-0 text */
};

struct mix_program {
    char *dir;
    int package_mode;
    char *site;
    char **variants;
    size_t nvariants;
    int variants_explicit;
    size_t header; /* variant index */
    enum mix_granularity granularity;
    int granularity_detected;
    enum mix_shallow shallow;
    char *installed_variant; /* package mode: the variant served by the installed files, or NULL */
    struct mix_file *files;
    size_t nfiles;
    struct mix_unit *units;
    size_t nunits;
};

/* Reads, splits and cross-checks every variant. Units must agree across variants (kind and name
 * in order; count in marker mode), else one error names the first unit that differs with
 * file:line in each variant. */
int mix_program_load(const struct mix_options *o, struct mix_program *p, mp_err *err);
void mix_program_free(struct mix_program *p);

/* Appends file f of configuration id (one digit per unit) to out: the header variant's gaps and
 * each unit from the variant its digit names. */
void mix_render_file(const struct mix_program *p, size_t f, const char *id, sb *out);

/* Per-variant shares of a configuration (arrays of p->nvariants): units, source lines of the
 * chosen unit texts, and "ratio of X code" (METHODS B.8: variant-0 characters of the units given
 * to X over those of all units). */
void mix_fractions(const struct mix_program *p, const char *id, double *units, double *lines,
                   double *untyped_chars);

/* ---- the lattice ------------------------------------------------------------------------------
 */

/* Ids, enumeration and sampling are those of src/stats/lattice.h: an id is one digit per unit,
 * unit 0 first, and read as a base-V number it is the configuration's index. */

struct mix_config {
    char *id;
    int anchor; /* -1, or v for the all-v configuration */
};

struct mix_plan {
    int enumerated;
    uint64_t size;              /* lattice size when it fits in 64 bits */
    int size_exact;             /* size is exact (else the lattice exceeds 2^64) */
    uint64_t max;               /* enumeration cutoff */
    uint64_t seed;              /* recorded even when enumerating */
    size_t r, s;                /* sampling parameters (0 when enumerating) */
    char **samples;             /* r*s ids, sample-major, or NULL */
    struct mix_config *configs; /* distinct, in id order */
    size_t nconfigs;
};

/* Enumerates when V^N <= max, else draws r samples of s configurations (s = 0 means 10 * units)
 * with mp_lattice_draw and adds the V anchors (all-v). At most MP_LATTICE_MAX_UNITS units. */
int mix_plan_make(const struct mix_program *p, uint64_t max, uint64_t seed, size_t r, size_t s,
                  struct mix_plan *plan, mp_err *err);
void mix_plan_free(struct mix_plan *plan);

/* ---- materialization --------------------------------------------------------------------------
 */

struct mix_write_options {
    int overlay;      /* package layout plus a sitecustomize.py loader (package mode only) */
    int force;        /* replace an earlier mix in outdir */
    const char *tool; /* recorded in the manifest, e.g. "mixperf 0.1.0" */
    /* Called after each configuration; return nonzero to stop (the run then fails with
     * "interrupted" and the manifest records what was written). */
    int (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
};

/* Writes outdir/manifest.json (the plan, before any configuration), then every configuration as
 * outdir/<id>/ (built in a temporary directory and renamed into place), then the manifest again
 * with each generated file's sha256. Returns 0, -1 on error, or 1 when progress asked to stop. */
int mix_write(const struct mix_program *p, const struct mix_plan *plan, const char *outdir,
              const struct mix_write_options *o, mp_err *err);

/* Whether mix_write may write to outdir (new, empty, or an earlier mix with force); changes
 * nothing. Lets a caller tell a bad output directory (usage) from a failed write. */
int mix_check_outdir(const char *outdir, int force, mp_err *err);

/* The loader written as sitecustomize.py into each overlay configuration. */
void mix_overlay_loader(const struct mix_program *p, const char *id, sb *out);

/* ---- erase ------------------------------------------------------------------------------------
 */

/* Removes every type annotation and Static Python import from a Python source, keeping run-time
 * behaviour (rules in docs/mix.md); the result is re-parsed and must be annotation-free. */
int mix_erase(const char *path, const char *text, size_t len, sb *out, mp_err *err);
/* Counts annotation nodes (typed parameters, return and variable annotations, type parameters;
 * not the value of a "type X = ..." statement) and syntax errors in text; -1 on parser failure. */
int mix_count_annotations(const char *text, size_t len, size_t *annotations, size_t *errors);

#endif
