/*
 * The blocking client: one exchange after another over a ccat_transport_t,
 * with deadlines from the platform clock, keep-alive, and AWS standard-mode
 * retries. All memory is the caller's buffer; the request and the response
 * take turns in it.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The trace events' names in one object: a call site passes an offset (a
 * small immediate at -Os) instead of a pointer to its own string. */
typedef struct events {
    char attempt[sizeof "attempt"], connect[sizeof "connect"], reuse[sizeof "reuse"],
        connected[sizeof "connected"], stale[sizeof "stale_connection"], status[sizeof "status"],
        delay[sizeof "retry_delay_ms"];
} events_t;
static const events_t events = {"attempt", "connect", "reuse", "connected", "stale_connection",
                                 "status", "retry_delay_ms"};
#define EV(name) offsetof(events_t, name)

static void trace(const ccat_client_t *c, size_t event, long value)
{
    if (c->trace != NULL) {
        c->trace(c->trace_ctx, (const char *)&events + event, value);
    }
}

static uint32_t now(const ccat_client_t *c)
{
    return c->cfg.platform_hooks->now_ms(c->cfg.platform_hooks->ctx);
}

/* Milliseconds left of @p timeout until @p deadline (wrap-safe); 0 when
 * spent: deadline - now is then 0 or more than timeout (modulo 2^32). */
static uint32_t left(const ccat_client_t *c, uint32_t deadline, uint32_t timeout)
{
    uint32_t ms = deadline - now(c);
    return ms - 1 < timeout ? ms : 0;
}

static void idle(const ccat_client_t *c)
{
    const ccat_platform_t *p = c->cfg.platform_hooks;
    if (p->idle != NULL) {
        p->idle(p->ctx);
    }
}

static void disconnect(ccat_client_t *c)
{
    c->connected = 0; /* first: the close is then a tail call */
    c->cfg.transport->close(c->cfg.transport->ctx);
}

/* The three transport operations, and what their failures are called; and
 * OP_WAIT, no operation: io() then idles until its timeout (the back-off). */
enum { OP_CONNECT, OP_SEND, OP_RECV, OP_WAIT };
static const int8_t op_timeout[4] = {CCAT_ERR_CONNECT_TIMEOUT, CCAT_ERR_SEND_TIMEOUT,
                                     CCAT_ERR_READ_TIMEOUT, CCAT_OK};
static const int8_t op_error[3] = {CCAT_ERR_CONNECT, CCAT_ERR_SEND, CCAT_ERR_RECV};
/* ccat_transport_error -1..-6 as statuses; 0: the operation's own I/O error. */
static const int8_t transport_error[7] = {0, CCAT_ERR_CLOSED, 0, CCAT_ERR_DNS, CCAT_ERR_CONNECT,
                                          CCAT_ERR_TLS, CCAT_ERR_TLS_CERT};

/*
 * Runs transport operation @p op until it makes progress, within @p timeout
 * from now, idling while it reports nothing. Returns its result (> 0: bytes
 * moved, or connected) or a negative ccat_status_t. A count above @p n breaks
 * the contract and counts as an I/O error. -O2: a copy per operation, its
 * dispatch folded away; -Os: one copy.
 */
static CCAT_HOT_INLINE int32_t io(ccat_client_t *c, unsigned op, uint8_t *p, size_t n, uint32_t timeout)
{
    const uint32_t deadline = now(c) + timeout;
    uint32_t ms = timeout; /* all of it for the first try: none has passed yet */
    int32_t r;
    for (;;) {
        const ccat_transport_t *t = c->cfg.transport; /* here: one register fewer */
        r = op == OP_CONNECT ? t->connect(t->ctx, c->endpoint.host, c->endpoint.port, ms)
            : op == OP_SEND  ? t->send(t->ctx, p, n, ms)
            : op == OP_RECV  ? t->recv(t->ctx, p, n, ms)
                             : 0;
        if (r != 0) {
            break;
        }
        idle(c);
        if ((ms = left(c, deadline, timeout)) == 0) {
            return op_timeout[op];
        }
    }
    if (r > 0 && (size_t)r <= n) {
        return r;
    }
    unsigned k = 0u - (unsigned)r; /* no overflow, even for INT32_MIN */
    return k < 7 && transport_error[k] != 0 ? transport_error[k] : op_error[op];
}

