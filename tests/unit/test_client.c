/*
 * The blocking client over a scripted in-memory transport and a fake clock:
 * keep-alive, stale connections, retries and their back-off, the retry
 * quota, timeouts, and a fault injected at every transport call.
 */
#include "fake_world.h"
#include "internal.h"

#define OK_BODY                                                                          \
    "{\"secret\":\"ccpat_SECRETVALUE\",\"name\":\"dev\",\"expiresTime\":\"2027-11-27T18:51:53Z\"," \
    "\"accessTokenId\":\"id-1\"}"

#define R201 "HTTP/1.1 201 Created\r\nx-amzn-RequestId: rid\r\nContent-Length: 103\r\n\r\n" OK_BODY
#define R201_CLOSE                                                                  \
    "HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 103\r\n\r\n" OK_BODY
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

/* Without a sleep hook the back-off idles until the delay has passed on the
 * clock; without a random hook there is no delay, and no idling. */
static int idles;
static void p_idle(void *ctx)
{
    (void)ctx;
    idles++;
    W.now += 7;
}

static void check_busy_wait(void)
{
    static const ccat_platform_t busy = {.now_ms = p_now, .random_u32 = p_random, .idle = p_idle};
    static const ccat_platform_t busy_flat = {.now_ms = p_now, .idle = p_idle};
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, 0, R503, R201, NULL);
    c.cfg.platform_hooks = &busy;
    idles = 0;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(W.requests, 2);
    CHECK_EQ_INT(idles, (999 + 6) / 7); /* the delay, 999 ms, in steps of 7 */
    setup(&c, 0, R503, R201, NULL);
    c.cfg.platform_hooks = &busy_flat;
    idles = 0;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(W.requests, 2);
    CHECK_EQ_INT(idles, 0);
}

/* Which service errors standard mode retries: the 5xx statuses it names, and
 * the throttling and transient codes at any status, by exact name only. */
static void check_retryable(void)
{
    static const char *const yes[] = {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
        "RequestTimeoutException"};
    static const char *const no[] = {
        "Throttling*", "Throttled+", "Throttled", "TooManyRequests", "RequestLimitExceededException",
        "SlowDownException", "Throttlin", "ThrottlingExceptionX", "ThrottlingExceptio", "LimitExceeded",
        "EC2Throttled", "", "ValidationException", "RequestTimeout*", "throttling",
        "THROTTLING", "ThrottlingEXCEPTION", "Ec2ThrottledException", "EC3ThrottledException",
        "RequestThrottledExceptionException", "AccessDeniedException", "Exception",
        "ThrottlingException\n", " Throttling"};
    ccat_error_t err = {0};
    err.http_status = 400;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        err.code = yes[i];
        CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_SVC_OTHER, &err), CCAT_RETRY_COST);
        CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_RESPONSE_TYPE, &err), 0); /* not a service error */
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        err.code = no[i];
        CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_SVC_OTHER, &err), 0);
    }
    err.code = NULL;
    for (int s = 400; s < 600; s++) {
        err.http_status = s;
        int yes5xx = s == 500 || s == 502 || s == 503 || s == 504;
        CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_SVC_OTHER, &err), yes5xx ? CCAT_RETRY_COST : 0);
        CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_RESPONSE_STATUS, &err), 0);
    }
    /* Timeouts and connection failures cost more; a bad certificate is final. */
    static const ccat_status_t conn[] = {CCAT_ERR_DNS, CCAT_ERR_CONNECT, CCAT_ERR_CONNECT_TIMEOUT,
                                         CCAT_ERR_TLS, CCAT_ERR_SEND, CCAT_ERR_RECV,
                                         CCAT_ERR_CLOSED, CCAT_ERR_READ_TIMEOUT,
                                         CCAT_ERR_SEND_TIMEOUT};
    for (size_t i = 0; i < sizeof(conn) / sizeof(conn[0]); i++) {
        CHECK_EQ_INT(ccat_retry_cost(conn[i], &err), CCAT_RETRY_TIMEOUT_COST);
    }
    CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_TLS_CERT, &err), 0);
    /* The service-error range (CCAT_IS_SERVICE_ERROR) at its ends. */
    CHECK(ccat_status_is_service_error(CCAT_ERR_SVC_ACCESS_DENIED));
    CHECK(ccat_status_is_service_error(CCAT_ERR_SVC_OTHER));
    CHECK(!ccat_status_is_service_error((ccat_status_t)(CCAT_ERR_SVC_ACCESS_DENIED + 1)));
    CHECK(!ccat_status_is_service_error((ccat_status_t)(CCAT_ERR_SVC_OTHER - 1)));
    CHECK(!ccat_status_is_service_error(CCAT_OK));
    CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_HTTP_HEADER, &err), 0);
    CHECK_EQ_INT(ccat_retry_cost(CCAT_ERR_ARGUMENT, &err), 0);
}

/* A stalled call is called again with the time its timeout has left, down to
 * the timeout itself, across the clock's wrap. */
