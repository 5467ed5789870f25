/*
 * lwIP architecture glue for the MPS2 AN385 board (newlib, arm-none-eabi-gcc).
 * lwIP's defaults (lwip/arch.h) cover types and byte order; only the
 * diagnostics and the random source are the board's.
 */
#ifndef CCAT_BOARD_ARCH_CC_H
#define CCAT_BOARD_ARCH_CC_H

#include <stdint.h>

void ccat_board_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ccat_board_exit(int status) __attribute__((noreturn));
uint32_t ccat_board_random_u32(void);

/* lwIP passes its diagnostics as a parenthesised printf argument list. */
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        ccat_board_printf x;  \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                        \
    do {                                                                               \
        ccat_board_printf("lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
        ccat_board_exit(97);                                                           \
    } while (0)

/* DHCP transaction ids, TCP initial sequence numbers and local ports. */
#define LWIP_RAND() ccat_board_random_u32()

#endif /* CCAT_BOARD_ARCH_CC_H */
