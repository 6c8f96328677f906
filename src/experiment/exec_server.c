/* Server runs need the load engine (src/load/engine.h), which has not been merged into main yet:
 * until it is, a server run is recorded as failed with this message. */
#include "experiment/exec.h"

void ex_exec_server(const ex_exec *x, ex_outcome *o)
{
    (void)x;
    o->metrics = json_object();
    ex_outcome_fail(o, EX_FAILED, "load", "this build has no load engine for server benchmarks");
}
