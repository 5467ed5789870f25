/*
 * Crash-safe token rotation (ccat_rotate.h). Every call starts from the
 * record in storage and moves it forward one committed phase at a time:
 * IDLE -> STARTED (name recorded) -> STORED (new token kept next to the old)
 * -> IDLE (new token current). Whatever a reset interrupts, the record then
 * holds a token the service accepted, and the next call carries on from it.
 * The record buffer is the only copy of the state in RAM: secrets are
 * NUL-terminated inside it, the client's bearer token points there, and its
 * free tail is the scratch space for listing tokens.
 */
#include <string.h>

#include "ccat/ccat_rotate.h"

#define HEAD 16        /* magic, version, phase, length, 0, sequence, generation */
#define TOK_HEAD 12    /* name, id and secret lengths, expiry */
#define NAME_MAX 100
#define ID_MAX 36
#define SECRET_MAX 4000
#define SWEEP_IDS 4    /* orphan ids collected before deleting them */
#define SWEEP_ROUNDS 8 /* list-and-delete rounds before giving up */
#define SWEEP_PAGES 100
#define US_PER_S 1000000

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

uint32_t ccat_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n-- > 0) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
    }
    return ~c;
}

ccat_status_t ccat_rotate_record_check(const uint8_t *rec, size_t len, uint32_t *sequence)
{
    if (rec == NULL || len < CCAT_ROTATE_RECORD_FIXED || rec[0] != 'c' || rec[1] != 'R') {
        return CCAT_ERR_STATE_CORRUPT;
    }
    if (rec[2] != CCAT_ROTATE_RECORD_VERSION) {
        return CCAT_ERR_STATE_VERSION;
    }
    if (get16(rec + 4) != len || get16(rec + 6) != 0 ||
        ccat_crc32(rec, len - 4) != get32(rec + len - 4)) {
        return CCAT_ERR_STATE_CORRUPT;
    }
    if (sequence != NULL) {
        *sequence = get32(rec + 8);
    }
    return CCAT_OK;
}

/* One string of @p n bytes and its NUL at @p s: no NUL inside. */
static int text_ok(const uint8_t *s, size_t n)
{
    return s[n] == 0 && strlen((const char *)s) == n;
}

/* Decodes the token at p (before end); NULL when it does not fit or is malformed. */
static uint8_t *token_decode(uint8_t *p, const uint8_t *end, ccat_rotate_token_t *t)
{
    if (end - p < TOK_HEAD) {
        return NULL;
    }
    size_t n[3] = {p[0], p[1], get16(p + 2)};
    t->expires_time = (ccat_time_t)((uint64_t)get32(p + 4) | (uint64_t)get32(p + 8) << 32);
    const char **s[3] = {&t->name, &t->id, &t->secret};
    p += TOK_HEAD;
    if (n[0] > NAME_MAX || n[1] > ID_MAX || n[2] > SECRET_MAX ||
        (size_t)(end - p) < n[0] + n[1] + n[2] + 3) {
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        if (!text_ok(p, n[i])) {
            return NULL;
        }
        *s[i] = (const char *)p;
        p += n[i] + 1;
    }
    t->secret_len = n[2];
    return p;
}

ccat_status_t ccat_rotate_record_decode(uint8_t *rec, size_t len, ccat_rotate_state_t *st)
{
    ccat_status_t r = ccat_rotate_record_check(rec, len, NULL);
    if (r != CCAT_OK || st == NULL) {
        return st == NULL ? CCAT_ERR_ARGUMENT : r;
    }
    st->phase = (ccat_rotate_phase_t)rec[3];
    st->sequence = get32(rec + 8);
    st->generation = get32(rec + 12);
    uint8_t *end = rec + len - 4;
    uint8_t *p = token_decode(rec + HEAD, end, &st->current);
    p = p == NULL ? NULL : token_decode(p, end, &st->next);
    /* Current always has a secret; STARTED names the next token; STORED has it whole. */
    if (p != end || rec[3] > CCAT_ROTATE_STORED || st->current.secret_len == 0 ||
        (rec[3] != CCAT_ROTATE_IDLE && st->next.name[0] == 0) ||
        (rec[3] == CCAT_ROTATE_STORED && (st->next.secret_len == 0 || st->next.id[0] == 0))) {
        return CCAT_ERR_STATE_CORRUPT;
    }
    return CCAT_OK;
}

