/**
 * @file lan9118.h
 * @brief lwIP netif driver for the SMSC LAN9118 Ethernet controller of the
 * MPS2 boards (polled: no interrupt, no DMA, no RTOS).
 *
 * @code
 *   struct netif netif;
 *   netif_add(&netif, &ip, &mask, &gw, NULL, ccat_lan9118_netif_init, ethernet_input);
 *   for (;;) { ccat_lan9118_poll(&netif); sys_check_timeouts(); }
 * @endcode
 *
 * Received frames go into pbufs from PBUF_POOL (a frame that finds no pool
 * buffer is dropped: TCP retransmits it). Sending copies the pbuf chain into
 * the controller's TX FIFO word by word, so no staging buffer is needed.
 */
#ifndef CCAT_LAN9118_H
#define CCAT_LAN9118_H

#include "lwip/err.h"
#include "lwip/netif.h"

/** @brief Base address of the LAN9118 on the MPS2 AN385 (and AN386/AN500/AN505). */
#define CCAT_LAN9118_BASE 0x40200000u

/**
 * @brief netif_add() init function: resets the controller, reads its MAC
 * address (QEMU: from -nic ...,mac=), enables TX and RX.
 * @return ERR_OK, or ERR_IF when no LAN9118 answers at CCAT_LAN9118_BASE.
 */
err_t ccat_lan9118_netif_init(struct netif *netif);

/**
 * @brief Move every frame waiting in the RX FIFO into lwIP (netif->input).
 * @return Number of frames handed to lwIP.
 */
int ccat_lan9118_poll(struct netif *netif);

#endif /* CCAT_LAN9118_H */
