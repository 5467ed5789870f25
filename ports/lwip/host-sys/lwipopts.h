/**
 * @file lwipopts.h
 * @brief lwIP options of the host test build of the sockets port (NO_SYS=0).
 *
 * An RTOS-style stack: the tcpip thread (Debian's pthread sys_arch.c stands
 * in for the RTOS), netconn and the BSD-style sockets API under lwip_*
 * names only (no macros that would clash with the host's socket()). Else as
 * the raw build: IPv4, ARP/Ethernet
 * (the test netif is an Ethernet link to in-process libslirp), TCP, no
 * UDP/DHCP/DNS (the address is static, names resolve through the port's
 * resolve hook), no sockets/netconn, no OS. Buffer sizes are generous enough
 * for a 16 KiB TLS record in flight; a board can use far less (TCP_WND of
 * 2-4 MSS works, at the cost of throughput).
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

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 0
#define LWIP_DHCP 0
#define LWIP_DNS 0
#define LWIP_TCP 1
#define LWIP_ALTCP 0

#define MEM_ALIGNMENT 8
#define MEM_SIZE (128 * 1024)
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_SEG 64
#define PBUF_POOL_SIZE 64
#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_WND_SCALE 0

/* A SYN to a closed port is answered by an RST via slirp; one that is never
 * answered gives up after TCP_SYNMAXRTX retransmissions (the caller's connect
 * timeout normally ends it first). */
#define TCP_SYNMAXRTX 4

#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR 1

#endif /* CCAT_LWIPOPTS_HOST_SYS_H */
