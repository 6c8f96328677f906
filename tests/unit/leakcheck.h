/* Criterion runs each test in a child process and ignores how that process exits after the test
 * reported, so a LeakSanitizer report at exit (or an abort in a .fini hook) does not fail a test.
 * MP_TEST(suite, name) is Test(suite, name) whose body is followed, in sanitizer builds, by a
 * LeakSanitizer pass that fails the test when anything allocated is no longer reachable. */
#ifndef MP_TESTS_LEAKCHECK_H
#define MP_TESTS_LEAKCHECK_H

#include <criterion/criterion.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define MP_LEAK_CHECK()                                                                            \
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "LeakSanitizer found leaks (see above)")
#else
#define MP_LEAK_CHECK() ((void)0)
#endif

#define MP_TEST(suite, name)                                                                       \
    static void suite##_##name##_body(void);                                                       \
    Test(suite, name)                                                                              \
    {                                                                                              \
        suite##_##name##_body();                                                                   \
        MP_LEAK_CHECK();                                                                           \
    }                                                                                              \
    static void suite##_##name##_body(void)

#endif
