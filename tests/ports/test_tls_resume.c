/*
 * TLS session resumption of the mbedTLS layer, over the POSIX transport,
 * against tests/ports/resume_server.py, whose OpenSSL reports on its side
 * whether each handshake resumed. Session IDs (server cache, tickets off)
 * and session tickets; a server that never resumes; a restarted server;
 * sessions saved to bytes and loaded back, intact and damaged every way;
 * a session whose secret no longer matches; a session for another host or
 * port (never offered).
 * Usage: test_tls_resume PYTHON RESUME_SERVER_PY CERT_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include <mbedtls/sha256.h>

#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "ccat_posix.h"
#include "resume_proc.h"

static const char *python_exe;
static const char *server_py;
static const char *cert_dir;
static char ca_path[512], cert_file[512], key_file[512];

/* A TLS layer over a POSIX socket, with a session and a trace counter. */
typedef struct stack {
    ccat_posix_t sock;
    ccat_transport_t tcp;
    ccat_mbedtls_t tls;
    ccat_transport_t t;
    resume_trace_t trace;
} stack_t_;

static void stack_init(stack_t_ *s, ccat_mbedtls_session_t *sess) {
    ccat_mbedtls_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(&s->trace, 0, sizeof s->trace);
    cfg.ca_file = ca_path;
    cfg.session = sess;
    cfg.trace = resume_trace_fn;
    cfg.trace_ctx = &s->trace;
    ccat_posix_transport_init(&s->sock, &s->tcp);
    CHECK_EQ_INT(ccat_mbedtls_init(&s->tls, &s->tcp, &cfg, &s->t), CCAT_OK);
}

/*
 * Connect (calls of 2 s until not 0, within 10 s), echo one byte, close;
 * then the layer must report @p resumed and the server "HS resumed=@p resumed".
 */
static void round_trip(stack_t_ *s, server_proc_t *srv, const char *host, int resumed) {
    uint32_t start = test_now_ms();
    uint8_t one = 0x42, back = 0;
    int32_t rc = 0;
    while (rc == 0 && test_now_ms() - start < 10000) {
        rc = s->t.connect(s->t.ctx, host, srv->port, 2000);
    }
    CHECK_EQ_INT(rc, 1);
    CHECK_EQ_INT(ccat_mbedtls_resumed(&s->tls), resumed);
    expect_server_hs(srv, resumed, strchr(host, '.') != NULL || strchr(host, ':') != NULL
                                       ? "-" : host);
    CHECK_EQ_INT(echo_roundtrip(&s->t, &one, &back, 1, 1000, 1000), 0);
    CHECK_EQ_INT(back, 0x42);
    s->t.close(s->t.ctx);
    CHECK_EQ_INT(s->sock.fd, -1);
}

static void start(server_proc_t *srv, const char *mode, uint16_t port) {
    resume_server_start(srv, python_exe, server_py, mode, "127.0.0.1", cert_file, key_file, port);
    CHECK(srv->port != 0);
}

/* First connect full, then resumed: the client and the server agree. */
static void test_resume(const char *mode, int tickets) {
    static stack_t_ s, s2;
    static ccat_mbedtls_session_t sess;
    server_proc_t srv;
    printf("resume: %s\n", mode);
    start(&srv, mode, 0);
    stack_init(&s, &sess);
    CHECK_EQ_INT(ccat_mbedtls_resumed(&s.tls), 0);
    round_trip(&s, &srv, "localhost", 0);
    CHECK_EQ_INT(sess.valid, 1);
    if (tickets) {
        CHECK(sess.session.ticket != NULL && sess.session.ticket_len > 0);
    } else {
        CHECK(sess.session.ticket == NULL && sess.session.id_len > 0);
    }
    round_trip(&s, &srv, "localhost", 1);
    round_trip(&s, &srv, "localhost", 1); /* the kept session stays good */
    CHECK_EQ_INT(s.trace.offer[1], 2);
    CHECK_EQ_INT(s.trace.offer[0], 0);
    CHECK_EQ_INT(s.trace.handshake[0], 1);
    CHECK_EQ_INT(s.trace.handshake[1], 2);
    CHECK_EQ_INT(s.trace.drop + s.trace.other, 0);

    /* The session is the caller's: it outlives the layer that made it. */
    ccat_mbedtls_free(&s.tls);
    stack_init(&s2, &sess);
    round_trip(&s2, &srv, "localhost", 1);
    ccat_mbedtls_free(&s2.tls);

    /* Without a session: full handshakes, as before resumption existed. */
    stack_init(&s2, NULL);
    round_trip(&s2, &srv, "localhost", 0);
    round_trip(&s2, &srv, "localhost", 0);
    CHECK_EQ_INT(s2.trace.offer[0] + s2.trace.offer[1] + s2.trace.handshake[1], 0);
    CHECK_EQ_INT(s2.trace.handshake[0], 2);
    ccat_mbedtls_free(&s2.tls);

    /* Server restarted on the same port: its cache and ticket key are gone. */
    server_stop(&srv);
    {
        uint16_t port = srv.port;
        start(&srv, mode, port);
        CHECK_EQ_INT(srv.port, port);
    }
    stack_init(&s, &sess);
    round_trip(&s, &srv, "localhost", 0); /* offered, refused, full handshake */
    CHECK_EQ_INT(s.trace.offer[1], 1);
    CHECK_EQ_INT(s.trace.drop, 0);
    round_trip(&s, &srv, "localhost", 1); /* and the new session works */
    ccat_mbedtls_free(&s.tls);

    ccat_mbedtls_session_free(&sess);
    CHECK(all_zero(&sess, sizeof sess)); /* master secret wiped */
    server_stop(&srv);
}

