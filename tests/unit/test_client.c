/*
 * The blocking client over a scripted in-memory transport and a fake clock:
 * keep-alive, stale connections, retries and their back-off, the retry
 * quota, timeouts, and a fault injected at every transport call.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>

#include "ccat/ccat.h"
#include "test.h"

#define TOKEN "bearer-TOKENVALUE-123"
#define OK_BODY                                                                          \
    "{\"secret\":\"ccpat_SECRETVALUE\",\"name\":\"dev\",\"expiresTime\":\"2027-11-27T18:51:53Z\"," \
    "\"accessTokenId\":\"id-1\"}"

enum fault { F_NONE, F_ERROR, F_STALL };

/* The fake world: a clock, and a server that answers each request from a script. */
typedef struct {
    uint32_t now;
    uint32_t sleeps[16];
    int nsleeps;
    const char *answers[16]; /* one per request; NULL: reuse the last */
    int nanswers, served;
    const char *out;          /* what is being sent back */
    size_t out_len, out_pos;
    int open, connects, closes, requests, calls;
    int hangup;               /* the server drops the idle connection */
    int fault_call;           /* inject at this transport call (1-based), 0: never */
    enum fault fault;
    int32_t fault_error;
    size_t piece;             /* recv at most this many bytes at a time */
    char sent[4096];
    size_t sent_len;
} world_t;

static world_t W;

static int32_t inject(void)
{
    W.calls++;
    W.now += 1;
    if (W.fault_call != 0 && W.calls == W.fault_call) {
        if (W.fault == F_ERROR) {
            return W.fault_error;
        }
        if (W.fault == F_STALL) {
            W.fault_call++; /* stall on every following call too */
            W.now += 1000;
            return 0;
        }
    }
    return 1;
}

static int32_t t_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject();
    if (r <= 0) {
        return r;
    }
    CHECK_EQ_STR(host, "api.test");
    CHECK_EQ_INT(port, 8443);
    W.open = 1;
    W.connects++;
    W.sent_len = 0;
    return 1;
}

static int32_t t_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject();
    if (r <= 0) {
        return r;
    }
    if (!W.open) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    size_t n = len > 100 ? 100 : len; /* partial sends */
    if (W.sent_len + n < sizeof(W.sent)) {
        memcpy(W.sent + W.sent_len, data, n);
        W.sent_len += n;
    }
    const char *end = memmem(W.sent, W.sent_len, "\r\n\r\n", 4);
    if (end != NULL) {
        const char *cl = memmem(W.sent, W.sent_len, "Content-Length: ", 16);
        size_t need = (size_t)(end + 4 - W.sent) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        if (W.sent_len >= need) { /* a whole request arrived: queue the answer */
            W.requests++;
            int i = W.served < W.nanswers ? W.served : W.nanswers - 1;
            W.served++;
            W.out = W.answers[i];
            W.out_len = strlen(W.out);
            W.out_pos = 0;
            W.sent_len = 0;
        }
    }
    return (int32_t)n;
}

static int32_t t_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    int32_t r = inject();
    if (r <= 0) {
        return r;
    }
    if (!W.open) {
        return CCAT_TRANSPORT_ERR_IO;
    }
    if (W.hangup) {
        W.hangup = 0;
        W.open = 0;
        return CCAT_TRANSPORT_ERR_CLOSED;
    }
    if (W.out == NULL || W.out_pos == W.out_len) {
        if (W.out != NULL && strstr(W.out, "Connection: close") != NULL) {
            return CCAT_TRANSPORT_ERR_CLOSED;
        }
        W.now += 1000; /* silence */
        return 0;
    }
    size_t n = W.out_len - W.out_pos;
    n = n < len ? n : len;
    n = n < W.piece ? n : W.piece;
    memcpy(buf, W.out + W.out_pos, n);
    W.out_pos += n;
    return (int32_t)n;
}

static void t_close(void *ctx)
{
    (void)ctx;
    W.open = 0;
    W.closes++;
    W.out = NULL;
}

static uint32_t p_now(void *ctx)
{
    (void)ctx;
    return W.now;
}

static void p_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    if (W.nsleeps < 16) {
        W.sleeps[W.nsleeps++] = ms;
    }
    W.now += ms;
}

static uint32_t p_random(void *ctx)
{
    (void)ctx;
    return 0xffffffffu; /* the top of the jitter range */
}

static const ccat_transport_t transport = {t_connect, t_send, t_recv, t_close, NULL};
static const ccat_platform_t platform = {p_now, p_sleep, p_random, NULL, NULL};
static char buffer[4096];