static uint32_t recv_ms[64];
static int nrecv;
static int32_t timed_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    if (nrecv < 64) {
        recv_ms[nrecv++] = timeout_ms;
    }
    return t_recv(ctx, buf, len, timeout_ms);
}

static void check_time_left(void)
{
    static const ccat_transport_t timed = {t_connect, t_send, timed_recv, t_close, NULL};
    ccat_client_t c;
    ccat_access_token_t tok;
    /* A head that never ends: after it, every recv is 1 ms plus 1000 ms of silence. */
    setup(&c, 1, "HTTP/1.1 201 Created\r\n", NULL, NULL);
    c.cfg.transport = &timed;
    W.now = 0u - 1500u; /* the clock wraps during the silence */
    nrecv = 0;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_ERR_READ_TIMEOUT);
    CHECK(nrecv >= 4 && nrecv < 64);
    CHECK_EQ_INT(recv_ms[nrecv - 4], 3000); /* the head's last piece */
    CHECK_EQ_INT(recv_ms[nrecv - 3], 3000); /* the silence: 3000 ms left, then... */
    CHECK_EQ_INT(recv_ms[nrecv - 2], 1999);
    CHECK_EQ_INT(recv_ms[nrecv - 1], 998); /* ...and none after 3003 ms */
    CHECK(W.now < 3000); /* it wrapped */
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

/* The back-off's cap: 2^(attempt - 1) s up to CCAT_RETRY_MAX_BACKOFF_MS, for
 * every attempt a uint8_t max_attempts allows; random scales it. */
static void check_backoff(void)
{
    uint32_t cap = 1000;
    for (unsigned a = 1; a <= 255; a++) {
        uint32_t want = cap < CCAT_RETRY_MAX_BACKOFF_MS ? cap : CCAT_RETRY_MAX_BACKOFF_MS;
        CHECK_EQ_INT(ccat_retry_delay_ms(a, UINT32_MAX), want - 1);
        CHECK_EQ_INT(ccat_retry_delay_ms(a, 0x80000000u), want / 2);
        CHECK_EQ_INT(ccat_retry_delay_ms(a, 0), 0);
        cap = cap < CCAT_RETRY_MAX_BACKOFF_MS ? cap * 2 : cap;
    }
}

/* Re-initialising a client from its own configuration keeps it (the copy
 * comes before the clearing), defaults included. */
static void check_reinit(void)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, 0, R201, R201, NULL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    ccat_client_wipe(&c);
    c.cfg.read_timeout_ms = 0; /* a default to fill in again */
    CHECK_EQ_INT(ccat_client_init(&c, &c.cfg), CCAT_OK);
    CHECK(c.cfg.buffer == buffer && c.cfg.buffer_size == sizeof(buffer));
    CHECK(c.cfg.transport == &transport && c.cfg.platform_hooks == &platform);
    CHECK_EQ_STR(c.cfg.bearer_token, TOKEN);
    CHECK_EQ_STR(c.endpoint.host, "api.test");
    CHECK_EQ_INT(c.endpoint.port, 8443);
    CHECK_EQ_INT(c.cfg.connect_timeout_ms, 5000);
    CHECK_EQ_INT(c.cfg.read_timeout_ms, CCAT_READ_TIMEOUT_MS_DEFAULT);
    CHECK_EQ_INT(c.cfg.max_attempts, CCAT_MAX_ATTEMPTS_DEFAULT);
    CHECK_EQ_INT(c.connected, 0);
    CHECK_EQ_INT(c.retry_quota, CCAT_RETRY_QUOTA_INITIAL);
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_STR(tok.secret, "ccpat_SECRETVALUE");
    CHECK_EQ_INT(W.connects, 2);
}

/* A token set while a call runs (here by the trace observer, at the first
 * attempt) is used from the next call on: every attempt of one call sends
 * the token the call started with. */
static void switch_token(void *ctx, const char *event, long value)
{
    (void)value;
    if (strcmp(event, "attempt") == 0) {
        ccat_client_set_token(ctx, "bearer-NEWTOKEN-456");
    }
}

static int sent_token(const char *token)
{
    return memmem(W.last, W.last_len, token, strlen(token)) != NULL;
}

static void check_token_switch(void)
{
    ccat_client_t c;
    ccat_access_token_t tok;
    setup(&c, 0, R503, R201, NULL);
    c.trace = switch_token;
    c.trace_ctx = &c;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK_EQ_INT(c.attempts, 2);
    CHECK(sent_token("Authorization: Bearer " TOKEN "\r\n")); /* the retry too */
    CHECK(!sent_token("NEWTOKEN"));
    c.trace = NULL;
    CHECK_EQ_INT(ccat_create_access_token(&c, &params, &tok), CCAT_OK);
    CHECK(sent_token("Authorization: Bearer bearer-NEWTOKEN-456\r\n"));
    CHECK(!sent_token(TOKEN));
}

int main(void)
{
    check_keep_alive();
    check_retries();
    check_retryable();
    check_busy_wait();
    check_time_left();
    check_faults();
    check_limits();
    check_reinit();
    check_backoff();
    check_token_switch();
    return test_summary("client");
}
