/**
 * @file lwipopts.h
 * @brief lwIP options of the host test build of the raw port (NO_SYS=1).
 *
 * The smallest stack the ccat raw transport needs: no sockets/netconn, no
 * OS (below); IPv4, ARP/Ethernet, TCP, no UDP/DHCP/DNS and the buffer sizes
 * come from ../host-common/lwipopts_common.h, shared with the sockets build
 * (see there why; copy both files to start a board).
 */
#ifndef CCAT_LWIPOPTS_HOST_NOSYS_H
#define CCAT_LWIPOPTS_HOST_NOSYS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

/* IPv4 + ARP/Ethernet + TCP, pool sizes: the same in the sockets build. */
#include "../host-common/lwipopts_common.h"

#endif /* CCAT_LWIPOPTS_HOST_NOSYS_H */
