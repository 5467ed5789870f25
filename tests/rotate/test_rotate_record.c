/*
 * Unit tests of the rotation's building blocks: the state record (CRC,
 * sequence, every bit flip and every torn prefix refused, in-place
 * re-encoding), a two-slot flash board torn at every byte, the Linux file
 * storage, name generation and matching, HTTP dates, status names,
 * provisioning and loading, and the argument checks of the rotation.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <unistd.h>

#include "ccat/ccat_rotate.h"
#include "flashsim.h"
#include "storage.h"
#include "test.h"

static uint8_t rec[CCAT_ROTATE_RECORD_MAX + 512];

static ccat_rotate_state_t state(ccat_rotate_phase_t phase, const char *cur_secret,
                                 const char *next_name, const char *next_secret)
{
    ccat_rotate_state_t s;
    memset(&s, 0, sizeof(s));
    s.phase = phase;
    s.sequence = 41;
    s.generation = 7;
    s.current = (ccat_rotate_token_t){"dev-7", "id-cur", cur_secret, 0, 1234567};
    s.next = (ccat_rotate_token_t){next_name, next_secret[0] ? "id-next" : "", next_secret, 0,
                                   -5};
    return s;
}

static void test_crc(void)
{
    CHECK_EQ_INT(ccat_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    CHECK_EQ_INT(ccat_crc32(NULL, 0), 0);
}

static void test_roundtrip(void)
{
    static const ccat_rotate_phase_t phases[3] = {CCAT_ROTATE_IDLE, CCAT_ROTATE_STARTED,
                                                 CCAT_ROTATE_STORED};
    for (int i = 0; i < 3; i++) {
        ccat_rotate_state_t s = state(phases[i], "SECRET-A", i ? "dev-8" : "", i == 2 ? "SECRET-B" : "");
        int32_t n = ccat_rotate_record_encode(&s, rec, sizeof rec);
        CHECK(n > 0);
        uint32_t seq = 0;
        CHECK_EQ_INT(ccat_rotate_record_check(rec, (size_t)n, &seq), CCAT_OK);
        CHECK_EQ_INT(seq, 41);
        ccat_rotate_state_t d;
        CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_OK);
        CHECK_EQ_INT(d.phase, phases[i]);
        CHECK_EQ_INT(d.generation, 7);
        CHECK_EQ_STR(d.current.secret, "SECRET-A");
        CHECK_EQ_INT(d.current.secret_len, 8);
        CHECK_EQ_STR(d.current.id, "id-cur");
        CHECK_EQ_STR(d.current.name, "dev-7");
        CHECK_EQ_INT(d.current.expires_time, 1234567);
        CHECK_EQ_INT(d.next.expires_time, -5);
        CHECK_EQ_STR(d.next.secret, i == 2 ? "SECRET-B" : "");
        /* Every capacity below the length is refused, and nothing is written past it. */
        for (size_t cap = 0; cap < (size_t)n; cap++) {
            uint8_t small[128];
            memset(small, 0x5a, sizeof small);
            CHECK_EQ_INT(ccat_rotate_record_encode(&s, small, cap), CCAT_ERR_STATE_TOO_LARGE);
            CHECK(small[cap] == 0x5a);
        }
    }
}

/* Promotion in place: the next token's strings move down over the current one's. */
static void test_in_place(void)
{
    ccat_rotate_state_t s = state(CCAT_ROTATE_STORED, "OLD-SECRET-LONGER-THAN-THE-NEW",
                                  "dev-8", "NEW");
    int32_t n = ccat_rotate_record_encode(&s, rec, sizeof rec);
    ccat_rotate_state_t d;
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_OK);
    d.current = d.next;
    d.next = (ccat_rotate_token_t){"", "", "", 0, 0};
    d.phase = CCAT_ROTATE_IDLE;
    d.sequence++;
    n = ccat_rotate_record_encode(&d, rec, sizeof rec);
    CHECK(n > 0);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_OK);
    CHECK_EQ_STR(d.current.secret, "NEW");
    CHECK_EQ_STR(d.current.id, "id-next");
    CHECK_EQ_STR(d.current.name, "dev-8");
    CHECK_EQ_INT(d.sequence, 42);
    /* And the other way: the next token added after an unchanged current one. */
    ccat_rotate_state_t a = state(CCAT_ROTATE_STARTED, "AAAA", "dev-9", "");
    n = ccat_rotate_record_encode(&a, rec, sizeof rec);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_OK);
    d.next.secret = "BBBB";
    d.next.id = "id-b";
    d.phase = CCAT_ROTATE_STORED;
    n = ccat_rotate_record_encode(&d, rec, sizeof rec);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_OK);
    CHECK_EQ_STR(d.current.secret, "AAAA");
    CHECK_EQ_STR(d.next.name, "dev-9");
    CHECK_EQ_STR(d.next.secret, "BBBB");
}

