/*
 * Crash-safety of ccat_rotate_access_token() against the emulator (plain
 * HTTP on 127.0.0.1), with faults injected at every storage write/commit and
 * every transport call:
 *
 * - "fail": the call returns an error (before, or after the bytes moved or
 *   the record was really written: the other side acted, we were told no);
 * - "power cut": the device stops there (longjmp out of the hook), all its
 *   RAM is overwritten, and the next call starts from storage only. A cut
 *   during a write tears it (only a prefix reaches the medium); a cut during
 *   a commit happens before or after the atomic switch;
 * - on the service side (emulator plan): the answer lost after the
 *   operation was applied, a 500 after applying, throttling, a reset.
 *
 * Two storage boards: the Linux file storage (boards/linux/storage.c) and a
 * two-slot flash simulation (flashsim.h). The invariants, checked via the
 * emulator's control endpoint before every request the device sends, after
 * every commit, after every reboot and after every call:
 *
 * - I1: storage holds a valid record, and a token in it that the service
 *   accepts (live, matched by the SHA-256 of its secret and by its id);
 * - I2: no token created by rotation (named prefix + digits) is live after
 *   two more rotations completed;
 * - I3: after each completed rotation, the only live token with the prefix
 *   is the stored current one (orphans cleaned), its expiry is the service's
 *   "now" + the configured lifetime (also when the device has no clock);
 * - W: when a call returns, the record buffer and the client's buffer are
 *   all zero and the client holds no bearer token.
 *
 * Phase 1 (systematic) cuts the power at transport call k and at storage
 * operation k of a rotation, for every k until the rotation has fewer
 * operations, in every variant. Phase 2 runs randomized runs (seeded; the
 * seed is printed) of several rotations each. Scenarios: rollback of a
 * refused new token, renew-before with a shifted service clock, quota with
 * an orphan. Counts are printed; the test fails on any violation or if no
 * power cut was injected.
 *
 * Usage: rotate_crash PORT BOOTSTRAP_TOKEN DIR [SEED] [RUNS] [ROTATIONS]
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <mbedtls/sha256.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ccat/ccat_rotate.h"
#include "ccat_posix.h"
#include "flashsim.h"
#include "storage.h"
#include "test.h"

/* ------------------------------------------------------------------------ */
/* Emulator control (plain HTTP, Connection: close). */

static uint16_t emu_port;
static char ctl_buf[1 << 20];

/* Sends one request to the emulator (@p path, extra header lines @p hdr);
 * returns the HTTP status, *body points into ctl_buf. */
static int http(const char *method, const char *path, const char *hdr, const char *json,
                char **body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(emu_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "control connect: %s\n", strerror(errno));
        exit(2);
    }
    size_t jl = json ? strlen(json) : 0;
    int n = snprintf(ctl_buf, sizeof ctl_buf,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     method, path, hdr, jl, json ? json : "");
    if (write(fd, ctl_buf, (size_t)n) != n) {
        exit(2);
    }
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, ctl_buf + got, sizeof ctl_buf - 1 - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    ctl_buf[got] = 0;
    char *b = strstr(ctl_buf, "\r\n\r\n");
    int status = 0;
    if (b == NULL || sscanf(ctl_buf, "HTTP/1.%*d %d", &status) != 1) {
        fprintf(stderr, "%s %s: bad answer\n", method, path);
        exit(2);
    }
    if (body) {
        *body = b + 4;
    }
    return status;
}

/* A control request (no auth): /__emulator/@p what. */
static int ctl(const char *method, const char *what, const char *json, char **body)
{
    char path[64];
    snprintf(path, sizeof path, "/__emulator/%s", what);
    return http(method, path, "", json, body);
}

static void ctl_ok(const char *method, const char *what, const char *json)
{
    if (ctl(method, what, json, NULL) != 200) {
        fprintf(stderr, "control %s %s failed\n", method, what);
        exit(2);
    }
}

/* ------------------------------------------------------------------------ */
/* Counters and failures. */

static unsigned long checks, violations, cuts, fails_injected, emu_faults, calls, rotations,
    wipe_checks, rollbacks, orphans_deleted, resumed_calls, recovered_errors;
static unsigned long cut_at[4]; /* transport before/after, storage write/commit */

