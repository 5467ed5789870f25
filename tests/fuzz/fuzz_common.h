/*
 * What the libFuzzer harnesses share: REQUIRE (a failed check aborts, which
 * libFuzzer reports as a crash with the input), and, for the HTTP-fed ones,
 * the response buffer and the piece sizes of a delivery that splits a
 * response the way a network might.
 */
#ifndef CCAT_FUZZ_COMMON_H
#define CCAT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_http.h"

/* Abort, naming the check, when @p c is false. */
#define REQUIRE(c)                                                       \
    do {                                                                 \
        if (!(c)) {                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);      \
            abort();                                                     \
        }                                                                \
    } while (0)

/* How one delivery splits its input; see fuzz_next_piece(). */
typedef struct fuzz_pieces {
    unsigned piece;
    uint32_t rng;
} fuzz_pieces_t;

/* Splitting pattern @p piece (from an input byte): the generator seeded by it. */
static inline fuzz_pieces_t fuzz_pieces(unsigned piece)
{
    fuzz_pieces_t p = {piece, piece * 2654435761u + 1};
    return p;
}

/*
 * The size of the next piece, with @p left (> 0) bytes still to go:
 * pattern 0 all at once, 1 byte by byte, else 1..64 bytes from a small
 * generator (never more than @p left).
 */
static inline size_t fuzz_next_piece(fuzz_pieces_t *p, size_t left)
{
    size_t n = left;
    if (p->piece == 1) {
        n = 1;
    } else if (p->piece > 1) {
        p->rng = p->rng * 1103515245u + 12345u;
        n = 1 + (p->rng >> 16) % 64;
        n = n > left ? left : n;
    }
    return n;
}

/*
 * A parser @p r on a heap buffer of exactly @p cap bytes (so AddressSanitizer
 * sees any access outside it), filled with 0xA5 so bytes the parser never
 * wrote can be told apart. The caller frees the buffer returned.
 */
static inline char *fuzz_response_new(ccat_http_response_t *r, size_t cap)
{
    char *buf = malloc(cap);
    REQUIRE(buf != NULL);
    memset(buf, 0xA5, cap);
    ccat_http_response_init(r, buf, cap);
    return buf;
}

#endif
