/**
 * @file lwipopts.h
 * @brief lwIP options of the host test build of the sockets port (NO_SYS=0).
 *
 * An RTOS-style stack: the tcpip thread (Debian's pthread sys_arch.c stands
 * in for the RTOS), netconn and the BSD-style sockets API under lwip_*
 * names only (no macros that would clash with the host's socket()). Else as
 * the raw build: IPv4, ARP/Ethernet, TCP, no UDP/DHCP/DNS and the buffer
 * sizes come from ../host-common/lwipopts_common.h (see there why; copy both
 * files to start a board).
 */
#ifndef CCAT_LWIPOPTS_HOST_SYS_H
#define CCAT_LWIPOPTS_HOST_SYS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TIMERS 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_SELECT 1
#define LWIP_SOCKET_POLL 0
#define LWIP_SO_SNDTIMEO 0
#define LWIP_SO_RCVTIMEO 0
#define TCPIP_MBOX_SIZE 256
#define DEFAULT_TCP_RECVMBOX_SIZE 64
#define DEFAULT_ACCEPTMBOX_SIZE 8
#define MEMP_NUM_NETCONN 8
#define MEMP_NUM_TCPIP_MSG_INPKT 256

/*
 * Debian's lwIP 2.1.3 carries patch 9350 ("use OS's sys/socket.h"), after
 * which sockets.c uses these three macros; only Debian's external
 * posix/sockets.h defines them. With lwIP's own sockets.h (what an RTOS
 * board uses) they are defined here, matching its sockaddr with sin_len.
 */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) ((sin)->sin_len = (u8_t)sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = (u8_t)sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((addr)->sa.sa_len)

/* IPv4 + ARP/Ethernet + TCP, pool sizes: the same in the raw build. */
#include "../host-common/lwipopts_common.h"

#endif /* CCAT_LWIPOPTS_HOST_SYS_H */