__attribute__((format(printf, 2, 3)))
static void violation(const char *what, const char *fmt, ...)
{
    va_list ap;
    violations++;
    fprintf(stderr, "VIOLATION %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------------ */
/* The device: storage board, transport, client, rotation configuration. */

enum { BOARD_FILE, BOARD_FLASH };
static int board;
static flashsim_t flash;
static ccat_file_storage_t fstore;
static ccat_rotate_storage_t backend; /* the board's storage functions */
static char state_path[512];

static ccat_posix_t sock;
static ccat_transport_t tcp;
static ccat_platform_t platform;
static char client_buf[16384];
static ccat_client_t client;
static char endpoint[64];
static uint8_t record[CCAT_ROTATE_RECORD_MAX + 512];
static ccat_rotate_config_t rcfg;
static char prefix[64];
static int64_t clock_offset_s; /* emulator clock - real time */

static ccat_time_t device_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec + clock_offset_s) * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------------------ */
/* Faults. */

enum fault_kind { F_NONE, F_T_FAIL, F_T_CUT, F_S_FAIL, F_S_CUT };
static struct {
    enum fault_kind kind;
    unsigned at;     /* operation index within the call */
    unsigned variant;/* before/after, torn length... */
    unsigned t_ops, s_ops;
    int fired;
} fault;
static jmp_buf power;
static int checking = 1;
static uint32_t rng = 1;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void power_cut(unsigned where)
{
    cuts++;
    cut_at[where]++;
    fault.fired = 1;
    longjmp(power, 1);
}

/* Transport operation: what to do now (0 nothing, 1 before, 2 after). */
static unsigned t_tick(enum fault_kind *kind)
{
    unsigned k = fault.t_ops++;
    if ((fault.kind != F_T_FAIL && fault.kind != F_T_CUT) || k != fault.at || fault.fired) {
        return 0;
    }
    *kind = fault.kind;
    return 1 + fault.variant % 2;
}

static void check_invariants(const char *where);

/*
 * The armed fault hits this operation: a power cut at @p where when @p cut
 * (no return), else the operation reports @p err. Either way it fires once.
 */
static int32_t hit(int cut, unsigned where, int32_t err)
{
    if (cut) {
        power_cut(where);
    }
    fault.fired = 1;
    fails_injected++;
    return err;
}

static int32_t w_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout)
{
    enum fault_kind k = F_NONE;
    if (t_tick(&k)) {
        return hit(k == F_T_CUT, 0, CCAT_TRANSPORT_ERR_CONNECT);
    }
    return tcp.connect(ctx, host, port, timeout);
}

static int32_t w_send(void *ctx, const uint8_t *data, size_t len, uint32_t timeout)
{
    check_invariants("before send");
    enum fault_kind k = F_NONE;
    unsigned when = t_tick(&k);
    if (when == 1) {
        return hit(k == F_T_CUT, 0, CCAT_TRANSPORT_ERR_IO);
    }
    int32_t r = tcp.send(ctx, data, len, timeout);
    if (when == 2) {
        if (k == F_T_CUT) {
            nanosleep(&(struct timespec){0, 3000000}, NULL); /* let the service act */
        }
        return hit(k == F_T_CUT, 1, CCAT_TRANSPORT_ERR_IO);
    }
    return r;
}

static int32_t w_recv(void *ctx, uint8_t *buf, size_t len, uint32_t timeout)
{
    enum fault_kind k = F_NONE;
    unsigned when = t_tick(&k);
    if (when == 1) {
        return hit(k == F_T_CUT, 0, CCAT_TRANSPORT_ERR_IO);
    }
    int32_t r = tcp.recv(ctx, buf, len, timeout);
    if (when == 2) {
        return hit(k == F_T_CUT, 1, CCAT_TRANSPORT_ERR_IO);
    }
    return r;
}

static void w_close(void *ctx)
{
    tcp.close(ctx);
}

/*
 * A board whose failed commit still lets read return the new record (a
 * write-back cache, say) until the next write or a reset: the storage
 * contract allows it. Armed by ghost_armed; the record is not durable.
 */
static int ghost_armed;
static uint8_t pending[CCAT_ROTATE_RECORD_MAX], ghost[CCAT_ROTATE_RECORD_MAX];
static size_t pending_len, ghost_len;

/* Storage operation k: 1 when the armed storage fault hits it. */
static int s_tick(void)
{
    unsigned k = fault.s_ops++;
    return (fault.kind == F_S_FAIL || fault.kind == F_S_CUT) && k == fault.at && !fault.fired;
}

static int32_t w_read(void *ctx, uint8_t *buf, size_t cap)
{
    if (s_tick()) {
        return hit(fault.kind == F_S_CUT, 2, CCAT_STORAGE_ERR_IO);
    }
    if (ghost_len > 0 && ghost_len <= cap) {
        memcpy(buf, ghost, ghost_len);
        return (int32_t)ghost_len;
    }
    return backend.read(ctx, buf, cap);
}

/* Writes only a prefix of the record (a torn write). */
static void torn_write(const uint8_t *data, size_t len)
{
    size_t keep = len == 0 ? 0 : rnd() % len;
    if (board == BOARD_FLASH) {
        flash_program(&flash, data, len, keep);
    } else {
        ccat_file_storage_write(&fstore, data, keep);
    }
}

static int32_t w_write(void *ctx, const uint8_t *data, size_t len)
{
    ghost_len = 0;
    pending_len = len <= sizeof pending ? len : 0;
    memcpy(pending, data, pending_len);
    if (s_tick()) {
        if (fault.variant % 2) {
            torn_write(data, len);
        }
        return hit(fault.kind == F_S_CUT, 2, CCAT_STORAGE_ERR_IO);
    }
    return backend.write(ctx, data, len);
}

static int32_t w_commit(void *ctx)
{
    if (s_tick()) {
        /* Variant 1: the switch happened, then the cut (or the error report). */
        if (ghost_armed) {
            memcpy(ghost, pending, pending_len);
            ghost_len = pending_len;
        } else if (fault.variant % 2) {
            backend.commit(ctx);
        }
        return hit(fault.kind == F_S_CUT, 3, CCAT_STORAGE_ERR_IO);
    }
    int32_t r = backend.commit(ctx);
    if (r == 0) {
        check_invariants("after commit");
    }
    return r;
}

