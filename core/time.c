/*
 * RFC 3339 timestamps <-> microseconds since the epoch, years 0001..9999.
 * Civil-date arithmetic after H. Hinnant's days_from_civil; years are never
 * negative in this range, so everything stays in unsigned arithmetic.
 */
#include "internal.h"

#define US_PER_S 1000000u
#define S_PER_DAY 86400u
#define BAD (-10000) /* any field read from a non-digit is at most this */

/* Writes v (0..99) as two digits followed by sep. */
static char *put2(char *p, unsigned v, char sep)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    p[2] = sep;
    return p + 3;
}

int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX])
{
    if (t < CCAT_TIME_MIN || t > CCAT_TIME_MAX) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    uint64_t us = (uint64_t)(t - CCAT_TIME_MIN);
    uint64_t secs = us / US_PER_S;
    uint32_t frac = (uint32_t)(us - secs * US_PER_S);
    uint32_t sod = (uint32_t)(secs % S_PER_DAY);
    /* Days since 0000-03-01 (0001-01-01 is day 306), then civil_from_days. */
    uint32_t doe = (uint32_t)(secs / S_PER_DAY) + 306;
    uint32_t era = doe / 146097;
    doe -= era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    uint32_t m = mp < 10 ? mp + 3 : mp - 9;
    uint32_t y = yoe + era * 400 + (m <= 2);

    char *p = put2(out, y / 100, 0);
    p = put2(p - 1, y % 100, '-');
    p = put2(p, m, '-');
    p = put2(p, doy - (153 * mp + 2) / 5 + 1, 'T');
    p = put2(p, sod / 3600, ':');
    p = put2(p, sod / 60 % 60, ':');
    p = put2(p, sod % 60, '.');
    if (frac != 0) {
        p = put2(p, frac / 10000, 0);
        p = put2(p - 1, frac / 100 % 100, 0);
        p = put2(p - 1, frac % 100, 0);
    }
    p[-1] = 'Z';
    *p = '\0';
    return (int)(p - out);
}

/* Two digits at s, or BAD. */
static int get2(const char *s)
{
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    return (a > 9 || b > 9) ? BAD : (int)(a * 10 + b);
}

/* Zone "Z", "z", "+hh:mm" or "-hh:mm" of n bytes: seconds east of UTC, or BAD * 100. */
static int32_t zone_offset(const char *s, size_t n)
{
    if (n == 1 && (*s == 'Z' || *s == 'z')) {
        return 0;
    }
    if (n != 6 || (*s != '+' && *s != '-') || s[3] != ':') {
        return BAD * 100;
    }
    int h = get2(s + 1), m = get2(s + 4);
    if (h < 0 || h > 23 || m < 0 || m > 59) {
        return BAD * 100;
    }
    return (h * 3600 + m * 60) * (*s == '-' ? -1 : 1);
}

static int days_in_month(int y, int m)
{
    if (m == 2) {
        return 28 + ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
    }
    return 30 + ((m + (m >> 3)) & 1); /* 31 for Jan, Mar, May, Jul, Aug, Oct, Dec */
}

ccat_status_t ccat_time_parse(const char *s, size_t len, ccat_time_t *out)
{
    if (s == NULL || len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
        return CCAT_ERR_TIME_FORMAT;
    }
    int y = get2(s) * 100 + get2(s + 2), mo = get2(s + 5), d = get2(s + 8);
    int h = get2(s + 11), mi = get2(s + 14), sec = get2(s + 17);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 59) {
        return CCAT_ERR_TIME_FORMAT;
    }
    size_t i = 19;
    uint32_t frac = 0, scale = US_PER_S;
    if (s[i] == '.') {
        while (++i < len && (unsigned)(s[i] - '0') < 10) {
            if (scale > 1) { /* digits past the microsecond are dropped */
                scale /= 10;
                frac += (uint32_t)(s[i] - '0') * scale;
            }
        }
        if (i == 20) {
            return CCAT_ERR_TIME_FORMAT;
        }
    }
    int32_t off = zone_offset(s + i, len - i);
    if (off < -86400) {
        return CCAT_ERR_TIME_FORMAT;
    }
    /* days_from_civil, with the year starting in March. */
    unsigned yy = (unsigned)(y - (mo <= 2)), m = (unsigned)mo;
    unsigned era = yy / 400, yoe = yy - era * 400;
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    int64_t days = (int64_t)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
    int64_t secs = days * S_PER_DAY + h * 3600 + mi * 60 + sec - off;
    *out = secs * US_PER_S + frac;
    return CCAT_OK;
}
