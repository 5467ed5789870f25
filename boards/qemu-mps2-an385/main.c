/*
 * ccat on the MPS2 AN385 (Cortex-M3) under QEMU: bring up the LAN9118 and
 * lwIP, get an address by DHCP (or use a static one), open TLS to the
 * endpoint and create an access token with ccat_create_access_token().
 *
 * Output (UART0) is line-oriented with a "ccat-fw:" prefix so that a test
 * can read it; the secret itself is never printed, only its length.
 * Exit status (semihosting, so QEMU's own exit status):
 *   0 token created, 1 service error (code printed by name), 2 network or
 *   TLS failure, 3 no IP address, 4 set-up failure.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "lan9118.h"

#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include <mbedtls/platform.h>

#include "ccat/ccat.h"
#include "ccat_lwip_raw.h"
#include "ccat_mbedtls.h"

/* Build-time settings (CMake): see README.md. */
#ifndef CCAT_FW_ENDPOINT
#define CCAT_FW_ENDPOINT "https://10.0.2.100"
#endif
#ifndef CCAT_FW_TOKEN_NAME
#define CCAT_FW_TOKEN_NAME "qemu-mps2-an385"
#endif
#ifndef CCAT_FW_DHCP_TIMEOUT_MS
#define CCAT_FW_DHCP_TIMEOUT_MS 10000u
#endif
#ifndef CCAT_FW_TIMEOUT_MS
#define CCAT_FW_TIMEOUT_MS 20000u
#endif
#ifndef CCAT_FW_BUFFER_SIZE
#define CCAT_FW_BUFFER_SIZE 6144u /* request, then the response: a 4000-character secret fits */
#endif

/* The bootstrap bearer token. A product reads it from secure storage. */
extern const char ccat_fw_bearer_token[];
/* The trust anchor (DER), generated at build time. */
extern const unsigned char ccat_fw_ca_der[];
extern const size_t ccat_fw_ca_der_len;

enum { FW_OK = 0, FW_SERVICE_ERROR = 1, FW_NETWORK_ERROR = 2, FW_NO_ADDRESS = 3, FW_SETUP_ERROR = 4 };

static struct netif fw_netif;
static ccat_lwip_raw_t fw_tcp_state;
static ccat_mbedtls_t fw_tls_state;
static ccat_client_t fw_client;
static char fw_buffer[CCAT_FW_BUFFER_SIZE];
static ccat_board_heap_stats_t fw_heap_at_handshake;
static uint32_t fw_handshake_ms;
static uint32_t fw_connect_start_ms;

/* lwIP (NO_SYS) asks the board for the time. */
u32_t sys_now(void) {
    return ccat_board_now_ms();
}

/*
 * The board's lwIP pump, called whenever a transport call waits: frames in,
 * timers. When no frame arrived, sleep until the next interrupt (the 1 ms
 * SysTick) instead of spinning.
 */
static void fw_poll(void *ctx) {
    (void)ctx;
    if (ccat_lan9118_poll(&fw_netif) == 0) {
        ccat_board_wait();
    }
    sys_check_timeouts();
}

static int fw_net_up(void) {
    uint32_t start;
    lwip_init();
    if (netif_add(&fw_netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, ccat_lan9118_netif_init,
                  ethernet_input) == NULL) {
        ccat_board_puts("ccat-fw: no LAN9118 found\n");
        return FW_SETUP_ERROR;
    }
    netif_set_default(&fw_netif);
    netif_set_up(&fw_netif);
#if defined(CCAT_FW_STATIC_IP)
    {
        /* QEMU user networking: 10.0.2.15/24, gateway 10.0.2.2. */
        ip4_addr_t ip, mask, gw;
        IP4_ADDR(&ip, 10, 0, 2, 15);
        IP4_ADDR(&mask, 255, 255, 255, 0);
        IP4_ADDR(&gw, 10, 0, 2, 2);
        netif_set_addr(&fw_netif, &ip, &mask, &gw);
    }
#else
    if (dhcp_start(&fw_netif) != ERR_OK) {
        return FW_SETUP_ERROR;
    }
#endif
    start = ccat_board_now_ms();
    while (ip4_addr_isany_val(*netif_ip4_addr(&fw_netif))) {
        if (ccat_board_now_ms() - start > CCAT_FW_DHCP_TIMEOUT_MS) {
            ccat_board_puts("ccat-fw: no address from DHCP\n");
            return FW_NO_ADDRESS;
        }
        fw_poll(NULL);
    }
    {
        const uint8_t *a = (const uint8_t *)netif_ip4_addr(&fw_netif);
        ccat_board_printf("ccat-fw: ip %u.%u.%u.%u (%s) after %lu ms\n", a[0], a[1], a[2], a[3],
#if defined(CCAT_FW_STATIC_IP)
                          "static",
#else
                          "dhcp",
#endif
                          (unsigned long)(ccat_board_now_ms() - start));
    }
    return FW_OK;
}

/* Client progress: print it, and take the heap figures when the handshake is done. */
static void fw_trace(void *ctx, const char *event, long value) {
    (void)ctx;
    if (strcmp(event, "connect") == 0) {
        fw_connect_start_ms = ccat_board_now_ms();
    } else if (strcmp(event, "connected") == 0) {
        ccat_board_heap_stats(&fw_heap_at_handshake);
        fw_handshake_ms = ccat_board_now_ms() - fw_connect_start_ms;
    }
    ccat_board_printf("ccat-fw: trace %s %ld\n", event, value);
}