static void test_limits(void)
{
    static char name[102], id[38], secret[4002];
    memset(name, 'n', 100);
    memset(id, 'i', 36);
    memset(secret, 's', 4000);
    ccat_rotate_state_t s = state(CCAT_ROTATE_STORED, secret, name, secret);
    s.current.name = s.next.name = name;
    s.current.id = s.next.id = id;
    CHECK_EQ_INT(ccat_rotate_record_encode(&s, rec, sizeof rec), CCAT_ROTATE_RECORD_MAX);
    CHECK_EQ_INT(ccat_rotate_record_check(rec, CCAT_ROTATE_RECORD_MAX, NULL), CCAT_OK);
    name[100] = 'n';
    CHECK_EQ_INT(ccat_rotate_record_encode(&s, rec, sizeof rec), CCAT_ERR_ARGUMENT);
    name[100] = 0;
    id[36] = 'i';
    CHECK_EQ_INT(ccat_rotate_record_encode(&s, rec, sizeof rec), CCAT_ERR_ARGUMENT);
    id[36] = 0;
    secret[4000] = 's';
    CHECK_EQ_INT(ccat_rotate_record_encode(&s, rec, sizeof rec), CCAT_ERR_ARGUMENT);
    secret[4000] = 0;
    CHECK_EQ_INT(ccat_rotate_record_encode(NULL, rec, sizeof rec), CCAT_ERR_ARGUMENT);
}

/* Re-seal a record after editing it, as a writer of another version would. */
static void reseal(uint8_t *r, size_t n)
{
    uint32_t c = ccat_crc32(r, n - 4);
    for (int i = 0; i < 4; i++) {
        r[n - 4 + i] = (uint8_t)(c >> (8 * i));
    }
}

static void test_corruption(void)
{
    ccat_rotate_state_t s = state(CCAT_ROTATE_STORED, "SECRET-A", "dev-8", "SECRET-B");
    int32_t n = ccat_rotate_record_encode(&s, rec, sizeof rec);
    uint8_t copy[256];
    memcpy(copy, rec, (size_t)n);
    int refused = 0;
    ccat_rotate_state_t d;
    /* Every single-bit flip is caught (CRC-32 detects all of them). */
    for (int32_t i = 0; i < n * 8; i++) {
        memcpy(rec, copy, (size_t)n);
        rec[i / 8] ^= (uint8_t)(1u << (i % 8));
        refused += ccat_rotate_record_decode(rec, (size_t)n, &d) != CCAT_OK;
    }
    CHECK_EQ_INT(refused, n * 8);
    /* Every torn write: a prefix, the rest erased (0xFF) or zero, at the same length. */
    refused = 0;
    for (int32_t keep = 0; keep < n; keep++) {
        for (int fill = 0; fill < 2; fill++) {
            memcpy(rec, copy, (size_t)n);
            memset(rec + keep, fill ? 0xff : 0x00, (size_t)(n - keep));
            refused += ccat_rotate_record_check(rec, (size_t)n, NULL) != CCAT_OK;
            refused += ccat_rotate_record_check(rec, (size_t)keep, NULL) != CCAT_OK;
        }
    }
    CHECK_EQ_INT(refused, 4 * n);
    /* Version: told apart from corruption. */
    memcpy(rec, copy, (size_t)n);
    rec[2] = 2;
    reseal(rec, (size_t)n);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_VERSION);
    /* Sealed but inconsistent: unknown phase, lengths past the end, STORED without a secret. */
    memcpy(rec, copy, (size_t)n);
    rec[3] = 3;
    reseal(rec, (size_t)n);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    memcpy(rec, copy, (size_t)n);
    rec[16 + 2] = 200; /* current secret length */
    reseal(rec, (size_t)n);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    memcpy(rec, copy, (size_t)n);
    rec[16 + 12 + 1] = 'X'; /* a NUL inside the name replaced: lengths disagree */
    rec[16 + 12 + 5] = 'X';
    reseal(rec, (size_t)n);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    ccat_rotate_state_t t = state(CCAT_ROTATE_STORED, "A", "dev-8", "");
    n = ccat_rotate_record_encode(&t, rec, sizeof rec);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    t = state(CCAT_ROTATE_STARTED, "A", "", "");
    n = ccat_rotate_record_encode(&t, rec, sizeof rec);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    t = state(CCAT_ROTATE_IDLE, "", "", "");
    n = ccat_rotate_record_encode(&t, rec, sizeof rec);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, &d), CCAT_ERR_STATE_CORRUPT);
    CHECK_EQ_INT(ccat_rotate_record_check(NULL, 100, NULL), CCAT_ERR_STATE_CORRUPT);
    CHECK_EQ_INT(ccat_rotate_record_decode(rec, (size_t)n, NULL), CCAT_ERR_ARGUMENT);
}