/* From here to attempt(), a status is an int32_t, as io() gives it: a
 * ccat_status_t is one byte with arm-none-eabi's short enums, and converting
 * to it costs a sign extension each time. */

/* Connects; a failed connection is closed by round_trip(), as any failure is. */
static int32_t connect_once(ccat_client_t *c)
{
    trace(c, EV(connect), c->endpoint.port);
    int32_t r = io(c, OP_CONNECT, NULL, SIZE_MAX, c->cfg.connect_timeout_ms);
    if (r < 0) {
        return r;
    }
    c->connected = 1;
    return CCAT_OK;
}

static int32_t send_all(ccat_client_t *c, size_t n)
{
    uint8_t *p = (uint8_t *)c->cfg.buffer;
    while (n > 0) {
        int32_t r = io(c, OP_SEND, p, n, c->cfg.read_timeout_ms);
        if (r < 0) {
            return r;
        }
        p += r;
        n -= (size_t)r;
    }
    return CCAT_OK;
}

/* Receives one response; *got counts the bytes that arrived. */
static int32_t receive(ccat_client_t *c, size_t *got)
{
    ccat_http_response_init(&c->resp, c->cfg.buffer, c->cfg.buffer_size);
    int32_t st = CCAT_AGAIN;
    while (st == CCAT_AGAIN) {
        char *space;
        size_t room = ccat_http_response_space(&c->resp, &space);
        if (room == 0) {
            return CCAT_ERR_RESPONSE_TOO_LARGE;
        }
        int32_t r = io(c, OP_RECV, (uint8_t *)space, room, c->cfg.read_timeout_ms);
        if (r == CCAT_ERR_CLOSED) {
            return ccat_http_response_eof(&c->resp);
        }
        if (r < 0) {
            return r;
        }
        *got += (size_t)r;
        st = ccat_http_response_advance(&c->resp, (size_t)r);
    }
    return st;
}

/* The back-off: the platform's sleep, else idling until @p ms have passed. */
static void wait_ms(ccat_client_t *c, uint32_t ms)
{
    const ccat_platform_t *p = c->cfg.platform_hooks;
    if (p->sleep_ms != NULL) {
        p->sleep_ms(p->ctx, ms);
    } else if (ms != 0) {
        io(c, OP_WAIT, NULL, 0, ms);
    }
}

/* Sends the request in the buffer and receives the response in its place.
 * Out of line at -Os: ccat_client_call() alone then keeps fewer registers. */
static CCAT_SMALL_NOINLINE int32_t round_trip(ccat_client_t *c, size_t len)
{
    int32_t st;
    size_t got = 0;
    /* At most twice: disconnect() leaves the second try a fresh connection,
     * which is never retried here. */
    for (;;) {
        int reused = c->connected;
        st = reused ? CCAT_OK : connect_once(c);
        trace(c, reused ? EV(reuse) : EV(connected), st);
        if (st == CCAT_OK) {
            st = send_all(c, len);
        }
        if (st == CCAT_OK) {
            st = receive(c, &got);
        }
        /* A kept-alive connection the server has dropped fails before any
         * byte comes back (send, recv and closed errors are adjacent codes). */
        if (!reused || got != 0 || st > CCAT_ERR_SEND || st < CCAT_ERR_CLOSED) {
            break;
        }
        trace(c, EV(stale), st);
        disconnect(c);
    }
    if (st != CCAT_OK || !c->resp.keep_alive) {
        disconnect(c);
    }
    if (st == CCAT_OK) { /* here, not in attempt(): fewer registers there */
        trace(c, EV(status), c->resp.status);
    }
    /* Clear the request's bytes the response has not overwritten; after a
     * failure, the response too. */
    size_t used = c->resp.used, kept = st == CCAT_OK ? used : 0;
    ccat_wipe(c->cfg.buffer + kept, (len > used ? len : used) - kept);
    return st;
}

/* One attempt: the previous response wiped, the request written and sent,
 * the response received and read. */
