/*
 * Resumption seen from the blocking client: ccat_create_access_token() over
 * the TLS layer over POSIX sockets, against resume_server.py in "http" mode,
 * which answers each request with "Connection: close". The client must
 * reconnect for every call, and every reconnect after the first resumes
 * (OpenSSL says so on its side, the layer on ours).
 * Usage: test_tls_resume_client PYTHON RESUME_SERVER_PY CERT_DIR
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>

#include "ccat/ccat.h"
#include "ccat/ccat_status.h"
#include "ccat_mbedtls.h"
#include "ccat_posix.h"
#include "resume_proc.h"

static uint32_t now_ms(void *ctx) {
    (void)ctx;
    return test_now_ms();
}

int main(int argc, char **argv) {
    static ccat_posix_t sock;
    static ccat_mbedtls_t tls;
    static ccat_mbedtls_session_t sess;
    static ccat_client_t client;
    static char buffer[8192];
    ccat_transport_t tcp, t;
    ccat_platform_t platform;
    ccat_mbedtls_config_t cfg;
    ccat_client_config_t ccfg;
    ccat_create_params_t params;
    ccat_access_token_t tok;
    resume_trace_t trace;
    server_proc_t srv;
    char ca[512], cert[512], key[512], url[64];
    int i;
    if (argc != 4) {
        fprintf(stderr, "usage: %s PYTHON RESUME_SERVER_PY CERT_DIR\n", argv[0]);
        return 2;
    }
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[3]);
    snprintf(cert, sizeof cert, "%s/server.pem", argv[3]);
    snprintf(key, sizeof key, "%s/server.key", argv[3]);
    resume_server_start(&srv, argv[1], argv[2], "http", "127.0.0.1", cert, key, 0);
    CHECK(srv.port != 0);
    snprintf(url, sizeof url, "https://localhost:%u", (unsigned)srv.port);

    /* The wiring a board does: socket, TLS with a session, client; one trace for both. */
    memset(&trace, 0, sizeof trace);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = ca;
    cfg.session = &sess;
    cfg.trace = resume_trace_fn;
    cfg.trace_ctx = &trace;
    ccat_posix_transport_init(&sock, &tcp);
    CHECK_EQ_INT(ccat_mbedtls_init(&tls, &tcp, &cfg, &t), CCAT_OK);
    memset(&platform, 0, sizeof platform);
    platform.now_ms = now_ms;
    memset(&ccfg, 0, sizeof ccfg);
    ccfg.endpoint_url = url;
    ccfg.bearer_token = "test-bearer-token";
    ccfg.buffer = buffer;
    ccfg.buffer_size = sizeof buffer;
    ccfg.transport = &t;
    ccfg.platform_hooks = &platform;
    ccfg.connect_timeout_ms = 10000;
    ccfg.read_timeout_ms = 10000;
    ccfg.max_attempts = 1; /* a retry would hide a failed handshake */
    CHECK_EQ_INT(ccat_client_init(&client, &ccfg), CCAT_OK);
    client.trace = resume_trace_fn;
    client.trace_ctx = &trace;

    memset(&params, 0, sizeof params);
    params.name = "device-42";
    for (i = 0; i < 3; i++) {
        uint32_t t0 = test_now_ms();
        memset(&tok, 0, sizeof tok);
        CHECK_EQ_INT(ccat_create_access_token(&client, &params, &tok), CCAT_OK);
        printf("call %d: %u ms (connect, %s handshake, request, response)\n", i + 1,
               (unsigned)(test_now_ms() - t0), i > 0 ? "resumed" : "full");
        CHECK(tok.access_token_id != NULL &&
              strcmp(tok.access_token_id, "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b") == 0);
        CHECK(tok.secret != NULL && tok.secret_len > 0); /* never printed */
        ccat_access_token_wipe(&tok);
        CHECK_EQ_INT(client.connected, 0); /* "Connection: close" was honoured */
        CHECK_EQ_INT(ccat_mbedtls_resumed(&tls), i > 0);
        expect_server_hs(&srv, i > 0, "localhost");
    }
    CHECK_EQ_INT(trace.connect, 3);       /* one connection per call */
    CHECK_EQ_INT(trace.handshake[0], 1);  /* the first one full */
    CHECK_EQ_INT(trace.handshake[1], 2);  /* the others resumed */
    CHECK_EQ_INT(trace.offer[1], 2);
    CHECK_EQ_INT(trace.drop, 0);
    printf("3 calls, 3 connections: 1 full handshake, %d resumed\n", trace.handshake[1]);

    ccat_client_wipe(&client);
    ccat_mbedtls_free(&tls);
    ccat_mbedtls_session_free(&sess);
    CHECK(all_zero(&sess, sizeof sess));
    server_stop(&srv);
    return test_summary("ports_tls_resume_client");
}