/* The two-slot board: a program torn at every byte keeps the older record. */
static flashsim_t flash;

static void test_flash_torn(void)
{
    ccat_rotate_storage_t st;
    flash_storage(&flash, &st);
    flash_init(&flash);
    CHECK_EQ_INT(st.read(st.ctx, rec, sizeof rec), 0);
    ccat_rotate_state_t a = state(CCAT_ROTATE_IDLE, "SECRET-A", "", "");
    ccat_rotate_state_t b = state(CCAT_ROTATE_STARTED, "SECRET-A", "dev-8", "");
    b.sequence = 42;
    uint8_t ra[256], rb[256];
    int32_t na = ccat_rotate_record_encode(&a, ra, sizeof ra);
    int32_t nb = ccat_rotate_record_encode(&b, rb, sizeof rb);
    int good = 0;
    for (int32_t keep = 0; keep <= nb; keep++) {
        flash_init(&flash);
        flash_program(&flash, ra, (size_t)na, (size_t)na);
        flash_program(&flash, rb, (size_t)nb, (size_t)keep);
        int32_t n = st.read(st.ctx, rec, sizeof rec);
        uint32_t seq = 0;
        good += ccat_rotate_record_check(rec, (size_t)n, &seq) == CCAT_OK &&
                seq == (keep == nb ? 42u : 41u);
        /* The next write goes to the torn slot, never over the good one. */
        flash_program(&flash, rb, (size_t)nb, (size_t)nb);
        n = st.read(st.ctx, rec, sizeof rec);
        good += ccat_rotate_record_check(rec, (size_t)n, &seq) == CCAT_OK && seq == 42;
    }
    CHECK_EQ_INT(good, 2 * (nb + 1));
    /* Sequence numbers wrap: 0 is newer than 0xFFFFFFFF. */
    flash_init(&flash);
    a.sequence = 0xffffffffu;
    b.sequence = 0;
    na = ccat_rotate_record_encode(&a, ra, sizeof ra);
    nb = ccat_rotate_record_encode(&b, rb, sizeof rb);
    flash_write(&flash, ra, (size_t)na);
    flash_write(&flash, rb, (size_t)nb);
    uint32_t seq = 1;
    CHECK_EQ_INT(st.read(st.ctx, rec, sizeof rec), nb);
    CHECK_EQ_INT(ccat_rotate_record_check(rec, (size_t)nb, &seq), CCAT_OK);
    CHECK_EQ_INT(seq, 0);
    CHECK_EQ_INT(st.read(st.ctx, rec, 20), CCAT_STORAGE_ERR_TOO_LARGE);
}

