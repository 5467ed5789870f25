/*
 * SMSC LAN9118 driver, polled, as an lwIP netif. Register map and FIFO
 * formats from the SMSC LAN9118 datasheet (rev. 1.5), sections 5 (registers)
 * and 3.12/3.13 (TX/RX data formats). QEMU's model (hw/net/lan9118.c)
 * implements the subset used here.
 */
#include "lan9118.h"

#include <stdint.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define LAN_REG(off) (*(volatile uint32_t *)(CCAT_LAN9118_BASE + (off)))

#define LAN_RX_DATA LAN_REG(0x00)
#define LAN_TX_DATA LAN_REG(0x20)
#define LAN_RX_STATUS LAN_REG(0x40)
#define LAN_TX_STATUS LAN_REG(0x48)
#define LAN_ID_REV LAN_REG(0x50)
#define LAN_INT_EN LAN_REG(0x5C)
#define LAN_BYTE_TEST LAN_REG(0x64)
#define LAN_RX_CFG LAN_REG(0x6C)
#define LAN_TX_CFG LAN_REG(0x70)
#define LAN_HW_CFG LAN_REG(0x74)
#define LAN_RX_FIFO_INF LAN_REG(0x7C)
#define LAN_TX_FIFO_INF LAN_REG(0x80)
#define LAN_PMT_CTRL LAN_REG(0x84)
#define LAN_MAC_CSR_CMD LAN_REG(0xA4)
#define LAN_MAC_CSR_DATA LAN_REG(0xA8)

#define LAN_BYTE_TEST_VALUE 0x87654321u
#define LAN_HW_CFG_SRST 0x1u
#define LAN_PMT_CTRL_READY 0x1u
#define LAN_TX_CFG_TX_ON 0x2u
#define LAN_CSR_BUSY 0x80000000u
#define LAN_CSR_READ 0x40000000u
/* MAC CSR indexes */
#define LAN_MAC_CR 1u
#define LAN_MAC_ADDRH 2u
#define LAN_MAC_ADDRL 3u
#define LAN_MAC_CR_TXEN 0x8u
#define LAN_MAC_CR_RXEN 0x4u
#define LAN_MAC_CR_FDPX 0x00100000u
/* TX command A/B (datasheet 3.12.2) */
#define LAN_TXA_FIRST_SEG 0x2000u
#define LAN_TXA_LAST_SEG 0x1000u
/* RX status word (datasheet 3.13.3) */
#define LAN_RXS_ERROR 0x8000u
#define LAN_RXS_LEN(s) (((s) >> 16) & 0x3FFFu)
#define LAN_FCS_LEN 4u

#define LAN_SPIN_LIMIT 100000u

static int ccat_lan_wait_clear(volatile uint32_t *reg, uint32_t mask) {
    uint32_t n;
    for (n = 0; n < LAN_SPIN_LIMIT; n++) {
        if ((*reg & mask) == 0) {
            return 0;
        }
    }
    return -1;
}

static uint32_t ccat_lan_mac_read(uint32_t index) {
    (void)ccat_lan_wait_clear(&LAN_MAC_CSR_CMD, LAN_CSR_BUSY);
    LAN_MAC_CSR_CMD = LAN_CSR_BUSY | LAN_CSR_READ | index;
    (void)ccat_lan_wait_clear(&LAN_MAC_CSR_CMD, LAN_CSR_BUSY);
    return LAN_MAC_CSR_DATA;
}

static void ccat_lan_mac_write(uint32_t index, uint32_t value) {
    (void)ccat_lan_wait_clear(&LAN_MAC_CSR_CMD, LAN_CSR_BUSY);
    LAN_MAC_CSR_DATA = value;
    LAN_MAC_CSR_CMD = LAN_CSR_BUSY | index;
    (void)ccat_lan_wait_clear(&LAN_MAC_CSR_CMD, LAN_CSR_BUSY);
}

/*
 * Send one frame: command A and B, then the bytes as little-endian words,
 * gathered across the pbuf chain. The frame is sent once its last word is in.
 */
