/*
 * ccat-perf-ccat: N CreateAccessToken calls with the ccat library in process
 * (POSIX sockets + the mbedTLS layer + the blocking client), each checked.
 *
 *   ccat-perf-ccat --mode keepalive|new|resume --calls N --port PORT --ca CA.pem|CA.der
 *
 * keepalive: one client, one connection kept alive across the calls.
 * new:       the connection is closed after every call (ccat_client_wipe), so
 *            every call connects and does a full TLS handshake.
 * resume:    as "new", but the TLS layer keeps the session
 *            (ccat_mbedtls_config_t.session) and every call after the first
 *            resumes it (abbreviated handshake); checked with
 *            ccat_mbedtls_resumed() after every call.
 *
 * Prints the result line of perf_common.h; exit 0 only when every call
 * returned 201 and all four members matched the reference. Never prints a
 * secret: mismatches are reported by member name.
 */
#include "perf_common.h"

#include "ccat/ccat.h"
#include "ccat_mbedtls.h"
#include "ccat_posix.h"

/* Request and response share this caller buffer (static: no heap). */
static char perf_buffer[4096];

static int usage(void)
{
    fprintf(stderr, "usage: ccat-perf-ccat --mode keepalive|new|resume --calls N --port PORT "
                    "--ca CA.pem\n");
    return 2;
}

/* Every member of one result; reports mismatches by name only. */
static int check_call(unsigned long i, ccat_status_t st, const ccat_client_t *c,
                      const ccat_access_token_t *tok)
{
    const char *bad = NULL;
    if (st != CCAT_OK) {
        fprintf(stderr, "ccat-perf-ccat: call %lu: %s (HTTP %d)\n", i, ccat_status_name(st),
                ccat_client_last_error(c)->http_status);
        return 0;
    }
    if (c->resp.status != 201)
        bad = "HTTP status";
    else if (tok->secret == NULL || tok->secret_len != sizeof PERF_SECRET - 1 ||
             memcmp(tok->secret, PERF_SECRET, sizeof PERF_SECRET) != 0)
        bad = "secret";
    else if (tok->name == NULL || strcmp(tok->name, PERF_NAME) != 0)
        bad = "name";
    else if (tok->access_token_id == NULL || strcmp(tok->access_token_id, PERF_TOKEN_ID) != 0)
        bad = "accessTokenId";
    else if (tok->expires_time != PERF_EXPIRES_UNIX * 1000000)
        bad = "expiresTime";
    if (bad != NULL) {
        fprintf(stderr, "ccat-perf-ccat: call %lu: %s does not match\n", i, bad);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = NULL, *ca = NULL;
    unsigned long calls = 0, port = 0;
    for (int a = 1; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--mode") == 0)
            mode = argv[a + 1];
        else if (strcmp(argv[a], "--calls") == 0)
            calls = perf_count(argv[a + 1]);
        else if (strcmp(argv[a], "--port") == 0)
            port = perf_count(argv[a + 1]);
        else if (strcmp(argv[a], "--ca") == 0)
            ca = argv[a + 1];
        else
            return usage();
    }
    if (argc % 2 != 1 || mode == NULL || ca == NULL || calls == 0 || port == 0 || port > 65535)
        return usage();
    int reconnect = strcmp(mode, "new") == 0 || strcmp(mode, "resume") == 0;
    int resume = strcmp(mode, "resume") == 0;
    if (!reconnect && strcmp(mode, "keepalive") != 0)
        return usage();

    /* Transports: TCP, TLS over it; the CA from memory (works without FS_IO). */
    static ccat_posix_t sock;
    static ccat_mbedtls_t tls;
    static ccat_mbedtls_session_t session;
    ccat_transport_t tcp, tls_tr;
    ccat_platform_t platform;
    ccat_mbedtls_config_t tls_cfg;
    size_t ca_len = 0;
    unsigned char *ca_pem = perf_read_file(ca, &ca_len);
    if (ca_pem == NULL) {
        fprintf(stderr, "ccat-perf-ccat: cannot read %s\n", ca);
        return 1;
    }
    ccat_posix_transport_init(&sock, &tcp);
    ccat_posix_platform_init(&platform);
    memset(&tls_cfg, 0, sizeof tls_cfg);
    tls_cfg.ca_data = ca_pem;
    /* PEM with its NUL, or DER as is (a trimmed mbedTLS may have no PEM parser). */
    tls_cfg.ca_data_len = memcmp(ca_pem, "-----BEGIN", 10) == 0 ? ca_len : ca_len - 1;
    if (resume)
        tls_cfg.session = &session; /* keep the session, offer it on reconnect */
    int rc = ccat_mbedtls_init(&tls, &tcp, &tls_cfg, &tls_tr);
    free(ca_pem);
    if (rc != CCAT_OK) {
        fprintf(stderr, "ccat-perf-ccat: TLS set-up failed\n");
        return 1;
    }

    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%lu", port);
    ccat_client_config_t cfg = {
        .endpoint_url = url,
        .bearer_token = PERF_TOKEN,
        .buffer = perf_buffer,
        .buffer_size = sizeof perf_buffer,
        .transport = &tls_tr,
        .platform_hooks = &platform,
        .max_attempts = 1, /* a failure must show, not be retried away */
    };
    ccat_client_t client;
    if (ccat_client_init(&client, &cfg) != CCAT_OK) {
        fprintf(stderr, "ccat-perf-ccat: client set-up failed\n");
        return 1;
    }
    ccat_create_params_t params = {.name = PERF_NAME, .has_expires_time = 1};
    if (ccat_time_parse(PERF_EXPIRES_TEXT, sizeof PERF_EXPIRES_TEXT - 1, &params.expires_time) !=
        CCAT_OK)
        return 1;

    int ok = 1;
    unsigned long resumed = 0;
    uint64_t t0 = perf_now_ns(), first = 0;
    for (unsigned long i = 1; i <= calls && ok; i++) {
        ccat_access_token_t tok;
        ccat_status_t st = ccat_create_access_token(&client, &params, &tok);
        ok = check_call(i, st, &client, &tok);
        ccat_access_token_wipe(&tok);
        resumed += (unsigned long)ccat_mbedtls_resumed(&tls);
        if (reconnect)
            ccat_client_wipe(&client); /* closes: the next call connects again */
        if (i == 1)
            first = perf_now_ns() - t0;
    }
    uint64_t elapsed = perf_now_ns() - t0;
    ccat_client_wipe(&client);
    ccat_mbedtls_free(&tls);
    ccat_mbedtls_session_free(&session);
    if (!ok)
        return 1;
    /* Our own view of resumption (nginx's view is checked by the harness). */
    if (resumed != (resume ? calls - 1 : 0)) {
        fprintf(stderr, "ccat-perf-ccat: %lu of %lu handshakes resumed\n", resumed, calls);
        return 1;
    }
    printf("ok client=ccat-%s calls=%lu elapsed_ns=%llu first_ns=%llu maxrss_kb=%ld\n", mode,
           calls, (unsigned long long)elapsed, (unsigned long long)first, perf_maxrss_kb());
    return 0;
}
