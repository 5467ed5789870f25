/**
 * @file ccat_transport.h
 * @brief The one contract between ccat and a network stack.
 *
 * A transport moves bytes over one connection at a time. Every function
 * follows the same rule for its return value:
 *
 * | value | meaning |
 * |-------|---------|
 * | > 0   | progress: bytes moved (send/recv) or "connected" (connect) |
 * | 0     | nothing happened yet: call again (timeout elapsed, would block, handshake in progress) |
 * | < 0   | failure: one of ::ccat_transport_error |
 *
 * A blocking transport waits up to @p timeout_ms before returning 0; a
 * non-blocking one may return 0 at once. The client never busy-waits on a 0:
 * it calls the platform's @c idle hook and enforces its own deadlines with the
 * platform clock, so a transport needs no clock of its own.
 *
 * Transports stack: the TLS layer (ports/mbedtls) is a transport built on any
 * other transport (POSIX sockets, lwIP, a test double).
 */
#ifndef CCAT_TRANSPORT_H
#define CCAT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Negative results of transport functions. */
enum ccat_transport_error {
    CCAT_TRANSPORT_ERR_CLOSED = -1,  /**< recv: the peer closed the connection in order (EOF). */
    CCAT_TRANSPORT_ERR_IO = -2,      /**< Reset, broken pipe or any other I/O failure. */
    CCAT_TRANSPORT_ERR_DNS = -3,     /**< connect: the host name did not resolve. */
    CCAT_TRANSPORT_ERR_CONNECT = -4, /**< connect: refused or unreachable on every address. */
    CCAT_TRANSPORT_ERR_TLS = -5,     /**< TLS protocol failure (handshake, alert, bad record). */
    CCAT_TRANSPORT_ERR_CERT = -6,    /**< TLS: certificate untrusted, expired or for another host. */
    CCAT_TRANSPORT_ERR_ARGUMENT = -7 /**< Called in the wrong state or with bad arguments. */
};

/** @brief A connection-oriented byte transport (see the file comment for return values). */
typedef struct ccat_transport {
    /**
     * @brief Open (or keep opening) a connection to @p host : @p port.
     * Called again with the same arguments after it returned 0.
     * @return > 0 connected, 0 in progress, < 0 ::ccat_transport_error.
     */
    int32_t (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    /**
     * @brief Send up to @p len bytes.
     * @return bytes accepted (1..len), 0 none yet, < 0 ::ccat_transport_error.
     */
    int32_t (*send)(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms);
    /**
     * @brief Receive up to @p len bytes into @p buf.
     * @return bytes received (1..len), 0 none yet, CCAT_TRANSPORT_ERR_CLOSED at EOF,
     *         other < 0 ::ccat_transport_error.
     */
    int32_t (*recv)(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms);
    /** @brief Close the connection (idempotent; safe on a never-opened transport). */
    void (*close)(void *ctx);
    /** @brief The transport's own state, passed to every function. */
    void *ctx;
} ccat_transport_t;

/**
 * @brief What the client needs from the platform: a clock, a way to wait,
 * and randomness for retry jitter. All hooks but @c now_ms may be NULL.
 */
typedef struct ccat_platform {
    /** @brief Monotonic milliseconds (wrapping is handled). Required. */
    uint32_t (*now_ms)(void *ctx);
    /** @brief Wait @p ms milliseconds (retry back-off). NULL: busy-wait on now_ms. */
    void (*sleep_ms)(void *ctx, uint32_t ms);
    /** @brief Uniform random 32-bit value for jitter. NULL: no jitter (delay 0). */
    uint32_t (*random_u32)(void *ctx);
    /**
     * @brief Called when a transport function returned 0, before it is called
     * again: drive a NO_SYS network stack, feed a watchdog, or yield. May be NULL.
     */
    void (*idle)(void *ctx);
    /** @brief Passed to every hook. */
    void *ctx;
} ccat_platform_t;

#ifdef __cplusplus
}
#endif

#endif /* CCAT_TRANSPORT_H */
