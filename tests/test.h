/* Minimal test harness: CHECK never aborts, the summary line is the verdict. */
#ifndef CCAT_TEST_H
#define CCAT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed_, test_failed_;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            test_passed_++;                                                      \
        } else {                                                                 \
            test_failed_++;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                       \
    do {                                                                         \
        long long a_ = (long long)(a), b_ = (long long)(b);                      \
        if (a_ == b_) {                                                          \
            test_passed_++;                                                      \
        } else {                                                                 \
            test_failed_++;                                                      \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, \
                    __LINE__, #a, a_, #b, b_);                                   \
        }                                                                        \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                       \
    do {                                                                         \
        const char *a_ = (a), *b_ = (b);                                         \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                   \
            test_passed_++;                                                      \
        } else {                                                                 \
            test_failed_++;                                                      \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,  \
                    __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
        }                                                                        \
    } while (0)

/* 1 if all n bytes at p are zero (wiped memory). */
static inline int all_zero(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* Prints "N passed, N failed" and gives the exit status. */
static inline int test_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, test_passed_, test_failed_);
    return (test_failed_ == 0 && test_passed_ > 0) ? 0 : 1;
}

#endif