static err_t ccat_lan_output(struct netif *netif, struct pbuf *p) {
    const struct pbuf *q;
    uint32_t word = 0;
    unsigned fill = 0;
    uint32_t len = p->tot_len;
    (void)netif;
    uint32_t n;
    if (len > 1514u) {
        return ERR_BUF;
    }
    /* Room for the frame and its two command words (TDFREE, in bytes). */
    for (n = 0; (LAN_TX_FIFO_INF & 0xFFFFu) < len + 8u; n++) {
        if (n == LAN_SPIN_LIMIT) {
            return ERR_MEM;
        }
    }
    LAN_TX_DATA = LAN_TXA_FIRST_SEG | LAN_TXA_LAST_SEG | len;
    LAN_TX_DATA = (len << 16) | len; /* packet tag = length, then length */
    for (q = p; q != NULL; q = q->next) {
        const uint8_t *b = q->payload;
        uint16_t i;
        for (i = 0; i < q->len; i++) {
            word |= (uint32_t)b[i] << (8u * fill);
            if (++fill == 4u) {
                LAN_TX_DATA = word;
                word = 0;
                fill = 0;
            }
        }
    }
    if (fill != 0u) {
        LAN_TX_DATA = word;
    }
    /* Drain the TX status FIFO (one word per frame sent) so it never fills. */
    while ((LAN_TX_FIFO_INF >> 16) & 0xFFu) {
        (void)LAN_TX_STATUS;
    }
    return ERR_OK;
}

/* Read @p words FIFO words into the chain @p p (NULL: discard them). */
static void ccat_lan_read_frame(struct pbuf *p, uint32_t words) {
    struct pbuf *q = p;
    uint16_t off = 0;
    while (words-- > 0u) {
        uint32_t word = LAN_RX_DATA;
        unsigned k;
        for (k = 0; k < 4u && q != NULL; k++) {
            ((uint8_t *)q->payload)[off++] = (uint8_t)(word >> (8u * k));
            if (off == q->len) {
                q = q->next;
                off = 0;
            }
        }
    }
}

int ccat_lan9118_poll(struct netif *netif) {
    int frames = 0;
    while ((LAN_RX_FIFO_INF >> 16) & 0xFFu) {
        uint32_t status = LAN_RX_STATUS;
        uint32_t len = LAN_RXS_LEN(status); /* includes the 4-byte FCS */
        uint32_t words = (len + 3u) / 4u;
        struct pbuf *p = NULL;
        if ((status & LAN_RXS_ERROR) == 0 && len > LAN_FCS_LEN + 14u && len <= 1518u) {
            p = pbuf_alloc(PBUF_RAW, (u16_t)(len - LAN_FCS_LEN), PBUF_POOL);
        }
        ccat_lan_read_frame(p, words); /* the FCS falls off the end of the chain */
        if (p != NULL) {
            frames++;
            if (netif->input(p, netif) != ERR_OK) {
                pbuf_free(p);
            }
        }
    }
    return frames;
}

err_t ccat_lan9118_netif_init(struct netif *netif) {
    uint32_t lo, hi;
    if (LAN_BYTE_TEST != LAN_BYTE_TEST_VALUE || (LAN_ID_REV >> 16) != 0x0118u) {
        return ERR_IF;
    }
    LAN_HW_CFG = LAN_HW_CFG_SRST;
    if (ccat_lan_wait_clear(&LAN_HW_CFG, LAN_HW_CFG_SRST) != 0) {
        return ERR_IF;
    }
    while ((LAN_PMT_CTRL & LAN_PMT_CTRL_READY) == 0) {
    }
    LAN_INT_EN = 0;   /* polled */
    LAN_RX_CFG = 0;   /* no offset, no end padding */
    lo = ccat_lan_mac_read(LAN_MAC_ADDRL);
    hi = ccat_lan_mac_read(LAN_MAC_ADDRH);
    netif->hwaddr[0] = (uint8_t)lo;
    netif->hwaddr[1] = (uint8_t)(lo >> 8);
    netif->hwaddr[2] = (uint8_t)(lo >> 16);
    netif->hwaddr[3] = (uint8_t)(lo >> 24);
    netif->hwaddr[4] = (uint8_t)hi;
    netif->hwaddr[5] = (uint8_t)(hi >> 8);
    netif->hwaddr_len = ETH_HWADDR_LEN;
    /* Exact MAC + broadcast filtering (promiscuous off), full duplex. */
    ccat_lan_mac_write(LAN_MAC_CR, LAN_MAC_CR_TXEN | LAN_MAC_CR_RXEN | LAN_MAC_CR_FDPX);
    LAN_TX_CFG = LAN_TX_CFG_TX_ON;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    netif->output = etharp_output;
    netif->linkoutput = ccat_lan_output;
    return ERR_OK;
}