static void test_file_storage(void)
{
    char dir[] = "/tmp/ccat-rotate-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/state", dir);
    ccat_file_storage_t fs;
    ccat_rotate_storage_t st;
    CHECK_EQ_INT(ccat_file_storage_init(&fs, path, &st), 0);
    CHECK_EQ_INT(st.read(st.ctx, rec, sizeof rec), 0);
    CHECK_EQ_INT(st.commit(st.ctx), CCAT_STORAGE_ERR_IO); /* nothing staged */
    CHECK_EQ_INT(st.write(st.ctx, (const uint8_t *)"first", 5), 0);
    CHECK_EQ_INT(st.read(st.ctx, rec, sizeof rec), 0); /* staged, not committed */
    CHECK_EQ_INT(st.commit(st.ctx), 0);
    CHECK_EQ_INT(st.read(st.ctx, rec, sizeof rec), 5);
    CHECK(memcmp(rec, "first", 5) == 0);
    /* A torn staging write (power cut) leaves the committed file alone... */
    CHECK_EQ_INT(ccat_file_storage_write(&fs, (const uint8_t *)"sec", 3), 0);
    ccat_file_storage_t fs2; /* ...also for a fresh boot */
    ccat_rotate_storage_t st2;
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, path, &st2), 0);
    CHECK_EQ_INT(st2.read(st2.ctx, rec, sizeof rec), 5);
    CHECK_EQ_INT(st2.commit(st2.ctx), CCAT_STORAGE_ERR_IO);
    CHECK_EQ_INT(st2.write(st2.ctx, (const uint8_t *)"second", 6), 0);
    CHECK_EQ_INT(st2.commit(st2.ctx), 0);
    CHECK_EQ_INT(st2.read(st2.ctx, rec, sizeof rec), 6);
    CHECK_EQ_INT(st2.read(st2.ctx, rec, 6), 6);
    CHECK_EQ_INT(st2.read(st2.ctx, rec, 5), CCAT_STORAGE_ERR_TOO_LARGE);
    CHECK_EQ_INT(access(fs2.tmp, F_OK), -1); /* renamed away */
    static char longpath[CCAT_FILE_STORAGE_PATH_MAX + 2];
    memset(longpath, 'p', sizeof longpath - 1);
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, longpath, &st2), -1);
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, "", &st2), -1);
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, "state", &st2), 0);
    CHECK_EQ_STR(fs2.dir, ".");
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, "/state", &st2), 0);
    CHECK_EQ_STR(fs2.dir, "/");
    /* A directory that cannot be written: the write fails, the commit too. */
    snprintf(path, sizeof path, "%s/missing/state", dir);
    CHECK_EQ_INT(ccat_file_storage_init(&fs2, path, &st2), 0);
    CHECK_EQ_INT(st2.write(st2.ctx, (const uint8_t *)"x", 1), CCAT_STORAGE_ERR_IO);
    CHECK_EQ_INT(st2.commit(st2.ctx), CCAT_STORAGE_ERR_IO);
    CHECK_EQ_INT(st2.read(st2.ctx, rec, sizeof rec), 0);
    unlink(fs.path);
    rmdir(dir);
}

