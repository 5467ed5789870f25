/* RFC 3339 formatting and parsing, against values computed independently. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ccat/ccat.h"
#include "test.h"

#define US 1000000LL

static void check_format(ccat_time_t t, const char *want)
{
    char out[CCAT_TIME_TEXT_MAX];
    int n = ccat_time_format(t, out);
    CHECK_EQ_INT(n, (long long)strlen(want));
    CHECK_EQ_STR(out, want);
}

static void check_parse(const char *text, ccat_time_t want)
{
    ccat_time_t t = 12345;
    CHECK_EQ_INT(ccat_time_parse(text, strlen(text), &t), CCAT_OK);
    CHECK_EQ_INT(t, want);
}

static void check_reject(const char *text)
{
    ccat_time_t t = 777;
    CHECK_EQ_INT(ccat_time_parse(text, strlen(text), &t), CCAT_ERR_TIME_FORMAT);
    CHECK_EQ_INT(t, 777); /* untouched on failure */
}


/* Reference for the 20-byte form "YYYY-MM-DDTHH:MM:SSZ": 1 when valid (an
 * independent, byte-by-byte reading). */
static int ref_valid20(const char *t)
{
    static const char layout[] = "dddd-dd-ddTdd:dd:ddZ";
    int v[20];
    for (int i = 0; i < 20; i++) {
        unsigned char c = (unsigned char)t[i];
        if (layout[i] == 'd') {
            if (c < '0' || c > '9') {
                return 0;
            }
            v[i] = c - '0';
        } else if (layout[i] == 'T') {
            if (c != 'T' && c != 't' && c != ' ') {
                return 0;
            }
        } else if (layout[i] == 'Z') {
            if (c != 'Z' && c != 'z') {
                return 0;
            }
        } else if (c != (unsigned char)layout[i]) {
            return 0;
        }
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], mo = v[5] * 10 + v[6];
    int d = v[8] * 10 + v[9], h = v[11] * 10 + v[12], mi = v[14] * 10 + v[15];
    int sec = v[17] * 10 + v[18];
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) {
        return 0;
    }
    return d >= 1 && d <= mdays[mo - 1] + (mo == 2 && leap);
}

/* Every byte of valid texts replaced by every byte value: accepted exactly
 * when the reference accepts (each digit of each field, the separators). */
static void check_every_byte(const char *valid)
{
    char t[21];
    for (int i = 0; i < 20; i++) {
        for (int c = 0; c < 256; c++) {
            memcpy(t, valid, 21);
            t[i] = (char)c;
            ccat_time_t got = 777;
            ccat_status_t st = ccat_time_parse(t, 20, &got);
            if ((st == CCAT_OK) != ref_valid20(t)) {
                CHECK_EQ_INT(st, ref_valid20(t) ? CCAT_OK : CCAT_ERR_TIME_FORMAT);
                return;
            }
        }
    }
    CHECK(1);
}

/* Every day 00..39 of every month of years with each leap rule. */
static void check_month_lengths(void)
{
    static const int years[] = {1, 1900, 2000, 2023, 2024, 2100, 9999};
    char t[21];
    for (size_t k = 0; k < sizeof(years) / sizeof(years[0]); k++) {
        for (int mo = 0; mo <= 13; mo++) {
            for (int d = 0; d <= 39; d++) {
                snprintf(t, sizeof(t), "%04d-%02d-%02dT00:00:00Z", years[k], mo, d);
                ccat_time_t got = 777;
                ccat_status_t st = ccat_time_parse(t, 20, &got);
                CHECK_EQ_INT(st, ref_valid20(t) ? CCAT_OK : CCAT_ERR_TIME_FORMAT);
                if (st == CCAT_OK) { /* and it is that day */
                    char out[CCAT_TIME_TEXT_MAX];
                    CHECK_EQ_INT(ccat_time_format(got, out), 20);
                    CHECK_EQ_STR(out, t);
                }
            }
        }
    }
}

