/*
 * MPS2 AN385 board layer: see board.h. Register addresses are from Arm's
 * "Application Note AN385" (CMSDK UART0 at 0x40004000, LAN9118 at 0x40200000)
 * and the ARMv7-M Architecture Reference Manual (SysTick at 0xE000E010).
 */
#include "board.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#define CCAT_REG(addr) (*(volatile uint32_t *)(addr))

/* CMSDK APB UART0 */
#define UART0_DATA CCAT_REG(0x40004000u)
#define UART0_STATE CCAT_REG(0x40004004u)
#define UART0_CTRL CCAT_REG(0x40004008u)
#define UART0_BAUDDIV CCAT_REG(0x40004010u)
#define UART_STATE_TX_FULL 1u
#define UART_CTRL_TX_EN 1u

/* SysTick */
#define SYST_CSR CCAT_REG(0xE000E010u)
#define SYST_RVR CCAT_REG(0xE000E014u)
#define SYST_CVR CCAT_REG(0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPUCLK 7u

/* LAN9118 free-running 25 MHz counter, used as a (weak) entropy input. */
#define LAN9118_FREE_RUN CCAT_REG(0x4020009Cu)

/* Linker script symbols. */
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint8_t __heap_start[], __heap_end[];
extern uint32_t __stack_bottom[], __stack_top[];

int main(void);

#define CCAT_STACK_PAINT 0xA5A5A5A5u

static volatile uint32_t ccat_board_ms;

/* ---- reset and faults ------------------------------------------------------ */

/*
 * Reset: copy .data, clear .bss, paint the unused stack, run main(). Written
 * in C: it touches no global until .data and .bss are in place, and it
 * paints only below its own frame.
 */
void ccat_board_reset(void) __attribute__((noreturn));
void ccat_board_reset(void) {
    uint32_t *p;
    uint32_t *sp_now;
    for (p = __data_start; p < __data_end; p++) {
        *p = __data_load[p - __data_start];
    }
    for (p = __bss_start; p < __bss_end; p++) {
        *p = 0;
    }
    __asm__ volatile("mov %0, sp" : "=r"(sp_now));
    for (p = __stack_bottom; p < sp_now - 16; p++) {
        *p = CCAT_STACK_PAINT;
    }
    ccat_board_exit(main());
}

static void ccat_board_fault(void) {
    ccat_board_puts("\r\nfirmware: FAULT (hard fault or unexpected exception)\r\n");
    ccat_board_exit(98);
}

static void ccat_board_systick(void) {
    ccat_board_ms++;
}

/*
 * Vector table (ARMv7-M B1.5.2): initial stack pointer, then handlers.
 * External interrupts are not used: the network is polled.
 */
typedef void (*ccat_vector_t)(void);
__attribute__((section(".vectors"), used)) static const ccat_vector_t ccat_vectors[16] = {
    (ccat_vector_t)(uintptr_t)__stack_top,
    ccat_board_reset,
    ccat_board_fault, /* NMI */
    ccat_board_fault, /* HardFault */
    ccat_board_fault, /* MemManage */
    ccat_board_fault, /* BusFault */
    ccat_board_fault, /* UsageFault */
    0, 0, 0, 0,
    ccat_board_fault, /* SVCall */
    ccat_board_fault, /* DebugMonitor */
    0,
    ccat_board_fault, /* PendSV */
    ccat_board_systick,
};

/* ---- console ------------------------------------------------------------- */

void ccat_board_init(void) {
    /* QEMU's CMSDK UART refuses to send with a divider below 16. */
    UART0_BAUDDIV = CCAT_BOARD_CPU_HZ / 115200u;
    UART0_CTRL = UART_CTRL_TX_EN;
    SYST_RVR = CCAT_BOARD_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPUCLK;
}

static void ccat_board_putc(char c) {
    while (UART0_STATE & UART_STATE_TX_FULL) {
    }
    UART0_DATA = (uint8_t)c;
}

void ccat_board_puts(const char *s) {
    while (*s != '\0') {
        if (*s == '\n') {
            ccat_board_putc('\r');
        }
        ccat_board_putc(*s++);
    }
}

static void ccat_board_put_num(unsigned long v, unsigned base, int neg, int width, char pad) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    if (neg) {
        tmp[n++] = '-';
    }
    while (width-- > n) {
        ccat_board_putc(pad);
    }
    while (n > 0) {
        ccat_board_putc(tmp[--n]);
    }
}

