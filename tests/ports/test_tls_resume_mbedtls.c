/*
 * Resumption against mbedTLS's own server (session cache, or session
 * tickets), in process, over a non-blocking in-memory pipe: the lower
 * transport returns 0 whenever it has nothing, so the abbreviated handshake
 * is driven through the layer's connect() returning 0 as well. The server
 * here can expire what it handed out (cache timeout, ticket lifetime),
 * which OpenSSL in Python cannot be told to do: an expired session must end
 * in a clean full handshake.
 * Usage: test_tls_resume_mbedtls CERT_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#define MEM_QUEUE_BYTES 32768
#include "mem_tls_server.h"
#include "test.h"

/* ---- the pipe: two byte queues; 0 = nothing yet ---------------------------- */

static byteq_t c2s, s2c;
static size_t wire_bytes; /* both directions, since the last reset */
static size_t full_bytes, resumed_bytes; /* of the last full and resumed handshakes */
static int connects;
static int hangups;       /* recv: the server hangs up on this many ClientHellos */
static int32_t recv_fail; /* recv: this error (< 0) once the ClientHello is out */

static int32_t p_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    (void)ctx; (void)host; (void)port; (void)timeout_ms;
    connects++;
    return 1;
}

static int32_t p_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    (void)ctx; (void)timeout_ms;
    len = q_put(&c2s, data, len);
    wire_bytes += len;
    return (int32_t)len;
}

static int32_t p_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    (void)ctx; (void)timeout_ms;
    if (c2s.len > 0 && hangups > 0) {
        hangups--;
        c2s.len = 0; /* the server never read it */
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    if (c2s.len > 0 && recv_fail < 0) {
        int32_t rc = recv_fail;
        recv_fail = 0;
        c2s.len = 0;
        return rc;
    }
    return (int32_t)q_get(&s2c, buf, len);
}

static void p_close(void *ctx) {
    (void)ctx;
}

static const ccat_transport_t pipe_lower = {p_connect, p_send, p_recv, p_close, NULL};

/* ---- the server ------------------------------------------------------------- */

static mbedtls_ssl_cache_context srv_cache;
static mbedtls_ssl_ticket_context srv_ticket;
static int srv_resumed; /* the server's ServerHello resumed the client's session */

static int s_send(void *ctx, const unsigned char *buf, size_t len) {
    (void)ctx;
    len = q_put(&s2c, buf, len);
    wire_bytes += len;
    return (int)len;
}

static int s_recv(void *ctx, unsigned char *buf, size_t len) {
    (void)ctx;
    return c2s.len == 0 ? MBEDTLS_ERR_SSL_WANT_READ : (int)q_get(&c2s, buf, len);
}

/* A server with a session cache (@p tickets 0) or session tickets, good for an hour. */
static int server_setup(const char *dir, int tickets) {
    int ok = mem_server_begin(dir, "server");
    mbedtls_ssl_cache_init(&srv_cache);
    mbedtls_ssl_ticket_init(&srv_ticket);
    if (tickets) {
        ok &= mbedtls_ssl_ticket_setup(&srv_ticket, mbedtls_ctr_drbg_random, &srv_drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM, 3600) == 0;
        mbedtls_ssl_conf_session_tickets_cb(&srv_conf, mbedtls_ssl_ticket_write,
                                            mbedtls_ssl_ticket_parse, &srv_ticket);
    } else {
        mbedtls_ssl_cache_set_timeout(&srv_cache, 3600);
        mbedtls_ssl_conf_session_cache(&srv_conf, &srv_cache, mbedtls_ssl_cache_get,
                                       mbedtls_ssl_cache_set);
    }
    ok &= mem_server_finish(s_send, s_recv);
    return ok;
}

/* From now on, sessions older than 1 s are expired (mbedTLS: "> 1" in whole seconds). */
static void server_lifetime(int tickets, int seconds) {
    if (tickets) {
        srv_ticket.ticket_lifetime = (uint32_t)seconds; /* no setter in 2.28 */
    } else {
        mbedtls_ssl_cache_set_timeout(&srv_cache, seconds);
    }
}

static void server_free(void) {
    mem_server_free();
    mbedtls_ssl_cache_free(&srv_cache);
    mbedtls_ssl_ticket_free(&srv_ticket);
}

/* Run the server's handshake as far as its input allows. */
static void server_steps(void) {
    while (srv.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
        int before = srv.state;
        if (mbedtls_ssl_handshake_step(&srv) != 0) {
            return;
        }
        if (before == MBEDTLS_SSL_SERVER_HELLO && srv.state == MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC) {
            srv_resumed = 1; /* mbedTLS's server skips to ChangeCipherSpec when resuming */
        }
    }
}

/* ---- the client ------------------------------------------------------------- */

static ccat_mbedtls_t tls;
static ccat_transport_t t;
static ccat_mbedtls_session_t sess;
static int offers; /* trace: sessions offered */

static void count_offers(void *ctx, const char *event, long value) {
    (void)ctx;
    if (strcmp(event, "tls_resume_offer") == 0 && value == 1) {
        offers++;
    }
}

/*
 * A new connection: fresh queues and server, then connect() until it is not
 * 0, the server stepping in between. Checks that it succeeded, that both
 * ends agree on @p resumed, and that data then flows.
 */
