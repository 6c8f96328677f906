/* Export to pyperf's JSON format, version "1.0" (psf/pyperf, pyperf/_bench.py), so that
 * `python3 -m pyperf compare_to a.json b.json` and pyperf's other tools read mixperf's results:
 * one benchmark per cell, one run per measured process with one value.
 *
 * pyperf's rules, which the export keeps (checked by tests/e2e/pyperf_check.py):
 *   - values are numbers > 0, so a metric where higher is better (throughput) is exported as its
 *     inverse, seconds per request, and lower stays better; a value <= 0 cannot be exported;
 *   - units are "second", "byte" or "integer";
 *   - metadata values are int, float or non-empty str without newlines;
 *   - every run of a benchmark has the same value (or none) for hostname, cpu_model_name,
 *     cpu_count, platform, python_executable, python_implementation, python_version, name, unit;
 *     a key whose values differ between runs is left out (the runs keep mixperf_* copies);
 *   - benchmark names are unique in a file.
 * Warm-up runs and failed runs are not exported (pyperf has no failed runs; their count is in the
 * benchmark's metadata). */
#ifndef MP_REPORT_PYPERF_H
#define MP_REPORT_PYPERF_H

#include "report/summary.h"
#include "util/err.h"

/* Writes the export. path may contain {runtime}, {benchmark} and {config}: one file per distinct
 * expansion, the fields in the path left out of the benchmark names (so `{runtime}.json` gives
 * files whose benchmarks pyperf's compare_to can match by name). *nfiles receives the number of
 * files written. Cells without a successful measured run are skipped (named on stderr). */
int rp_pyperf_export(const rp_summary *s, const char *path, int *nfiles, mp_err *err);

#endif
