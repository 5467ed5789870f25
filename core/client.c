/*
 * The blocking client: one exchange after another over a ccat_transport_t,
 * with deadlines from the platform clock, keep-alive, and AWS standard-mode
 * retries. All memory is the caller's buffer; the request and the response
 * take turns in it.
 */
#include <string.h>

#include "internal.h"

static void trace(const ccat_client_t *c, const char *event, long value)
{
    if (c->trace != NULL) {
        c->trace(c->trace_ctx, event, value);
    }
}

static uint32_t now(const ccat_client_t *c)
{
    return c->cfg.platform_hooks->now_ms(c->cfg.platform_hooks->ctx);
}

/* Milliseconds left of @p timeout since @p start (wrap-safe); 0 when spent. */
static uint32_t left(const ccat_client_t *c, uint32_t start, uint32_t timeout)
{
    uint32_t elapsed = now(c) - start;
    return elapsed >= timeout ? 0 : timeout - elapsed;
}

static void idle(const ccat_client_t *c)
{
    const ccat_platform_t *p = c->cfg.platform_hooks;
    if (p->idle != NULL) {
        p->idle(p->ctx);
    }
}

static void wait_ms(const ccat_client_t *c, uint32_t ms)
{
    const ccat_platform_t *p = c->cfg.platform_hooks;
    if (p->sleep_ms != NULL) {
        p->sleep_ms(p->ctx, ms);
        return;
    }
    uint32_t start = now(c);
    while (left(c, start, ms) != 0) {
        idle(c);
    }
}

static ccat_status_t from_transport(int32_t r, ccat_status_t io_error)
{
    switch (r) {
    case CCAT_TRANSPORT_ERR_CLOSED: return CCAT_ERR_CLOSED;
    case CCAT_TRANSPORT_ERR_DNS: return CCAT_ERR_DNS;
    case CCAT_TRANSPORT_ERR_CONNECT: return CCAT_ERR_CONNECT;
    case CCAT_TRANSPORT_ERR_TLS: return CCAT_ERR_TLS;
    case CCAT_TRANSPORT_ERR_CERT: return CCAT_ERR_TLS_CERT;
    default: return io_error;
    }
}

static void disconnect(ccat_client_t *c)
{
    c->cfg.transport->close(c->cfg.transport->ctx);
    c->connected = 0;
}

static ccat_status_t connect_once(ccat_client_t *c)
{
    const ccat_transport_t *t = c->cfg.transport;
    uint32_t start = now(c);
    trace(c, "connect", c->endpoint.port);
    for (;;) {
        uint32_t ms = left(c, start, c->cfg.connect_timeout_ms);
        if (ms == 0) {
            disconnect(c);
            return CCAT_ERR_CONNECT_TIMEOUT;
        }
        int32_t r = t->connect(t->ctx, c->endpoint.host, c->endpoint.port, ms);
        if (r > 0) {
            c->connected = 1;
            return CCAT_OK;
        }
        if (r < 0) {
            disconnect(c);
            return from_transport(r, CCAT_ERR_CONNECT);
        }
        idle(c);
    }
}

static ccat_status_t send_all(ccat_client_t *c, const char *p, size_t n)
{
    const ccat_transport_t *t = c->cfg.transport;
    uint32_t start = now(c);
    while (n > 0) {
        uint32_t ms = left(c, start, c->cfg.read_timeout_ms);
        if (ms == 0) {
            return CCAT_ERR_SEND_TIMEOUT;
        }
        int32_t r = t->send(t->ctx, (const uint8_t *)p, n, ms);
        if (r < 0 || (size_t)r > n) {
            return from_transport(r < 0 ? r : CCAT_TRANSPORT_ERR_IO, CCAT_ERR_SEND);
        }
        if (r == 0) {
            idle(c);
            continue;
        }
        p += r;
        n -= (size_t)r;
        start = now(c);
    }
    return CCAT_OK;
}

/* Receives one response; *got counts the bytes that arrived. */
static ccat_status_t receive(ccat_client_t *c, size_t *got)
{
    const ccat_transport_t *t = c->cfg.transport;
    ccat_http_response_init(&c->resp, c->cfg.buffer, c->cfg.buffer_size);
    uint32_t start = now(c);
    for (;;) {
        char *space;
        size_t room = ccat_http_response_space(&c->resp, &space);
        uint32_t ms = left(c, start, c->cfg.read_timeout_ms);
        if (room == 0) {
            return CCAT_ERR_RESPONSE_TOO_LARGE;
        }
        if (ms == 0) {
            return CCAT_ERR_READ_TIMEOUT;
        }
        int32_t r = t->recv(t->ctx, (uint8_t *)space, room, ms);
        if (r > 0 && (size_t)r <= room) {
            *got += (size_t)r;
            ccat_status_t st = ccat_http_response_advance(&c->resp, (size_t)r);
            if (st != CCAT_AGAIN) {
                return st;
            }
            start = now(c);
        } else if (r == CCAT_TRANSPORT_ERR_CLOSED) {
            return ccat_http_response_eof(&c->resp);
        } else if (r != 0) {
            return from_transport(r > 0 ? CCAT_TRANSPORT_ERR_IO : r, CCAT_ERR_RECV);
        } else {
            idle(c);
        }
    }
}

/* A kept-alive connection the server has dropped fails before any byte comes back. */
static int stale(ccat_status_t st, int reused, size_t got)
{
    return reused && got == 0 &&
           (st == CCAT_ERR_SEND || st == CCAT_ERR_RECV || st == CCAT_ERR_CLOSED);
}

