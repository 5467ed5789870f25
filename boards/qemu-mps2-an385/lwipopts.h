/*
 * lwIP options for the MPS2 AN385 firmware: bare metal (NO_SYS=1, raw API),
 * IPv4, Ethernet, DHCP, one TCP connection at a time, sized for the 48 KiB
 * RAM target. Every value here is chosen for that; see README.md, "lwIP".
 */
#ifndef CCAT_BOARD_LWIPOPTS_H
#define CCAT_BOARD_LWIPOPTS_H

/* ---- system: no OS, one thread polls everything ------------------------- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1

/* ---- protocols: only what provisioning a token needs -------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0 /* slirp's DHCP server is the only host on the link */
#define LWIP_UDP 1            /* DHCP */
#define LWIP_TCP 1
#define LWIP_ICMP 0           /* no ping replies: not needed to provision */
#define LWIP_RAW 0
#define LWIP_DNS 0            /* the endpoint is an IP literal (see main.c) */
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_SINGLE_NETIF 1
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_STATS 0
#define LWIP_NOASSERT 1       /* assertions cost flash: LWIP_PLATFORM_ASSERT still reports fatal ones */

/* ---- memory: static pools, no libc malloc --------------------------------- */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE (3 * 1024)   /* lwIP heap: TCP segments being sent (copied), DHCP */
#define MEMP_NUM_PBUF 4
#define MEMP_NUM_UDP_PCB 1
#define MEMP_NUM_TCP_PCB 1
#define MEMP_NUM_TCP_PCB_LISTEN 1
#define MEMP_NUM_TCP_SEG 8
#define MEMP_NUM_SYS_TIMEOUT 6
#define ARP_TABLE_SIZE 2
#define ARP_QUEUEING 0

/*
 * Received frames land in pool buffers. A small MSS keeps each buffer small;
 * slirp (and any TCP peer) honours the MSS we announce.
 */
#define TCP_MSS 536
#define PBUF_POOL_SIZE 6
#define PBUF_POOL_BUFSIZE LWIP_MEM_ALIGN_SIZE(TCP_MSS + 40 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN 8
#define TCP_QUEUE_OOSEQ 0
#define LWIP_TCP_SACK_OUT 0
#define LWIP_WND_SCALE 0
#define LWIP_CALLBACK_API 1

/* ---- checksums: QEMU's LAN9118 does none in hardware ---------------------- */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_UDP 1

#endif /* CCAT_BOARD_LWIPOPTS_H */
