/* Time sources. Durations are measured on CLOCK_MONOTONIC in nanoseconds; wall-clock time is only
 * for timestamps written to results. */
#ifndef MP_UTIL_CLOCK_H
#define MP_UTIL_CLOCK_H

#include <stdint.h>

uint64_t mp_mono_ns(void);
/* Nanoseconds since the Unix epoch (CLOCK_REALTIME). */
uint64_t mp_wall_ns(void);
/* ISO 8601 UTC with microseconds, e.g. "2026-11-26T04:01:58.123456Z"; buf needs 32 bytes. */
void mp_iso8601(uint64_t wall_ns, char buf[32]);
/* Sleeps for ns nanoseconds, resuming after signals. */
void mp_sleep_ns(uint64_t ns);

#endif