static const ccat_transport_t wrapped_tcp = {w_connect, w_send, w_recv, w_close, &sock};
static ccat_rotate_storage_t wrapped_storage = {w_read, w_write, w_commit, NULL};

/* Power on: all RAM state is rebuilt; only storage (and the service) persist. */
static void boot(void)
{
    tcp.close(&sock);
    ghost_len = 0;
    memset(record, 0xa5, sizeof record);
    memset(client_buf, 0xa5, sizeof client_buf);
    memset(&client, 0xa5, sizeof client);
    ccat_posix_transport_init(&sock, &tcp);
    ccat_posix_platform_init(&platform);
    platform.sleep_ms = NULL;   /* retries without back-off: the test stays fast */
    platform.random_u32 = NULL; /* (no jitter means a zero delay) */
    if (board == BOARD_FILE) {
        ccat_file_storage_init(&fstore, state_path, &backend);
    } else {
        flash_storage(&flash, &backend);
    }
    wrapped_storage.ctx = backend.ctx;
    ccat_client_config_t cc = {endpoint, NULL, "rotate-crash-test", client_buf,
                               sizeof client_buf, &wrapped_tcp, &platform, 5000, 5000, 3};
    if (ccat_client_init(&client, &cc) != CCAT_OK) {
        fprintf(stderr, "client init failed\n");
        exit(2);
    }
}

/* ------------------------------------------------------------------------ */
/* Invariants. */

static int completed;          /* rotations completed in this run */
static int marks[64];          /* store seq after each completion (index: completions) */
static uint8_t check_rec[CCAT_ROTATE_RECORD_MAX];

static void sha256_hex(const char *s, char out[65])
{
    unsigned char d[32];
    mbedtls_sha256_ret((const unsigned char *)s, strlen(s), d, 0);
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
    ccat_wipe(d, sizeof d);
}

static cJSON *store_get(void)
{
    char *body;
    if (ctl("GET", "tokens", NULL, &body) != 200) {
        fprintf(stderr, "GET tokens failed\n");
        exit(2);
    }
    cJSON *j = cJSON_Parse(body);
    if (j == NULL || !cJSON_IsArray(cJSON_GetObjectItem(j, "tokens"))) {
        fprintf(stderr, "bad tokens answer\n");
        exit(2);
    }
    return j;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int jtrue(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItem(o, k));
}

static int jint(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* The store record of the token whose secret is @p secret, or NULL. */
static const cJSON *find_secret(const cJSON *toks, const char *secret)
{
    char h[65];
    sha256_hex(secret, h);
    const cJSON *t;
    cJSON_ArrayForEach(t, toks)
    {
        if (strcmp(jstr(t, "secret_sha256"), h) == 0) {
            return t;
        }
    }
    return NULL;
}

/* Rotations completed since token @p seq was created. */
static int age(int seq)
{
    int before = 0;
    for (int i = 0; i <= completed; i++) {
        before += marks[i] < seq;
    }
    return completed - (before - 1);
}

/* I1 and I2 (see the file comment); the decoded record is wiped after use. */
static void check_invariants(const char *where)
{
    if (!checking) {
        return;
    }
    checks++;
    cJSON *j = store_get();
    const cJSON *toks = cJSON_GetObjectItem(j, "tokens");
    int32_t n = backend.read(backend.ctx, check_rec, sizeof check_rec);
    ccat_rotate_state_t s;
    if (n <= 0 || ccat_rotate_record_decode(check_rec, (size_t)n, &s) != CCAT_OK) {
        violation("I1", "%s: storage holds no valid record (%d)", where, (int)n);
    } else {
        int accepted = 0;
        const ccat_rotate_token_t *held[2] = {&s.current, &s.next};
        for (int i = 0; i < (s.phase == CCAT_ROTATE_STORED ? 2 : 1); i++) {
            const cJSON *t = find_secret(toks, held[i]->secret);
            if (t != NULL && strcmp(jstr(t, "id"), held[i]->id) != 0) {
                violation("I1", "%s: stored id is not the token's id", where);
            }
            accepted += t != NULL && jtrue(t, "live");
        }
        if (accepted == 0) {
            violation("I1", "%s: no stored token is accepted (phase %d)", where, (int)s.phase);
        }
    }
    ccat_wipe(check_rec, sizeof check_rec);
    const cJSON *t;
    cJSON_ArrayForEach(t, toks)
    {
        if (jtrue(t, "live") && ccat_rotate_name_match(prefix, jstr(t, "name")) &&
            age(jint(t, "seq")) >= 2) {
            violation("I2", "%s: %s is live %d rotations after its creation", where,
                      jstr(t, "name"), age(jint(t, "seq")));
        }
    }
    cJSON_Delete(j);
}

/* I3 after a completed rotation; records the store's mark. */
static void check_completed(uint32_t lifetime_s)
{
    checks++;
    cJSON *j = store_get();
    const cJSON *toks = cJSON_GetObjectItem(j, "tokens");
    int32_t n = backend.read(backend.ctx, check_rec, sizeof check_rec);
    ccat_rotate_state_t s;
    if (n <= 0 || ccat_rotate_record_decode(check_rec, (size_t)n, &s) != CCAT_OK ||
        s.phase != CCAT_ROTATE_IDLE) {
        violation("I3", "not IDLE after a completed rotation");
        cJSON_Delete(j);
        return;
    }
    const cJSON *t;
    int live = 0, maxseq = 0;
    cJSON_ArrayForEach(t, toks)
    {
        maxseq = jint(t, "seq") > maxseq ? jint(t, "seq") : maxseq;
        if (jtrue(t, "live") && ccat_rotate_name_match(prefix, jstr(t, "name"))) {
            live++;
            if (strcmp(jstr(t, "id"), s.current.id) != 0) {
                violation("I3", "orphan %s left after the rotation", jstr(t, "name"));
            }
        }
    }
    if (live != 1) {
        violation("I3", "%d live tokens with the prefix after the rotation", live);
    }
    const cJSON *cur = find_secret(toks, s.current.secret);
    ccat_time_t now = 0, exp = 0;
    if (cur == NULL ||
        ccat_time_parse(jstr(j, "now"), strlen(jstr(j, "now")), &now) != CCAT_OK ||
        ccat_time_parse(jstr(cur, "expiresTime"), strlen(jstr(cur, "expiresTime")), &exp) !=
            CCAT_OK) {
        violation("I3", "current token not found in the store");
    } else {
        int64_t want = lifetime_s ? (int64_t)lifetime_s : 365 * 86400;
        int64_t got = (exp - now) / 1000000;
        if (got > want + 5 || got < want - 120) {
            violation("I3", "expiry is now + %lld s, configured %lld s", (long long)got,
                      (long long)want);
        }
        if (exp != s.current.expires_time) {
            violation("I3", "stored expiry differs from the service's");
        }
    }
    ccat_wipe(check_rec, sizeof check_rec);
    marks[++completed] = maxseq;
    cJSON_Delete(j);
}

/* 1 if @p secret (non-empty) occurs in the @p n bytes at @p p. */
static int holds(const void *p, size_t n, const char *secret)
{
    size_t k = strlen(secret);
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; k > 0 && i + k <= n; i++) {
        if (memcmp(b + i, secret, k) == 0) {
            return 1;
        }
    }
    return 0;
}

