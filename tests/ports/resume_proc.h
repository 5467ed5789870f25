/*
 * Helpers of the session-resumption tests: tests/ports/resume_server.py as a
 * child process (on a chosen port, so a "restarted" server comes back where
 * the saved session points), its "HS resumed=<0|1> sni=<name>" reports, and
 * a trace observer counting the TLS layer's resumption events.
 */
#ifndef CCAT_TEST_RESUME_PROC_H
#define CCAT_TEST_RESUME_PROC_H

#include "server_proc.h"
#include "test.h"

/* "python3 resume_server.py mode host cert key [port]"; port stays 0 on failure. */
static inline void resume_server_start(server_proc_t *s, const char *python, const char *script,
                                       const char *mode, const char *host, const char *cert,
                                       const char *key, uint16_t port) {
    char port_text[8];
    char *argv[] = {(char *)python, (char *)script, (char *)mode, (char *)host,
                    (char *)cert,   (char *)key,    port_text,    NULL};
    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    server_spawn(s, argv);
}

/* The server's next handshake report must be exactly "HS resumed=R sni=SNI". */
static inline void expect_server_hs(server_proc_t *s, int resumed, const char *sni) {
    char line[256], want[256];
    snprintf(want, sizeof want, "HS resumed=%d sni=%s", resumed, sni);
    CHECK_EQ_INT(server_read_line(s, line, sizeof line, 5000), 0);
    CHECK_EQ_STR(line, want);
}

/* Counts of the TLS layer's trace events, by event and value. */
typedef struct resume_trace {
    int offer[2];     /* tls_resume_offer 0 / 1 */
    int handshake[2]; /* tls_handshake 0 (full) / 1 (resumed) */
    int drop;         /* tls_session_drop */
    int connect;      /* the client's own "connect" */
    int other;        /* anything else */
} resume_trace_t;

static inline void resume_trace_fn(void *ctx, const char *event, long value) {
    resume_trace_t *t = ctx;
    int v = value != 0;
    if (strcmp(event, "tls_resume_offer") == 0) {
        t->offer[v]++;
    } else if (strcmp(event, "tls_handshake") == 0) {
        t->handshake[v]++;
    } else if (strcmp(event, "tls_session_drop") == 0) {
        t->drop++;
    } else if (strcmp(event, "connect") == 0) {
        t->connect++;
    } else {
        t->other++;
    }
}

#endif
