/*
 * The TLS layer over a test double: an in-memory, call-counting pipe to an
 * in-process mbedTLS server. No socket exists in this test, so every byte
 * the layer moves provably goes through the lower transport's functions.
 * The double never blocks (it returns 0 when it has nothing), so this also
 * shows the layer works non-blocking, and it injects lower-level failures.
 * The server sees the client's SNI, and can switch certificates, which the
 * IP-literal tests use (no network here, so any address may be named).
 * Usage: test_tls_layered CERT_DIR
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/ssl_internal.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "mem_tls_server.h"
#include "test.h"

/* ---- the double: two byte queues plus counters and fault switches ------- */

typedef struct link {
    byteq_t c2s, s2c;
    int connects, sends, recvs, closes;
    int connect_zeros;       /* connect returns 0 this many times first */
    int32_t connect_fail;    /* connect returns this (< 0) if set */
    int32_t recv_fail;       /* recv returns this (< 0) if set */
    int send_zeros;          /* send returns 0 this many times */
    int server_eof;          /* the server side is gone: recv gives ERR_CLOSED when empty */
    char host[300];
    uint16_t port;
    uint32_t last_timeout;
} link_t;

static link_t lk;

static int32_t d_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms) {
    link_t *l = ctx;
    l->connects++;
    snprintf(l->host, sizeof l->host, "%s", host);
    l->port = port;
    l->last_timeout = timeout_ms;
    if (l->connect_fail < 0) {
        return l->connect_fail;
    }
    if (l->connect_zeros > 0) {
        l->connect_zeros--;
        return 0;
    }
    return 1;
}

static int32_t d_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms) {
    link_t *l = ctx;
    l->sends++;
    l->last_timeout = timeout_ms;
    if (l->send_zeros > 0) {
        l->send_zeros--;
        return 0;
    }
    return (int32_t)q_put(&l->c2s, data, len);
}

