/**
 * @file lwipopts_common.h
 * @brief lwIP options shared by both host test builds (host-nosys and
 *        host-sys); included at the end of each of their lwipopts.h.
 *
 * What the ccat transports need from the stack, whichever API they use:
 * IPv4, ARP/Ethernet (the test netif is an Ethernet link to in-process
 * libslirp), TCP, no UDP/DHCP/DNS (the address is static, names resolve
 * through the port's resolve hook). Buffer sizes are generous enough for a
 * 16 KiB TLS record in flight; a board can use far less (TCP_WND of 2-4 MSS
 * works, at the cost of throughput). A board copying one of the host builds
 * copies this file with it (or pastes it into its own lwipopts.h).
 */
#ifndef CCAT_LWIPOPTS_COMMON_H
#define CCAT_LWIPOPTS_COMMON_H

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

#endif /* CCAT_LWIPOPTS_COMMON_H */
