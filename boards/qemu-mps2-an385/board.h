/**
 * @file board.h
 * @brief The MPS2 AN385 (Cortex-M3) board layer as QEMU emulates it: reset,
 * console on UART0, a 1 ms SysTick clock, exit status through semihosting,
 * an entropy source, a counting heap for mbedTLS and a painted stack.
 *
 * Everything a real Cortex-M board replaces is here and in lan9118.c; the
 * application (main.c) only uses these functions.
 */
#ifndef CCAT_BOARD_H
#define CCAT_BOARD_H

#include <stddef.h>
#include <stdint.h>

/** @brief Core clock of the AN385 FPGA image (and of QEMU's model): 25 MHz. */
#define CCAT_BOARD_CPU_HZ 25000000u

/** @brief Start the console (UART0) and the 1 ms SysTick. Call first. */
void ccat_board_init(void);

/** @brief Write a NUL-terminated string to the console. */
void ccat_board_puts(const char *s);

/**
 * @brief Minimal printf to the console: %s %c %d %u %x %lu %ld %lx %zu and %%,
 * with an optional width/zero pad for numbers. Small on purpose: newlib's
 * printf would add kilobytes of flash for nothing the firmware needs.
 */
void ccat_board_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** @brief Milliseconds since ccat_board_init() (SysTick; wraps after 49 days). */
uint32_t ccat_board_now_ms(void);

/** @brief Sleep until the next interrupt (SysTick at the latest: <= 1 ms). */
void ccat_board_wait(void);

/**
 * @brief End the program with @p status as QEMU's exit status
 * (semihosting SYS_EXIT_EXTENDED). On real hardware without a debugger
 * this would halt the CPU instead.
 */
void ccat_board_exit(int status) __attribute__((noreturn));

/**
 * @brief The board's entropy source, in mbedtls_entropy_f_source_ptr form.
 *
 * NOT A TRUE RANDOM NUMBER GENERATOR. QEMU's MPS2 has no TRNG; this mixes
 * the LAN9118 free-running counter (which QEMU derives from the host's
 * clock), SysTick phase and the time between calls, so keys differ from run
 * to run, but an attacker who knows roughly when the board booted can guess
 * them. A real board passes its TRNG (STM32 RNG, nRF RNG, i.MX TRNG, ...)
 * here instead: see README.md, "Entropy".
 */
int ccat_board_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen);

/** @brief 32 bits from ccat_board_entropy() (lwIP's LWIP_RAND, retry jitter). */
uint32_t ccat_board_random_u32(void);

/** @brief What the heap counters saw (bytes). */
typedef struct ccat_board_heap_stats {
    size_t current;     /**< Bytes allocated now (as requested by the caller). */
    size_t peak;        /**< Highest value of @c current. */
    size_t peak_break;  /**< High-water mark of the heap region used by malloc (overhead included). */
    size_t region;      /**< Size of the heap region (RAM left between .bss and the stack). */
    uint32_t allocs;    /**< Number of successful allocations. */
    uint32_t failures;  /**< Allocations refused for lack of memory. */
} ccat_board_heap_stats_t;

/** @brief calloc with counting (mbedtls_platform_set_calloc_free() form). */
void *ccat_board_calloc(size_t n, size_t size);
/** @brief free for ccat_board_calloc(). */
void ccat_board_free(void *p);
/** @brief Read the heap counters. */
void ccat_board_heap_stats(ccat_board_heap_stats_t *out);
/** @brief Start a new peak measurement from the current level. */
void ccat_board_heap_reset_peak(void);

/** @brief Size of the main stack region (linker script). */
size_t ccat_board_stack_size(void);
/** @brief Deepest stack use since reset: bytes no longer holding the paint pattern. */
size_t ccat_board_stack_high_water(void);

#endif /* CCAT_BOARD_H */
