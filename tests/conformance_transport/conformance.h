/**
 * @file conformance.h
 * @brief Transport conformance test: what a port provides to run it.
 *
 * ccat-transport-conformance checks a ccat_transport_t against the contract
 * in include/ccat/ccat_transport.h, with peers it runs itself on 127.0.0.1
 * (POSIX sockets in threads of the test process). A new port links
 * conformance.c with one small backend file that defines conf_backend()
 * (see backend_posix.c, backend_lwip.c) and runs the program: exit 0 and a
 * "N passed, 0 failed" line mean the port follows the contract.
 */
#ifndef CCAT_CONFORMANCE_H
#define CCAT_CONFORMANCE_H

#include "ccat/ccat_transport.h"

/** @brief The transport under test, as its port supplies it. */
typedef struct conf_backend {
    const char *name;   /**< Shown in the output, e.g. "posix". */
    /**
     * 1: a call that returns 0 waited its whole timeout_ms first (blocking
     * port); 0: it may return 0 at once, and the platform's idle hook drives
     * the stack (the test then only checks that no call overran its timeout).
     */
    int blocking;
    /** How the peer's 127.0.0.1 is spelled for connect() (a port may map it). */
    const char *host;
    /** Bring the stack up once; 0 on success. May be NULL. */
    int (*setup)(void);
    /** Fill @p out with a fresh, closed transport (a new one per scenario). */
    void (*make)(ccat_transport_t *out);
    /** Clock (required) and idle hook (drives a NO_SYS stack; may be NULL). */
    ccat_platform_t platform;
} conf_backend_t;

/**
 * @brief Defined by the backend file. @p argc/@p argv are the program's
 * arguments after the first (a backend may take a mode, e.g. "nonblocking").
 */
const conf_backend_t *conf_backend(int argc, char **argv);

#endif /* CCAT_CONFORMANCE_H */