static int32_t attempt(ccat_client_t *c, const ccat_request_ctx_t *rc, ccat_write_fn write,
                       const void *in, ccat_read_fn read, void *out)
{
    size_t len;
    memset(&c->error, 0, sizeof(c->error));
    /* The previous response; its 'used' may stay: a later wipe of those bytes
     * again is harmless. */
    ccat_wipe(c->cfg.buffer, c->resp.used);
    int32_t st = write(rc, in, c->cfg.buffer, c->cfg.buffer_size, &len);
    if (st == CCAT_OK) {
        st = round_trip(c, len);
    }
    return st == CCAT_OK ? read(&c->resp, out, &c->error) : st;
}

/* After failed attempt @p n: when standard mode retries @p st, takes the
 * retry's quota, waits its back-off and returns the quota taken; else 0.
 * A function of its own, inlined or not as gcc likes: -O2 then lays out
 * ccat_client_call()'s loop as before ccat_retry_delay_ms() shifted 500. */
static uint32_t retry_wait(ccat_client_t *c, unsigned n, ccat_status_t st)
{
    if (n >= c->cfg.max_attempts) {
        return 0;
    }
    uint32_t spent = ccat_retry_cost(st, &c->error);
    if (spent == 0 || c->retry_quota < spent) {
        return 0;
    }
    c->retry_quota -= spent;
    const ccat_platform_t *p = c->cfg.platform_hooks;
    uint32_t delay = ccat_retry_delay_ms(n, p->random_u32 ? p->random_u32(p->ctx) : 0);
    trace(c, EV(delay), (long)delay);
    wait_ms(c, delay);
    return spent;
}

ccat_status_t ccat_client_call(ccat_client_t *c, ccat_write_fn write, const void *in,
                               ccat_read_fn read, void *out)
{
    const ccat_request_ctx_t rc = {&c->endpoint, c->cfg.bearer_token, c->cfg.platform};
    uint32_t spent = 1; /* retry quota taken by the last retry; 1: no retry */
    for (unsigned n = 1;; n++) {
        c->attempts = (uint8_t)n;
        trace(c, EV(attempt), (long)n);
        ccat_status_t st = attempt(c, &rc, write, in, read, out);
        if (st == CCAT_OK) {
            /* Standard mode gives back what the last retry took, or 1 without retries. */
            c->retry_quota += spent;
            if (c->retry_quota > CCAT_RETRY_QUOTA_INITIAL) {
                c->retry_quota = CCAT_RETRY_QUOTA_INITIAL;
            }
            return CCAT_OK;
        }
        if ((spent = retry_wait(c, n, st)) == 0) {
            return st;
        }
    }
}

ccat_status_t ccat_client_init(ccat_client_t *c, const ccat_client_config_t *cfg)
{
    if (c == NULL || cfg == NULL || cfg->buffer == NULL || cfg->buffer_size == 0 ||
        cfg->transport == NULL || cfg->platform_hooks == NULL ||
        cfg->platform_hooks->now_ms == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    /* The copy first, then the rest cleared: @p cfg may be the client's own
     * (re-initialising it), or anywhere else in it, as memmove() allows. A
     * call: gcc -Os copies 40 bytes with an inline loop, for memcpy() too;
     * the rest starts at its result plus 40 (no other register kept). */
    _Static_assert(offsetof(ccat_client_t, cfg) == 0, "cfg first: the rest follows it");
    char *rest = (char *)memmove(&c->cfg, cfg, sizeof(*cfg)) + sizeof(*cfg);
    memset(rest, 0, sizeof(*c) - sizeof(*cfg));
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
    /* The last response and error, adjacent: one wipe (up to the endpoint,
     * which follows them). */
    _Static_assert(offsetof(ccat_client_t, error) ==
                           offsetof(ccat_client_t, resp) + sizeof(ccat_http_response_t) &&
                       offsetof(ccat_client_t, endpoint) ==
                           offsetof(ccat_client_t, error) + sizeof(ccat_error_t),
                   "resp, then error, then endpoint");
    ccat_wipe(&c->resp, offsetof(ccat_client_t, endpoint) - offsetof(ccat_client_t, resp));
}
