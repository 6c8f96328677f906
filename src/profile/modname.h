/* File name -> dotted module name, the way the target's import system would have named it. */
#ifndef MP_PROFILE_MODNAME_H
#define MP_PROFILE_MODNAME_H

#include <stddef.h>

#include "util/sb.h"

/* sys_path: the target's sys.path (absolute entries; "" means cwd), or NULL/0 when unknown.
 * cwd: the target's working directory, for relative entries and relative file names.
 * Longest matching sys.path entry wins; without one, the documented heuristic applies:
 * site-packages/dist-packages, then a pythonX.Y stdlib directory, then cwd, then the bare file
 * name. "<frozen importlib._bootstrap>" is "importlib._bootstrap"; other "<...>" names stay. */
/* Returns 1 when a sys.path entry matched, 0 when the heuristic named it. */
int py_module_name(const char *filename, char *const *sys_path, size_t n, const char *cwd, sb *out);

#endif
