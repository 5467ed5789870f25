/* Wiping memory that held secrets, so that the compiler cannot drop it. */
#include <string.h>

#include "ccat/ccat.h"

void ccat_wipe(void *p, size_t n)
{
    if (p == NULL || n == 0) {
        return;
    }
#if defined(__GNUC__) || defined(__clang__)
    /* The barrier tells the compiler the zeroed bytes are still read; it takes
     * memset()'s result, so that p need not be kept across the call. */
    p = memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile unsigned char *q = (volatile unsigned char *)p;
    while (n--) {
        *q++ = 0;
    }
#endif
}

void ccat_access_token_wipe(ccat_access_token_t *tok)
{
    if (tok != NULL) {
        ccat_wipe((void *)(uintptr_t)tok->secret, tok->secret_len); /* NULL-safe */
    }
    ccat_wipe(tok, sizeof(*tok)); /* NULL-safe too */
}