static int32_t d_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms) {
    link_t *l = ctx;
    size_t n;
    l->recvs++;
    l->last_timeout = timeout_ms;
    if (l->recv_fail < 0) {
        return l->recv_fail;
    }
    n = q_get(&l->s2c, buf, len);
    if (n == 0 && l->server_eof) {
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    return (int32_t)n;
}

static void d_close(void *ctx) {
    ((link_t *)ctx)->closes++;
}

static const ccat_transport_t lower = {d_connect, d_send, d_recv, d_close, &lk};

/* ---- the in-process server ---------------------------------------------- */

static char srv_sni[300];

static int s_send(void *ctx, const unsigned char *buf, size_t len) {
    (void)ctx;
    if (lk.s2c.len == sizeof lk.s2c.data) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    return (int)q_put(&lk.s2c, buf, len);
}

static int s_recv(void *ctx, unsigned char *buf, size_t len) {
    (void)ctx;
    return lk.c2s.len == 0 ? MBEDTLS_ERR_SSL_WANT_READ : (int)q_get(&lk.c2s, buf, len);
}

static int s_sni(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len) {
    (void)ctx;
    (void)ssl;
    snprintf(srv_sni, sizeof srv_sni, "%.*s", (int)len, (const char *)name);
    return 0;
}

static const char *cert_dir;

/* The server with certificate and key @p name.pem / @p name.key. */
static int server_setup(const char *name) {
    int ok = mem_server_begin(cert_dir, name);
    mbedtls_ssl_conf_sni(&srv_conf, s_sni, NULL);
    return mem_server_finish(s_send, s_recv) && ok;
}

/* A fresh connection: empty queues, counters and faults cleared, server reset. */
static void fresh(void) {
    memset(&lk, 0, sizeof lk);
    srv_sni[0] = '\0';
    mbedtls_ssl_session_reset(&srv);
}

/* Call connect until it is not 0, stepping the server in between. */
static int32_t handshake(const ccat_transport_t *t, const char *host, int *zeros) {
    int32_t rc = 0;
    int i;
    *zeros = 0;
    for (i = 0; i < 200 && rc == 0; i++) {
        rc = t->connect(t->ctx, host, 8443, 1234);
        if (rc == 0) {
            (*zeros)++;
            (void)mbedtls_ssl_handshake(&srv);
        }
    }
    return rc;
}

/* Move @p len bytes client -> server through t->send and the server's read. */
static int client_to_server(const ccat_transport_t *t, const uint8_t *p, uint8_t *got, size_t len) {
    size_t sent = 0, recvd = 0;
    int i;
    for (i = 0; i < 1000 && recvd < len; i++) {
        int r;
        if (sent < len) {
            int32_t n = t->send(t->ctx, p + sent, len - sent, 50);
            if (n < 0) {
                return -1;
            }
            sent += (size_t)n;
        }
        r = mbedtls_ssl_read(&srv, got + recvd, len - recvd);
        if (r > 0) {
            recvd += (size_t)r;
        } else if (r != MBEDTLS_ERR_SSL_WANT_READ) {
            return -2;
        }
    }
    return recvd == len && sent == len ? 0 : -3;
}

/* Move @p len bytes server -> client through the server's write and t->recv. */
static int server_to_client(const ccat_transport_t *t, const uint8_t *p, uint8_t *got, size_t len) {
    size_t sent = 0, recvd = 0;
    int i;
    for (i = 0; i < 1000 && recvd < len; i++) {
        int32_t n;
        if (sent < len) {
            int w = mbedtls_ssl_write(&srv, p + sent, len - sent);
            if (w > 0) {
                sent += (size_t)w;
            } else if (w != MBEDTLS_ERR_SSL_WANT_WRITE) {
                return -2;
            }
        }
        n = t->recv(t->ctx, got + recvd, len - recvd, 50);
        if (n < 0) {
            return -1;
        }
        recvd += (size_t)n;
    }
    return recvd == len ? 0 : -3;
}

static int contains(const unsigned char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    for (i = 0; hay != NULL && i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}


static ccat_mbedtls_t tls;
static ccat_transport_t t;
static ccat_mbedtls_config_t cfg;

static void test_round_trip(void) {
    static uint8_t big[20 * 1024], got[20 * 1024];
    static const char marker[] = "MARKER-4f1d9c-SECRET";
    uint8_t one = 0xA5, back = 0;
    size_t i;
    int zeros = 0, sends_before, r;
    fresh();
    lk.connect_zeros = 2; /* the lower transport needs three calls to connect */
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    CHECK_EQ_INT(lk.connects, 3);
    CHECK(zeros >= 3); /* two from the lower connect, more while the handshake ran */
    CHECK_EQ_STR(lk.host, "localhost");
    CHECK_EQ_INT(lk.port, 8443);
    CHECK_EQ_INT(lk.last_timeout, 1234); /* the caller's timeout reaches the lower layer */
    CHECK(lk.sends > 0 && lk.recvs > 0);
    CHECK_EQ_STR(srv_sni, "localhost");
    CHECK_EQ_STR(mbedtls_ssl_get_version(&tls.ssl), "TLSv1.2");
    CHECK_EQ_INT(mbedtls_ssl_get_verify_result(&tls.ssl), 0);
    /* connect on an open layer is a caller bug */
    CHECK_EQ_INT(t.connect(t.ctx, "localhost", 8443, 10), CCAT_TRANSPORT_ERR_ARGUMENT);

    /* 1 byte each way */
    CHECK_EQ_INT(client_to_server(&t, &one, &back, 1), 0);
    CHECK_EQ_INT(back, 0xA5);
    back = 0;
    CHECK_EQ_INT(server_to_client(&t, &one, &back, 1), 0);
    CHECK_EQ_INT(back, 0xA5);
    /* 20 KB each way: more than one 16 KB record */
    for (i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i * 7u + (i >> 9));
    }
    CHECK_EQ_INT(client_to_server(&t, big, got, sizeof big), 0);
    CHECK(memcmp(big, got, sizeof big) == 0);
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(server_to_client(&t, big, got, sizeof big), 0);
    CHECK(memcmp(big, got, sizeof big) == 0);
    CHECK(lk.last_timeout == 50);

    /* a lower send that takes nothing: send says 0, the retry sends it once */
    lk.send_zeros = 1;
    CHECK_EQ_INT(t.send(t.ctx, (const uint8_t *)"abc", 3, 10), 0);
    CHECK_EQ_INT(t.send(t.ctx, (const uint8_t *)"abc", 3, 10), 3);
    memset(got, 0, 8);
    r = mbedtls_ssl_read(&srv, got, 8);
    CHECK_EQ_INT(r, 3);
    CHECK(memcmp(got, "abc", 3) == 0);
    CHECK_EQ_INT(mbedtls_ssl_read(&srv, got, 8), MBEDTLS_ERR_SSL_WANT_READ);
    /* nothing to read: 0, not an error */
    CHECK_EQ_INT(t.recv(t.ctx, got, 8, 10), 0);

    /*
     * Plaintext still unread in mbedTLS's input buffer is wiped by close
     * (mbedTLS wipes what ssl_read consumed; the rest is close's job).
     */
    CHECK_EQ_INT(mbedtls_ssl_write(&srv, (const uint8_t *)marker, sizeof marker - 1),
                 (int)sizeof marker - 1);
    CHECK_EQ_INT(t.recv(t.ctx, got, 4, 10), 4);
    CHECK(memcmp(got, marker, 4) == 0);
    CHECK(contains(tls.ssl.in_buf, MBEDTLS_SSL_IN_BUFFER_LEN, marker + 4)); /* the check can fail */
    sends_before = lk.sends;
    t.close(t.ctx);
    CHECK_EQ_INT(lk.closes, 1);
    CHECK(lk.sends > sends_before); /* close_notify went out ... */
    CHECK_EQ_INT(mbedtls_ssl_read(&srv, got, 8), MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY); /* ... and arrived */
    CHECK(!contains(tls.ssl.in_buf, MBEDTLS_SSL_IN_BUFFER_LEN, marker + 4));
    CHECK(tls.ssl.in_buf == NULL || all_zero(tls.ssl.in_buf, MBEDTLS_SSL_IN_BUFFER_LEN));
    CHECK(tls.ssl.out_buf == NULL || all_zero(tls.ssl.out_buf, MBEDTLS_SSL_OUT_BUFFER_LEN));
    CHECK_EQ_INT(t.send(t.ctx, &one, 1, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
    t.close(t.ctx); /* idempotent */
    CHECK_EQ_INT(lk.closes, 2);
    CHECK_EQ_INT(lk.sends, sends_before + 1); /* no second close_notify */

    /* the layer connects again after close */
    fresh();
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    CHECK_EQ_INT(client_to_server(&t, &one, &back, 1), 0);
    t.close(t.ctx);
}

static void test_lower_failures(void) {
    int zeros;
    uint8_t b[4];
    /* lower connect errors pass through unchanged, and the lower is closed */
    fresh();
    lk.connect_fail = CCAT_TRANSPORT_ERR_DNS;
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), CCAT_TRANSPORT_ERR_DNS);
    CHECK_EQ_INT(lk.sends, 0);
    CHECK_EQ_INT(lk.closes, 1);
    fresh();
    lk.connect_fail = CCAT_TRANSPORT_ERR_CONNECT;
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), CCAT_TRANSPORT_ERR_CONNECT);

    /* I/O failure mid-handshake */
    fresh();
    lk.recv_fail = CCAT_TRANSPORT_ERR_IO;
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), CCAT_TRANSPORT_ERR_IO);
    CHECK_EQ_INT(lk.closes, 1);
    /* the peer hangs up before answering the ClientHello: not a TLS server */
    fresh();
    lk.server_eof = 1;
    CHECK_EQ_INT(t.connect(t.ctx, "localhost", 8443, 10), CCAT_TRANSPORT_ERR_TLS);
    /* garbage instead of a ServerHello */
    fresh();
    q_put(&lk.s2c, (const uint8_t *)"HTTP/1.1 400 Bad Request\r\n\r\n", 28);
    CHECK_EQ_INT(t.connect(t.ctx, "localhost", 8443, 10), CCAT_TRANSPORT_ERR_TLS);

    /* after the handshake: lower EOF without close_notify, and lower I/O error */
    fresh();
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    lk.server_eof = 1;
    CHECK_EQ_INT(t.recv(t.ctx, b, sizeof b, 10), CCAT_TRANSPORT_ERR_CLOSED);
    t.close(t.ctx);
    fresh();
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    lk.recv_fail = CCAT_TRANSPORT_ERR_IO;
    CHECK_EQ_INT(t.recv(t.ctx, b, sizeof b, 10), CCAT_TRANSPORT_ERR_IO);
    t.close(t.ctx);
    /* the server's close_notify */
    fresh();
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    CHECK_EQ_INT(mbedtls_ssl_close_notify(&srv), 0);
    CHECK_EQ_INT(t.recv(t.ctx, b, sizeof b, 10), CCAT_TRANSPORT_ERR_CLOSED);
    t.close(t.ctx);
}