/* Sends the request in the buffer and receives the response in its place. */
static ccat_status_t round_trip(ccat_client_t *c, size_t len)
{
    ccat_status_t st;
    size_t got = 0;
    for (int fresh = 0;; fresh = 1) {
        int reused = c->connected;
        st = reused ? CCAT_OK : connect_once(c);
        trace(c, reused ? "reuse" : "connected", st);
        if (st == CCAT_OK) {
            st = send_all(c, c->cfg.buffer, len);
        }
        if (st == CCAT_OK) {
            st = receive(c, &got);
        }
        if (!fresh && stale(st, reused, got)) {
            trace(c, "stale_connection", st);
            disconnect(c);
            continue;
        }
        break;
    }
    if (st != CCAT_OK || !c->resp.keep_alive) {
        disconnect(c);
    }
    /* The response overwrote the request's first bytes; clear the rest. */
    size_t kept = st == CCAT_OK ? c->resp.used : 0;
    if (len > kept) {
        ccat_wipe(c->cfg.buffer + kept, len - kept);
    }
    if (st != CCAT_OK) {
        ccat_wipe(c->cfg.buffer, c->resp.used);
    }
    return st;
}

static ccat_status_t attempt_create(ccat_client_t *c, const ccat_create_params_t *params,
                                    ccat_access_token_t *tok)
{
    ccat_request_ctx_t rc = {&c->endpoint, c->cfg.bearer_token, c->cfg.platform};
    size_t len;
    memset(&c->error, 0, sizeof(c->error));
    ccat_wipe(c->cfg.buffer, c->resp.used); /* the previous response */
    c->resp.used = 0;
    ccat_status_t st = ccat_create_request_write(&rc, params, c->cfg.buffer, c->cfg.buffer_size, &len);
    if (st == CCAT_OK) {
        st = round_trip(c, len);
    }
    if (st != CCAT_OK) {
        return st;
    }
    trace(c, "status", c->resp.status);
    return ccat_create_response_read(&c->resp, tok, &c->error);
}

/* Standard mode's retry quota: 0 when the quota forbids another attempt. */
static uint32_t take_quota(ccat_client_t *c, ccat_status_t st)
{
    uint32_t cost = ccat_retry_is_connection_error(st) ? CCAT_RETRY_TIMEOUT_COST : CCAT_RETRY_COST;
    if (c->retry_quota < cost) {
        return 0;
    }
    c->retry_quota -= cost;
    return cost;
}

ccat_status_t ccat_create_access_token(ccat_client_t *c, const ccat_create_params_t *params,
                                       ccat_access_token_t *tok)
{
    if (c == NULL || params == NULL || tok == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(tok, 0, sizeof(*tok));
    const ccat_platform_t *p = c->cfg.platform_hooks;
    uint32_t spent = 0;
    for (unsigned attempt = 1;; attempt++) {
        c->attempts = (uint8_t)attempt;
        trace(c, "attempt", (long)attempt);
        ccat_status_t st = attempt_create(c, params, tok);
        if (st == CCAT_OK) {
            uint32_t back = spent != 0 ? spent : 1;
            c->retry_quota += back;
            if (c->retry_quota > CCAT_RETRY_QUOTA_INITIAL) {
                c->retry_quota = CCAT_RETRY_QUOTA_INITIAL;
            }
            return CCAT_OK;
        }
        if (attempt >= c->cfg.max_attempts || !ccat_retry_is_retryable(st, &c->error) ||
            (spent = take_quota(c, st)) == 0) {
            return st;
        }
        uint32_t delay = ccat_retry_delay_ms(attempt, p->random_u32 ? p->random_u32(p->ctx) : 0);
        trace(c, "retry_delay_ms", (long)delay);
        wait_ms(c, delay);
    }
}

ccat_status_t ccat_client_init(ccat_client_t *c, const ccat_client_config_t *cfg)
{
    if (c == NULL || cfg == NULL || cfg->buffer == NULL || cfg->buffer_size == 0 ||
        cfg->transport == NULL || cfg->platform_hooks == NULL ||
        cfg->platform_hooks->now_ms == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    memset(c, 0, sizeof(*c));
    c->cfg = *cfg;
    if (c->cfg.endpoint_url == NULL) {
        c->cfg.endpoint_url = CCAT_ENDPOINT_DEFAULT;
    }
    if (c->cfg.connect_timeout_ms == 0) {
        c->cfg.connect_timeout_ms = CCAT_CONNECT_TIMEOUT_MS_DEFAULT;
    }
    if (c->cfg.read_timeout_ms == 0) {
        c->cfg.read_timeout_ms = CCAT_READ_TIMEOUT_MS_DEFAULT;
    }
    if (c->cfg.max_attempts == 0) {
        c->cfg.max_attempts = CCAT_MAX_ATTEMPTS_DEFAULT;
    }
    c->retry_quota = CCAT_RETRY_QUOTA_INITIAL;
    return ccat_endpoint_parse(c->cfg.endpoint_url, &c->endpoint);
}

void ccat_client_set_token(ccat_client_t *c, const char *bearer_token)
{
    c->cfg.bearer_token = bearer_token;
}

const ccat_error_t *ccat_client_last_error(const ccat_client_t *c)
{
    return &c->error;
}

void ccat_client_wipe(ccat_client_t *c)
{
    if (c->connected) {
        disconnect(c);
    }
    ccat_wipe(c->cfg.buffer, c->cfg.buffer_size);
    memset(&c->resp, 0, sizeof(c->resp));
    memset(&c->error, 0, sizeof(c->error));
}
