/* Loopback socket helpers for the port tests (127.0.0.1 and ::1 only). */
#ifndef CCAT_TEST_SOCK_UTIL_H
#define CCAT_TEST_SOCK_UTIL_H

#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * A TCP socket bound to the loopback address of @p family on an ephemeral
 * port; listening with @p backlog if backlog >= 0. A bound socket that does
 * not listen answers SYNs with RST: a port that is certainly closed, and
 * nobody else can take it while we hold it. Returns the fd or -1.
 */
static inline int loopback_socket(int family, int backlog, uint16_t *port) {
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0);
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
        (backlog >= 0 && listen(fd, backlog) != 0) ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                     : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* Blocking connect to 127.0.0.1:port; the fd or -1. */
static inline int loopback_connect4(uint16_t port) {
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * A black hole on 127.0.0.1: a listener with backlog 0 whose one queue slot
 * is taken by @p filler, so Linux drops further SYNs and a connect() to it
 * stays in progress. Returns the listener fd or -1.
 */
static inline int loopback_black_hole(uint16_t *port, int *filler) {
    int fd = loopback_socket(AF_INET, 0, port);
    *filler = fd >= 0 ? loopback_connect4(*port) : -1;
    if (*filler < 0 && fd >= 0) {
        close(fd);
        return -1;
    }
    return fd;
}

#endif