/* W: nothing of a secret stays in the memory the call used: its buffers are
 * zero, and the stored secrets are in none of the device's structures. */
static void check_wiped(const ccat_rotate_result_t *res)
{
    wipe_checks++;
    if (!all_zero(record, sizeof record) || !all_zero(client_buf, sizeof client_buf) ||
        client.cfg.bearer_token != NULL) {
        violation("W", "a buffer is not wiped after the call");
    }
    int32_t n = backend.read(backend.ctx, check_rec, sizeof check_rec);
    ccat_rotate_state_t s;
    if (n > 0 && ccat_rotate_record_decode(check_rec, (size_t)n, &s) == CCAT_OK) {
        const char *secrets[2] = {s.current.secret, s.next.secret};
        for (int i = 0; i < 2; i++) {
            if (holds(&client, sizeof client, secrets[i]) || holds(&sock, sizeof sock, secrets[i]) ||
                holds(&rcfg, sizeof rcfg, secrets[i]) || holds(res, sizeof *res, secrets[i])) {
                violation("W", "a stored secret is left in the device's memory");
            }
        }
    }
    ccat_wipe(check_rec, sizeof check_rec);
}

/* ------------------------------------------------------------------------ */
/* Runs. */

/* 1 when the emulator's Date header follows its (shifted) clock, as a device
 * without a clock needs: probed with a VerifySession while shifted a year ahead. */
static int date_follows_clock(const char *bootstrap)
{
    char hdr[160], *body;
    ctl_ok("POST", "clock", "{\"offset\":31536000}");
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", bootstrap);
    http("GET", "/session", hdr, NULL, &body);
    const char *d = strstr(ctl_buf, "\r\nDate: ");
    char text[30] = "";
    if (d != NULL) {
        memcpy(text, d + 8, 29);
    }
    ccat_time_t t = 0;
    int ok = ccat_http_date_parse(text, &t) == CCAT_OK;
    ctl_ok("POST", "clock", "{\"offset\":0}");
    return ok && t / 1000000 > (int64_t)time(NULL) + 31536000 - 600;
}

static const char *ops[4] = {"CreateAccessToken", "ListAccessTokens", "DeleteAccessToken",
                             "VerifySession"};

/* Queues one service-side fault for a random operation. */
static void emu_fault(void)
{
    char plan[256];
    const char *op = ops[rnd() % 4];
    static const char *acts[5] = {
        "{\"action\":\"lost\"}", "{\"action\":\"lost\",\"when\":\"mid_body\"}",
        "{\"action\":\"status\",\"status\":500,\"apply\":true}", "{\"action\":\"throttle\"}",
        "{\"action\":\"reset\"}"};
    const char *a = acts[rnd() % 5];
    snprintf(plan, sizeof plan, "[{\"op\":\"%s\",%s]", op, a + 1);
    ctl_ok("POST", "plan", plan);
    emu_faults++;
}