static void fw_report_token(const ccat_access_token_t *tok) {
    char when[CCAT_TIME_TEXT_MAX];
    if (ccat_time_format(tok->expires_time, when) < 0) {
        strcpy(when, "?");
    }
    ccat_board_printf("ccat-fw: token id=%s\n", tok->access_token_id);
    ccat_board_printf("ccat-fw: token name=%s\n", tok->name);
    ccat_board_printf("ccat-fw: token expires=%s\n", when);
    /* The secret is never shown: only that there is one, and its length. */
    ccat_board_printf("ccat-fw: token secret=******** (%lu characters, not shown)\n",
                      (unsigned long)tok->secret_len);
}

static void fw_report_memory(void) {
    ccat_board_heap_stats_t end;
    ccat_board_heap_stats(&end);
    ccat_board_printf("ccat-fw: footprint handshake_ms=%lu\n", (unsigned long)fw_handshake_ms);
    ccat_board_printf("ccat-fw: footprint heap_peak_handshake=%lu\n",
                      (unsigned long)fw_heap_at_handshake.peak);
    ccat_board_printf("ccat-fw: footprint heap_peak_total=%lu\n", (unsigned long)end.peak);
    ccat_board_printf("ccat-fw: footprint heap_arena_peak=%lu heap_region=%lu allocs=%lu failures=%lu\n",
                      (unsigned long)end.peak_break, (unsigned long)end.region, (unsigned long)end.allocs,
                      (unsigned long)end.failures);
    ccat_board_printf("ccat-fw: footprint heap_in_use_at_exit=%lu\n", (unsigned long)end.current);
    ccat_board_printf("ccat-fw: footprint stack_high_water=%lu stack_size=%lu\n",
                      (unsigned long)ccat_board_stack_high_water(), (unsigned long)ccat_board_stack_size());
}

static int fw_provision(void) {
    ccat_transport_t tcp, tls;
    ccat_platform_t platform;
    ccat_lwip_raw_config_t tcp_cfg = {.poll = fw_poll};
    ccat_mbedtls_config_t tls_cfg = {
        .ca_data = ccat_fw_ca_der,
        .ca_data_len = ccat_fw_ca_der_len,
        .entropy = ccat_board_entropy,
    };
    ccat_client_config_t cfg = {
        .endpoint_url = CCAT_FW_ENDPOINT,
        .bearer_token = ccat_fw_bearer_token,
        .platform = "qemu-mps2-an385",
        .buffer = fw_buffer,
        .buffer_size = sizeof fw_buffer,
        .connect_timeout_ms = CCAT_FW_TIMEOUT_MS,
        .read_timeout_ms = CCAT_FW_TIMEOUT_MS,
        .max_attempts = 1, /* the test wants exactly one request; see README.md */
    };
    ccat_create_params_t params = {.name = CCAT_FW_TOKEN_NAME};
    ccat_access_token_t tok;
    ccat_status_t st;
    int rc;

    ccat_lwip_raw_init(&fw_tcp_state, &tcp_cfg, &tcp);
    ccat_lwip_platform_init(&platform, fw_poll, NULL);
    if (mbedtls_platform_set_calloc_free(ccat_board_calloc, ccat_board_free) != 0 ||
        ccat_mbedtls_init(&fw_tls_state, &tcp, &tls_cfg, &tls) != CCAT_OK) {
        ccat_board_puts("ccat-fw: TLS set-up failed\n");
        return FW_SETUP_ERROR;
    }
    /* The TLS layer asks for 4 KiB records itself (max_fragment_length),
     * since this build's receive buffer holds no more (mbedtls_config.h). */
    cfg.transport = &tls;
    cfg.platform_hooks = &platform;
    if (ccat_client_init(&fw_client, &cfg) != CCAT_OK) {
        ccat_board_puts("ccat-fw: bad client configuration\n");
        ccat_mbedtls_free(&fw_tls_state);
        return FW_SETUP_ERROR;
    }
    fw_client.trace = fw_trace;
    ccat_board_printf("ccat-fw: CreateAccessToken name=%s at %s\n", CCAT_FW_TOKEN_NAME, CCAT_FW_ENDPOINT);
    st = ccat_create_access_token(&fw_client, &params, &tok);
    if (st == CCAT_OK) {
        fw_report_token(&tok);
        ccat_access_token_wipe(&tok);
        rc = FW_OK;
    } else {
        const ccat_error_t *err = ccat_client_last_error(&fw_client);
        ccat_board_printf("ccat-fw: failed status=%s\n", ccat_status_name(st));
        if (ccat_status_is_service_error(st)) {
            ccat_board_printf("ccat-fw: service error code=%s http=%d\n",
                              err->code != NULL ? err->code : "(none)", err->http_status);
            ccat_board_printf("ccat-fw: service error message=%s\n",
                              err->message != NULL ? err->message : "(none)");
            rc = FW_SERVICE_ERROR;
        } else {
            rc = FW_NETWORK_ERROR;
        }
    }
    ccat_client_wipe(&fw_client);
    ccat_mbedtls_free(&fw_tls_state);
    fw_report_memory();
    return rc;
}

int main(void) {
    int rc;
    ccat_board_init();
    ccat_board_puts("ccat-fw: boot MPS2 AN385 Cortex-M3\n");
    rc = fw_net_up();
    if (rc == FW_OK) {
        rc = fw_provision();
    }
    ccat_board_printf("ccat-fw: exit %d\n", rc);
    return rc;
}