static void test_names(void)
{
    char out[CCAT_ROTATE_PREFIX_MAX + 11];
    CHECK_EQ_INT(ccat_rotate_name("dev-", 0, out), 5);
    CHECK_EQ_STR(out, "dev-0");
    CHECK_EQ_INT(ccat_rotate_name("dev-", 4294967295u, out), 14);
    CHECK_EQ_STR(out, "dev-4294967295");
    char p[CCAT_ROTATE_PREFIX_MAX + 2];
    memset(p, 'x', sizeof p);
    p[CCAT_ROTATE_PREFIX_MAX] = 0;
    CHECK_EQ_INT(ccat_rotate_name(p, 4294967295u, out), 100); /* the model's limit */
    p[CCAT_ROTATE_PREFIX_MAX] = 'x';
    p[CCAT_ROTATE_PREFIX_MAX + 1] = 0;
    CHECK_EQ_INT(ccat_rotate_name(p, 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("", 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name(NULL, 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("a\nb", 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("a\x7f", 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("caf\xc3\xa9-", 1, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("a b~", 3, out), 5);
    /* A prefix ending in a digit: "dev1" + 7 would be "dev" + 17, another
     * device's name (and its tokens that device's orphans). */
    CHECK_EQ_INT(ccat_rotate_name("dev1", 7, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("0", 7, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("dev-9", 7, out), CCAT_ERR_ROTATE_PREFIX);
    CHECK_EQ_INT(ccat_rotate_name("dev9-", 7, out), 6);
    CHECK_EQ_INT(ccat_rotate_name("dev:", 7, out), 5); /* '9' + 1 */
    CHECK_EQ_INT(ccat_rotate_name("dev/", 7, out), 5); /* '0' - 1 */
    CHECK(ccat_rotate_name_match("dev-", "dev-12"));
    CHECK(ccat_rotate_name_match("dev-", "dev-0"));
    CHECK(ccat_rotate_name_match("dev-", "dev-4294967295"));
    CHECK(!ccat_rotate_name_match("dev-", "dev-12345678901"));
    CHECK(!ccat_rotate_name_match("dev-", "dev-"));
    CHECK(!ccat_rotate_name_match("dev-", "dev-12a"));
    CHECK(!ccat_rotate_name_match("dev-", "dev-1 "));
    CHECK(!ccat_rotate_name_match("dev-", "xdev-1"));
    CHECK(!ccat_rotate_name_match("dev-", "dev"));
    CHECK(!ccat_rotate_name_match("dev-", "bootstrap-1"));
    CHECK(!ccat_rotate_name_match("dev-", NULL));
}

static void test_http_date(void)
{
    ccat_time_t t = 0;
    CHECK_EQ_INT(ccat_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), CCAT_OK);
    CHECK_EQ_INT(t, 784111777LL * 1000000);
    CHECK_EQ_INT(ccat_http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", &t), CCAT_OK);
    CHECK_EQ_INT(t, 0);
    CHECK_EQ_INT(ccat_http_date_parse("Fri, 31 Dec 9999 23:59:59 GMT", &t), CCAT_OK);
    CHECK_EQ_INT(ccat_http_date_parse("Wed, 29 Feb 2028 12:00:00 GMT", &t), CCAT_OK);
    static const char *bad[] = {
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2027 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun; 06 Nov 1994 08:49:37 GMT", "", NULL};
    int refused = 0;
    for (int i = 0; i < 17; i++) {
        refused += ccat_http_date_parse(bad[i], &t) == CCAT_ERR_TIME_FORMAT;
    }
    CHECK_EQ_INT(refused, 17);
}

static void test_status_names(void)
{
    static const struct {
        ccat_status_t st;
        const char *name;
    } names[] = {
        {CCAT_ERR_STORAGE_READ, "ERR_STORAGE_READ"},
        {CCAT_ERR_STORAGE_WRITE, "ERR_STORAGE_WRITE"},
        {CCAT_ERR_STORAGE_COMMIT, "ERR_STORAGE_COMMIT"},
        {CCAT_ERR_STATE_MISSING, "ERR_STATE_MISSING"},
        {CCAT_ERR_STATE_CORRUPT, "ERR_STATE_CORRUPT"},
        {CCAT_ERR_STATE_VERSION, "ERR_STATE_VERSION"},
        {CCAT_ERR_STATE_TOO_LARGE, "ERR_STATE_TOO_LARGE"},
        {CCAT_ERR_ROTATE_PREFIX, "ERR_ROTATE_PREFIX"},
        {CCAT_ERR_ROTATE_NO_TIME, "ERR_ROTATE_NO_TIME"},
        {CCAT_ERR_ROTATE_REJECTED, "ERR_ROTATE_REJECTED"},
        {CCAT_ERR_ROTATE_ORPHANS, "ERR_ROTATE_ORPHANS"},
        {CCAT_ERR_ROTATE_ID_UNKNOWN, "ERR_ROTATE_ID_UNKNOWN"},
        {CCAT_ERR_SVC_OTHER, "ERR_SVC_OTHER"},
        {CCAT_ERR_SVC_ACCESS_DENIED, "ERR_SVC_ACCESS_DENIED"},
        {CCAT_ERR_ARGUMENT, "ERR_ARGUMENT"},
        {CCAT_AGAIN, "AGAIN"},
        {CCAT_OK, "OK"},
        {(ccat_status_t)-112, "ERR_UNKNOWN"},
        {(ccat_status_t)-99, "ERR_UNKNOWN"},
        {(ccat_status_t)-87, "ERR_UNKNOWN"},
        {(ccat_status_t)-120, "ERR_UNKNOWN"},
        {(ccat_status_t)-200, "ERR_UNKNOWN"},
        {(ccat_status_t)2, "ERR_UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK_EQ_STR(ccat_status_name(names[i].st), names[i].name);
    }
    CHECK(!ccat_status_is_service_error(CCAT_ERR_ROTATE_REJECTED));
}

/* Storage that fails on demand, over the flash simulation. */
static int fail_read, fail_write, fail_commit;

static int32_t bad_read(void *ctx, uint8_t *b, size_t c)
{
    return fail_read ? fail_read : flash_read(ctx, b, c);
}
static int32_t bad_write(void *ctx, const uint8_t *d, size_t n)
{
    return fail_write ? CCAT_STORAGE_ERR_IO : flash_write(ctx, d, n);
}
static int32_t bad_commit(void *ctx)
{
    return fail_commit ? CCAT_STORAGE_ERR_IO : flash_commit(ctx);
}

static void test_provision_load(void)
{
    ccat_rotate_storage_t st = {bad_read, bad_write, bad_commit, &flash};
    ccat_rotate_config_t cfg = {&st, "dev-", 0, 0, NULL, NULL, rec, sizeof rec};
    ccat_rotate_state_t s;
    flash_init(&flash);
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_ERR_STATE_MISSING);
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "SECRET-A", "id-a", 99), CCAT_OK);
    CHECK(all_zero(rec, sizeof rec)); /* the secret does not stay behind */
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_OK);
    CHECK_EQ_INT(s.phase, CCAT_ROTATE_IDLE);
    CHECK_EQ_INT(s.sequence, 1);
    CHECK_EQ_INT(s.generation, 0);
    CHECK_EQ_STR(s.current.secret, "SECRET-A");
    CHECK_EQ_STR(s.current.id, "id-a");
    CHECK_EQ_INT(s.current.expires_time, 99);
    /* Provisioning again numbers the record after the stored one. */
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "SECRET-C", "id-c", 0), CCAT_OK);
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_OK);
    CHECK_EQ_INT(s.sequence, 2);
    CHECK_EQ_STR(s.current.secret, "SECRET-C");
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "bad\ntoken", "id", 0), CCAT_ERR_TOKEN_INVALID);
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, NULL, "id", 0), CCAT_ERR_TOKEN_MISSING);
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "tok", "", 0), CCAT_ERR_ID_INVALID);
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "tok", "0123456789012345678901234567890123456", 0),
                 CCAT_ERR_ID_INVALID);
    CHECK_EQ_INT(ccat_rotate_provision(NULL, "tok", "id", 0), CCAT_ERR_ARGUMENT);
    fail_write = 1;
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "tok", "id", 0), CCAT_ERR_STORAGE_WRITE);
    fail_write = 0;
    fail_commit = 1;
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "tok", "id", 0), CCAT_ERR_STORAGE_COMMIT);
    fail_commit = 0;
    fail_read = CCAT_STORAGE_ERR_IO;
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "tok", "id", 0), CCAT_ERR_STORAGE_READ);
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_ERR_STORAGE_READ);
    fail_read = CCAT_STORAGE_ERR_TOO_LARGE;
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_ERR_STATE_TOO_LARGE);
    fail_read = 0;
    /* A record buffer too small for the stored record. */
    cfg.record_size = 30;
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_ERR_STATE_TOO_LARGE);
    cfg.record_size = sizeof rec;
    /* A torn slot on top: the good one is still found. */
    flash.slot[0][10] ^= 1;
    flash.slot[1][10] ^= 1;
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_ERR_STATE_MISSING);
    CHECK_EQ_INT(ccat_rotate_load(NULL, &s), CCAT_ERR_ARGUMENT);
}