/* One device call: the rotation, or a power cut (1). */
static int device_call(ccat_status_t *st, ccat_rotate_result_t *res)
{
    calls++;
    fault.t_ops = fault.s_ops = 0;
    fault.fired = 0;
    if (setjmp(power) != 0) {
        boot();
        check_invariants("after reboot");
        return 1;
    }
    *st = ccat_rotate_access_token(&client, &rcfg, res);
    check_wiped(res);
    check_invariants("after call");
    orphans_deleted += res->orphans_deleted;
    resumed_calls += res->resumed;
    rollbacks += res->rolled_back;
    return 0;
}

/* Starts a run: fresh service, fresh storage, token A created and provisioned. */
static void run_start(const char *bootstrap, unsigned run, int board_kind, int clockless,
                      uint32_t lifetime_s, int64_t offset_s)
{
    char json[128];
    ctl_ok("POST", "reset", "{}");
    clock_offset_s = offset_s;
    snprintf(json, sizeof json, "{\"offset\":%lld}", (long long)offset_s);
    ctl_ok("POST", "clock", json);
    board = board_kind;
    flash_init(&flash);
    unlink(state_path);
    boot();
    snprintf(prefix, sizeof prefix, "rot%u-", run);
    rcfg = (ccat_rotate_config_t){&wrapped_storage, prefix, lifetime_s, 0,
                                  clockless ? NULL : device_clock, NULL, record, sizeof record};
    /* Token A, created with the bootstrap token as the factory would. */
    checking = 0;
    char name[80];
    snprintf(name, sizeof name, "%s0", prefix);
    ccat_client_set_token(&client, bootstrap);
    ccat_access_token_t a;
    ccat_create_params_t p = {name, 0, 0};
    fault.kind = F_NONE;
    if (ccat_create_access_token(&client, &p, &a) != CCAT_OK ||
        ccat_rotate_provision(&rcfg, a.secret, a.access_token_id, a.expires_time) != CCAT_OK) {
        fprintf(stderr, "provisioning failed\n");
        exit(2);
    }
    ccat_access_token_wipe(&a);
    ccat_client_wipe(&client);
    checking = 1;
    completed = 0;
    cJSON *j = store_get();
    const cJSON *t;
    marks[0] = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "tokens"))
    {
        marks[0] = jint(t, "seq") > marks[0] ? jint(t, "seq") : marks[0];
    }
    cJSON_Delete(j);
    check_invariants("provisioned");
}

/* Calls until one rotation completes; the first @p faulty calls get @p arm's fault. */
static int rotate_until_done(uint32_t lifetime_s, int faulty, void (*arm)(int call))
{
    for (int call = 0; call < 16; call++) {
        ccat_status_t st = CCAT_OK;
        ccat_rotate_result_t res;
        fault.kind = F_NONE;
        if (call < faulty) {
            arm(call);
        }
        if (device_call(&st, &res)) {
            continue;
        }
        if (st == CCAT_OK && res.rotated) {
            rotations++;
            check_completed(lifetime_s);
            return 1;
        }
        if (st == CCAT_OK) {
            violation("R", "call returned OK without rotating");
            return 0;
        }
        recovered_errors++;
        if (call >= faulty && st != CCAT_ERR_SVC_THROTTLING) {
            fprintf(stderr, "call %d without fault failed: %s\n", call, ccat_status_name(st));
        }
    }
    violation("R", "no rotation completed in 16 calls");
    return 0;
}

/* Random fault: transport or storage, fail or cut, at a random operation. */
static void arm_random(int call)
{
    (void)call;
    unsigned r = rnd() % 100;
    fault.variant = rnd();
    if (r < 30) {
        fault.kind = F_T_CUT;
        fault.at = rnd() % 24;
    } else if (r < 45) {
        fault.kind = F_T_FAIL;
        fault.at = rnd() % 24;
    } else if (r < 70) {
        fault.kind = F_S_CUT;
        fault.at = rnd() % 8;
    } else if (r < 80) {
        fault.kind = F_S_FAIL;
        fault.at = rnd() % 8;
    } else if (r < 95) {
        emu_fault();
    }
}

static enum fault_kind sys_kind;
static unsigned sys_at, sys_variant;
static void arm_systematic(int call)
{
    (void)call;
    fault.kind = sys_kind;
    fault.at = sys_at;
    fault.variant = sys_variant;
}

/* Phase 1: a power cut, then a failure, at every transport call and every
 * storage operation of a rotation, in both variants, on both boards. */
static void systematic(const char *bootstrap)
{
    static const enum fault_kind kinds[4] = {F_T_CUT, F_S_CUT, F_T_FAIL, F_S_FAIL};
    unsigned run = 1000;
    for (int b = 0; b < 2; b++) {
        for (int ki = 0; ki < 4; ki++) {
            for (unsigned v = 0; v < 2; v++) {
                run_start(bootstrap, run++, b, b, 86400 * 30, 0);
                for (unsigned at = 0;; at++) {
                    sys_kind = kinds[ki];
                    sys_at = at;
                    sys_variant = v;
                    unsigned long before = cuts + fails_injected;
                    if (!rotate_until_done(86400 * 30, 1, arm_systematic)) {
                        return;
                    }
                    if (cuts + fails_injected == before) {
                        break; /* past the rotation's last operation */
                    }
                    if (completed >= 60) {
                        run_start(bootstrap, run++, b, b, 86400 * 30, 0);
                    }
                }
            }
        }
    }
}

