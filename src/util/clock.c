#include "util/clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

uint64_t mp_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mp_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void mp_iso8601(uint64_t wall_ns, char buf[32])
{
    time_t secs = (time_t)(wall_ns / 1000000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%06uZ", (unsigned)(wall_ns % 1000000000u / 1000u));
}

void mp_sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