#define R201 "HTTP/1.1 201 Created\r\nx-amzn-RequestId: rid\r\nContent-Length: 103\r\n\r\n" OK_BODY
#define R201_CLOSE                                                                  \
    "HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 103\r\n\r\n" OK_BODY
#define R503 "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
#define R400_THROTTLE                                                               \
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 37\r\n\r\n{\"__type\":\"TooManyRequestsException\"}"
#define R400_VALIDATION                                                             \
    "HTTP/1.1 400 Bad Request\r\nx-amzn-ErrorType: ValidationException\r\n"       \
    "Content-Length: 16\r\n\r\n{\"message\":\"no\"}"

static void setup(ccat_client_t *c, uint8_t max_attempts, const char *a0, const char *a1,
                  const char *a2)
{
    memset(&W, 0, sizeof(W));
    W.now = 0xfffff000u; /* the clock wraps during the test */
    W.piece = 7;
    W.answers[0] = a0, W.answers[1] = a1, W.answers[2] = a2;
    W.nanswers = a2 ? 3 : a1 ? 2 : 1;
    ccat_client_config_t cfg = {0};
    cfg.endpoint_url = "https://api.test:8443";
    cfg.bearer_token = TOKEN;
    cfg.platform = "test/1";
    cfg.buffer = buffer;
    cfg.buffer_size = sizeof(buffer);
    cfg.transport = &transport;
    cfg.platform_hooks = &platform;
    cfg.connect_timeout_ms = 5000;
    cfg.read_timeout_ms = 3000;
    cfg.max_attempts = max_attempts;
    CHECK_EQ_INT(ccat_client_init(c, &cfg), CCAT_OK);
}

static const ccat_create_params_t params = {"dev", 0, 0};

static void check_keep_alive(void)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, 0, R201, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_STR(tok.secret, "ccpat_SECRETVALUE");
    CHECK_EQ_STR(tok.access_token_id, "id-1");
    CHECK_EQ_STR(c.resp.request_id, "rid");
    CHECK(memmem(buffer, sizeof(buffer), "TOKENVALUE", 10) == NULL); /* request wiped */
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(W.connects, 1); /* the second call reused the connection */
    CHECK_EQ_INT(W.requests, 2);
    ccat_client_wipe(&c);
    CHECK_EQ_INT(W.open, 0);
    CHECK(all_zero(buffer, sizeof(buffer)));

    /* Connection: close is honoured: the next call connects again. */
    setup(&c, 0, R201_CLOSE, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(W.connects, 2);

    /* A kept-alive connection the server dropped: reconnect, same attempt. */
    setup(&c, 1, R201, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    W.hangup = 1;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(c.attempts, 1);
    CHECK_EQ_INT(W.connects, 2);
}

static void check_retries(void)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, 0, R503, R400_THROTTLE, R201);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(W.requests, 3);
    CHECK_EQ_INT(c.attempts, 3);
    CHECK_EQ_INT(W.nsleeps, 2);
    CHECK(W.sleeps[0] <= 1000 && W.sleeps[0] >= 999); /* random at the top: ~2^0 s */
    CHECK(W.sleeps[1] <= 2000 && W.sleeps[1] >= 1999);
    CHECK_EQ_STR(tok.secret, "ccpat_SECRETVALUE");

    setup(&c, 0, R503, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_SVC_OTHER);
    CHECK_EQ_INT(W.requests, 3);
    CHECK_EQ_INT(ccat_client_last_error(&c)->http_status, 503);

    setup(&c, 1, R503, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_SVC_OTHER);
    CHECK_EQ_INT(W.requests, 1);

    setup(&c, 5, R400_VALIDATION, NULL, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_SVC_VALIDATION);
    CHECK_EQ_INT(W.requests, 1); /* not retryable */
    CHECK_EQ_STR(ccat_client_last_error(&c)->code, "ValidationException");
    CHECK_EQ_STR(ccat_client_last_error(&c)->message, "no");

    /* The retry quota (500, 5 per retry) runs dry after 100 retries. */
    setup(&c, 2, R503, NULL, NULL);
    for (int i = 0; i < 100; i++) {
        ccat_create_access_token(&c, &params, &tok);
    }
    CHECK_EQ_INT(W.requests, 200);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_SVC_OTHER);
    CHECK_EQ_INT(c.attempts, 1);
}