/* A refused new token is rolled back to the old one, which stays in use. */
static void scenario_rollback(const char *bootstrap)
{
    run_start(bootstrap, 3000, BOARD_FILE, 1, 0, 0);
    ctl_ok("POST", "plan",
           "[{\"op\":\"VerifySession\",\"action\":\"error\",\"code\":\"AccessDeniedException\"}]");
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    fault.kind = F_NONE;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_ROTATE_REJECTED);
    CHECK_EQ_INT(res.rolled_back, 1);
    CHECK_EQ_INT(res.rotated, 0);
    CHECK(rotate_until_done(0, 0, arm_systematic)); /* and the orphan B is deleted */
}

/* The old token already deleted (the delete's answers were lost) and the new
 * one refused once: nothing is rolled back to a token the service refuses. */
static void scenario_no_dead_rollback(const char *bootstrap)
{
    run_start(bootstrap, 3003, BOARD_FLASH, 0, 0, 0);
    ctl_ok("POST", "plan",
           "[{\"op\":\"DeleteAccessToken\",\"action\":\"status\",\"status\":500,"
           "\"apply\":true,\"repeat\":3}]");
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    fault.kind = F_NONE;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_SVC_OTHER); /* A is gone, B stored */
    ctl_ok("POST", "plan",
           "[{\"op\":\"VerifySession\",\"action\":\"error\",\"code\":\"AccessDeniedException\"}]");
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_SVC_ACCESS_DENIED);
    CHECK_EQ_INT(res.rolled_back, 0);
    CHECK(rotate_until_done(0, 0, arm_systematic));
}

/* The owner of the bootstrap token (the user every run's tokens belong to). */
static void bootstrap_user(char *out, size_t n)
{
    cJSON *j = store_get();
    const cJSON *t;
    out[0] = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "tokens"))
    {
        if (strcmp(jstr(t, "name"), "bootstrap-1") == 0) {
            snprintf(out, n, "%s", jstr(t, "user"));
        }
    }
    cJSON_Delete(j);
}

/* Many orphans (40, over several pages, among 15 look-alikes that are not
 * ours): the bounded clean-up stops after 8 rounds of 4 with
 * CCAT_ERR_ROTATE_ORPHANS, the next call deletes the rest and completes,
 * and no look-alike is touched. */
static void scenario_many_orphans(const char *bootstrap)
{
    run_start(bootstrap, 3004, BOARD_FILE, 0, 0, 0);
    char user[128], json[512];
    bootstrap_user(user, sizeof user);
    static const char *decoys[3] = {"rot3004-x", "rot3004", "other-"}; /* + digits */
    for (int i = 0; i < 55; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%d", i < 40 ? "rot3004-" : decoys[i % 3], 100 + i);
        snprintf(json, sizeof json, "{\"secret\":\"orphan-secret-%d-%u\",\"user\":\"%s\",\"name\":\"%s\"}",
                 i, rnd(), user, name);
        ctl_ok("POST", "tokens", json);
    }
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    fault.kind = F_NONE;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_ROTATE_ORPHANS);
    CHECK_EQ_INT(res.orphans_deleted, 32);
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(res.orphans_deleted, 8);
    CHECK_EQ_INT(res.rotated, 1);
    if (res.rotated) {
        rotations++;
        check_completed(0);
    }
    cJSON *j = store_get();
    const cJSON *t;
    int live_decoys = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "tokens"))
    {
        live_decoys += jtrue(t, "live") && !ccat_rotate_name_match(prefix, jstr(t, "name")) &&
                       strcmp(jstr(t, "name"), "bootstrap-1") != 0;
    }
    cJSON_Delete(j);
    CHECK_EQ_INT(live_decoys, 15);
}

/* Renew-before with a device without a clock: the service's Date decides. */
static void scenario_renew(const char *bootstrap, int shifted_date)
{
    run_start(bootstrap, 3001, BOARD_FLASH, shifted_date, 30 * 86400, 0);
    CHECK(rotate_until_done(30 * 86400, 0, arm_systematic));
    rcfg.renew_before_s = 10 * 86400;
    ccat_status_t st = CCAT_ERR_ARGUMENT;
    ccat_rotate_result_t res;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(res.rotated, 0); /* 30 days left: not due */
    ctl_ok("POST", "clock", "{\"advance\": 1814400}"); /* +21 days */
    clock_offset_s += 1814400;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(res.rotated, 1);
    if (res.rotated) {
        rotations++;
        check_completed(30 * 86400);
    }
}

/* Quota 2: an orphan left by a cut after CreateAccessToken would block the
 * next create; the resumed rotation deletes it first. */
