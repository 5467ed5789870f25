/*
 * libFuzzer harness for the rotation's stored-state record (core/rotate.c:
 * ccat_rotate_record_check / _decode / _encode) and the HTTP Date parser
 * the rotation takes the time from (ccat_http_date_parse).
 *
 * Input: byte 0 bit 0 set: the harness writes the length field and the
 * CRC itself (so that the layout behind them is explored, not only the CRC
 * check); the rest is the record, in a heap buffer of exactly its size.
 * Checked: check and decode agree; a decoded record's strings lie inside
 * it with the lengths its header gives; it re-encodes to the same bytes,
 * into a fresh buffer and in place, and not into one byte less. The whole
 * input, as a string, goes to the Date parser: a date it accepts formats
 * back (RFC 3339) to the same year, month, day and time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccat/ccat_rotate.h"
#include "fuzz_common.h"

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The token's strings lie in rec[0..len) with the lengths they claim. */
static void check_token(const ccat_rotate_token_t *t, const uint8_t *rec, size_t len)
{
    const char *s[3] = {t->name, t->id, t->secret};
    const char *lo = (const char *)rec, *hi = lo + len;
    for (int i = 0; i < 3; i++) {
        REQUIRE(s[i] != NULL && s[i] >= lo && s[i] < hi);
        REQUIRE(memchr(s[i], '\0', (size_t)(hi - s[i])) != NULL);
    }
    REQUIRE(strlen(t->secret) == t->secret_len);
}

static void check_record(uint8_t *rec, size_t len)
{
    uint32_t seq = 0xDEADBEEF;
    ccat_status_t chk = ccat_rotate_record_check(rec, len, &seq);
    REQUIRE(chk == CCAT_OK || chk == CCAT_ERR_STATE_CORRUPT || chk == CCAT_ERR_STATE_VERSION);
    REQUIRE(chk == CCAT_OK ? seq == le32(rec + 8) : seq == 0xDEADBEEF);

    uint8_t *orig = malloc(len ? len : 1);
    REQUIRE(orig != NULL);
    memcpy(orig, rec, len);
    ccat_rotate_state_t st;
    ccat_status_t dec = ccat_rotate_record_decode(rec, len, &st);
    REQUIRE(memcmp(orig, rec, len) == 0); /* decoding writes nothing */
    REQUIRE(ccat_rotate_record_decode(rec, len, NULL) == CCAT_ERR_ARGUMENT);
    /* A record the check refuses is refused by decode for the same reason. */
    REQUIRE(chk == CCAT_OK ? (dec == CCAT_OK || dec == CCAT_ERR_STATE_CORRUPT) : dec == chk);
    if (dec == CCAT_OK) {
        REQUIRE(st.phase <= CCAT_ROTATE_STORED && st.sequence == seq);
        REQUIRE(st.generation == le32(rec + 12));
        check_token(&st.current, rec, len);
        check_token(&st.next, rec, len);
        REQUIRE(st.current.secret_len > 0);

        /* Re-encoded: the same bytes; one byte short: too large. */
        uint8_t *again = malloc(len);
        REQUIRE(again != NULL);
        REQUIRE(ccat_rotate_record_encode(&st, again, len - 1) == CCAT_ERR_STATE_TOO_LARGE);
        REQUIRE(ccat_rotate_record_encode(&st, again, len) == (int32_t)len);
        REQUIRE(memcmp(again, orig, len) == 0);
        free(again);
        /* In place, over the strings it reads. */
        REQUIRE(ccat_rotate_record_encode(&st, rec, len) == (int32_t)len);
        REQUIRE(memcmp(rec, orig, len) == 0);
    }
    free(orig);
}

static void check_date(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    REQUIRE(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    ccat_time_t t = 0;
    ccat_status_t st = ccat_http_date_parse(s, &t);
    REQUIRE(st == CCAT_OK || st == CCAT_ERR_TIME_FORMAT);
    if (st == CCAT_OK) {
        /* "Sun, 06 Nov 1994 08:49:37 GMT" <-> "1994-11-06T08:49:37Z" */
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        char want[21], got[CCAT_TIME_TEXT_MAX];
        const char *m = NULL;
        REQUIRE(strlen(s) == 29);
        for (int i = 0; i < 12 && m == NULL; i++) {
            m = memcmp(months + 3 * i, s + 8, 3) == 0 ? months + 3 * i : NULL;
        }
        REQUIRE(m != NULL);
        long month = (m - months) / 3 + 1;
        snprintf(want, sizeof want, "%.4s-%02ld-%.2sT%.8sZ", s + 12, month, s + 5, s + 17);
        REQUIRE(ccat_time_format(t, got) == 20);
        REQUIRE(strcmp(got, want) == 0);
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    check_date(data + 1, size - 1);
    int fix = data[0] & 1;
    data++;
    size--;
    uint8_t *rec = malloc(size ? size : 1); /* exactly size bytes: ASan sees overreads */
    REQUIRE(rec != NULL);
    memcpy(rec, data, size);
    if (fix && size >= CCAT_ROTATE_RECORD_FIXED && size <= 0xFFFF) {
        uint32_t crc;
        rec[4] = (uint8_t)size;
        rec[5] = (uint8_t)(size >> 8);
        crc = ccat_crc32(rec, size - 4);
        for (int i = 0; i < 4; i++) {
            rec[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
        }
    }
    check_record(rec, size);
    free(rec);
    return 0;
}