/* A server that never resumes: full handshakes, every one a success. */
static void test_nocache(void) {
    static stack_t_ s;
    static ccat_mbedtls_session_t sess;
    server_proc_t srv;
    printf("resume: nocache\n");
    start(&srv, "nocache", 0);
    stack_init(&s, &sess);
    round_trip(&s, &srv, "localhost", 0);
    round_trip(&s, &srv, "localhost", 0);
    round_trip(&s, &srv, "localhost", 0);
    CHECK_EQ_INT(s.trace.offer[1], 2); /* offered each time, refused each time */
    CHECK_EQ_INT(s.trace.handshake[0], 3);
    CHECK_EQ_INT(s.trace.handshake[1] + s.trace.drop, 0);
    ccat_mbedtls_free(&s.tls);
    ccat_mbedtls_session_free(&sess);
    server_stop(&srv);
}

/* A session is offered only to the host string and port it was made with. */
static void test_other_host(void) {
    static stack_t_ s;
    static ccat_mbedtls_session_t sess;
    server_proc_t srv, srv2;
    printf("resume: other host and port\n");
    start(&srv, "tickets", 0);
    start(&srv2, "tickets", 0);
    stack_init(&s, &sess);
    round_trip(&s, &srv, "localhost", 0);
    round_trip(&s, &srv, "localhost", 1);
    /* Same server, which would take the ticket: not offered to 127.0.0.1. */
    round_trip(&s, &srv, "127.0.0.1", 0);
    CHECK_EQ_INT(s.trace.offer[0], 1);
    /* The session now belongs to 127.0.0.1 (resumed without a certificate
     * to check the address against: it was checked when it was made). */
    round_trip(&s, &srv, "127.0.0.1", 1);
    round_trip(&s, &srv, "localhost", 0);
    CHECK_EQ_INT(s.trace.offer[0], 2);
    /* Same host, another port (another server): not offered either. */
    round_trip(&s, &srv2, "localhost", 0);
    CHECK_EQ_INT(s.trace.offer[0], 3);
    CHECK_EQ_INT(s.trace.offer[1], 2);
    CHECK_EQ_INT(s.trace.drop, 0);
    round_trip(&s, &srv2, "localhost", 1);
    ccat_mbedtls_free(&s.tls);
    ccat_mbedtls_session_free(&sess);
    server_stop(&srv);
    server_stop(&srv2);
}

/*
 * The server takes the session but its secret does not match ours (as if
 * storage had flipped a bit the checksum could not see): the abbreviated
 * handshake fails at Finished, the layer drops the session and completes a
 * full handshake within the same connect().
 */
static void test_bad_secret(void) {
    static stack_t_ s;
    static ccat_mbedtls_session_t sess;
    server_proc_t srv;
    char line[256], line2[256];
    printf("resume: session with a wrong master secret\n");
    start(&srv, "ids", 0);
    stack_init(&s, &sess);
    round_trip(&s, &srv, "localhost", 0);
    sess.session.master[7] ^= 0x10;
    {
        uint32_t t0 = test_now_ms();
        int32_t rc = 0;
        while (rc == 0 && test_now_ms() - t0 < 10000) {
            rc = s.t.connect(s.t.ctx, "localhost", srv.port, 2000);
        }
        CHECK_EQ_INT(rc, 1);
    }
    CHECK_EQ_INT(ccat_mbedtls_resumed(&s.tls), 0);
    CHECK_EQ_INT(s.trace.drop, 1);
    /* The server saw the failed attempt (our alert: its Finished did not
     * verify), then a full handshake; its two threads may report in any order. */
    CHECK_EQ_INT(server_read_line(&srv, line, sizeof line, 5000), 0);
    CHECK_EQ_INT(server_read_line(&srv, line2, sizeof line2, 5000), 0);
    if (strncmp(line, "TLSERR", 6) != 0) {
        char tmp[256];
        memcpy(tmp, line, sizeof tmp);
        memcpy(line, line2, sizeof line);
        memcpy(line2, tmp, sizeof line2);
    }
    printf("server on the failed resumption: %s\n", line);
    CHECK(strncmp(line, "TLSERR", 6) == 0);
    CHECK_EQ_STR(line2, "HS resumed=0 sni=localhost");
    s.t.close(s.t.ctx);
    round_trip(&s, &srv, "localhost", 1); /* the new session is good */
    ccat_mbedtls_free(&s.tls);
    ccat_mbedtls_session_free(&sess);
    server_stop(&srv);
}

