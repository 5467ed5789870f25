/*
 * The TLS layer over the POSIX transport against Python ssl servers on
 * 127.0.0.1 and ::1, with a test PKI made by gen_test_certs.sh: names and
 * IP literals (iPAddress SANs only, no SNI), wrong and untrusted certificates.
 * Usage: test_tls PYTHON SERVERS_PY CERT_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "ccat_posix.h"
#include "server_proc.h"
#include "sock_util.h"
#include "test.h"

static const char *python_exe;
static const char *servers_py;
static const char *cert_dir;

static const char *cert_path(const char *name) {
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", cert_dir, name);
    return buf[i];
}

/* A TLS layer over a fresh POSIX socket. */
typedef struct stack {
    ccat_posix_t sock;
    ccat_transport_t tcp;
    ccat_mbedtls_t tls;
    ccat_transport_t t;
} stack_t_;

static int stack_init(stack_t_ *s, const ccat_mbedtls_config_t *cfg) {
    ccat_posix_transport_init(&s->sock, &s->tcp);
    return ccat_mbedtls_init(&s->tls, &s->tcp, cfg, &s->t);
}

/* Calls connect (per-call timeout 2 s) until it is not 0 or 10 s passed. */
static int32_t connect_loop(stack_t_ *s, const char *host, uint16_t port) {
    uint32_t start = test_now_ms();
    int32_t rc = 0;
    while (rc == 0 && test_now_ms() - start < 10000) {
        rc = s->t.connect(s->t.ctx, host, port, 2000);
    }
    return rc;
}


/* Whole file, NUL-terminated (the length counts the NUL, as PEM wants). */
static unsigned char *slurp(const char *path, size_t *len, int add_nul) {
    FILE *f = fopen(path, "rb");
    unsigned char *p = NULL;
    long n;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)n + 1)) != NULL && fread(p, 1, (size_t)n, f) == (size_t)n) {
        p[n] = '\0';
        *len = (size_t)n + (add_nul ? 1u : 0u);
    }
    if (f != NULL) {
        fclose(f);
    }
    return p;
}

/* Handshake with @p cfg against the server on @p port as @p host; closes after. */
static int32_t try_connect(const ccat_mbedtls_config_t *cfg, const char *host, uint16_t port) {
    static stack_t_ s;
    int32_t rc;
    if (stack_init(&s, cfg) != CCAT_OK) {
        return -100;
    }
    rc = connect_loop(&s, host, port);
    s.t.close(s.t.ctx);
    CHECK_EQ_INT(s.sock.fd, -1); /* the socket is gone after a failure too */
    ccat_mbedtls_free(&s.tls);
    return rc;
}