/* Every numeric zone "+hh:mm" / "-hh:mm" with hh and mm 00..99, then every
 * byte value at each of its six places: accepted exactly when hh <= 23 and
 * mm <= 59, and then that many seconds west / east of the local reading. */
static void check_zones(void)
{
    char t[32];
    for (int sign = 0; sign < 2; sign++) {
        for (int hh = 0; hh < 100; hh++) {
            for (int mm = 0; mm < 100; mm++) {
                snprintf(t, sizeof(t), "2027-11-27T18:51:53%c%02d:%02d", sign ? '-' : '+', hh, mm);
                ccat_time_t got = 777;
                ccat_status_t st = ccat_time_parse(t, 25, &got);
                int ok = hh <= 23 && mm <= 59;
                long long off = (hh * 3600LL + mm * 60) * (sign ? -1 : 1);
                if (st != (ok ? CCAT_OK : CCAT_ERR_TIME_FORMAT) ||
                    got != (ok ? (1827341513LL - off) * US : 777)) {
                    CHECK_EQ_STR(t, "accepted as its zone says");
                    return;
                }
            }
        }
    }
    for (int i = 19; i < 25; i++) {
        for (int c = 0; c < 256; c++) {
            memcpy(t, "2027-11-27T18:51:53+03:30", 26);
            int valid = i == 19 ? c == '+' || c == '-' : i == 22 ? c == ':' : c >= '0' && c <= '9';
            valid = valid && !(i == 20 && c > '2') && !(i == 23 && c > '5');
            t[i] = (char)c;
            ccat_time_t got = 777;
            if ((ccat_time_parse(t, 25, &got) == CCAT_OK) != valid) {
                CHECK_EQ_STR(t, valid ? "accepted" : "refused");
                return;
            }
        }
    }
    CHECK(1);
}