static void scenario_quota(const char *bootstrap)
{
    ctl_ok("POST", "config", "{\"quota\":2}");
    run_start(bootstrap, 3002, BOARD_FILE, 0, 0, 0);
    ctl_ok("POST", "plan", "[{\"op\":\"CreateAccessToken\",\"action\":\"lost\"}]");
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    fault.kind = F_NONE;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_SVC_QUOTA); /* the retry met the quota: A + the lost one */
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(res.resumed, 1);
    CHECK_EQ_INT(res.orphans_deleted, 1);
    if (res.rotated) {
        rotations++;
        check_completed(0);
    }
    ctl_ok("POST", "config", "{\"quota\":null}");
}

/* The durable record's phase (-1: none valid); wiped after use. */
static int durable_phase(void)
{
    int32_t n = backend.read(backend.ctx, check_rec, sizeof check_rec);
    ccat_rotate_state_t s;
    int phase = n > 0 && ccat_rotate_record_decode(check_rec, (size_t)n, &s) == CCAT_OK
                    ? (int)s.phase
                    : -1;
    ccat_wipe(check_rec, sizeof check_rec);
    return phase;
}

/*
 * The commit of STORED(A, B) fails, but storage reads it back (a cache: the
 * contract allows it) while STARTED(A) is what is durable. The next call
 * must commit STORED again before deleting A: a reset at its first storage
 * write would otherwise bring back STARTED(A) with A deleted (an I1
 * violation after the reboot).
 */
static void scenario_failed_commit_read_back(const char *bootstrap)
{
    run_start(bootstrap, 3005, BOARD_FILE, 0, 0, 0);
    unsigned long v0 = violations;
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    ghost_armed = 1;
    /* Storage operations of a first call: read 0, STARTED write 1 and
     * commit 2, STORED write 3 and commit 4. */
    fault.kind = F_S_FAIL;
    fault.at = 4;
    fault.variant = 0;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_STORAGE_COMMIT);
    CHECK(ghost_len > 0);
    CHECK_EQ_INT(durable_phase(), CCAT_ROTATE_STARTED);
    /* It reads STORED from the cache; the power fails at its first write. */
    fault.kind = F_S_CUT;
    fault.at = 1;
    CHECK(device_call(&st, &res) == 1);
    ghost_armed = 0;
    CHECK_EQ_INT(violations, v0);
    CHECK_EQ_INT(durable_phase(), CCAT_ROTATE_STARTED);
    CHECK(rotate_until_done(0, 0, arm_systematic));
}

/* The live token named @p name, or NULL (in @p j). */
static const cJSON *live_named(const cJSON *j, const char *name)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "tokens"))
    {
        if (jtrue(t, "live") && strcmp(jstr(t, "name"), name) == 0) {
            return t;
        }
    }
    return NULL;
}

static int live_count(void)
{
    cJSON *j = store_get();
    const cJSON *t;
    int n = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "tokens"))
    {
        n += jtrue(t, "live");
    }
    cJSON_Delete(j);
    return n;
}

/*
 * Token A (named prefix + "0", as a factory may name it) provisioned with
 * an id that is not the service's (here: its id in upper case). The id
 * recognises no listed token as A, so A looked like an orphan: the first
 * rotation must refuse with CCAT_ERR_ROTATE_ID_UNKNOWN, delete nothing,
 * create nothing, and A must still be accepted.
 */
