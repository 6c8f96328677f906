/* Shared by the statistics unit tests: the METHODS.md test data and the "to the printed precision"
 * assertion (|value - printed| <= half a unit in the last printed place). */
#ifndef MP_TESTS_METHODS_TEST_H
#define MP_TESTS_METHODS_TEST_H

#include <criterion/criterion.h>
#include <math.h>

static const double data_A[8] = {1.02, 0.98, 1.05, 1.10, 0.97, 1.01, 1.03, 0.99};
static const double data_B[8] = {2.10, 2.05, 2.20, 1.98, 2.15, 2.07, 2.12, 2.03};

#define assert_printed(got, printed, places)                                                       \
    do {                                                                                           \
        double got_ = (got), want_ = (printed);                                                    \
        cr_assert(fabs(got_ - want_) <= 0.5 * pow(10, -(places)) + 1e-12,                          \
                  "%s = %.*f, expected %.*f", #got, (places) + 3, got_, (places), want_);          \
    } while (0)

#endif
