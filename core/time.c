/*
 * RFC 3339 timestamps <-> microseconds since the epoch, years 0001..9999.
 * Civil-date arithmetic after H. Hinnant's days_from_civil; years are never
 * negative in this range, so everything stays in unsigned arithmetic.
 */
#include "internal.h"

#define US_PER_S 1000000LL
#define S_PER_DAY 86400LL

static int64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400;
    unsigned yoe = y - era * 400;
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[m - 1] + (m == 2 && leap);
}

/* Writes v as exactly n digits. */
static char *put_digits(char *out, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return out + n;
}

int ccat_time_format(ccat_time_t t, char out[CCAT_TIME_TEXT_MAX])
{
    if (t < CCAT_TIME_MIN || t > CCAT_TIME_MAX) {
        return CCAT_ERR_EXPIRES_RANGE;
    }
    /* Shift to day counts from 0000-03-01 so all values are non-negative. */
    uint64_t us = (uint64_t)(t - CCAT_TIME_MIN);
    uint64_t secs = us / US_PER_S;
    unsigned frac = (unsigned)(us % US_PER_S);
    unsigned sod = (unsigned)(secs % S_PER_DAY);
    unsigned doe0 = (unsigned)(secs / S_PER_DAY) + 306; /* 0001-01-01 is day 306 of era 0 */
    unsigned era = doe0 / 146097;
    unsigned doe = doe0 - era * 146097;
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = yoe + era * 400 + (m <= 2);

    char *p = put_digits(out, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    if (frac != 0) {
        *p++ = '.';
        p = put_digits(p, frac, 6);
    }
    *p++ = 'Z';
    *p = '\0';
    return (int)(p - out);
}

/* Reads exactly n digits at s; returns -1 if any is not a digit. */
static int get_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i] - '0';
        if (c > 9) {
            return -1;
        }
        v = v * 10 + (int)c;
    }
    return v;
}

/* Offset "Z", "z" or "+hh:mm"/"-hh:mm" at s (exactly n bytes); seconds east of UTC. */
static int parse_offset(const char *s, size_t n, int32_t *off)
{
    if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off = 0;
        return 0;
    }
    if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') {
        return -1;
    }
    int h = get_digits(s + 1, 2), m = get_digits(s + 4, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59) {
        return -1;
    }
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

ccat_status_t ccat_time_parse(const char *s, size_t len, ccat_time_t *out)
{
    /* YYYY-MM-DDThh:mm:ss is 19 bytes; the shortest zone is 1 more. */
    if (s == NULL || out == NULL || len < 20 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
        return CCAT_ERR_TIME_FORMAT;
    }
    int y = get_digits(s, 4), mo = get_digits(s + 5, 2), d = get_digits(s + 8, 2);
    int h = get_digits(s + 11, 2), mi = get_digits(s + 14, 2), sec = get_digits(s + 17, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > (int)days_in_month((unsigned)y, (unsigned)mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
        return CCAT_ERR_TIME_FORMAT;
    }
    size_t i = 19;
    int32_t frac = 0;
    if (s[i] == '.') {
        size_t digits = 0;
        for (i++; i < len && (unsigned)((unsigned char)s[i] - '0') <= 9; i++, digits++) {
            if (digits < 6) {
                frac = frac * 10 + (s[i] - '0');
            }
        }
        if (digits == 0) {
            return CCAT_ERR_TIME_FORMAT;
        }
        for (; digits < 6; digits++) {
            frac *= 10;
        }
    }
    int32_t off;
    if (parse_offset(s + i, len - i, &off) != 0) {
        return CCAT_ERR_TIME_FORMAT;
    }
    int64_t days = days_from_civil((unsigned)y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * S_PER_DAY + h * 3600 + mi * 60 + sec - off;
    *out = secs * US_PER_S + frac;
    return CCAT_OK;
}