void ccat_board_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt != '\0'; fmt++) {
        int width = 0;
        int lng = 0;
        char pad = ' ';
        if (*fmt != '%') {
            if (*fmt == '\n') {
                ccat_board_putc('\r');
            }
            ccat_board_putc(*fmt);
            continue;
        }
        fmt++;
        if (*fmt == '0') {
            pad = '0';
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == 'l' || *fmt == 'z') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's':
            ccat_board_puts(va_arg(ap, const char *));
            break;
        case 'c':
            ccat_board_putc((char)va_arg(ap, int));
            break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            ccat_board_put_num(v < 0 ? 0ul - (unsigned long)v : (unsigned long)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x':
            ccat_board_put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), *fmt == 'u' ? 10 : 16, 0,
                               width, pad);
            break;
        case '\0':
            fmt--;
            break;
        default:
            ccat_board_putc(*fmt);
            break;
        }
    }
    va_end(ap);
}

/* ---- time and exit ------------------------------------------------------------ */

uint32_t ccat_board_now_ms(void) {
    return ccat_board_ms;
}

void ccat_board_wait(void) {
    __asm__ volatile("wfi");
}

/*
 * Semihosting call (Arm "Semihosting for AArch32 and AArch64", BKPT 0xAB on
 * M-profile): QEMU with -semihosting-config enable=on,target=native serves it.
 */
static int ccat_board_semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void ccat_board_exit(int status) {
    /* SYS_EXIT_EXTENDED: reason ADP_Stopped_ApplicationExit, then the status. */
    const uint32_t block[2] = {0x20026u, (uint32_t)status};
    (void)ccat_board_semihost(0x20, block);
    for (;;) {
        __asm__ volatile("wfi"); /* no debugger attached: stop here */
    }
}

/* ---- entropy (NOT a TRNG, see board.h) ---------------------------------------- */

int ccat_board_entropy(void *ctx, unsigned char *out, size_t len, size_t *olen) {
    static uint32_t mix = 0x9E3779B9u;
    size_t i;
    (void)ctx;
    for (i = 0; i < len; i++) {
        /* A data-dependent delay so that consecutive samples differ in phase. */
        volatile uint32_t spin = mix & 0x3Fu;
        while (spin-- != 0u) {
        }
        mix = (mix << 5 | mix >> 27) ^ LAN9118_FREE_RUN ^ (SYST_CVR << 8) ^ ccat_board_ms;
        mix *= 0x9E3779B1u;
        out[i] = (unsigned char)(mix >> 24);
    }
    *olen = len;
    return 0;
}

/* ---- heap: newlib malloc over the region the linker script leaves ------------ */

static uint8_t *ccat_board_break = __heap_start;
static uint8_t *ccat_board_break_max = __heap_start;
static ccat_board_heap_stats_t ccat_board_heap;

/* newlib's malloc grows its arena here. */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr) {
    uint8_t *prev = ccat_board_break;
    if (incr > __heap_end - ccat_board_break || incr < __heap_start - ccat_board_break) {
        return (void *)-1;
    }
    ccat_board_break += incr;
    if (ccat_board_break > ccat_board_break_max) {
        ccat_board_break_max = ccat_board_break;
    }
    return prev;
}

/* Each block carries its size in an 8-byte header so free() can count it. */
void *ccat_board_calloc(size_t n, size_t size) {
    size_t *p;
    if (size != 0 && n > (SIZE_MAX - 8u) / size) {
        ccat_board_heap.failures++;
        return NULL;
    }
    p = malloc(8u + n * size);
    if (p == NULL) {
        ccat_board_heap.failures++;
        return NULL;
    }
    memset(p + 2, 0, n * size);
    p[0] = n * size;
    ccat_board_heap.current += n * size;
    ccat_board_heap.allocs++;
    if (ccat_board_heap.current > ccat_board_heap.peak) {
        ccat_board_heap.peak = ccat_board_heap.current;
    }
    return p + 2;
}

void ccat_board_free(void *ptr) {
    size_t *p = ptr;
    if (p == NULL) {
        return;
    }
    p -= 2;
    ccat_board_heap.current -= p[0];
    free(p);
}

void ccat_board_heap_stats(ccat_board_heap_stats_t *out) {
    *out = ccat_board_heap;
    out->peak_break = (size_t)(ccat_board_break_max - __heap_start);
    out->region = (size_t)(__heap_end - __heap_start);
}

void ccat_board_heap_reset_peak(void) {
    ccat_board_heap.peak = ccat_board_heap.current;
}

/* ---- stack ----------------------------------------------------------------- */

size_t ccat_board_stack_size(void) {
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

size_t ccat_board_stack_high_water(void) {
    const uint32_t *p = __stack_bottom;
    while (p < __stack_top && *p == CCAT_STACK_PAINT) {
        p++;
    }
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

uint32_t ccat_board_random_u32(void) {
    uint32_t v;
    size_t n;
    (void)ccat_board_entropy(NULL, (unsigned char *)&v, sizeof v, &n);
    return v;
}