/* Writes token t (lengths n) at p; the strings may lie at or after p (in place). */
static uint8_t *token_encode(uint8_t *p, const ccat_rotate_token_t *t, const size_t n[3])
{
    const char *s[3] = {t->name, t->id, t->secret};
    uint64_t e = (uint64_t)t->expires_time;
    p[0] = (uint8_t)n[0];
    p[1] = (uint8_t)n[1];
    put16(p + 2, (uint32_t)n[2]);
    put32(p + 4, (uint32_t)e);
    put32(p + 8, (uint32_t)(e >> 32));
    p += TOK_HEAD;
    for (int i = 0; i < 3; i++) {
        if (n[i] != 0) { /* s[i] may be NULL when empty */
            memmove(p, s[i], n[i]);
        }
        p[n[i]] = 0;
        p += n[i] + 1;
    }
    return p;
}

/* Lengths of a token's strings (NULL counts as ""); 0 when one is too long. */
static int token_lengths(const ccat_rotate_token_t *t, size_t n[3])
{
    const char *s[3] = {t->name, t->id, t->secret};
    static const uint16_t max[3] = {NAME_MAX, ID_MAX, SECRET_MAX};
    for (int i = 0; i < 3; i++) {
        n[i] = s[i] == NULL ? 0 : strlen(s[i]);
        if (n[i] > max[i]) {
            return 0;
        }
    }
    return 1;
}

int32_t ccat_rotate_record_encode(const ccat_rotate_state_t *st, uint8_t *rec, size_t cap)
{
    size_t n[6];
    if (st == NULL || rec == NULL || !token_lengths(&st->current, n) ||
        !token_lengths(&st->next, n + 3)) {
        return CCAT_ERR_ARGUMENT;
    }
    size_t len = CCAT_ROTATE_RECORD_FIXED + 6;
    for (int i = 0; i < 6; i++) {
        len += n[i];
    }
    if (len > cap) {
        return CCAT_ERR_STATE_TOO_LARGE;
    }
    /* The current token's strings never lie before its place in the record,
     * nor the next token's before theirs, so copying in order is safe. */
    uint8_t *p = token_encode(rec + HEAD, &st->current, n);
    p = token_encode(p, &st->next, n + 3);
    rec[0] = 'c';
    rec[1] = 'R';
    rec[2] = CCAT_ROTATE_RECORD_VERSION;
    rec[3] = (uint8_t)st->phase;
    put32(rec + 4, (uint32_t)len); /* length, then the 16-bit zero */
    put32(rec + 8, st->sequence);
    put32(rec + 12, st->generation);
    put32(p, ccat_crc32(rec, len - 4));
    return (int32_t)len;
}

/* ------------------------------------------------------------------------ */

/* Length of a usable prefix (1..CCAT_ROTATE_PREFIX_MAX printable ASCII, not
 * ending in a digit: "dev1" + "7" would be "dev" + "17"), else 0. */
static size_t prefix_len(const char *prefix)
{
    size_t n = prefix == NULL ? 0 : strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)prefix[i] - 0x20u > 0x7eu - 0x20u) {
            return 0;
        }
    }
    if (n == 0 || n > CCAT_ROTATE_PREFIX_MAX ||
        (unsigned char)prefix[n - 1] - (unsigned)'0' < 10u) {
        return 0;
    }
    return n;
}