/* Recompute the blob's trailing SHA-256 after an edit (to get past the checksum). */
static void reseal(uint8_t *blob, size_t len) {
    CHECK_EQ_INT(mbedtls_sha256_ret(blob, len - 32, blob + len - 32, 0), 0);
}

/*
 * Load @p blob (@p len bytes) into a fresh session: the result must be
 * @p want; then a new layer with that session connects: resumed when the
 * load worked, a clean full handshake otherwise.
 */
static void load_and_connect(server_proc_t *srv, const uint8_t *blob, size_t len, int want,
                             const char *what) {
    static stack_t_ s;
    static ccat_mbedtls_session_t sess;
    printf("load %s (%u bytes): expect %d\n", what, (unsigned)len, want);
    memset(&sess, 0xA5, sizeof sess); /* load must not trust what was there */
    sess.session.peer_cert = NULL;
    sess.session.ticket = NULL;
    CHECK_EQ_INT(ccat_mbedtls_session_load(&sess, blob, len), want);
    if (want != CCAT_MBEDTLS_SESSION_OK) {
        CHECK(all_zero(&sess, sizeof sess));
    }
    stack_init(&s, &sess);
    round_trip(&s, srv, "localhost", want == CCAT_MBEDTLS_SESSION_OK);
    CHECK_EQ_INT(s.trace.drop, 0);
    ccat_mbedtls_free(&s.tls);
    ccat_mbedtls_session_free(&sess);
}