static void test_good_server(void) {
    static uint8_t big[20 * 1024], back[20 * 1024];
    static stack_t_ s;
    server_proc_t srv;
    ccat_mbedtls_config_t cfg;
    char line[256];
    unsigned char *pem, *der;
    size_t pem_len = 0, der_len = 0, i;
    uint8_t one = 0x5A, b = 0;

    server_start(&srv, python_exe, servers_py, "tls", "127.0.0.1", cert_path("server.pem"),
                 cert_path("server.key"));
    CHECK(srv.port != 0);

    /* ca_file */
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    CHECK_EQ_INT(stack_init(&s, &cfg), CCAT_OK);
    CHECK_EQ_INT(connect_loop(&s, "localhost", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI localhost");
    CHECK_EQ_INT(echo_roundtrip(&s.t, &one, &b, 1, 100, 100), 0);
    CHECK_EQ_INT(b, 0x5A);
    for (i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i * 13u + (i >> 10));
    }
    CHECK_EQ_INT(echo_roundtrip(&s.t, big, back, sizeof big, 100, 100), 0);
    CHECK(memcmp(big, back, sizeof big) == 0);
    s.t.close(s.t.ctx);
    CHECK_EQ_INT(s.sock.fd, -1);
    /* reconnect on the same layer */
    CHECK_EQ_INT(connect_loop(&s, "localhost", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI localhost");
    b = 0;
    CHECK_EQ_INT(echo_roundtrip(&s.t, &one, &b, 1, 100, 100), 0);
    CHECK_EQ_INT(b, 0x5A);
    ccat_mbedtls_free(&s.tls); /* closes too */
    CHECK_EQ_INT(s.sock.fd, -1);

    /* ca_data: PEM in memory */
    pem = slurp(cert_path("ca.pem"), &pem_len, 1);
    CHECK(pem != NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_data = pem;
    cfg.ca_data_len = pem_len;
    CHECK_EQ_INT(stack_init(&s, &cfg), CCAT_OK);
    free(pem); /* parsed copies: the caller's buffer may go */
    CHECK_EQ_INT(connect_loop(&s, "localhost", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI localhost");
    b = 0;
    CHECK_EQ_INT(echo_roundtrip(&s.t, &one, &b, 1, 100, 100), 0);
    CHECK_EQ_INT(b, 0x5A);
    ccat_mbedtls_free(&s.tls);

    /* ca_data: DER in memory */
    der = slurp(cert_path("ca.der"), &der_len, 0);
    CHECK(der != NULL);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_data = der;
    cfg.ca_data_len = der_len;
    CHECK_EQ_INT(try_connect(&cfg, "localhost", srv.port), 1);
    free(der);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI localhost");

    /* IP address as host: verified against the IP SAN, and no SNI (RFC 6066) */
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    CHECK_EQ_INT(stack_init(&s, &cfg), CCAT_OK);
    CHECK_EQ_INT(connect_loop(&s, "127.0.0.1", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI -");
    b = 0;
    CHECK_EQ_INT(echo_roundtrip(&s.t, &one, &b, 1, 100, 100), 0);
    CHECK_EQ_INT(b, 0x5A);
    s.t.close(s.t.ctx);
    /* then by name on the same layer: SNI again */
    CHECK_EQ_INT(connect_loop(&s, "localhost", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI localhost");
    ccat_mbedtls_free(&s.tls);

    /* built-in roots do not trust the test CA */
    CHECK_EQ_INT(try_connect(NULL, "localhost", srv.port), CCAT_TRANSPORT_ERR_CERT);
    server_stop(&srv);
}

/* IPv6: the server on ::1 with IP SANs 127.0.0.1 and ::1. */
static void test_ipv6(void) {
    static stack_t_ s;
    server_proc_t srv;
    ccat_mbedtls_config_t cfg;
    char line[256];
    uint8_t one = 0x66, b = 0;
    server_start(&srv, python_exe, servers_py, "tls", "::1", cert_path("server.pem"),
                 cert_path("server.key"));
    CHECK(srv.port != 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    CHECK_EQ_INT(stack_init(&s, &cfg), CCAT_OK);
    CHECK_EQ_INT(connect_loop(&s, "::1", srv.port), 1);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, "SNI -");
    CHECK_EQ_INT(echo_roundtrip(&s.t, &one, &b, 1, 100, 100), 0);
    CHECK_EQ_INT(b, 0x66);
    ccat_mbedtls_free(&s.tls);
    CHECK_EQ_INT(s.sock.fd, -1);
    server_stop(&srv);
}

/* A server on @p bind whose certificate or chain is wrong for us as @p host. */
static void test_bad_cert_on(const char *bind, const char *cert, const char *key, const char *ca,
                             const char *host) {
    server_proc_t srv;
    ccat_mbedtls_config_t cfg;
    char line[256];
    printf("bad certificate: %s as %s\n", cert, host);
    server_start(&srv, python_exe, servers_py, "tls", bind, cert_path(cert), cert_path(key));
    CHECK(srv.port != 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path(ca);
    CHECK_EQ_INT(try_connect(&cfg, host, srv.port), CCAT_TRANSPORT_ERR_CERT);
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK(strncmp(line, "TLSERR", 6) == 0); /* we aborted the handshake */
    if (strchr(host, ':') != NULL || strchr(host, '.') != NULL) {
        CHECK(strstr(line, " sni=-") != NULL); /* an address: no SNI */
    }
    server_stop(&srv);
}

static void test_bad_cert(const char *cert, const char *key, const char *ca, const char *host) {
    test_bad_cert_on("127.0.0.1", cert, key, ca, host);
}

static void test_not_tls(void) {
    server_proc_t srv;
    ccat_mbedtls_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    server_start(&srv, python_exe, servers_py, "garbage", "127.0.0.1", NULL, NULL);
    CHECK(srv.port != 0);
    CHECK_EQ_INT(try_connect(&cfg, "localhost", srv.port), CCAT_TRANSPORT_ERR_TLS);
    server_stop(&srv);
}

/* TCP accepted, handshake never answered: 0 within the timeout, every time. */
static void test_silent(void) {
    static stack_t_ s;
    server_proc_t srv;
    ccat_mbedtls_config_t cfg;
    int i;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    server_start(&srv, python_exe, servers_py, "silent", "127.0.0.1", NULL, NULL);
    CHECK(srv.port != 0);
    CHECK_EQ_INT(stack_init(&s, &cfg), CCAT_OK);
    for (i = 0; i < 3; i++) {
        uint32_t start = test_now_ms(), el;
        CHECK_EQ_INT(s.t.connect(s.t.ctx, "localhost", srv.port, 300), 0);
        el = test_now_ms() - start;
        printf("silent handshake: call %d returned 0 after %u ms (timeout 300)\n", i, (unsigned)el);
        CHECK(el >= (i == 0 ? 250u : 295u) && el < 1500);
    }
    CHECK_EQ_INT(s.t.send(s.t.ctx, (const uint8_t *)"x", 1, 10), CCAT_TRANSPORT_ERR_ARGUMENT);
    ccat_mbedtls_free(&s.tls);
    CHECK_EQ_INT(s.sock.fd, -1);
    server_stop(&srv);
}

/* Lower-layer connect failures come through unchanged. */
static void test_lower_errors(void) {
    ccat_mbedtls_config_t cfg;
    uint16_t port = 0;
    int fd = loopback_socket(AF_INET, -1, &port);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca.pem");
    CHECK(fd >= 0);
    CHECK_EQ_INT(try_connect(&cfg, "localhost", port), CCAT_TRANSPORT_ERR_CONNECT);
    CHECK_EQ_INT(try_connect(&cfg, "no such host.invalid", 443), CCAT_TRANSPORT_ERR_DNS);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PYTHON SERVERS_PY CERT_DIR\n", argv[0]);
        return 2;
    }
    python_exe = argv[1];
    servers_py = argv[2];
    cert_dir = argv[3];
    test_good_server();
    test_bad_cert("other.pem", "other.key", "ca.pem", "localhost");  /* wrong host */
    test_bad_cert("rogue.pem", "rogue.key", "ca.pem", "localhost");  /* untrusted CA */
    test_bad_cert("server.pem", "server.key", "rogue-ca.pem", "localhost"); /* other anchor */
    test_ipv6();
    /* addresses: only an iPAddress SAN with the same bytes will do */
    test_bad_cert("dnsonly.pem", "dnsonly.key", "ca.pem", "127.0.0.1");  /* DNS:localhost only */
    test_bad_cert("iptext.pem", "iptext.key", "ca.pem", "127.0.0.1");    /* DNS SAN + CN text */
    test_bad_cert("ipcn.pem", "ipcn.key", "ca.pem", "127.0.0.1");        /* CN text, no SAN */
    test_bad_cert("ip2.pem", "ip2.key", "ca.pem", "127.0.0.1");          /* IP:127.0.0.2 */
    test_bad_cert("rogue.pem", "rogue.key", "ca.pem", "127.0.0.1");      /* right IP, untrusted */
    test_bad_cert_on("::1", "iponly.pem", "iponly.key", "ca.pem", "::1"); /* IP:127.0.0.1 only */
    test_bad_cert_on("::1", "dnsonly.pem", "dnsonly.key", "ca.pem", "::1");
    test_not_tls();
    test_silent();
    test_lower_errors();
    return test_summary("ports_tls");
}