int main(void)
{
    check_format(0, "1970-01-01T00:00:00Z");
    check_format(1827341513LL * US, "2027-11-27T18:51:53Z"); /* the bench exchange */
    check_format(1827341513LL * US + 5, "2027-11-27T18:51:53.000005Z");
    check_format(951782400LL * US, "2000-02-29T00:00:00Z");  /* leap day, 400-year rule */
    check_format(4107542400LL * US, "2100-03-01T00:00:00Z"); /* 2100 is not a leap year */
    check_format(-1 * US, "1969-12-31T23:59:59Z");
    check_format(-1, "1969-12-31T23:59:59.999999Z");
    check_format(-62135596800LL * US, "0001-01-01T00:00:00Z");
    check_format(253402300799LL * US + 999999, "9999-12-31T23:59:59.999999Z");
    char out[CCAT_TIME_TEXT_MAX];
    CHECK_EQ_INT(ccat_time_format(-62135596800LL * US - 1, out), CCAT_ERR_EXPIRES_RANGE);
    CHECK_EQ_INT(ccat_time_format(253402300800LL * US, out), CCAT_ERR_EXPIRES_RANGE);
    CHECK_EQ_INT(ccat_time_format(INT64_MIN, out), CCAT_ERR_EXPIRES_RANGE);
    CHECK_EQ_INT(ccat_time_format(INT64_MAX, out), CCAT_ERR_EXPIRES_RANGE);
    /* Far enough past the range that a 32-bit count of 128-second units
     * wraps into it (2^39 s after 0001-01-01, plus a day). */
    CHECK_EQ_INT(ccat_time_format(-62135596800LL * US + ((1LL << 39) + 86400) * US, out),
                 CCAT_ERR_EXPIRES_RANGE);

    check_parse("2027-11-27T18:51:53Z", 1827341513LL * US);
    check_parse("2027-11-27t18:51:53z", 1827341513LL * US);
    check_parse("2027-11-27 18:51:53Z", 1827341513LL * US);
    check_parse("2027-11-27T18:51:53.5Z", 1827341513LL * US + 500000);
    check_parse("2027-11-27T18:51:53.123456789Z", 1827341513LL * US + 123456);
    check_parse("2027-11-27T20:51:53+02:00", 1827341513LL * US);
    check_parse("2027-11-27T13:21:53-05:30", 1827341513LL * US);
    check_parse("2027-11-27T18:51:53.000001+00:00", 1827341513LL * US + 1);
    check_parse("0001-01-01T00:00:00Z", -62135596800LL * US);
    check_parse("2024-02-29T00:00:00Z", 1709164800LL * US);
    check_parse("9999-12-31T23:59:59.999999Z", 253402300799LL * US + 999999);
    check_parse("0001-01-01T00:00:00+01:00", -62135600400LL * US); /* zones may leave the range */
    check_parse("9999-12-31T23:59:59-23:59", (253402300799LL + 86340) * US);
    check_parse("2027-11-27T18:51:53-00:00", 1827341513LL * US);

    check_reject("");
    check_reject("2027-11-27T18:51:53");      /* no zone */
    check_reject("2027-11-27T18:51:53.Z");    /* empty fraction */
    check_reject("2027-13-27T18:51:53Z");
    check_reject("2027-02-29T00:00:00Z");     /* not a leap year */
    check_reject("2027-11-31T00:00:00Z");
    check_reject("2027-11-27T24:00:00Z");
    check_reject("2027-11-27T18:60:00Z");
    check_reject("2027-11-27T18:51:60Z");     /* leap seconds are not accepted */
    check_reject("2027-11-27T18:51:53+2:00");
    check_reject("2027-11-27T18:51:53+02:60");
    check_reject("2027-11-27T18:51:53Zjunk");
    check_reject("0000-01-01T00:00:00Z");
    check_reject("2027-1a-27T18:51:53Z");
    check_reject("2027/11/27T18:51:53Z");
    check_reject("+2027-11-27T18:51:53Z");
    check_reject("2027-11-27T18:51:53+24:00");
    check_reject("2027-11-27T18:51:53*02:00");
    check_reject("2027-11-27T18:51:53+02:00:00");
    check_reject("9999-12-31T24:00:00Z");     /* would be 10000-01-01 */
    check_reject("2027-11-27T18:51:53.123");  /* fraction, no zone */
    /* Above or below every valid field (the ends of -Os's bisection). */
    check_reject("9999-12-32T00:00:00Z");
    check_reject("9999-99-99T99:99:99Z");
    check_reject("~~~~-~~-~~T~~:~~:~~Z");
    check_reject("0000-00-00T00:00:00Z");
    check_reject("////-//-//T//://://Z");
    check_reject("2027-11-27T23:59:60Z");
    check_reject("2027-11-27T18:51:53+23:60");
    check_reject("2027-11-27T18:51:53+99:99");
    check_reject("2027-11-27T18:51:53+//://");
    check_parse("2027-11-27T23:59:59+23:59", (1827341513LL + 18486 - 86340) * US);
    check_parse("2027-11-27T00:00:00-00:01", (1827341513LL - 67913 + 60) * US);

    check_every_byte("2027-11-27T18:51:53Z");
    check_every_byte("2024-02-29T23:59:59Z");
    check_every_byte("2000-12-31T09:09:09Z");
    check_every_byte("0001-10-30T00:00:00z");
    check_month_lengths();
    check_zones();

    /* Round trip over a spread of instants, each second of a 400-year cycle's stride. */
    for (int64_t s = -62135596800LL; s < 253402300800LL; s += 7777777) {
        ccat_time_t t = s * US + (s & 0xfffff), back = 0;
        int n = ccat_time_format(t, out);
        if (n <= 0 || ccat_time_parse(out, (size_t)n, &back) != CCAT_OK || back != t) {
            CHECK(0 && "round trip");
            break;
        }
    }
    CHECK(1);
    return test_summary("time");
}
