/*
 * lwip-event: one CreateAccessToken exchange driven event-style, with no
 * blocking client: the raw port's on_data sink feeds every received segment
 * straight from lwIP's receive callback into the sans-I/O core's response
 * parser (ccat_http_response_feed). Plain HTTP to the emulator on
 * 127.0.0.1:PORT through lwIP (NO_SYS=1) + slirp, the board loop being
 * ccat_slirp_poll().
 *
 *   AWS_BEARER_TOKEN_CODECATALYST=... lwip-event PORT NAME
 *
 * Prints "status=<CCAT status name> http=<code> id=<accessTokenId>
 * name=<name> segments=<n> secret_len=<n>" (never the secret) and exits 0
 * when the exchange ran to a parsed response (whatever the service said);
 * 1 on a transport or framing failure. tests/lwip/test_lwip_event.py checks
 * the emulator's side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat.h"
#include "ccat_lwip_raw.h"
#include "ccat_slirp_link.h"
#include "lwip/sys.h"

/* What the receive callback drives. */
typedef struct ev_state {
    ccat_http_response_t resp; /**< The core's incremental parser. */
    ccat_status_t st;          /**< Last feed result (CCAT_AGAIN while incomplete). */
    unsigned segments;         /**< on_data calls with data. */
    int eof;                   /**< The peer closed. */
} ev_state_t;

static char ev_req[2048];
static char ev_buf[8192];
static ev_state_t ev;
static ccat_lwip_raw_t ev_tcp;

/* lwIP's receive callback, via the port: bytes go straight to the parser. */
static void ev_on_data(void *ctx, const uint8_t *data, size_t len) {
    ev_state_t *e = ctx;
    if (data == NULL) {
        e->eof = 1;
        if (e->st == CCAT_AGAIN) {
            e->st = ccat_http_response_eof(&e->resp); /* close-delimited body */
        }
        return;
    }
    e->segments++;
    if (e->st == CCAT_AGAIN) {
        e->st = ccat_http_response_feed(&e->resp, (const char *)data, len);
    }
}

/* Pump until @p done or 10 s; the event loop of a bare-metal board. */
static int ev_loop(int (*done)(void)) {
    uint32_t start = sys_now();
    while (!done()) {
        if (sys_now() - start > 10000u) {
            return -1;
        }
        ccat_slirp_poll(NULL);
    }
    return 0;
}

static int ev_answered(void) {
    return ev.st != CCAT_AGAIN || ev.eof;
}

static int ev_run(ccat_transport_t *t, uint16_t port, size_t len) {
    size_t sent = 0;
    int32_t rc;
    uint32_t start = sys_now();
    while ((rc = t->connect(t->ctx, "127.0.0.1", port, 0)) == 0 && sys_now() - start < 10000u) {
        ccat_slirp_poll(NULL);
    }
    if (rc != 1) {
        fprintf(stderr, "lwip-event: connect: %ld\n", (long)rc);
        return 1;
    }
    while (sent < len && (rc = t->send(t->ctx, (const uint8_t *)ev_req + sent, len - sent, 0)) >= 0) {
        sent += (size_t)rc;
        ccat_slirp_poll(NULL);
    }
    ccat_wipe(ev_req, sizeof ev_req); /* held the bearer token */
    if (sent < len || ev_loop(ev_answered) != 0 || ev.st == CCAT_AGAIN) {
        fprintf(stderr, "lwip-event: exchange did not complete (sent %zu/%zu, %s)\n", sent, len,
                ccat_status_name(ev.st));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    ccat_endpoint_t ep;
    ccat_transport_t t;
    ccat_lwip_raw_config_t cfg;
    ccat_access_token_t tok;
    ccat_error_t err;
    ccat_request_ctx_t rctx;
    ccat_create_params_t p;
    char url[64];
    size_t len = 0;
    int rc;
    if (argc != 3 || ccat_slirp_link_up() != 0) {
        fputs("usage: AWS_BEARER_TOKEN_CODECATALYST=... lwip-event PORT NAME\n", stderr);
        return 2;
    }
    (void)snprintf(url, sizeof url, "http://127.0.0.1:%s", argv[1]);
    memset(&rctx, 0, sizeof rctx);
    memset(&p, 0, sizeof p);
    rctx.endpoint = &ep;
    rctx.bearer_token = getenv("AWS_BEARER_TOKEN_CODECATALYST");
    rctx.platform = "lwip-event";
    p.name = argv[2];
    if (ccat_endpoint_parse(url, &ep) != CCAT_OK ||
        ccat_create_request_write(&rctx, &p, ev_req, sizeof ev_req, &len) != CCAT_OK) {
        fputs("lwip-event: cannot build the request\n", stderr);
        return 2;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.resolve = ccat_slirp_resolve;
    cfg.on_data = ev_on_data;
    cfg.data_ctx = &ev;
    ccat_http_response_init(&ev.resp, ev_buf, sizeof ev_buf);
    ev.st = CCAT_AGAIN;
    ccat_lwip_raw_init(&ev_tcp, &cfg, &t);
    rc = ev_run(&t, (uint16_t)atoi(argv[1]), len);
    t.close(t.ctx);
    if (rc != 0) {
        return rc;
    }
    memset(&tok, 0, sizeof tok);
    ev.st = ccat_create_response_read(&ev.resp, &tok, &err);
    printf("status=%s http=%d id=%s name=%s segments=%u secret_len=%zu\n", ccat_status_name(ev.st),
           ev.resp.status, ev.st == CCAT_OK ? tok.access_token_id : "-", ev.st == CCAT_OK ? tok.name : "-",
           ev.segments, ev.st == CCAT_OK ? tok.secret_len : (size_t)0);
    ccat_access_token_wipe(&tok);
    ccat_wipe(ev_buf, sizeof ev_buf);
    return 0;
}