/* Injects a fault at transport call k of a single-attempt exchange. */
static ccat_status_t run_fault(int k, enum fault f, int32_t err, uint8_t attempts)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, attempts, R201, NULL, NULL);
    W.fault_call = k;
    W.fault = f;
    W.fault_error = err;
    ccat_status_t st = ccat_create_access_token(&c, &params, &tok);
    if (st == CCAT_OK) {
        CHECK_EQ_STR(tok.secret, "ccpat_SECRETVALUE");
    } else {
        CHECK(tok.secret == NULL);
        CHECK(memmem(buffer, sizeof(buffer), "SECRETVALUE", 11) == NULL);
    }
    CHECK(memmem(buffer, sizeof(buffer), "TOKENVALUE", 10) == NULL);
    CHECK(W.open == 0 || st == CCAT_OK);
    return st;
}

static void check_faults(void)
{
    /* A clean run's transport calls: connect, sends, recvs. */
    run_fault(0, F_NONE, 0, 1);
    int calls = W.calls;
    CHECK(calls > 20);
    int sends = 0;
    for (int k = 1; k <= calls; k++) {
        ccat_status_t st = run_fault(k, F_ERROR, CCAT_TRANSPORT_ERR_IO, 1);
        int phase = k == 1 ? 0 : (W.requests == 0 ? 1 : 2); /* connect / send / recv */
        sends += phase == 1;
        CHECK_EQ_INT(st, phase == 0 ? CCAT_ERR_CONNECT : phase == 1 ? CCAT_ERR_SEND : CCAT_ERR_RECV);
        /* With retries the same fault heals. */
        CHECK_EQ_INT(run_fault(k, F_ERROR, CCAT_TRANSPORT_ERR_IO, 3), CCAT_OK);
        CHECK_EQ_INT(W.connects, phase == 0 ? 1 : 2);
        /* A stall at any call ends in the right timeout, not a hang. */
        st = run_fault(k, F_STALL, 0, 1);
        CHECK_EQ_INT(st, phase == 0 ? CCAT_ERR_CONNECT_TIMEOUT
                         : phase == 1 ? CCAT_ERR_SEND_TIMEOUT : CCAT_ERR_READ_TIMEOUT);
        /* EOF mid-response is a truncated response. */
        if (phase == 2) {
            CHECK_EQ_INT(run_fault(k, F_ERROR, CCAT_TRANSPORT_ERR_CLOSED, 1), CCAT_ERR_CLOSED);
        }
    }
    CHECK(sends > 1);
    CHECK_EQ_INT(run_fault(1, F_ERROR, CCAT_TRANSPORT_ERR_DNS, 3), CCAT_OK);
    CHECK_EQ_INT(run_fault(1, F_ERROR, CCAT_TRANSPORT_ERR_DNS, 1), CCAT_ERR_DNS);
    CHECK_EQ_INT(run_fault(1, F_ERROR, CCAT_TRANSPORT_ERR_CERT, 3), CCAT_ERR_TLS_CERT);
    CHECK_EQ_INT(W.connects, 0); /* a bad certificate is not retried */
    CHECK_EQ_INT(run_fault(1, F_ERROR, CCAT_TRANSPORT_ERR_TLS, 1), CCAT_ERR_TLS);
}

static void check_limits(void)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    /* A response larger than the buffer fails cleanly, without any secret left over. */
    setup(&c, 1, R201, NULL, NULL);
    c.cfg.buffer_size = 200;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_RESPONSE_TOO_LARGE);
    CHECK(memmem(buffer, sizeof(buffer), "SECRET", 6) == NULL);
    /* A request larger than the buffer is refused before anything is sent. */
    c.cfg.buffer_size = 60;
    W.requests = 0;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ_INT(W.requests, 0);
    /* Validation failures send nothing. */
    setup(&c, 3, R201, NULL, NULL);
    ccat_create_params_t bad = {"", 0, 0};
    CHECK_EQ_INT(ccat_create_access_token(&c, &bad, &tok), CCAT_ERR_NAME_LENGTH);
    ccat_client_set_token(&c, "bad\r\ntoken");
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_TOKEN_INVALID);
    CHECK_EQ_INT(W.calls, 0);
    CHECK_EQ_INT(ccat_create_access_token(NULL, &params, &tok), CCAT_ERR_ARGUMENT);
    ccat_client_config_t cfg = {0};
    CHECK_EQ_INT(ccat_client_init(&c, &cfg), CCAT_ERR_ARGUMENT);
}

int main(void)
{
    check_keep_alive();
    check_retries();
    check_faults();
    check_limits();
    return test_summary("client");
}