/* The rotation refuses bad arguments before any I/O, and wipes what it read. */
static int32_t no_io(void *ctx, uint8_t *b, size_t n)
{
    (void)ctx, (void)b, (void)n;
    return CCAT_TRANSPORT_ERR_IO;
}
static int32_t no_connect(void *ctx, const char *h, uint16_t p, uint32_t t)
{
    (void)ctx, (void)h, (void)p, (void)t;
    return CCAT_TRANSPORT_ERR_CONNECT;
}
static int32_t no_send(void *ctx, const uint8_t *b, size_t n, uint32_t t)
{
    (void)ctx, (void)b, (void)n, (void)t;
    return CCAT_TRANSPORT_ERR_IO;
}
static int32_t no_recv(void *ctx, uint8_t *b, size_t n, uint32_t t)
{
    return no_io(ctx, b, (size_t)t + n - n);
}
static void no_close(void *ctx)
{
    (void)ctx;
}
static uint32_t clock_ms;
static uint32_t now_ms(void *ctx)
{
    (void)ctx;
    return clock_ms += 10;
}

static void test_rotate_arguments(void)
{
    static char buf[4096];
    ccat_transport_t tr = {no_connect, no_send, no_recv, no_close, NULL};
    ccat_platform_t pf = {now_ms, NULL, NULL, NULL, NULL};
    ccat_client_config_t cc = {"http://127.0.0.1:9", "unused", NULL, buf, sizeof buf, &tr, &pf,
                               1000, 1000, 1};
    ccat_client_t c;
    CHECK_EQ_INT(ccat_client_init(&c, &cc), CCAT_OK);
    ccat_rotate_storage_t st;
    flash_storage(&flash, &st);
    flash_init(&flash);
    ccat_rotate_config_t cfg = {&st, "dev-", 0, 0, NULL, NULL, rec, sizeof rec};
    ccat_rotate_result_t res;
    CHECK_EQ_INT(ccat_rotate_access_token(NULL, &cfg, &res), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_rotate_access_token(&c, NULL, &res), CCAT_ERR_ARGUMENT);
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, NULL), CCAT_ERR_STATE_MISSING);
    cfg.name_prefix = "";
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, &res), CCAT_ERR_ROTATE_PREFIX);
    cfg.name_prefix = "dev1";
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, &res), CCAT_ERR_ROTATE_PREFIX);
    cfg.name_prefix = "dev-";
    CHECK_EQ_INT(ccat_rotate_provision(&cfg, "SECRET-A", "id-a", 0), CCAT_OK);
    /* The network is down: the rotation is recorded as started, then stops. */
    memset(buf, 0x77, sizeof buf);
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, &res), CCAT_ERR_CONNECT);
    CHECK_EQ_INT(res.rotated, 0);
    CHECK_EQ_INT(res.generation, 1);
    CHECK(all_zero(rec, sizeof rec));
    CHECK(all_zero(buf, sizeof buf));
    CHECK(c.cfg.bearer_token == NULL);
    ccat_rotate_state_t s;
    CHECK_EQ_INT(ccat_rotate_load(&cfg, &s), CCAT_OK);
    CHECK_EQ_INT(s.phase, CCAT_ROTATE_STARTED);
    CHECK_EQ_STR(s.next.name, "dev-1");
    /* Called again: resumes the same rotation (no new generation). */
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, &res), CCAT_ERR_CONNECT);
    CHECK_EQ_INT(res.resumed, 1);
    CHECK_EQ_INT(res.generation, 1);
    /* Too little scratch for listing. */
    cfg.record_size = 100;
    CHECK_EQ_INT(ccat_rotate_access_token(&c, &cfg, &res), CCAT_ERR_STATE_TOO_LARGE);
    CHECK(all_zero(rec, 100));
}

int main(void)
{
    test_crc();
    test_roundtrip();
    test_in_place();
    test_limits();
    test_corruption();
    test_flash_torn();
    test_file_storage();
    test_names();
    test_http_date();
    test_status_names();
    test_provision_load();
    test_rotate_arguments();
    return test_summary("rotate_record");
}