static void scenario_wrong_id(const char *bootstrap)
{
    run_start(bootstrap, 3006, BOARD_FILE, 0, 0, 0);
    checking = 0; /* I1 compares the stored id with the service's: wrong on purpose */
    static char secret[CCAT_ROTATE_RECORD_MAX], id[64], a_name[80];
    int32_t n = backend.read(backend.ctx, check_rec, sizeof check_rec);
    ccat_rotate_state_t s;
    CHECK(n > 0 && ccat_rotate_record_decode(check_rec, (size_t)n, &s) == CCAT_OK);
    snprintf(secret, sizeof secret, "%s", s.current.secret);
    snprintf(id, sizeof id, "%s", s.current.id);
    ccat_time_t exp = s.current.expires_time;
    ccat_wipe(check_rec, sizeof check_rec);
    int changed = 0;
    for (char *p = id; *p; p++) {
        changed += *p >= 'a' && *p <= 'f';
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    CHECK(changed > 0);
    fault.kind = F_NONE;
    CHECK_EQ_INT(ccat_rotate_provision(&rcfg, secret, id, exp), CCAT_OK);
    int live = live_count();
    snprintf(a_name, sizeof a_name, "%s0", prefix);
    for (int call = 0; call < 2; call++) {
        ccat_status_t st = CCAT_OK;
        ccat_rotate_result_t res;
        CHECK(device_call(&st, &res) == 0);
        CHECK_EQ_INT(st, CCAT_ERR_ROTATE_ID_UNKNOWN);
        CHECK_EQ_INT(res.orphans_deleted, 0);
        CHECK_EQ_INT(res.rotated, 0);
    }
    CHECK_EQ_INT(live_count(), live);
    cJSON *j = store_get();
    CHECK(live_named(j, a_name) != NULL);
    cJSON_Delete(j);
    const char *identity;
    ccat_client_set_token(&client, secret);
    CHECK_EQ_INT(ccat_verify_session(&client, &identity), CCAT_OK);
    ccat_client_set_token(&client, NULL);
    ccat_client_wipe(&client);
    ccat_wipe(secret, sizeof secret);
    checking = 1;
}

/* Adds decoys (not ours) until the user's live tokens number @p total. */
static void fill_to(const char *user, int total)
{
    char json[512];
    for (int i = live_count(); i < total; i++) {
        snprintf(json, sizeof json,
                 "{\"secret\":\"decoy-secret-%d-%u\",\"user\":\"%s\",\"name\":\"other-%d\"}", i,
                 rnd(), user, i);
        ctl_ok("POST", "tokens", json);
    }
}

/*
 * Exactly 100 pages (1000 tokens, 10 per page): the last page ends the
 * listing, so the rotation completes; 1001 tokens need a 101st page, over
 * the bound: CCAT_ERR_ROTATE_ORPHANS, nothing deleted.
 */
static void scenario_page_limit(const char *bootstrap)
{
    run_start(bootstrap, 3007, BOARD_FLASH, 0, 0, 0);
    checking = 0; /* a store check before each of the ~200 requests would be slow */
    char user[128];
    bootstrap_user(user, sizeof user);
    fill_to(user, 1000);
    CHECK_EQ_INT(live_count(), 1000);
    ccat_status_t st = CCAT_OK;
    ccat_rotate_result_t res;
    fault.kind = F_NONE;
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_OK);
    CHECK_EQ_INT(res.rotated, 1);
    if (res.rotated) {
        rotations++;
        check_completed(0);
    }
    fill_to(user, 1001);
    CHECK(device_call(&st, &res) == 0);
    CHECK_EQ_INT(st, CCAT_ERR_ROTATE_ORPHANS);
    CHECK_EQ_INT(res.orphans_deleted, 0);
    CHECK_EQ_INT(live_count(), 1001);
    checking = 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT BOOTSTRAP_TOKEN DIR [SEED] [RUNS] [ROTATIONS]\n", argv[0]);
        return 2;
    }
    emu_port = (uint16_t)atoi(argv[1]);
    const char *bootstrap = argv[2];
    snprintf(state_path, sizeof state_path, "%s/rotate-state", argv[3]);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", (unsigned)emu_port);
    uint32_t seed = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : (uint32_t)time(NULL);
    unsigned runs = argc > 5 ? (unsigned)atoi(argv[5]) : 200;
    unsigned per_run = argc > 6 ? (unsigned)atoi(argv[6]) : 3;
    printf("rotate_crash: seed %u, %u runs of %u rotations (rerun: CCAT_ROTATE_SEED=%u ctest -R "
           "rotate.crash)\n", seed, runs, per_run, seed);
    fflush(stdout);
    rng = seed | 1;
    ccat_posix_transport_init(&sock, &tcp);
    int shifted_date = date_follows_clock(bootstrap);
    if (!shifted_date) {
        printf("rotate_crash: NOTE the emulator's Date header ignores its clock offset: "
               "clock-less runs use the real clock\n");
    }

    systematic(bootstrap);
    unsigned long sys_cuts = cuts;
    printf("systematic: %lu power cuts, %lu failures, %lu rotations, %lu checks\n", cuts,
           fails_injected, rotations, checks);
    scenario_rollback(bootstrap);
    scenario_renew(bootstrap, shifted_date);
    scenario_quota(bootstrap);
    scenario_no_dead_rollback(bootstrap);
    scenario_many_orphans(bootstrap);
    scenario_failed_commit_read_back(bootstrap);
    scenario_wrong_id(bootstrap);
    scenario_page_limit(bootstrap);

    for (unsigned run = 0; run < runs && violations == 0; run++) {
        int b = (int)(rnd() % 2), clockless = (int)(rnd() % 2);
        uint32_t lifetime = rnd() % 3 == 0 ? 0 : (uint32_t)(86400 + rnd() % (90 * 86400));
        int64_t offset = rnd() % 3 == 0 ? (int64_t)(rnd() % (300 * 86400)) : 0;
        offset = clockless && !shifted_date ? 0 : offset;
        run_start(bootstrap, run, b, clockless, lifetime, offset);
        for (unsigned r = 0; r < per_run; r++) {
            if (!rotate_until_done(lifetime, 1 + (int)(rnd() % 3), arm_random)) {
                break;
            }
        }
    }
    tcp.close(&sock);

    printf("rotate_crash: %lu invariant checks, %lu wipe checks, %lu power cuts (%lu systematic; "
           "transport %lu before / %lu after, storage write %lu / commit %lu), %lu failures "
           "injected, %lu service-side faults, %lu calls, %lu rotations completed, %lu resumed "
           "calls, %lu errors recovered, %lu orphans deleted, %lu rollbacks, %lu violations\n",
           checks, wipe_checks, cuts, sys_cuts, cut_at[0], cut_at[1], cut_at[2], cut_at[3],
           fails_injected, emu_faults, calls, rotations, resumed_calls, recovered_errors,
           orphans_deleted, rollbacks, violations);
    CHECK(violations == 0);
    CHECK(cuts > 0 && cut_at[0] > 0 && cut_at[1] > 0 && cut_at[2] > 0 && cut_at[3] > 0);
    CHECK(checks > 0 && orphans_deleted > 0 && rollbacks > 0);
    return test_summary("rotate_crash");
}