int ccat_rotate_name(const char *prefix, uint32_t gen, char *out)
{
    size_t n = prefix_len(prefix);
    if (n == 0) {
        return CCAT_ERR_ROTATE_PREFIX;
    }
    memcpy(out, prefix, n);
    char digits[10];
    int d = 0;
    do {
        digits[d++] = (char)('0' + gen % 10);
        gen /= 10;
    } while (gen != 0);
    while (d > 0) {
        out[n++] = digits[--d];
    }
    out[n] = '\0';
    return (int)n;
}

int ccat_rotate_name_match(const char *prefix, const char *name)
{
    size_t n = strlen(prefix), d = 0;
    if (name == NULL || strncmp(name, prefix, n) != 0) {
        return 0;
    }
    while ((unsigned char)name[n + d] - (unsigned)'0' < 10u) {
        d++;
    }
    return name[n + d] == '\0' && d >= 1 && d <= 10;
}

/* Index of the 3 letters at @p s in @p list (n entries), or n. */
static unsigned find3(const char *list, unsigned n, const char *s)
{
    unsigned i = 0;
    while (i < n && memcmp(list + 3 * i, s, 3) != 0) {
        i++;
    }
    return i;
}

ccat_status_t ccat_http_date_parse(const char *s, ccat_time_t *out)
{
    if (s == NULL || strlen(s) != 29 || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0 ||
        find3("MonTueWedThuFriSatSun", 7, s) == 7) {
        return CCAT_ERR_TIME_FORMAT;
    }
    unsigned m = find3("JanFebMarAprMayJunJulAugSepOctNovDec", 12, s + 8) + 1;
    /* As RFC 3339 "yyyy-mm-ddThh:mm:ssZ": ccat_time_parse() checks the rest
     * (a month of 13 included). */
    char t[20];
    memcpy(t, s + 12, 4);
    t[4] = t[7] = '-';
    t[5] = (char)('0' + m / 10);
    t[6] = (char)('0' + m % 10);
    memcpy(t + 8, s + 5, 2);
    t[10] = 'T';
    memcpy(t + 11, s + 17, 8);
    t[19] = 'Z';
    return ccat_time_parse(t, 20, out);
}

/* ------------------------------------------------------------------------ */

/* One call's working state (on the stack; the record buffer holds the rest). */
typedef struct rot {
    ccat_client_t *c;
    const ccat_rotate_config_t *cfg;
    ccat_rotate_result_t *res;
    ccat_rotate_state_t st;
    size_t used; /* record bytes at the start of cfg->record; the rest is scratch */
} rot_t;