/* Sessions saved to bytes ("flash") and loaded after a "reboot". */
static void test_save_load(void) {
    static stack_t_ s;
    static ccat_mbedtls_session_t sess, empty;
    static uint8_t blob[4096], bad[4097];
    server_proc_t srv;
    size_t len = 0, need = 0, inner, i;
    const size_t cuts[] = {0, 3, 4, 5, 40, 41, 72};
    printf("resume: save and load\n");
    start(&srv, "tickets", 0);

    /* API edges */
    CHECK_EQ_INT(ccat_mbedtls_session_save(NULL, blob, sizeof blob, &len),
                 CCAT_MBEDTLS_SESSION_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_session_save(&empty, blob, sizeof blob, NULL),
                 CCAT_MBEDTLS_SESSION_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_session_save(&empty, NULL, 10, &len), CCAT_MBEDTLS_SESSION_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_session_save(&empty, blob, sizeof blob, &len),
                 CCAT_MBEDTLS_SESSION_ERR_EMPTY);
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(ccat_mbedtls_session_load(NULL, blob, 10), CCAT_MBEDTLS_SESSION_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_mbedtls_session_load(&empty, NULL, 10), CCAT_MBEDTLS_SESSION_ERR_ARGUMENT);
    ccat_mbedtls_session_free(NULL);
    CHECK_EQ_INT(ccat_mbedtls_resumed(NULL), 0);

    stack_init(&s, &sess);
    round_trip(&s, &srv, "localhost", 0);
    ccat_mbedtls_free(&s.tls);
    CHECK_EQ_INT(ccat_mbedtls_session_save(&sess, NULL, 0, &need), CCAT_MBEDTLS_SESSION_ERR_TOO_SMALL);
    printf("saved session: %u bytes\n", (unsigned)need);
    CHECK(need > 73 && need < sizeof blob);
    memset(blob, 0x77, sizeof blob);
    CHECK_EQ_INT(ccat_mbedtls_session_save(&sess, blob, need - 1, &len),
                 CCAT_MBEDTLS_SESSION_ERR_TOO_SMALL);
    CHECK_EQ_INT(len, need);
    CHECK_EQ_INT(blob[0], 0x77); /* nothing written */
    CHECK_EQ_INT(ccat_mbedtls_session_save(&sess, blob, need, &len), CCAT_MBEDTLS_SESSION_OK);
    CHECK_EQ_INT(len, need);
    CHECK(memcmp(blob, "ccTS", 4) == 0);
    ccat_mbedtls_session_free(&sess); /* "reboot" */
    CHECK(all_zero(&sess, sizeof sess));

    load_and_connect(&srv, blob, len, CCAT_MBEDTLS_SESSION_OK, "intact");
    load_and_connect(&srv, blob, len, CCAT_MBEDTLS_SESSION_OK, "intact, again");

    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        load_and_connect(&srv, blob, cuts[i], CCAT_MBEDTLS_SESSION_ERR_TRUNCATED, "cut");
    }
    load_and_connect(&srv, blob, len - 1, CCAT_MBEDTLS_SESSION_ERR_TRUNCATED, "one byte short");
    memcpy(bad, blob, len);
    bad[len] = 0;
    load_and_connect(&srv, bad, len + 1, CCAT_MBEDTLS_SESSION_ERR_FORMAT, "one byte long");
    memset(bad, 0xFF, sizeof bad);
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_FORMAT, "erased flash");

    memcpy(bad, blob, len);
    bad[0] ^= 0x20;
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_FORMAT, "magic");
    memcpy(bad, blob, len);
    bad[4] = 2;
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_VERSION, "format version 2");
    memcpy(bad, blob, len);
    bad[40] ^= 1; /* inner length */
    load_and_connect(&srv, bad, len, bad[40] & 1 ? CCAT_MBEDTLS_SESSION_ERR_TRUNCATED
                                                 : CCAT_MBEDTLS_SESSION_ERR_FORMAT, "length");
    memcpy(bad, blob, len);
    bad[len / 2] ^= 0x01;
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_CORRUPT, "a flipped bit");
    memcpy(bad, blob, len);
    bad[len - 1] ^= 0x80;
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_CORRUPT, "checksum");
    memcpy(bad, blob, len);
    bad[5] ^= 0x01; /* host digest: damaged */
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_CORRUPT, "host digest");

    /* Past the checksum: mbedTLS's own checks. */
    memcpy(bad, blob, len);
    bad[41] ^= 0x01; /* mbedTLS's version header (major version byte) */
    reseal(bad, len);
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_VERSION, "mbedTLS version");
    memcpy(bad, blob, len);
    bad[45] ^= 0x01; /* mbedTLS's configuration flags (low byte) */
    reseal(bad, len);
    load_and_connect(&srv, bad, len, CCAT_MBEDTLS_SESSION_ERR_VERSION, "mbedTLS configuration");
    inner = len - 41 - 32;
    memcpy(bad, blob, 41 + inner / 2);
    bad[37] = (uint8_t)((inner / 2) >> 24);
    bad[38] = (uint8_t)((inner / 2) >> 16);
    bad[39] = (uint8_t)((inner / 2) >> 8);
    bad[40] = (uint8_t)(inner / 2);
    reseal(bad, 41 + inner / 2 + 32);
    load_and_connect(&srv, bad, 41 + inner / 2 + 32, CCAT_MBEDTLS_SESSION_ERR_CORRUPT,
                     "mbedTLS part cut in half");

    /* Another host's digest, well formed: loads, but not offered to localhost. */
    memcpy(bad, blob, len);
    memset(bad + 5, 0x11, 32);
    reseal(bad, len);
    {
        stack_init(&s, &sess);
        CHECK_EQ_INT(ccat_mbedtls_session_load(&sess, bad, len), CCAT_MBEDTLS_SESSION_OK);
        round_trip(&s, &srv, "localhost", 0);
        CHECK_EQ_INT(s.trace.offer[0], 1);
        CHECK_EQ_INT(s.trace.offer[1], 0);
        ccat_mbedtls_free(&s.tls);
        ccat_mbedtls_session_free(&sess);
    }
    /* A good load replaces what the session held. */
    CHECK_EQ_INT(ccat_mbedtls_session_load(&sess, blob, len), CCAT_MBEDTLS_SESSION_OK);
    CHECK_EQ_INT(ccat_mbedtls_session_load(&sess, blob, len), CCAT_MBEDTLS_SESSION_OK);
    CHECK_EQ_INT(ccat_mbedtls_session_load(&sess, blob, 10), CCAT_MBEDTLS_SESSION_ERR_TRUNCATED);
    CHECK(all_zero(&sess, sizeof sess));

    memset(blob, 0, sizeof blob);
    server_stop(&srv);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PYTHON RESUME_SERVER_PY CERT_DIR\n", argv[0]);
        return 2;
    }
    python_exe = argv[1];
    server_py = argv[2];
    cert_dir = argv[3];
    snprintf(ca_path, sizeof ca_path, "%s/ca.pem", cert_dir);
    snprintf(cert_file, sizeof cert_file, "%s/server.pem", cert_dir);
    snprintf(key_file, sizeof key_file, "%s/server.key", cert_dir);
    test_resume("ids", 0);
    test_resume("tickets", 1);
    test_nocache();
    test_other_host();
    test_bad_secret();
    test_save_load();
    return test_summary("ports_tls_resume");
}