static void connect_once(int resumed);

/* connect() until it is not 0, the server stepping in between; its result. */
static int32_t connect_loop(int *zeros) {
    int32_t rc = 0;
    int i;
    *zeros = 0;
    for (i = 0; i < 100 && rc == 0; i++) {
        rc = t.connect(t.ctx, "localhost", 8443, 1000);
        if (rc == 0) {
            (*zeros)++;
            server_steps();
        }
    }
    return rc;
}

static void connect_once(int resumed) {
    static const uint8_t ping[4] = {'p', 'i', 'n', 'g'};
    uint8_t got[4] = {0};
    int32_t rc;
    int zeros = 0;
    c2s.len = s2c.len = 0;
    srv_resumed = 0;
    wire_bytes = 0;
    CHECK_EQ_INT(mbedtls_ssl_session_reset(&srv), 0);
    rc = connect_loop(&zeros);
    CHECK_EQ_INT(rc, 1);
    CHECK(zeros >= 1); /* non-blocking all the way */
    server_steps(); /* resumed: the client's Finished comes last */
    *(resumed ? &resumed_bytes : &full_bytes) = wire_bytes;
    CHECK_EQ_INT(srv.state, MBEDTLS_SSL_HANDSHAKE_OVER);
    CHECK_EQ_INT(srv_resumed, resumed);
    CHECK_EQ_INT(ccat_mbedtls_resumed(&tls), resumed);
    CHECK_EQ_INT(t.send(t.ctx, ping, sizeof ping, 100), 4);
    CHECK_EQ_INT(mbedtls_ssl_read(&srv, got, sizeof got), 4);
    CHECK(memcmp(got, ping, 4) == 0);
    printf("  handshake %s after %d zero returns, %u bytes on the wire\n",
           resumed ? "resumed" : "full", zeros, (unsigned)wire_bytes);
    t.close(t.ctx);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_expiry(const char *dir, int tickets) {
    ccat_mbedtls_config_t cfg;
    char path[512];
    printf("mbedTLS server with %s\n", tickets ? "session tickets" : "a session cache");
    CHECK(server_setup(dir, tickets));
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = path;
    cfg.session = &sess;
    cfg.trace = count_offers;
    offers = 0;
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &pipe_lower, &cfg, &t), CCAT_OK);
    connect_once(0);
    CHECK_EQ_INT(sess.valid, 1);
    CHECK_EQ_INT(sess.session.ticket_len > 0, tickets);
    connect_once(1);
    CHECK(resumed_bytes * 2 < full_bytes); /* no certificate, no key exchange */
    /* Expired on the server's side: lifetime 1 s, in whole seconds, so 2 s later. */
    server_lifetime(tickets, 1);
    sleep_ms(2050);
    connect_once(0);
    CHECK_EQ_INT(offers, 2); /* it was offered, and refused */
    server_lifetime(tickets, 3600);
    connect_once(1); /* the new session is good */
    ccat_mbedtls_free(&tls);
    ccat_mbedtls_session_free(&sess);
    server_free();
}

/*
 * Before the server's answer: a TLS-level failure (it hangs up on the
 * ClientHello that carries the session) drops the session and retries in
 * full within the same connect(); a lower I/O error does neither (it is the
 * network's fault, and it is reported as such).
 */
static void test_hangup(const char *dir) {
    ccat_mbedtls_config_t cfg;
    char path[512];
    int zeros, before;
    printf("server hangs up on an offered session; network error while offering\n");
    CHECK(server_setup(dir, 0));
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = path;
    cfg.session = &sess;
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &pipe_lower, &cfg, &t), CCAT_OK);
    connect_once(0);

    recv_fail = CCAT_TRANSPORT_ERR_IO;
    c2s.len = s2c.len = 0;
    CHECK_EQ_INT(mbedtls_ssl_session_reset(&srv), 0);
    before = connects;
    CHECK_EQ_INT(connect_loop(&zeros), CCAT_TRANSPORT_ERR_IO);
    CHECK_EQ_INT(connects - before, 1); /* no retry */
    CHECK_EQ_INT(sess.valid, 1);        /* the session is kept */
    connect_once(1);

    hangups = 1;
    c2s.len = s2c.len = 0;
    srv_resumed = 0;
    CHECK_EQ_INT(mbedtls_ssl_session_reset(&srv), 0);
    before = connects;
    CHECK_EQ_INT(connect_loop(&zeros), 1);
    CHECK_EQ_INT(connects - before, 2); /* hung up on, then a full handshake */
    CHECK_EQ_INT(hangups, 0);
    CHECK_EQ_INT(ccat_mbedtls_resumed(&tls), 0);
    server_steps();
    CHECK_EQ_INT(srv_resumed, 0);
    t.close(t.ctx);
    connect_once(1); /* the new session is good */
    ccat_mbedtls_free(&tls);
    ccat_mbedtls_session_free(&sess);
    server_free();
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    test_expiry(argv[1], 0);
    test_expiry(argv[1], 1);
    CHECK_EQ_INT(connects, 8);
    test_hangup(argv[1]);
    return test_summary("ports_tls_resume_mbedtls");
}