static void test_verification(void) {
    static char longname[301];
    int zeros;
    /* a name the certificate does not carry */
    fresh();
    CHECK_EQ_INT(handshake(&t, "other.test", &zeros), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_STR(srv_sni, "other.test");
    CHECK_EQ_INT(lk.closes, 1);
    /* the failed layer is reusable */
    fresh();
    CHECK_EQ_INT(handshake(&t, "localhost", &zeros), 1);
    t.close(t.ctx);
    /* a host name mbedTLS cannot carry: refused before any I/O */
    memset(longname, 'a', 300);
    fresh();
    CHECK_EQ_INT(t.connect(t.ctx, longname, 8443, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(lk.connects, 0);
    CHECK_EQ_INT(t.connect(t.ctx, NULL, 8443, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
}

static void test_builtin_roots_reject(void) {
    static ccat_mbedtls_t tls2;
    ccat_transport_t t2;
    int zeros;
    CHECK_EQ_INT(ccat_mbedtls_init(&tls2, &lower, NULL, &t2), CCAT_OK);
    fresh();
    CHECK_EQ_INT(handshake(&t2, "localhost", &zeros), CCAT_TRANSPORT_ERR_CERT);
    ccat_mbedtls_free(&tls2);
    CHECK(all_zero(&tls2, sizeof tls2));
}

/* ---- IP literals: iPAddress SANs only, and no SNI --------------------------- */

/* One handshake as @p host against the server showing certificate @p cert. */
static int32_t connect_as(const char *cert, const char *host) {
    int32_t rc;
    int zeros;
    mem_server_free();
    CHECK(server_setup(cert));
    fresh();
    strcpy(srv_sni, "(none)"); /* the SNI callback overwrites it when SNI came */
    rc = handshake(&t, host, &zeros);
    if (rc == 1) {
        uint8_t one = 0x3C, back = 0;
        CHECK_EQ_INT(client_to_server(&t, &one, &back, 1), 0);
        CHECK_EQ_INT(back, 0x3C);
    } else {
        CHECK_EQ_INT(lk.closes, 1); /* a failed handshake closed the lower transport */
    }
    CHECK_EQ_STR(lk.host, host); /* the lower transport gets the literal unchanged */
    t.close(t.ctx);
    return rc;
}

static void test_ip_literals(void) {
    /* IP SANs 127.0.0.1 and ::1 (and DNS:localhost): no SNI, verified */
    CHECK_EQ_INT(connect_as("server", "127.0.0.1"), 1);
    CHECK_EQ_STR(srv_sni, "(none)");
    CHECK(tls.ssl.hostname == NULL);
    CHECK_EQ_INT(connect_as("server", "::1"), 1);
    CHECK_EQ_STR(srv_sni, "(none)");
    CHECK_EQ_INT(connect_as("server", "0:0:0:0:0:0:0:1"), 1); /* bytes, not text, compared */
    CHECK_EQ_INT(connect_as("server", "127.0.0.2"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(connect_as("server", "::ffff:127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    /* a name after an address and an address after a name on the same layer */
    CHECK_EQ_INT(connect_as("server", "localhost"), 1);
    CHECK_EQ_STR(srv_sni, "localhost");
    CHECK_EQ_INT(connect_as("server", "127.0.0.1"), 1);
    CHECK_EQ_STR(srv_sni, "(none)");
    CHECK_EQ_INT(connect_as("server", "localhost"), 1);
    CHECK_EQ_STR(srv_sni, "localhost");

    /* DNS:localhost only: fine by name, not by address */
    CHECK_EQ_INT(connect_as("dnsonly", "localhost"), 1);
    CHECK_EQ_INT(connect_as("dnsonly", "127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_STR(srv_sni, "(none)");
    CHECK_EQ_INT(connect_as("dnsonly", "::1"), CCAT_TRANSPORT_ERR_CERT);
    /* the address as text in a dNSName and CN, or in the CN alone: refused */
    CHECK_EQ_INT(connect_as("iptext", "127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(connect_as("ipcn", "127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    /* another address */
    CHECK_EQ_INT(connect_as("ip2", "127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(connect_as("ip2", "127.0.0.2"), 1);
    /* IPv4-mapped IPv6 is a different identity from IPv4 */
    CHECK_EQ_INT(connect_as("mapped", "127.0.0.1"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(connect_as("mapped", "::ffff:127.0.0.1"), 1);
    /* IP:127.0.0.1 only */
    CHECK_EQ_INT(connect_as("iponly", "127.0.0.1"), 1);
    CHECK_EQ_INT(connect_as("iponly", "::1"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(connect_as("iponly", "localhost"), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_STR(srv_sni, "localhost");
    mem_server_free();
    CHECK(server_setup("server"));
}

/* Strings that are neither a valid address nor a host name: refused before any I/O. */
static void test_bad_literals(void) {
    static const char *const bad[] = {"256.1.1.1", "1.2.3", "127.1", "01.2.3.4", "1.2.3.4.",
                                      ":::", "1:2:3:4:5:6:7:8:9", "::1%lo", "fe80::1%eth0",
                                      "[::1]", "localhost:443"};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fresh();
        CHECK_EQ_INT(t.connect(t.ctx, bad[i], 8443, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
        CHECK_EQ_INT(lk.connects, 0);
        CHECK_EQ_INT(lk.sends, 0);
    }
    /* the layer still works */
    CHECK_EQ_INT(connect_as("server", "127.0.0.1"), 1);
}

int main(int argc, char **argv) {
    static char ca_path[512];
    if (argc != 2) {
        fprintf(stderr, "usage: %s CERT_DIR\n", argv[0]);
        return 2;
    }
    cert_dir = argv[1];
    CHECK(server_setup("server"));
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", argv[1]);
    cfg.ca_file = ca_path;
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &lower, &cfg, &t), CCAT_OK);
    /* nothing moves before connect */
    CHECK_EQ_INT(t.send(t.ctx, (const uint8_t *)"x", 1, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
    CHECK_EQ_INT(t.recv(t.ctx, (uint8_t *)ca_path, 1, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
    test_round_trip();
    test_lower_failures();
    test_verification();
    test_builtin_roots_reject();
    test_ip_literals();
    test_bad_literals();
    ccat_mbedtls_free(&tls);
    CHECK(all_zero(&tls, sizeof tls));
    ccat_mbedtls_free(&tls); /* twice is harmless */
    mem_server_free();
    return test_summary("ports_tls_layered");
}