ccat_status_t ccat_rotate_load(const ccat_rotate_config_t *cfg, ccat_rotate_state_t *st)
{
    if (cfg == NULL || st == NULL || cfg->storage == NULL || cfg->record == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    int32_t n = cfg->storage->read(cfg->storage->ctx, cfg->record, cfg->record_size);
    if (n == 0) {
        return CCAT_ERR_STATE_MISSING;
    }
    if (n == CCAT_STORAGE_ERR_TOO_LARGE) {
        return CCAT_ERR_STATE_TOO_LARGE;
    }
    if (n < 0 || (size_t)n > cfg->record_size) {
        return CCAT_ERR_STORAGE_READ;
    }
    return ccat_rotate_record_decode(cfg->record, (size_t)n, st);
}

/* Commits r->st as the next record, then decodes it again in place. */
static ccat_status_t save(rot_t *r)
{
    const ccat_rotate_config_t *cfg = r->cfg;
    const ccat_rotate_storage_t *s = cfg->storage;
    r->st.sequence++;
    int32_t n = ccat_rotate_record_encode(&r->st, cfg->record, cfg->record_size);
    if (n < 0) {
        return (ccat_status_t)n;
    }
    if (s->write(s->ctx, cfg->record, (size_t)n) < 0) {
        return CCAT_ERR_STORAGE_WRITE;
    }
    if (s->commit(s->ctx) < 0) {
        return CCAT_ERR_STORAGE_COMMIT;
    }
    r->used = (size_t)n;
    return ccat_rotate_record_decode(cfg->record, (size_t)n, &r->st);
}

/* Orphan ids collected from a page: ids of tokens named prefix + digits. */
typedef struct sweep {
    const char *prefix;
    const char *keep[2]; /* the stored tokens' ids; keep[0] is the calling token's */
    char *ids;           /* SWEEP_IDS slots of ID_MAX + 1 bytes */
    unsigned n;
    int seen;            /* keep[0] was listed: the stored id is the service's */
} sweep_t;

static int sweep_item(void *ctx, const ccat_access_token_summary_t *it)
{
    sweep_t *s = (sweep_t *)ctx;
    size_t n = it->id == NULL ? 0 : strlen(it->id);
    int kept = n == 0 || strcmp(it->id, s->keep[1]) == 0;
    if (n != 0 && strcmp(it->id, s->keep[0]) == 0) {
        s->seen = kept = 1;
    }
    if (!kept && s->n < SWEEP_IDS && n <= ID_MAX && ccat_rotate_name_match(s->prefix, it->name)) {
        memcpy(s->ids + s->n * (ID_MAX + 1), it->id, n + 1);
        s->n++;
    }
    return s->n == SWEEP_IDS && s->seen; /* full: delete these, then list again */
}

/*
 * Deletes every token named prefix + digits but the two kept, with the
 * client's current token: list (all pages, or until SWEEP_IDS are found and
 * keep0 was seen), delete, and again until a listing finds none. Nothing is
 * deleted by a round whose listing did not show keep0: a stored id that is
 * not the service's (mistyped at provisioning) would otherwise make the
 * token in use look like an orphan. Page tokens go to the scratch tail of
 * the record buffer, alternating between two halves.
 */
static ccat_status_t sweep(rot_t *r, const char *keep0, const char *keep1)
{
    uint8_t *scratch = r->cfg->record + r->used;
    size_t room = r->cfg->record_size - r->used, ids = SWEEP_IDS * (ID_MAX + 1);
    if (room < ids + 2 * 64) {
        return CCAT_ERR_STATE_TOO_LARGE;
    }
    size_t half = (room - ids) / 2;
    char *tok[2] = {(char *)scratch + ids, (char *)scratch + ids + half};
    for (unsigned round = 0; round < SWEEP_ROUNDS; round++) {
        sweep_t s = {r->cfg->name_prefix, {keep0, keep1}, (char *)scratch, 0, 0};
        unsigned page = 0;
        tok[0][0] = '\0';
        for (;;) {
            ccat_list_params_t lp = {10, tok[page & 1]};
            ccat_list_page_t pg = {tok[~page & 1], half, 0};
            ccat_status_t st = ccat_list_access_tokens(r->c, &lp, sweep_item, &s, &pg);
            if (st != CCAT_OK) {
                return st;
            }
            if (tok[++page & 1][0] == '\0' || (s.n == SWEEP_IDS && s.seen)) {
                break;
            }
            if (page == SWEEP_PAGES) { /* another page remains */
                return CCAT_ERR_ROTATE_ORPHANS;
            }
        }
        if (!s.seen) {
            return CCAT_ERR_ROTATE_ID_UNKNOWN;
        }
        if (s.n == 0) {
            return CCAT_OK;
        }
        for (unsigned i = 0; i < s.n; i++) {
            ccat_status_t st = ccat_delete_access_token(r->c, s.ids + i * (ID_MAX + 1));
            if (st != CCAT_OK && st != CCAT_ERR_SVC_NOT_FOUND) {
                return st;
            }
            r->res->orphans_deleted++;
        }
    }
    return CCAT_ERR_ROTATE_ORPHANS;
}

/* UTC now: the clock hook, else the Date of the service's last answer. */
static ccat_status_t utc_now(const rot_t *r, ccat_time_t *now)
{
    if (r->cfg->utc_now != NULL) {
        *now = r->cfg->utc_now(r->cfg->clock_ctx);
        return CCAT_OK;
    }
    return ccat_http_date_parse(r->c->resp.date, now) == CCAT_OK ? CCAT_OK
                                                                  : CCAT_ERR_ROTATE_NO_TIME;
}

/* Forgets the next token and sets the phase (rollback, promotion). */
static void drop_next(ccat_rotate_state_t *s, ccat_rotate_phase_t phase)
{
    s->next = (ccat_rotate_token_t){"", "", "", 0, 0};
    s->phase = phase;
}

/* IDLE: is a rotation due? *due = 0 when the current token is still young. */
static ccat_status_t is_due(rot_t *r, int *due)
{
    ccat_time_t now, exp = r->st.current.expires_time;
    *due = 1;
    if (r->cfg->renew_before_s == 0 || exp == 0) {
        return CCAT_OK;
    }
    ccat_status_t st = CCAT_OK;
    if (r->cfg->utc_now == NULL) { /* the answer's Date is the clock */
        const char *identity;
        st = ccat_verify_session(r->c, &identity);
    }
    if (st == CCAT_OK) {
        st = utc_now(r, &now);
    }
    *due = st == CCAT_OK && exp - now <= (ccat_time_t)r->cfg->renew_before_s * US_PER_S;
    return st;
}

/* Step 1: IDLE -> STARTED, the new token's name recorded. */
static ccat_status_t start(rot_t *r)
{
    char name[CCAT_ROTATE_PREFIX_MAX + 11];
    r->st.generation++;
    ccat_rotate_name(r->cfg->name_prefix, r->st.generation, name); /* prefix checked */
    r->st.next = (ccat_rotate_token_t){name, "", "", 0, 0};
    r->st.phase = CCAT_ROTATE_STARTED;
    return save(r);
}

/* Steps 2 and 3 with the current token: orphans, create, STARTED -> STORED. */
static ccat_status_t create(rot_t *r)
{
    ccat_rotate_state_t *s = &r->st;
    ccat_client_set_token(r->c, s->current.secret);
    ccat_status_t st = sweep(r, s->current.id, "");
    ccat_create_params_t p = {s->next.name, 0, 0};
    if (st == CCAT_OK && r->cfg->lifetime_s != 0) {
        st = utc_now(r, &p.expires_time);
        p.expires_time += (ccat_time_t)r->cfg->lifetime_s * US_PER_S;
        p.has_expires_time = 1;
    }
    if (st != CCAT_OK) {
        return st;
    }
    ccat_access_token_t tok;
    st = ccat_create_access_token(r->c, &p, &tok);
    if (st == CCAT_OK) {
        s->next.id = tok.access_token_id;
        s->next.secret = tok.secret;
        s->next.expires_time = tok.expires_time;
        s->phase = CCAT_ROTATE_STORED;
        st = save(r); /* on failure the token is an orphan: the next call deletes it */
    }
    ccat_access_token_wipe(&tok);
    return st;
}

/*
 * Steps 4 and 5 with the new token: verify, delete the old one and any
 * orphan, STORED -> IDLE with the new token current. A new token the
 * service refuses is dropped, but only for an old one it still accepts.
 */
static ccat_status_t finish(rot_t *r)
{
    ccat_rotate_state_t *s = &r->st;
    const char *identity;
    ccat_client_set_token(r->c, s->next.secret);
    ccat_status_t st = ccat_verify_session(r->c, &identity);
    if (st == CCAT_ERR_SVC_ACCESS_DENIED) {
        ccat_client_set_token(r->c, s->current.secret);
        st = ccat_verify_session(r->c, &identity);
        if (st != CCAT_OK) {
            return st;
        }
        drop_next(s, CCAT_ROTATE_IDLE);
        st = save(r);
        r->res->rolled_back = st == CCAT_OK;
        return st == CCAT_OK ? CCAT_ERR_ROTATE_REJECTED : st;
    }
    if (st == CCAT_OK && s->current.id[0] != '\0') {
        st = ccat_delete_access_token(r->c, s->current.id);
        st = st == CCAT_ERR_SVC_NOT_FOUND ? CCAT_OK : st;
    }
    if (st == CCAT_OK) {
        st = sweep(r, s->next.id, s->current.id);
    }
    if (st != CCAT_OK) {
        return st;
    }
    s->current = s->next;
    drop_next(s, CCAT_ROTATE_IDLE);
    st = save(r);
    r->res->rotated = st == CCAT_OK;
    return st;
}

static ccat_status_t run(rot_t *r)
{
    ccat_status_t st = ccat_rotate_load(r->cfg, &r->st);
    if (st != CCAT_OK) {
        return st;
    }
    r->used = get16(r->cfg->record + 4);
    r->res->resumed = r->st.phase != CCAT_ROTATE_IDLE;
    if (r->st.phase == CCAT_ROTATE_STORED) {
        /* Storage may return a record whose commit failed: make it durable
         * before finish() deletes A, or a reset after that could bring back
         * a record holding only A. */
        st = save(r);
    }
    if (r->st.phase == CCAT_ROTATE_IDLE) {
        int due;
        ccat_client_set_token(r->c, r->st.current.secret);
        st = is_due(r, &due);
        if (st == CCAT_OK && due) {
            st = start(r);
        }
    }
    if (st == CCAT_OK && r->st.phase == CCAT_ROTATE_STARTED) {
        st = create(r);
    }
    if (st == CCAT_OK && r->st.phase == CCAT_ROTATE_STORED) {
        st = finish(r);
    }
    r->res->generation = r->st.generation;
    r->res->expires_time = r->st.current.expires_time;
    return st;
}

ccat_status_t ccat_rotate_access_token(ccat_client_t *client, const ccat_rotate_config_t *cfg,
                                       ccat_rotate_result_t *res)
{
    ccat_rotate_result_t unused;
    res = res == NULL ? &unused : res;
    memset(res, 0, sizeof(*res));
    if (client == NULL || cfg == NULL || cfg->storage == NULL || cfg->record == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    if (prefix_len(cfg->name_prefix) == 0) {
        return CCAT_ERR_ROTATE_PREFIX;
    }
    rot_t r;
    memset(&r, 0, sizeof(r));
    r.c = client;
    r.cfg = cfg;
    r.res = res;
    ccat_status_t st = run(&r);
    /* No secret stays behind: not in the record, the client or its token. */
    ccat_client_set_token(client, NULL);
    ccat_client_wipe(client);
    ccat_wipe(cfg->record, cfg->record_size);
    return st;
}

ccat_status_t ccat_rotate_provision(const ccat_rotate_config_t *cfg, const char *secret,
                                    const char *id, ccat_time_t expires_time)
{
    if (cfg == NULL || cfg->storage == NULL || cfg->record == NULL) {
        return CCAT_ERR_ARGUMENT;
    }
    ccat_status_t st = ccat_bearer_token_check(secret);
    size_t idn = id == NULL ? 0 : strlen(id);
    if (st == CCAT_OK && (idn == 0 || idn > ID_MAX)) {
        st = CCAT_ERR_ID_INVALID;
    }
    ccat_rotate_result_t unused;
    rot_t r;
    memset(&r, 0, sizeof(r));
    r.cfg = cfg;
    r.res = &unused;
    r.st.current = (ccat_rotate_token_t){"", id, secret, 0, expires_time};
    if (st == CCAT_OK) {
        /* Number it after any valid record, so that a two-slot board keeps it. */
        int32_t n = cfg->storage->read(cfg->storage->ctx, cfg->record, cfg->record_size);
        if (n < 0 && n != CCAT_STORAGE_ERR_TOO_LARGE) {
            st = CCAT_ERR_STORAGE_READ;
        } else if (n > 0 && (size_t)n <= cfg->record_size) {
            ccat_rotate_record_check(cfg->record, (size_t)n, &r.st.sequence);
        }
    }
    if (st == CCAT_OK) {
        st = save(&r);
    }
    ccat_wipe(cfg->record, cfg->record_size);
    return st;
}
