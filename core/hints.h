/**
 * @file hints.h
 * @brief Internal: inlining hints, one set for the whole core.
 *
 * GCC and clang get the attributes; any other compiler gets plain
 * functions. Speed is measured at -O2 and size at -Os (__OPTIMIZE_SIZE__),
 * so each hint says which build it serves:
 *   CCAT_HOT_INLINE     always inlined at -O2; the compiler's choice at -Os.
 *   CCAT_HOT_NOINLINE   out of line at -O2 (keeps a hot caller's registers
 *                       free); the compiler's choice at -Os.
 *   CCAT_SMALL_NOINLINE out of line at -Os (one copy is less code than one
 *                       per caller); the compiler's choice at -O2.
 *   CCAT_NOINLINE       always out of line.
 */
#ifndef CCAT_CORE_HINTS_H
#define CCAT_CORE_HINTS_H

#ifdef __GNUC__
#define CCAT_NOINLINE __attribute__((noinline))
#ifdef __OPTIMIZE_SIZE__
#define CCAT_HOT_INLINE
#define CCAT_HOT_NOINLINE
#define CCAT_SMALL_NOINLINE __attribute__((noinline))
#else
#define CCAT_HOT_INLINE inline __attribute__((always_inline))
#define CCAT_HOT_NOINLINE __attribute__((noinline))
#define CCAT_SMALL_NOINLINE
#endif
#else
#define CCAT_NOINLINE
#define CCAT_HOT_INLINE
#define CCAT_HOT_NOINLINE
#define CCAT_SMALL_NOINLINE
#endif

#endif /* CCAT_CORE_HINTS_H */
